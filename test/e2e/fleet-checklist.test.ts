import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Checklist from '../../src/commands/ce/checklist.js';
import FleetChecklist from '../../src/commands/ce/fleet/checklist.js';
import { resultOf, runCommand } from '../helpers/command.js';
import { startCli } from '../helpers/cli.js';
import { listFleet } from '../helpers/fleet.js';
import { type SimSession, startSimSession } from '../helpers/simulator.js';
import type { SimOrg } from '../../simulator/server.js';

/**
 * The simulated fleet (simulator/scenarios/fleet.json): one simulator serving eight orgs, ready ones, one with
 * Contact record pages to fix, outdated ones, one whose stored login the org no longer takes, and one with almost
 * none of its daily API requests left.
 */
const FLEET = ['fleet', 'acme-emea', 'acme-apac', 'acme-uat', 'globex', 'initech', 'umbrella', 'hooli'];

describe('ce-connect fleet checklist against a simulated fleet', () => {
  let session: SimSession;
  const orgs = new Map<string, SimOrg>();
  let list: string;

  beforeAll(async () => {
    session = await startSimSession({ scenario: 'fleet', alias: 'fleet' });
    for (const org of session.sim.orgs) orgs.set(org.key, org);
    expect([...orgs.keys()]).toEqual(FLEET);
    // Umbrella's login is stored before its session is revoked (the scenario's fault, back at every reset).
    list = await listFleet(session.sim.orgs, mkdtempSync(join(tmpdir(), 'ce-fleet-')), ['fleet']);
  });
  afterAll(async () => session?.stop());
  beforeEach(() => {
    // Each org back to its scenario, with its faults (the revoked login) and its API usage.
    for (const org of orgs.values()) {
      if (org.key !== 'fleet') org.reset();
      org.requests.length = 0;
    }
  });

  const outDir = (): string => join(mkdtempSync(join(tmpdir(), 'ce-fleet-run-')), 'run');
  const calls = (key: string): number => orgs.get(key)?.requests.length ?? 0;

  it('checks every org in one process: failed logins and low allowances are rows, not aborts', async () => {
    const dir = outDir();
    const run = await runCommand(FleetChecklist, ['--orgs', list, '--out-dir', dir, '--json']);
    expect(run.exitCode).toBe(1);
    const result = resultOf(run);
    expect(result.orgs.map((o) => [o.org, o.status])).toEqual([
      ['fleet', 'ok'],
      ['acme-emea', 'ok'],
      ['acme-apac', 'ok'],
      ['acme-uat', 'failed'],
      ['globex', 'failed'],
      ['initech', 'failed'],
      ['umbrella', 'failed'],
      ['hooli', 'skipped'],
    ]);
    const byOrg = new Map(result.orgs.map((o) => [o.org, o]));
    expect(byOrg.get('umbrella')?.firstError).toMatchObject({
      name: 'SessionExpired',
      fix: `sf org login web --alias umbrella --instance-url ${orgs.get('umbrella')?.instanceUrl}`,
    });
    expect(byOrg.get('hooli')?.firstError?.name).toBe('LowApiAllowance');
    expect(byOrg.get('hooli')?.apiRemaining).toBeLessThan(20);
    // The low org was read once (its facts) and left alone.
    expect(calls('hooli')).toBe(1);
    expect(result.counts).toMatchObject({ ok: 3, failed: 4, skipped: 1, total: 8 });
    expect(session.sim.allRequests().filter((r) => r.write)).toEqual([]);

    for (const file of ['fleet-summary.json', 'fleet-items.csv', 'fleet.html', 'ce-handoff.csv', 'failed-orgs.csv']) {
      expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
    }
    expect(readFileSync(join(dir, 'failed-orgs.csv'), 'utf8').trim().split('\n')).toEqual([
      'org,config,export,test-email',
      ...['acme-uat', 'globex', 'initech', 'umbrella', 'hooli'].map(
        (key) => `${key},${join(dirname(list), 'configs', `${key}.json`)},,`
      ),
    ]);
    expect(existsSync(join(dir, 'orgs', 'acme-emea', 'checklist.html'))).toBe(true);
    expect(readFileSync(join(dir, 'fleet.html'), 'utf8')).toContain(
      '<a href="orgs/acme-emea/checklist.html">acme-emea</a>'
    );
  });

  it('gives every org the verdicts and API calls of a single-org checklist', async () => {
    const fleet = resultOf(await runCommand(FleetChecklist, ['--orgs', list, '--out-dir', outDir(), '--json']));
    for (const key of ['acme-emea', 'acme-uat', 'globex']) {
      const single = resultOf(
        await session.run(Checklist, ['-o', key, '--config', join(dirname(list), 'configs', `${key}.json`), '--json'])
      );
      // The same items, statuses, evidence and fixes; "how long ago" moves on with the clock between the two runs.
      const shown = (i: { id: string; status: string; evidence: string; fix?: string }): string[] => [
        i.id,
        i.status,
        i.evidence.replace(/\(\d+h \d+m ago\)/g, '(… ago)'),
        i.fix ?? '',
      ];
      const listed = fleet.orgs.find((o) => o.org === key);
      expect(listed?.checks.map(shown)).toEqual(single.sections.flatMap((s) => s.items).map(shown));
      expect(listed?.apiCalls).toBe(single.apiCalls);
    }
  });

  it('resumes a run: only the orgs it had not finished are checked again', async () => {
    const dir = outDir();
    await runCommand(FleetChecklist, ['--orgs', list, '--out-dir', dir, '--json']);
    // As if the run had been killed before these two finished.
    for (const key of ['acme-apac', 'initech']) rmSync(join(dir, 'orgs', key, 'row.json'));
    for (const org of orgs.values()) org.requests.length = 0;
    const resumed = await runCommand(FleetChecklist, ['--resume', dir, '--json']);
    const touched = FLEET.filter((key) => calls(key) > 0);
    expect(touched).toEqual(['acme-apac', 'initech']);
    expect(resultOf(resumed).orgs.map((o) => o.status)).toEqual([
      'ok',
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

  // A real process, because a kill is what a process gets: every org that finished before it is kept.
  it('keeps every org finished before a SIGKILL, and --resume checks only the rest', async () => {
    const dir = outDir();
    // Slow answers, so the kill lands while orgs are still being checked.
    for (const org of orgs.values()) org.faults.add({ kind: 'latency', latencyMs: 40 });
    const cli = startCli(['fleet', 'checklist', '--orgs', list, '--out-dir', dir, '--concurrency', '1', '--json'], {
      env: session.env,
    });
    const rows = (): string[] => FLEET.filter((key) => existsSync(join(dir, 'orgs', key, 'row.json')));
    while (rows().length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    cli.child.kill('SIGKILL');
    expect((await cli.ended).signal).toBe('SIGKILL');
    const kept = rows();
    expect(kept.length).toBeLessThan(FLEET.length);

    for (const org of orgs.values()) {
      org.faults.clear();
      org.requests.length = 0;
    }
    orgs.get('umbrella')?.faults.add({ kind: 'INVALID_SESSION_ID' });
    const resumed = resultOf(await runCommand(FleetChecklist, ['--resume', dir, '--json']));
    expect(FLEET.filter((key) => calls(key) > 0).sort()).toEqual(FLEET.filter((key) => !kept.includes(key)).sort());
    expect(resumed.orgs.map((o) => o.org)).toEqual(FLEET);
    expect(resumed.orgs.filter((o) => o.status === 'not-run')).toEqual([]);
  }, 60_000);

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
    expect(statuses.slice(0, 4)).toEqual(['ok', 'ok', 'ok', 'failed']);
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
    const ready = capped.orgs.find((o) => o.org === 'acme-emea');
    expect(ready?.status).toBe('failed');
    expect(ready?.apiCalls).toBe(5);
    expect(ready?.checks.some((c) => c.evidence.includes('--max-api-calls-per-org'))).toBe(true);
  });

  it('runs on every org the sf CLI has a login for with --all-connected', async () => {
    const run = await runCommand(FleetChecklist, ['--all-connected', '--out-dir', outDir(), '--json']);
    const result = resultOf(run);
    expect(result.orgs.map((o) => o.org)).toEqual([...FLEET].sort((a, b) => a.localeCompare(b)));
    // Without a list there are no per-org configs: the project's config names users no suffixed org has.
    expect(result.orgs.find((o) => o.org === 'fleet')?.status).toBe('ok');
    expect(result.orgs.find((o) => o.org === 'hooli')?.status).toBe('skipped');
  });

  it('refuses a bad list before opening any org (exit 2)', async () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'ce-fleet-bad-')), 'orgs.csv');
    writeFileSync(bad, 'org,region\nacme-emea,eu\n');
    const run = await runCommand(FleetChecklist, ['--orgs', bad, '--out-dir', outDir(), '--json']);
    expect(run.exitCode).toBe(2);
    expect(run.json?.name).toBe('UnknownOrgColumn');
    expect(session.sim.allRequests()).toHaveLength(0);
    const none = await runCommand(FleetChecklist, ['--json']);
    expect(none.exitCode).toBe(2);
    expect(none.json?.name).toBe('NoOrgList');
  });
});
