// Permission set groups after a package upgrade: `permsets apply` (and setup's permsets step) waits until every
// group permissionSet.assignees names that holds a CE permission set is Updated, and gives up with the fix when one
// is not; a group config does not name never holds up direct assignments and is a warning instead; the checklist
// reports their status. Against the simulated org, whose groups stay Updating for a few reads after an upgrade.
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

/** post-upgrade, with the group's recalculation ending otherwise (or starting from another status). */
function postUpgrade(recalculation: { reads?: number; outcome?: 'Failed' | 'Updated' }, status?: string): Scenario {
  const base = loadScenario('post-upgrade');
  return {
    ...base,
    permissionSetGroups: (base.permissionSetGroups ?? []).map((g) =>
      g.developerName === 'CE_Learners' ? { ...g, recalculation, ...(status ? { status } : {}) } : g
    ),
  } as Scenario;
}

/** The shipped config, with more rules; written to a file of its own. */
function configFile(...assignees: CeConfig['permissionSet']['assignees']): string {
  const config = structuredClone(SHIPPED);
  config.permissionSet.assignees.push(...assignees);
  const file = join(mkdtempSync(join(tmpdir(), 'ce-groups-')), 'ce-connect.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** A config that assigns through the CE Learners group (its members get the permission set directly). */
const THROUGH_GROUP = { permissionSetGroup: 'CE_Learners' };

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

  it('waits for the group config assigns through to be Updated, then assigns as config says', async () => {
    reset('post-upgrade');
    const run = await session.run(PermsetsApply, ['--yes', '--config', configFile(THROUGH_GROUP)]);
    expect(run.exitCode).toBe(0);
    const result = run.result as PermsetApplyResult;
    // Updating for three reads, Updated at the fourth.
    expect(result.groups).toMatchObject({
      groups: [{ developerName: 'CE_Learners', label: 'CE Learners', status: 'Updated', inConfig: true }],
      reads: 4,
    });
    expect(result.groups?.waitedMs).toBeGreaterThan(0);
    expect(groupReads()).toBe(4);
    expect(run.stdout).toMatch(/Waited for "CE Learners" to be recalculated: .*, 4 read\(s\)\./);
    expect(result.counts).toMatchObject({ 'already-assigned': 4, failed: 0 });
    expect(result.warnings).toEqual([]);
    expect(session.sim.org.findOne('PermissionSetGroup', (g) => g.DeveloperName === 'CE_Learners')?.Status).toBe(
      'Updated'
    );
  });

  it('waits for an Outdated group config names (due for its recalculation) as for an Updating one', async () => {
    const events: string[] = [];
    const { sim, conn, config } = await connectToSimulator('post-upgrade');
    try {
      sim.reset(postUpgrade({ reads: 2 }, 'Outdated'));
      config.permissionSet.assignees.push(THROUGH_GROUP);
      const waited = await waitForPackageGroups(conn, config, {
        pollSchedule: { firstMs: 10, maxMs: 10, factor: 1 },
        rerun: { command: 'ce-connect permsets apply -o sim', waitFlag: '--wait' },
        checkCommand: 'ce-connect checklist -o sim',
        onProgress: (e) => events.push(`${e.reads}: ${e.pending.join(', ')}`),
      });
      expect(events).toEqual(['1: "CE Learners" (CE_Learners): Outdated', '2: "CE Learners" (CE_Learners): Outdated']);
      expect(waited.reads).toBe(3);
      expect(waited.named.map((g) => g.status)).toEqual(['Updated']);
    } finally {
      await sim.stop();
    }
  });

  it('does not wait for a group config does not name: direct assignments go ahead, with a warning', async () => {
    reset('post-upgrade');
    const run = await session.run(PermsetsApply, ['--json', '--yes']);
    expect(run.exitCode).toBe(0);
    const result = resultOf(run);
    // One read: the group is still Updating, and nothing waits for it.
    expect(groupReads()).toBe(1);
    expect(result.groups).toMatchObject({
      groups: [{ developerName: 'CE_Learners', status: 'Updating', inConfig: false }],
      reads: 1,
    });
    expect(result.counts).toMatchObject({ 'already-assigned': 4, failed: 0 });
    expect(result.warnings).toEqual([
      'Permission set group "CE Learners" (CE_Learners): Updating holds a CE permission set and is not recalculated: its members hold the permissions of before until it is. permissionSet.assignees does not name it, so nothing waited for it and direct assignments went ahead. Salesforce is recalculating it and ends by itself; `ce-connect checklist -o sim` shows when it is Updated.',
    ]);
  });

  it('assigns directly even when a group config does not name failed its recalculation, and says how to fix it', async () => {
    reset(postUpgrade({ reads: 0, outcome: 'Failed' }));
    const file = configFile({ username: 'former.rep@acme.example' }, { username: 'auditor@acme.example' });
    const run = await session.run(PermsetsApply, ['--json', '--yes', '--config', file]);
    expect(run.exitCode).toBe(0);
    const result = resultOf(run);
    expect(result.counts.added).toBeGreaterThan(0);
    expect(writes().length).toBeGreaterThan(0);
    expect(result.warnings.join(' ')).toContain(
      'In Setup > Permission Set Groups > CE Learners, click Recalculate; `ce-connect checklist -o sim` shows when it is Updated.'
    );
  });

  it('gives up with the fix when the recalculation of a group config names fails, writing nothing', async () => {
    reset(postUpgrade({ reads: 1, outcome: 'Failed' }));
    const file = configFile(
      THROUGH_GROUP,
      { username: 'former.rep@acme.example' },
      { username: 'auditor@acme.example' }
    );
    const run = await session.run(PermsetsApply, ['--json', '--yes', '--config', file]);
    expect(run.exitCode).toBe(1);
    expect(run.json?.name).toBe('PermissionSetGroupsNotUpdated');
    expect(run.json?.message).toContain('"CE Learners" (CE_Learners): Failed');
    expect(run.json?.message).toContain('named in permissionSet.assignees');
    expect(run.json?.message).toContain('Nothing was assigned.');
    // The action repeats the command as it was run, org and all.
    expect(run.json?.actions).toEqual([
      `In Setup > Permission Set Groups > CE Learners, the status is Failed: click Recalculate, and once it shows Updated run \`ce-connect permsets apply --json --yes --config ${file} -o sim\` again.`,
    ]);
    // A failed recalculation does not end by waiting: the command stops at the read that sees it.
    expect(groupReads()).toBe(2);
    expect(writes()).toHaveLength(0);
  });

  it('gives up when the group is still Updating at the end of --wait, within its reads', async () => {
    reset(postUpgrade({ reads: 1000 }));
    const file = configFile(THROUGH_GROUP);
    const run = await session.run(PermsetsApply, ['--json', '--yes', '--wait', '1', '--config', file]);
    expect(run.exitCode).toBe(1);
    expect(run.json?.message).toContain('"CE Learners" (CE_Learners): Updating');
    expect(run.json?.actions).toEqual([
      `Salesforce is still recalculating "CE Learners": run \`ce-connect permsets apply --json --yes --wait 1 --config ${file} -o sim\` again in a few minutes (or with a longer --wait).`,
    ]);
    // 2 s, 3 s, 4.5 s … up to 15 s between reads: a one-minute wait reads 9 times, the last at the deadline.
    expect(groupReads()).toBe(9);
    expect(writes()).toHaveLength(0);
  });

  it('reports the progress of the wait', async () => {
    const { sim, conn, config } = await connectToSimulator('post-upgrade');
    try {
      config.permissionSet.assignees.push(THROUGH_GROUP);
      const events: string[] = [];
      const waited = await waitForPackageGroups(conn, config, {
        pollSchedule: { firstMs: 10, maxMs: 10, factor: 1 },
        rerun: { command: 'ce-connect permsets apply -o sim', waitFlag: '--wait' },
        checkCommand: 'ce-connect checklist -o sim',
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

  /** ready, with post-upgrade's groups before the upgrade (Updated): the install starts their recalculation. */
  const beforeUpgrade = (): Scenario => ({
    ...loadScenario('ready'),
    permissionSetGroups: loadScenario('post-upgrade').permissionSetGroups?.map((g) => ({
      ...g,
      status: undefined,
      recalculation: undefined,
    })),
  });
  const upgrading = (...assignees: CeConfig['permissionSet']['assignees']): string => {
    const config = structuredClone(SHIPPED);
    config.packages[0] = { ...config.packages[0], minimumVersion: '2.2', versionId: '04t4x000000NP22AAA' };
    config.permissionSet.assignees.push(...assignees);
    const file = join(mkdtempSync(join(tmpdir(), 'ce-groups-')), 'ce-connect.json');
    writeFileSync(file, JSON.stringify(config));
    return file;
  };

  it('in setup: the upgrade starts the recalculation and the permsets step waits for the group config names', async () => {
    session.sim.reset(beforeUpgrade());
    session.sim.org.flags.packageInstallPolls = 1;
    // The simulated recalculation ends after reads of the groups: the packages step's admins-only read-back is one.
    session.sim.org.flags.groupRecalculationReads = 3;
    const file = upgrading(THROUGH_GROUP);
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

  it('in setup: a group config does not name is a warning in the permsets step, not a wait', async () => {
    session.sim.reset(beforeUpgrade());
    session.sim.org.flags.packageInstallPolls = 1;
    session.sim.org.flags.groupRecalculationReads = 2;
    const run = await session.run(Setup, ['--json', '--yes', '--config', upgrading(), '--only', 'packages,permsets']);
    expect(run.exitCode).toBe(0);
    const permsets = resultOf(run).steps.find((s) => s.id === 'permsets');
    expect(permsets?.status).toBe('ok');
    expect((permsets?.details as PermsetApplyResult).groups).toMatchObject({
      groups: [{ developerName: 'CE_Learners', status: 'Updating', inConfig: false }],
      reads: 1,
    });
    expect(permsets?.summary).toContain('Permission set group "CE Learners" (CE_Learners): Updating');
  });

  it('in setup: --group-wait sets the wait, and the fix names it with the command that continues', async () => {
    reset(beforeUpgrade());
    session.sim.org.flags.packageInstallPolls = 1;
    session.sim.org.flags.groupRecalculationReads = 1000;
    const file = upgrading(THROUGH_GROUP);
    const argv = ['--json', '--yes', '--config', file, '--only', 'packages,permsets', '--group-wait', '1'];
    const run = await session.run(Setup, argv);
    expect(run.exitCode).toBe(1);
    const permsets = resultOf(run).steps.find((s) => s.id === 'permsets');
    expect(permsets?.status).toBe('failed');
    expect(permsets?.fix).toBe(
      `Salesforce is still recalculating "CE Learners": run \`ce-connect setup ${argv.join(' ')} -o sim\` again in a few minutes (or with a longer --group-wait).`
    );
    // The reads of a one-minute wait (2 s, 3 s, … up to 15 s: 9), not of the ten minutes of the default, plus the
    // one of the packages step's admins-only read-back (which permission sets groups hold).
    expect(groupReads()).toBe(10);
  });

  it('shows the groups in the checklist: Updating is a warning, Failed and Outdated fail, none or Updated pass', async () => {
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
    session.sim.reset(postUpgrade({ reads: 1000 }, 'Outdated'));
    expect(await item()).toMatchObject({
      status: 'fail',
      evidence: '"CE Learners" (CE_Learners): Outdated',
      fix: expect.stringContaining('the status is Outdated: click Recalculate'),
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
