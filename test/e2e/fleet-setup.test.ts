import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import FleetSetup from '../../src/commands/ce/fleet/setup.js';
import config from '../../config/ce-connect.json' with { type: 'json' };
import { fixIntegrationUserAsConfigured } from '../../simulator/admin-playbook.js';
import type { SimOrg } from '../../simulator/server.js';
import { resultOf, runCommand } from '../helpers/command.js';
import { applyPackageVersion } from '../../simulator/catalog.js';
import { fleetEntries } from '../../src/support/fleet-command.js';
import { FleetFolder } from '../../src/support/fleet-output.js';
import { FleetSetupRun } from '../../src/support/fleet-setup.js';
import { type SimSession, loginInProcess, startSimSession } from '../helpers/simulator.js';

/**
 * Outdated production orgs (their integration users already fixed the way the audit says, so every step can pass),
 * a ready org, and one whose stored login the org no longer takes.
 */
const FLEET = [
  { key: 'old-1', scenario: 'outdated' },
  { key: 'old-2', scenario: 'outdated' },
  { key: 'old-3', scenario: 'outdated' },
  { key: 'fine', scenario: 'ready' },
  { key: 'logged-out', scenario: 'ready' },
];

describe('ce-connect fleet setup against a simulated fleet', () => {
  let session: SimSession;
  const orgs = new Map<string, SimOrg>();
  let list: string;

  beforeAll(async () => {
    session = await startSimSession({ scenario: 'ready' });
    for (const { key, scenario } of FLEET) {
      const org = await session.sim.addOrg({ key, scenario });
      orgs.set(key, org);
      await loginInProcess(org.instanceUrl, org.accessToken, key);
    }
    list = join(mkdtempSync(join(tmpdir(), 'ce-fleet-setup-')), 'orgs.json');
    writeFileSync(list, JSON.stringify(FLEET.map((f) => f.key)));
  });
  afterAll(async () => session?.stop());
  beforeEach(() => {
    for (const { key, scenario } of FLEET) {
      const org = orgs.get(key) as SimOrg;
      org.reset(scenario);
      if (scenario === 'outdated') fixIntegrationUserAsConfigured(org.org, config);
      org.requests.length = 0;
    }
    orgs.get('logged-out')?.faults.add({ kind: 'INVALID_SESSION_ID' });
  });

  const outDir = (): string => join(mkdtempSync(join(tmpdir(), 'ce-fleet-setup-run-')), 'run');
  const writes = (key: string): number => orgs.get(key)?.requests.filter((r) => r.write).length ?? 0;
  const touched = (): string[] => FLEET.map((f) => f.key).filter((key) => (orgs.get(key)?.requests.length ?? 0) > 0);

  it('plans every org, then asks once for the production orgs: without a yes nothing is written (exit 2)', async () => {
    const run = await runCommand(FleetSetup, ['--orgs', list, '--out-dir', outDir(), '--json']);
    expect(run.exitCode).toBe(2);
    expect(run.json?.name).toBe('FleetConfirmationRequired');
    expect(run.json?.message).toContain('3 production org(s) (old-1, old-2, old-3)');
    expect(session.sim.allRequests().filter((r) => r.write)).toEqual([]);

    const dry = await runCommand(FleetSetup, ['--orgs', list, '--out-dir', outDir(), '--dry-run', '--json']);
    const result = resultOf(dry);
    expect(result.dryRun).toBe(true);
    expect(result.plan.map((p) => [p.org, p.lines.length > 0])).toEqual([
      ['old-1', true],
      ['old-2', true],
      ['old-3', true],
      ['fine', false],
    ]);
    expect(result.plan[0].lines.join('\n')).toContain('Install or upgrade the CE packages');
    expect(session.sim.allRequests().filter((r) => r.write)).toEqual([]);
  });

  it('sets up every org after one yes, the installs overlapping; a failed login is a row; a second run writes nothing', async () => {
    const dir = outDir();
    const run = await runCommand(FleetSetup, [
      '--orgs',
      list,
      '--out-dir',
      dir,
      '--yes',
      '--concurrency',
      '1',
      '--json',
    ]);
    expect(run.exitCode).toBe(1);
    const result = resultOf(run);
    expect(result.orgs.map((o) => [o.org, o.status])).toEqual([
      ['old-1', 'ok'],
      ['old-2', 'ok'],
      ['old-3', 'ok'],
      ['fine', 'ok'],
      ['logged-out', 'failed'],
    ]);
    expect(result.orgs.find((o) => o.org === 'logged-out')?.firstError?.name).toBe('SessionExpired');
    for (const key of ['old-1', 'old-2', 'old-3']) expect(writes(key)).toBeGreaterThan(0);
    expect(writes('fine')).toBe(0);
    expect(result.orgs[0].checks.find((c) => c.id === 'packages')).toMatchObject({ status: 'pass' });

    // With one slot, old-2's install request was made while old-1's was still being followed: waits hold no slot.
    const all = session.sim.allRequests();
    const installs = (key: string): number[] =>
      all.flatMap((r, i) => (r.org === key && /PackageInstallRequest/.test(r.path) ? [i] : []));
    expect(installs('old-2')[0]).toBeLessThan(installs('old-1').at(-1) as number);

    const summary = JSON.parse(readFileSync(join(dir, 'fleet-summary.json'), 'utf8'));
    expect(summary.counts).toMatchObject({ ok: 4, failed: 1 });
    expect(readFileSync(join(dir, 'failed-orgs.csv'), 'utf8')).toContain('logged-out');

    for (const org of orgs.values()) org.requests.length = 0;
    const again = resultOf(await runCommand(FleetSetup, ['--orgs', list, '--out-dir', outDir(), '--yes', '--json']));
    expect(again.writes).toBe(0);
    expect(session.sim.allRequests().filter((r) => r.write)).toEqual([]);
  });

  // At a terminal (no --yes): the fleet's plan is asked for once, then each production org is written only as its
  // confirmed plan says, and the plan made once its packages are installed is asked for on its own.
  it('writes a production org only as confirmed: a changed plan stops it, and a no after the install stops it', async () => {
    const dir = outDir();
    const entries = fleetEntries([{ org: 'old-1' }, { org: 'old-2' }], undefined);
    const folder = FleetFolder.create(dir, {
      command: 'setup',
      startedAt: new Date().toISOString(),
      orgs: [{ org: 'old-1' }, { org: 'old-2' }],
      settings: {},
    });
    const questions: string[] = [];
    const run = new FleetSetupRun(
      folder,
      { 'sync-timeout': '30m', 'package-wait': 20, force: false },
      { concurrency: 2 },
      false,
      {
        log: () => undefined,
        // Yes to the fleet's plan; no to old-2's plan after its install.
        ask: (question) => {
          questions.push(question);
          return Promise.resolve(!question.startsWith('old-2'));
        },
      }
    );
    const planned = await run.plan(entries);
    expect(planned.plans.map((p) => p.org)).toEqual(['old-1', 'old-2']);
    await run.confirm(planned.plans);
    expect(questions).toEqual([expect.stringContaining('2 production org(s) (old-1, old-2)')]);
    // Between the yes and the writes, an admin installs the Data Connector on old-1 by hand.
    const old1 = orgs.get('old-1') as SimOrg;
    applyPackageVersion(old1.org, old1.org.catalog as NonNullable<typeof old1.org.catalog>, '04t4x000000NC10AAA');
    for (const org of orgs.values()) org.requests.length = 0;

    const rows = await run.apply(entries, planned.rows, planned.plans);
    expect(rows.find((r) => r.org === 'old-1')).toMatchObject({
      status: 'failed',
      failure: { name: 'FleetPlanChanged', fix: expect.stringContaining('ce-connect setup -o old-1 --config') },
    });
    expect(writes('old-1')).toBe(0);
    const old2 = rows.find((r) => r.org === 'old-2');
    expect(old2).toMatchObject({ status: 'failed', failure: { name: 'NotConfirmed' } });
    expect(questions.at(-1)).toMatch(/^old-2: the packages are installed/);
    // Its packages went in (they were in the plan confirmed); nothing of the plan refused was written.
    const old2Writes = (orgs.get('old-2') as SimOrg).requests.filter((r) => r.write);
    expect(old2Writes.length).toBeGreaterThan(0);
    expect(old2Writes.every((r) => /PackageInstallRequest/.test(r.path))).toBe(true);
  });

  it('resumes a run: only the orgs it had not finished are set up', async () => {
    const dir = outDir();
    await runCommand(FleetSetup, ['--orgs', list, '--out-dir', dir, '--yes', '--json']);
    // As if the run had been killed before old-2 finished: its org is as it was.
    rmSync(join(dir, 'orgs', 'old-2', 'row.json'));
    orgs.get('old-2')?.reset('outdated');
    fixIntegrationUserAsConfigured((orgs.get('old-2') as SimOrg).org, config);
    for (const org of orgs.values()) org.requests.length = 0;
    const resumed = await runCommand(FleetSetup, ['--resume', dir, '--yes', '--json']);
    expect(touched()).toEqual(['old-2']);
    expect(writes('old-2')).toBeGreaterThan(0);
    expect(resultOf(resumed).orgs.map((o) => o.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'failed']);
  });
});
