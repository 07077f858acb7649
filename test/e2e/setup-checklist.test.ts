import { lstatSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import config from '../../config/ce-connect.json' with { type: 'json' };
import { fixIntegrationUser } from '../../simulator/admin-playbook.js';
import Checklist, { type ChecklistResult } from '../../src/commands/ce/checklist.js';
import Scratch from '../../src/commands/ce/scratch.js';
import Setup, { type SetupCommandResult } from '../../src/commands/ce/setup.js';
import type { CheckItem } from '../../src/core/checklist.js';
import type { StepResult } from '../../src/org/setup-runner.js';
import { resultOf, runCommand } from '../helpers/command.js';
import { type SimSession, startSimSession } from '../helpers/simulator.js';

function writesIn(session: SimSession): number {
  return session.sim.requests.filter((r) => r.write).length;
}

function step(result: SetupCommandResult, id: string): StepResult {
  const found = result.steps.find((s) => s.id === id);
  if (!found) throw new Error(`no step ${id} in ${JSON.stringify(result.steps.map((s) => s.id))}`);
  return found;
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
    fixIntegrationUser(session.sim.org, {
      username: config.integrationUser.username,
      keepApps: config.integrationUser.connectedApps,
      objectAccess: config.integrationUser.objectAccess as Array<{
        object: string;
        access: Array<'read' | 'create' | 'edit'>;
      }>,
    });
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
      'layouts:done',
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
