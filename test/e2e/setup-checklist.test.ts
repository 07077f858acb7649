import { lstatSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import config from '../../config/ce-connect.json' with { type: 'json' };
import { fixIntegrationUserAsConfigured } from '../../simulator/admin-playbook.js';
import Checklist, { type ChecklistResult } from '../../src/commands/ce/checklist.js';
import Scratch from '../../src/commands/ce/scratch.js';
import Setup, { type SetupCommandResult } from '../../src/commands/ce/setup.js';
import type { CheckItem } from '../../src/core/checklist.js';
import type { StepResult } from '../../src/org/setup-runner.js';
import { resultOf, runCommand } from '../helpers/command.js';
import { type SimSession, startSimSession } from '../helpers/simulator.js';

// Against the `ready` scenario, which holds np-enr-1001 (synced 2025-10-01), np-enr-1002 (2025-12-02) and
// np-enr-1003 (2026-01-20); the cutoff in config is 2025-11-20.
const EXPORT = [
  'northpass__External_Id__c,northpass__Learner_Email__c,northpass__Course_Name__c,northpass__Progress_Percentage__c,northpass__Last_Synced_At__c',
  'np-enr-1001,maria.garcia@globex.example,Admin Essentials,100,2025-12-01T09:00:00Z', // newer: update
  'np-enr-1002,tom.nguyen@globex.example,Admin Essentials,40,2025-12-01T00:00:00Z', // older: skipped
  'np-enr-1003,ana.silva@acme.example,Reports,80,2026-01-25T10:00:00Z', // newer: update
  'np-enr-2001,li.wei@acme.example,Flows,10,2025-11-20', // new
  'np-enr-2002,raj.patel@acme.example,Flows,20,2025-12-03T08:00:00Z', // new
  'np-enr-2003,jane.doe@acme.example,Flows,30,2025-12-04T08:00:00Z', // new (older duplicate below)
  'np-enr-2003,jane.doe@acme.example,Flows,25,2025-12-01T08:00:00Z', // duplicate
  'np-enr-0999,old@acme.example,Flows,5,2025-11-19T23:59:59Z', // before the cutoff
  'np-enr-2005,x@acme.example,Flows,lots,2025-12-05T00:00:00Z', // rejected: not a number
].join('\n');

const BACKFILL_TITLE = 'Backfill enrollments written while the link was down';

function writesIn(session: SimSession): number {
  return session.sim.requests.filter((r) => r.write).length;
}

function step(result: SetupCommandResult, id: string): StepResult {
  const found = result.steps.find((s) => s.id === id);
  if (!found) throw new Error(`no step ${id} in ${JSON.stringify(result.steps.map((s) => s.id))}`);
  return found;
}

/** Requests of the simulator's log with this method whose path matches. */
function requestsTo(session: SimSession, method: string, path: RegExp): number {
  return session.sim.requests.filter((r) => r.method === method && path.test(r.path)).length;
}

function items(result: ChecklistResult): CheckItem[] {
  return result.sections.flatMap((s) => s.items);
}

describe('setup and checklist against the simulated org', () => {
  let session: SimSession;
  let work: string;

  beforeAll(async () => {
    session = await startSimSession({ scenario: 'outdated' });
  });
  afterAll(async () => {
    await session?.stop();
  });
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'ce-setup-'));
  });

  /** What the admin does in Setup after the audit's fix, so that every step of setup can pass. */
  const fixTheIntegrationUser = (): void => {
    fixIntegrationUserAsConfigured(session.sim.org, config);
  };
  const dirs = (): string[] => ['--backup-dir', join(work, 'backups'), '--out-dir', join(work, 'backfill')];

  it('plans without writing on --dry-run', async () => {
    session.sim.reset('outdated');
    const run = await session.run(Setup, ['--dry-run', '--json', ...dirs()]);
    expect(run.exitCode).toBe(0);
    const result = resultOf(run);
    expect(result.dryRun).toBe(true);
    expect(result.writes).toBe(0);
    expect(step(result, 'packages').plan.join('\n')).toMatch(/Upgrade Northpass 2\.0\.1\.4 → 2\.1/);
    expect(step(result, 'permsets').plan).toEqual(['planned once the packages are installed']);
    expect(writesIn(session)).toBe(0);
  });

  it('refuses to write to a production org without --yes, before any write', async () => {
    session.sim.reset('outdated');
    const { exitCode, json } = await session.run(Setup, ['--json', ...dirs()]);
    expect(exitCode).toBe(2);
    expect(json?.name).toBe('ConfirmationRequired');
    // The plan, a blank line, then what was kept.
    expect(json?.message).toMatch(/is a production org\. Planned changes:\n {2}- [^]*\n\nNothing was changed: writing/);
    expect(writesIn(session)).toBe(0);
  });

  it('stops at the first failing step with its fix, and runs nothing after it', async () => {
    session.sim.reset('outdated');
    const run = await session.run(Setup, ['--yes', '--json', ...dirs()]);
    expect(run.exitCode).toBe(1);
    const result = resultOf(run);
    expect(result.ok).toBe(false);
    expect(step(result, 'packages').status).toBe('done');
    const audit = step(result, 'integration-user');
    expect(audit.status).toBe('failed');
    expect(audit.summary).toContain('Modify All Data');
    expect(audit.fix).toContain('Minimum Access - API Only Integrations');
    expect(['permsets', 'layouts', 'connect-guide'].map((id) => step(result, id).status)).toEqual([
      'not-run',
      'not-run',
      'not-run',
    ]);
  });

  it('sets up an outdated org once the integration user is fixed, and a second run writes nothing', async () => {
    session.sim.reset('outdated');
    fixTheIntegrationUser();
    const first = await session.run(Setup, ['--yes', '--json', ...dirs()]);
    expect(first.exitCode).toBe(0);
    const result = resultOf(first);
    expect(result.steps.map((s) => `${s.id}:${s.status}`)).toEqual([
      'packages:done',
      'integration-user:ok',
      'permsets:done',
      'policy:done',
      'layouts:done',
      'pages:ok',
      'connect-guide:manual',
      'sync-verify:skipped',
      'backfill:skipped',
    ]);
    expect(result.writes).toBe(writesIn(session));
    expect(result.writes).toBeGreaterThan(0);

    session.sim.requests.length = 0;
    const second = await session.run(Setup, ['--yes', '--json', ...dirs()]);
    expect(second.exitCode).toBe(0);
    expect(resultOf(second).writes).toBe(0);
    expect(writesIn(session)).toBe(0);
  });

  it('checks the export before the first write: a bad file exits 2 with nothing written', async () => {
    session.sim.reset('outdated');
    fixTheIntegrationUser();
    const bad = join(work, 'export.csv');
    writeFileSync(
      bad,
      Buffer.concat([Buffer.from('northpass__External_Id__c,x\nid-1,'), Buffer.from([0xff]), Buffer.from('\n')])
    );
    for (const file of [bad, join(work, 'missing.csv')]) {
      session.sim.requests.length = 0;
      const { exitCode, json } = await session.run(Setup, ['--yes', '--export', file, '--json', ...dirs()]);
      expect(exitCode).toBe(2);
      expect(json?.message).toMatch(/not valid UTF-8|No file found/);
      expect(writesIn(session)).toBe(0);
    }
  });

  it('shows the plan of the steps that needed the packages once they are installed, before writing it', async () => {
    session.sim.reset('outdated');
    fixTheIntegrationUser();
    const { exitCode, json, stdout, stderr } = await session.run(Setup, ['--yes', ...dirs()]);
    expect(exitCode).toBe(0);
    expect(json).toBeUndefined();
    const output = stdout + stderr;
    const second = output.indexOf('Plan:', output.indexOf('Plan:') + 1);
    expect(second).toBeGreaterThan(0);
    // The second plan names the real changes, and comes before the permission set step starts writing.
    const after = output.slice(second);
    expect(after).toMatch(/Assign the Northpass Standard User permission set: /);
    expect(after).not.toMatch(/planned once the packages are installed/);
  });

  it('plans the backfill against the org before the confirmation, and sends the plan it showed', async () => {
    session.sim.reset('ready');
    const exportFile = join(work, 'export.csv');
    writeFileSync(exportFile, EXPORT);
    session.sim.requests.length = 0;
    const run = await session.run(Setup, ['--yes', '--json', '--export', exportFile, ...dirs()]);
    expect(run.exitCode).toBe(0);
    const result = resultOf(run);
    expect(result.backfill).toEqual({
      exportFile,
      outDir: join(work, 'backfill'),
      object: 'northpass__Enrollment__c',
      externalIdField: 'northpass__External_Id__c',
      since: '2025-11-20T00:00:00.000Z',
      resumed: false,
      rows: {
        input: 9,
        toUpsert: 5,
        create: 3,
        update: 2,
        skipped: { existingUpToDate: 1, beforeCutoff: 1, duplicateInFile: 1 },
        rejected: 1,
      },
      jobs: {
        count: 1,
        maxJobBytes: 100_000_000,
        files: [{ file: 'upload-001.csv', rows: 5, bytes: expect.any(Number) }],
      },
    });
    const backfill = step(result, 'backfill');
    expect(backfill.status).toBe('done');
    // The step's plan is the one confirmed, not rewritten after the run.
    expect(backfill.plan).toEqual([
      `Upsert 5 row(s) of ${exportFile} into northpass__Enrollment__c on northpass__External_Id__c: 3 new, 2 update(s) of an older copy in Salesforce`,
      'Skip 3 row(s): 1 already as new or newer in Salesforce, 1 before the cutoff 2025-11-20T00:00:00.000Z, 1 older duplicate(s) in the export',
      `Reject 1 row(s) that cannot be loaded (see rejected.csv in ${join(work, 'backfill')})`,
      'Send them in 1 Bulk API 2.0 job(s) of at most 100 MB of CSV each (1 kB in all)',
    ]);
    // What was written is what was shown: one job, one upload, and the created and updated rows as forecast.
    expect(requestsTo(session, 'POST', /\/jobs\/ingest$/)).toBe(result.backfill?.jobs.count);
    expect(requestsTo(session, 'PUT', /\/jobs\/ingest\/[^/]+\/batches$/)).toBe(1);
    const details = backfill.details as { summary: { upsert: { created: number; updated: number } } };
    expect(details.summary.upsert).toMatchObject({ created: 3, updated: 2 });
    const ids = session.sim.org.all('northpass__Enrollment__c').map((r) => r.northpass__External_Id__c);
    expect(ids).toEqual(expect.arrayContaining(['np-enr-2001', 'np-enr-2002', 'np-enr-2003']));
    expect(ids).not.toContain('np-enr-0999');
  });

  it('shows the backfill plan after the packages are installed, and writes what it showed', async () => {
    session.sim.reset('outdated');
    fixTheIntegrationUser();
    const exportFile = join(work, 'export.csv');
    writeFileSync(exportFile, EXPORT);
    session.sim.requests.length = 0;
    const run = await session.run(Setup, ['--yes', '--json', '--export', exportFile, ...dirs()]);
    expect(run.exitCode).toBe(0);
    const result = resultOf(run);
    const planned = result.backfill;
    // The outdated org holds older copies of np-enr-1001 and np-enr-1002 only (synced 2025-10-01 and 2025-11-19).
    expect(planned?.rows).toEqual({
      input: 9,
      toUpsert: 6,
      create: 4,
      update: 2,
      skipped: { existingUpToDate: 0, beforeCutoff: 1, duplicateInFile: 1 },
      rejected: 1,
    });
    expect(step(result, 'backfill').plan[0]).toMatch(/^Upsert 6 row\(s\) of .* 4 new, 2 update\(s\)/);
    expect(requestsTo(session, 'POST', /\/jobs\/ingest$/)).toBe(planned?.jobs.count);
    const details = step(result, 'backfill').details as { summary: { upsert: { created: number; updated: number } } };
    expect(details.summary.upsert).toMatchObject({ created: planned?.rows.create, updated: planned?.rows.update });
  });

  it('writes nothing after the install when the admin says no to the plan shown once the packages are in', async () => {
    session.sim.reset('outdated');
    fixTheIntegrationUser();
    const exportFile = join(work, 'export.csv');
    writeFileSync(exportFile, EXPORT);
    session.sim.requests.length = 0;
    const argv = ['--export', exportFile, ...dirs()];
    // A person at the terminal: yes to the first plan (the install), no to the second.
    const run = await session.run(Setup, argv, { answers: [true, false] });
    expect(run.prompts).toEqual(['Apply these changes to production?', 'Apply these changes to production?']);
    expect(run.exitCode).toBe(2);
    expect(run.error?.name).toBe('NotConfirmed');
    expect(run.stderr).toContain(`ce-connect setup ${[...argv, '-o', session.alias].join(' ')}`);

    // The install happened, and the second plan named the rest, backfill included, before the question.
    const writes = session.sim.requests.filter((r) => r.write);
    expect(writes.map((r) => `${r.method} ${r.path.replace(/^\/services\/data\/v[\d.]+/, '')}`)).toEqual([
      'POST /tooling/sobjects/PackageInstallRequest',
      'POST /tooling/sobjects/PackageInstallRequest',
    ]);
    const second = run.stdout.slice(run.stdout.indexOf('Plan:', run.stdout.indexOf('Plan:') + 1));
    expect(second).toMatch(/Assign the Northpass Standard User permission set: assign /);
    // Each plan is printed once: the question names the org, not the plan again.
    expect(run.stdout.split('assign Northpass Standard User to li.wei@acme.example')).toHaveLength(2);
    expect(run.stdout).not.toContain('Planned changes:');
    expect(run.stdout.split('is a production org.')).toHaveLength(3);
    expect(second).toContain(`${BACKFILL_TITLE}: Upsert 6 row(s) of ${exportFile}`);
    expect(second).toContain(`${BACKFILL_TITLE}: Send them in 1 Bulk API 2.0 job(s)`);
    // Nothing after the install: no assignment, no deploy, no Bulk API job.
    expect(session.sim.requests.filter((r) => /PermissionSetAssignment|composite/.test(r.path))).toEqual([]);
    expect(session.sim.requests.filter((r) => r.operation === 'deploy')).toEqual([]);
    expect(requestsTo(session, 'POST', /\/jobs\/ingest$/)).toBe(0);
    expect(run.stdout).not.toMatch(/Done with/);

    // Nothing was sent, so the rerun plans the backfill afresh (created and updated told apart), not "continuing".
    const again = await session.run(Setup, ['--yes', '--json', ...argv]);
    expect(again.exitCode).toBe(0);
    const backfill = resultOf(again).backfill;
    expect(backfill?.resumed).toBe(false);
    expect(backfill?.rows).toMatchObject({ toUpsert: 6, create: 4, update: 2 });
    expect(requestsTo(session, 'POST', /\/jobs\/ingest$/)).toBe(1);
  });

  it('rejects unknown step names with exit code 2 and no API call', async () => {
    session.sim.reset('ready');
    const { exitCode, json } = await session.run(Setup, ['--skip', 'layout', '--json']);
    expect(exitCode).toBe(2);
    expect(json?.message).toContain('unknown step "layout"');
    expect(session.sim.requests).toHaveLength(0);
  });

  it('passes the checklist on the ready org and writes an HTML report with mode 0600', async () => {
    session.sim.reset('ready');
    const out = join(work, 'checklist.html');
    const run = await session.run(Checklist, ['--format', 'html', '--out', out, '--json']);
    expect(run.exitCode).toBe(0);
    const result = resultOf(run);
    expect(result.summary.ok).toBe(true);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html.match(/<tr data-id=/g)?.length).toBe(items(result).length);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(writesIn(session)).toBe(0);
  });

  it('checks every Contact record page in effect, and setup makes the failing one show Enrollments', async () => {
    session.sim.reset('pages');
    const before = resultOf(await session.run(Checklist, ['--json']));
    const pages = items(before).filter((i) => i.id.startsWith('pages.'));
    expect(pages.map((i) => [i.title, i.status])).toEqual([
      ['Enrollments visible on Contact_Record_Page (org default)', 'pass'],
      ['Enrollments visible on Sales_Contact_Page (Sales app default)', 'fail'],
      [
        'Enrollments visible on Support_Contact_Page (Service_Console app, profile Standard User, record type Contact.Learner)',
        'pass',
      ],
    ]);
    expect(pages[1].fix).toBe('ce-connect pages apply -o sim');
    expect(before.summary.ok).toBe(false);

    const run = await session.run(Setup, ['--only', 'pages', '--yes', ...dirs(), '--json']);
    expect(run.exitCode).toBe(0);
    const pagesStep = step(resultOf(run), 'pages');
    expect(pagesStep).toMatchObject({ status: 'done', writes: 1 });
    expect(pagesStep.plan).toEqual([
      'Sales_Contact_Page: add a Dynamic Related List – Single for northpass__Enrollments__r to region sidebar',
    ]);
    const after = resultOf(await session.run(Checklist, ['--json']));
    expect(
      items(after)
        .filter((i) => i.id.startsWith('pages.'))
        .every((i) => i.status === 'pass')
    ).toBe(true);
    expect(after.summary.ok).toBe(true);
    const again = resultOf(await session.run(Setup, ['--only', 'pages', '--yes', ...dirs(), '--json']));
    expect(step(again, 'pages')).toMatchObject({ status: 'ok', writes: 0 });
  });

  it('replaces an existing report as a new 0600 file and never writes through a link', async () => {
    session.sim.reset('ready');
    const elsewhere = join(work, 'elsewhere.txt');
    writeFileSync(elsewhere, 'keep me', { mode: 0o644 });
    const out = join(work, 'report.md');
    symlinkSync(elsewhere, out);
    const { exitCode } = await session.run(Checklist, ['--format', 'md', '--out', out]);
    expect(exitCode).toBe(0);
    expect(readFileSync(elsewhere, 'utf8')).toBe('keep me');
    expect(lstatSync(out).isSymbolicLink()).toBe(false);
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['outdated', ['packages.northpass', 'packages.connector']],
    ['fresh', ['packages.northpass', 'packages.connector']],
  ])('fails the checklist on the %s org, naming the failing items', async (scenario, failing) => {
    session.sim.reset(scenario);
    const run = await session.run(Checklist, ['--json']);
    expect(run.exitCode).toBe(1);
    const result = resultOf(run);
    expect(result.summary.ok).toBe(false);
    const failed = items(result)
      .filter((i) => i.status === 'fail')
      .map((i) => i.id);
    for (const id of failing) expect(failed).toContain(id);
  });

  it('renders the checklist as Markdown', async () => {
    session.sim.reset('ready');
    const { exitCode, stdout } = await session.run(Checklist, ['--format', 'md']);
    expect(exitCode).toBe(0);
    expect(stdout).toContain('# Customer Education ⇄ Salesforce checklist');
    expect(stdout).toMatch(/\| ✔ PASS \| Northpass 2\.1 or later installed \|/);
  });

  it('refuses to create a scratch org through an org that is not a Dev Hub', async () => {
    session.sim.reset('ready');
    // Scratch names its org with -v (the Dev Hub), so it runs without the session's -o.
    const { exitCode, json } = await runCommand(Scratch, ['-v', session.alias, '--json']);
    expect(exitCode).toBe(2);
    expect(json?.name).toBe('NotADevHubError');
    expect(json?.actions?.join(' ')).toContain('Dev Hub');
    expect(writesIn(session)).toBe(0);
  });
});
