// Permission set groups after a package upgrade: `permsets apply` (and setup's permsets step) waits until every
// group holding a CE permission set is Updated, and gives up with the fix when one is not; the checklist reports
// their status. Against the simulated org, whose groups stay Updating for a few reads after an upgrade.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Checklist from '../../src/commands/ce/checklist.js';
import PermsetsApply from '../../src/commands/ce/permsets/apply.js';
import Setup from '../../src/commands/ce/setup.js';
import type { CeConfig } from '../../src/core/config.js';
import { waitForPackageGroups } from '../../src/org/permission-set-groups.js';
import type { PermsetApplyResult } from '../../src/org/permset-assignments.js';
import { loadScenario } from '../../simulator/scenario.js';
import { addQueryGuard } from '../../simulator/soql.js';
import type { Scenario } from '../../simulator/types.js';
import { PROJECT_ROOT } from '../helpers/cli.js';
import { resultOf } from '../helpers/command.js';
import { connectToSimulator } from '../helpers/org-connection.js';
import { type SimSession, startSimSession } from '../helpers/simulator.js';

const SHIPPED = JSON.parse(readFileSync(join(PROJECT_ROOT, 'config', 'ce-connect.json'), 'utf8')) as CeConfig;

/** post-upgrade, with the group's recalculation ending otherwise. */
function postUpgrade(recalculation: { reads?: number; outcome?: 'Failed' | 'Updated' }): Scenario {
  const base = loadScenario('post-upgrade');
  return {
    ...base,
    permissionSetGroups: (base.permissionSetGroups ?? []).map((g) =>
      g.developerName === 'CE_Learners' ? { ...g, recalculation } : g
    ),
  };
}

describe('permission set groups recalculated after an upgrade', () => {
  let session: SimSession;

  beforeAll(async () => {
    session = await startSimSession({ scenario: 'post-upgrade' });
  });
  afterAll(async () => session?.stop());

  const writes = () => session.sim.requests.filter((r) => r.write);
  /** Resets the org and counts the queries that read the groups (the request log keeps paths, not queries). */
  let reads = 0;
  const reset = (scenario: string | Scenario): void => {
    session.sim.reset(scenario);
    reads = 0;
    addQueryGuard(session.sim.org, 'PermissionSetGroupComponent', () => {
      reads += 1;
    });
  };
  const groupReads = () => reads;

  it('waits for the group to be Updated, then assigns as config says', async () => {
    reset('post-upgrade');
    const run = await session.run(PermsetsApply, ['--yes']);
    expect(run.exitCode).toBe(0);
    const result = run.result as PermsetApplyResult;
    // Updating for three reads, Updated at the fourth.
    expect(result.groups).toMatchObject({
      groups: [{ developerName: 'CE_Learners', label: 'CE Learners', status: 'Updated' }],
      reads: 4,
    });
    expect(result.groups?.waitedMs).toBeGreaterThan(0);
    expect(groupReads()).toBe(4);
    expect(run.stdout).toMatch(/Waited for "CE Learners" to be recalculated: .*, 4 read\(s\)\./);
    expect(result.counts).toMatchObject({ 'already-assigned': 4, failed: 0 });
    expect(session.sim.org.findOne('PermissionSetGroup', (g) => g.DeveloperName === 'CE_Learners')?.Status).toBe(
      'Updated'
    );
  });

  it('gives up with the fix when the recalculation fails, writing nothing', async () => {
    reset(postUpgrade({ reads: 1, outcome: 'Failed' }));
    const config = structuredClone(SHIPPED);
    config.permissionSet.assignees.push({ username: 'former.rep@acme.example' }, { username: 'auditor@acme.example' });
    const file = join(mkdtempSync(join(tmpdir(), 'ce-groups-')), 'ce-connect.json');
    writeFileSync(file, JSON.stringify(config));
    const run = await session.run(PermsetsApply, ['--json', '--yes', '--config', file]);
    expect(run.exitCode).toBe(1);
    expect(run.json?.name).toBe('PermissionSetGroupsNotUpdated');
    expect(run.json?.message).toContain('"CE Learners" (CE_Learners): Failed');
    expect(run.json?.message).toContain('Nothing was assigned.');
    expect(run.json?.actions).toEqual([
      'In Setup > Permission Set Groups > CE Learners, the status is Failed: click Recalculate, and once it shows Updated run `ce-connect permsets apply -o <org>` again.',
    ]);
    // A failed recalculation does not end by waiting: the command stops at the read that sees it.
    expect(groupReads()).toBe(2);
    expect(writes()).toHaveLength(0);
  });

  it('gives up when the group is still Updating at the end of --wait, within its reads', async () => {
    reset(postUpgrade({ reads: 1000 }));
    const run = await session.run(PermsetsApply, ['--json', '--yes', '--wait', '1']);
    expect(run.exitCode).toBe(1);
    expect(run.json?.message).toContain('"CE Learners" (CE_Learners): Updating');
    expect(run.json?.actions?.[0]).toContain('Salesforce is still recalculating "CE Learners"');
    // 2 s, 3 s, 4.5 s … up to 15 s between reads: a one-minute wait reads 9 times, the last at the deadline.
    expect(groupReads()).toBe(9);
    expect(writes()).toHaveLength(0);
  });

  it('reports the progress of the wait', async () => {
    const { sim, conn, config } = await connectToSimulator('post-upgrade');
    try {
      const events: string[] = [];
      const waited = await waitForPackageGroups(conn, config, {
        pollSchedule: { firstMs: 10, maxMs: 10, factor: 1 },
        onProgress: (e) => events.push(`${e.reads}: ${e.pending.join(', ')}`),
      });
      expect(events).toEqual([
        '1: "CE Learners" (CE_Learners): Updating',
        '2: "CE Learners" (CE_Learners): Updating',
        '3: "CE Learners" (CE_Learners): Updating',
      ]);
      expect(waited.reads).toBe(4);
    } finally {
      await sim.stop();
    }
  });

  it('in setup: the upgrade starts the recalculation and the permsets step waits for it before it plans', async () => {
    const base = loadScenario('ready');
    session.sim.reset({
      ...base,
      permissionSetGroups: loadScenario('post-upgrade').permissionSetGroups?.map((g) => ({
        ...g,
        status: undefined,
        recalculation: undefined,
      })),
    });
    session.sim.org.flags.packageInstallPolls = 1;
    session.sim.org.flags.groupRecalculationReads = 2;
    const config = structuredClone(SHIPPED);
    config.packages[0] = { ...config.packages[0], minimumVersion: '2.2', versionId: '04t4x000000NP22AAA' };
    const file = join(mkdtempSync(join(tmpdir(), 'ce-groups-')), 'ce-connect.json');
    writeFileSync(file, JSON.stringify(config));
    const run = await session.run(Setup, ['--json', '--yes', '--config', file, '--only', 'packages,permsets']);
    expect(run.exitCode).toBe(0);
    const result = resultOf(run);
    expect(result.steps.filter((s) => s.status !== 'skipped').map((s) => `${s.id}:${s.status}`)).toEqual([
      'packages:done',
      'permsets:ok',
    ]);
    const permsets = result.steps.find((s) => s.id === 'permsets')?.details as PermsetApplyResult;
    expect(permsets.groups).toMatchObject({ groups: [{ developerName: 'CE_Learners', status: 'Updated' }], reads: 3 });
  });

  it('shows the groups in the checklist: Updating is a warning, Failed fails, none or Updated pass', async () => {
    const item = async () =>
      resultOf(await session.run(Checklist, ['--json']))
        .sections.flatMap((s) => s.items)
        .find((i) => i.id === 'permsets.groups');
    session.sim.reset('post-upgrade');
    expect(await item()).toMatchObject({ status: 'warn', evidence: '"CE Learners" (CE_Learners): Updating' });
    session.sim.reset(postUpgrade({ reads: 0, outcome: 'Failed' }));
    expect(await item()).toMatchObject({
      status: 'fail',
      evidence: '"CE Learners" (CE_Learners): Failed',
      fix: expect.stringContaining(
        'click Recalculate, and once it shows Updated run `ce-connect permsets apply -o sim` again'
      ),
    });
    session.sim.reset(postUpgrade({ reads: 0 }));
    expect(await item()).toMatchObject({ status: 'pass', evidence: 'Updated: "CE Learners".' });
    session.sim.reset('ready');
    expect(await item()).toMatchObject({
      status: 'pass',
      evidence: expect.stringContaining('No permission set group'),
    });
  });
});
