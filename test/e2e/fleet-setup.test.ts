import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import FleetSetup from '../../src/commands/ce/fleet/setup.js';
import config from '../../config/ce-connect.json' with { type: 'json' };
import { fixIntegrationUserAsConfigured } from '../../simulator/admin-playbook.js';
import type { SimOrg } from '../../simulator/server.js';
import { resultOf, runCommand } from '../helpers/command.js';
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
