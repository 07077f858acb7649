import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Checklist from '../../src/commands/ce/checklist.js';
import FleetChecklist from '../../src/commands/ce/fleet/checklist.js';
import { resultOf, runCommand } from '../helpers/command.js';
import { type SimSession, loginInProcess, startSimSession } from '../helpers/simulator.js';
import { loadScenario } from '../../simulator/scenario.js';
import type { SimOrg } from '../../simulator/server.js';
import type { Scenario } from '../../simulator/types.js';

/**
 * A fleet of simulated orgs served by one simulator: ready and outdated orgs, one whose stored login the org no
 * longer accepts, and one with almost none of its daily API requests left.
 */
const FLEET: Array<{ key: string; scenario: string }> = [
  { key: 'ready-1', scenario: 'ready' },
  { key: 'ready-2', scenario: 'ready' },
  { key: 'pages-1', scenario: 'pages' },
  { key: 'outdated-1', scenario: 'outdated' },
  { key: 'outdated-2', scenario: 'outdated' },
  { key: 'logged-out', scenario: 'ready' },
  { key: 'low-api', scenario: 'ready' },
];

describe('ce-connect fleet checklist against a simulated fleet', () => {
  let session: SimSession;
  const orgs = new Map<string, SimOrg>();
  const scenarios = new Map<string, Scenario>();
  let list: string;

  beforeAll(async () => {
    session = await startSimSession({ scenario: 'ready' });
    for (const { key, scenario } of FLEET) {
      const loaded = loadScenario(scenario);
      scenarios.set(key, key === 'low-api' ? { ...loaded, org: { ...loaded.org, apiUsage: 14_990 } } : loaded);
      const org = await session.sim.addOrg({ key, scenario: scenarios.get(key) as Scenario });
      orgs.set(key, org);
      await loginInProcess(org.instanceUrl, org.accessToken, key);
    }
    list = join(mkdtempSync(join(tmpdir(), 'ce-fleet-')), 'orgs.csv');
    writeFileSync(list, ['org', ...FLEET.map((f) => f.key)].join('\n'));
  });
  afterAll(async () => session?.stop());
  beforeEach(() => {
    for (const { key } of FLEET) orgs.get(key)?.reset(scenarios.get(key));
    // The org no longer takes the session the sf CLI stored for it (a revoked token, as in November 2025).
    orgs.get('logged-out')?.faults.add({ kind: 'INVALID_SESSION_ID' });
    for (const org of orgs.values()) org.requests.length = 0;
  });

  const outDir = (): string => join(mkdtempSync(join(tmpdir(), 'ce-fleet-run-')), 'run');
  const calls = (key: string): number => orgs.get(key)?.requests.length ?? 0;

  it('checks every org in one process: failed logins and low allowances are rows, not aborts', async () => {
    const dir = outDir();
    const run = await runCommand(FleetChecklist, ['--orgs', list, '--out-dir', dir, '--json']);
    expect(run.exitCode).toBe(1);
    const result = resultOf(run);
    expect(result.orgs.map((o) => [o.org, o.status])).toEqual([
      ['ready-1', 'ok'],
      ['ready-2', 'ok'],
      ['pages-1', 'failed'],
      ['outdated-1', 'failed'],
      ['outdated-2', 'failed'],
      ['logged-out', 'failed'],
      ['low-api', 'skipped'],
    ]);
    const byOrg = new Map(result.orgs.map((o) => [o.org, o]));
    expect(byOrg.get('logged-out')?.firstError).toMatchObject({
      name: 'SessionExpired',
      fix: `sf org login web --alias logged-out --instance-url ${orgs.get('logged-out')?.instanceUrl}`,
    });
    expect(byOrg.get('low-api')?.firstError?.name).toBe('LowApiAllowance');
    expect(byOrg.get('low-api')?.apiRemaining).toBeLessThan(20);
    // The low org was read once (its facts) and left alone.
    expect(calls('low-api')).toBe(1);
    expect(result.counts).toMatchObject({ ok: 2, failed: 4, skipped: 1, total: 7 });
    expect(session.sim.allRequests().filter((r) => r.write)).toEqual([]);

    for (const file of ['fleet-summary.json', 'fleet-items.csv', 'fleet.html', 'ce-handoff.csv', 'failed-orgs.csv']) {
      expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
    }
    expect(readFileSync(join(dir, 'failed-orgs.csv'), 'utf8').trim().split('\n')).toEqual([
      'org,config,export,test-email',
      'pages-1,,,',
      'outdated-1,,,',
      'outdated-2,,,',
      'logged-out,,,',
      'low-api,,,',
    ]);
    expect(existsSync(join(dir, 'orgs', 'ready-1', 'checklist.html'))).toBe(true);
    expect(readFileSync(join(dir, 'fleet.html'), 'utf8')).toContain(
      '<a href="orgs/ready-1/checklist.html">ready-1</a>'
    );
  });

  it('gives every org the verdicts and API calls of a single-org checklist', async () => {
    const fleet = resultOf(await runCommand(FleetChecklist, ['--orgs', list, '--out-dir', outDir(), '--json']));
    for (const key of ['ready-1', 'pages-1', 'outdated-1']) {
      const single = resultOf(await session.run(Checklist, ['-o', key, '--json']));
      const items = single.sections.flatMap((s) => s.items).map((i) => [i.id, i.status, i.evidence]);
      const listed = fleet.orgs.find((o) => o.org === key);
      expect(listed?.checks.map((c) => [c.id, c.status, c.evidence])).toEqual(items);
      expect(listed?.apiCalls).toBe(single.apiCalls);
    }
  });

  it('resumes a run: only the orgs it had not finished are checked again', async () => {
    const dir = outDir();
    await runCommand(FleetChecklist, ['--orgs', list, '--out-dir', dir, '--json']);
    // As if the run had been killed before these two finished.
    for (const key of ['ready-2', 'outdated-2']) rmSync(join(dir, 'orgs', key, 'row.json'));
    for (const org of orgs.values()) org.requests.length = 0;
    const resumed = await runCommand(FleetChecklist, ['--resume', dir, '--json']);
    const touched = FLEET.map((f) => f.key).filter((key) => calls(key) > 0);
    expect(touched).toEqual(['ready-2', 'outdated-2']);
    expect(resultOf(resumed).orgs.map((o) => o.status)).toEqual([
      'ok',
      'ok',
      'failed',
      'failed',
      'failed',
      'failed',
      'skipped',
    ]);
    const again = await runCommand(FleetChecklist, ['--orgs', list, '--out-dir', dir, '--json']);
    expect(again.exitCode).toBe(2);
    expect(again.json?.name).toBe('RunFolderInUse');
  });

  it('stops starting orgs after --max-failures, and stops an org at --max-api-calls-per-org', async () => {
    const stopped = resultOf(
      await runCommand(FleetChecklist, [
        '--orgs',
        list,
        '--out-dir',
        outDir(),
        '--concurrency',
        '1',
        '--max-failures',
        '1',
        '--json',
      ])
    );
    // An org that started while a failing one waited may still run; none starts once one has failed.
    const statuses = stopped.orgs.map((o) => o.status);
    expect(statuses.slice(0, 3)).toEqual(['ok', 'ok', 'failed']);
    expect(statuses.filter((s) => s === 'not-run').length).toBeGreaterThanOrEqual(3);
    for (const o of stopped.orgs.filter((x) => x.status === 'not-run')) {
      expect(calls(o.org)).toBe(0);
      expect(o.firstError?.name).toBe('MaxFailuresReached');
    }

    const capped = resultOf(
      await runCommand(FleetChecklist, [
        '--orgs',
        list,
        '--out-dir',
        outDir(),
        '--max-api-calls-per-org',
        '5',
        '--json',
      ])
    );
    const ready = capped.orgs.find((o) => o.org === 'ready-1');
    expect(ready?.status).toBe('failed');
    expect(ready?.apiCalls).toBe(5);
    expect(ready?.checks.some((c) => c.evidence.includes('--max-api-calls-per-org'))).toBe(true);
  });

  it('refuses a bad list before opening any org (exit 2)', async () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'ce-fleet-bad-')), 'orgs.csv');
    writeFileSync(bad, 'org,region\nready-1,eu\n');
    const run = await runCommand(FleetChecklist, ['--orgs', bad, '--out-dir', outDir(), '--json']);
    expect(run.exitCode).toBe(2);
    expect(run.json?.name).toBe('UnknownOrgColumn');
    expect(session.sim.allRequests()).toHaveLength(0);
    const none = await runCommand(FleetChecklist, ['--json']);
    expect(none.exitCode).toBe(2);
    expect(none.json?.name).toBe('NoOrgList');
  });
});
