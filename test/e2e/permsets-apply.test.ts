import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PermsetsApply, { type PermsetsApplyCommandResult } from '../../src/commands/ce/permsets/apply.js';
import type { Assignee } from '../../src/core/config.js';
import { loadScenario } from '../../simulator/scenario.js';
import type { Scenario } from '../../simulator/types.js';
import { PROJECT_ROOT } from '../helpers/cli.js';
import { resultOf } from '../helpers/command.js';
import { type SimSession, startSimSession } from '../helpers/simulator.js';

const SHIPPED = JSON.parse(readFileSync(join(PROJECT_ROOT, 'config', 'ce-connect.json'), 'utf8')) as {
  permissionSet: { label: string; namespace: string; name?: string; assignees: Assignee[] };
};

/** A config file like the shipped one, with other assignees (and optionally another permission set, by label). */
function configWith(assignees: Assignee[], label?: string): string {
  const config = structuredClone(SHIPPED);
  config.permissionSet.assignees = assignees;
  if (label) {
    config.permissionSet.label = label;
    delete config.permissionSet.name;
  }
  const file = join(mkdtempSync(join(tmpdir(), 'ce-permsets-')), 'ce-connect.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

describe('ce-connect permsets apply against the simulated org', () => {
  let session: SimSession;

  beforeAll(async () => {
    session = await startSimSession({ scenario: 'outdated' });
  });
  afterAll(async () => session?.stop());
  beforeEach(() => session.sim.reset('outdated'));

  const apply = async (
    args: string[]
  ): Promise<{ exitCode: number; result: PermsetsApplyCommandResult; stderr: string }> => {
    const run = await session.run(PermsetsApply, ['--json', ...args]);
    return { exitCode: run.exitCode, result: resultOf(run), stderr: run.stderr };
  };
  const writes = () => session.sim.requests.filter((r) => r.write);
  const byUser = (result: PermsetsApplyCommandResult) =>
    Object.fromEntries(result.outcomes.map((o) => [o.username, o]));
  /** The org's direct assignments of the Northpass permission set: username → ExpirationDate. */
  const assignments = (): Record<string, unknown> => {
    const org = session.sim.org;
    const ps = org.findOne('PermissionSet', (p) => p.Name === 'Northpass_Standard_User');
    return Object.fromEntries(
      org
        .find('PermissionSetAssignment', (a) => a.PermissionSetId === ps?.Id)
        .map((a) => [String(org.get('User', String(a.AssigneeId))?.Username), a.ExpirationDate])
    );
  };

  it('assigns what is missing in one batch with expirations, reports every user, and writes nothing the second time', async () => {
    const first = await apply(['--yes']);
    expect(first.exitCode).toBe(0);
    const users = byUser(first.result);
    expect(users['support.lead@acme.example']).toMatchObject({
      outcome: 'added',
      expires: '2027-06-30T00:00:00.000Z',
      rules: ['profile "Standard User"', 'username support.lead@acme.example'],
    });
    expect(users['raj.patel@acme.example']).toMatchObject({ outcome: 'added', expires: null });
    expect(users['li.wei@acme.example'].outcome).toBe('added');
    expect(users['jane.doe@acme.example'].outcome).toBe('already-assigned');
    expect(users['former.rep@acme.example']).toMatchObject({ outcome: 'skipped-inactive' });
    expect(first.result.counts).toMatchObject({ added: 3, 'already-assigned': 1, 'skipped-inactive': 1, failed: 0 });
    expect(first.result.permissionSet).toMatchObject({ name: 'Northpass_Standard_User', namespace: 'northpass' });
    // One sObject Collections insert for the three users, nothing else written.
    expect(writes()).toEqual([
      expect.objectContaining({ method: 'POST', path: expect.stringMatching(/\/composite\/sobjects$/) }),
    ]);
    expect(first.result.writes).toBe(1);
    expect(assignments()).toEqual({
      'jane.doe@acme.example': null,
      'support.lead@acme.example': '2027-06-30T00:00:00.000+0000',
      'raj.patel@acme.example': null,
      'li.wei@acme.example': null,
    });
    // One read of the permission set groups that hold a CE permission set (none here, so no wait), then the plan.
    expect(first.result.apiCalls).toBe(6);

    session.sim.requests.length = 0;
    const second = await apply(['--yes']);
    expect(second.exitCode).toBe(0);
    expect(writes()).toHaveLength(0);
    expect(second.result.writes).toBe(0);
    expect(second.result.plan).toEqual([]);
    expect(second.result.counts).toMatchObject({ added: 0, 'already-assigned': 4, 'skipped-inactive': 1 });
    expect(second.result.apiCalls).toBe(5);
  });

  it('writes nothing on --dry-run and shows the plan', async () => {
    const { exitCode, result } = await apply(['--dry-run']);
    expect(exitCode).toBe(0);
    expect(result.dryRun).toBe(true);
    expect(result.writes).toBe(0);
    expect(writes()).toHaveLength(0);
    expect(result.plan).toEqual([
      'assign Northpass Standard User to li.wei@acme.example (no expiration)',
      'assign Northpass Standard User to raj.patel@acme.example (no expiration)',
      'assign Northpass Standard User to support.lead@acme.example (expires 2027-06-30)',
    ]);
    expect(byUser(result)['li.wei@acme.example'].outcome).toBe('added');
  });

  it('asks for a yes before writing to production', async () => {
    const run = await session.run(PermsetsApply, ['--json']);
    expect(run.exitCode).toBe(2);
    expect(run.json?.name).toBe('ConfirmationRequired');
    expect(writes()).toHaveLength(0);
  });

  it('updates expiration dates that differ, with one update request', async () => {
    session.sim.reset('ready');
    const config = configWith([
      { profile: 'Standard User' },
      { username: 'support.lead@acme.example', expires: '2028-01-31' },
      { username: 'raj.patel@acme.example', expires: '2026-12-31T17:00:00Z' },
    ]);
    const { exitCode, result } = await apply(['--config', config, '--yes']);
    expect(exitCode).toBe(0);
    const users = byUser(result);
    expect(users['support.lead@acme.example']).toMatchObject({
      outcome: 'updated',
      previousExpires: '2027-06-30T00:00:00.000+0000',
      expires: '2028-01-31T00:00:00.000Z',
    });
    // The last rule that selects a user decides: the username rule's date-time replaces "no expiration".
    expect(users['raj.patel@acme.example']).toMatchObject({
      outcome: 'updated',
      previousExpires: null,
      expires: '2026-12-31T17:00:00.000Z',
    });
    expect(users['jane.doe@acme.example']).toMatchObject({ outcome: 'already-assigned', expires: null });
    expect(writes()).toEqual([
      expect.objectContaining({ method: 'PATCH', path: expect.stringMatching(/\/composite\/sobjects$/) }),
    ]);
    expect(assignments()).toMatchObject({
      'support.lead@acme.example': '2028-01-31T00:00:00.000+0000',
      'raj.patel@acme.example': '2026-12-31T17:00:00.000+0000',
    });
  });

  it('keeps assignments config does not list unless --prune, which removes only those', async () => {
    session.sim.reset('ready');
    const config = configWith([{ username: 'jane.doe@acme.example' }]);
    const kept = await apply(['--config', config, '--yes']);
    expect(kept.exitCode).toBe(0);
    expect(writes()).toHaveLength(0);
    expect(kept.result.counts).toMatchObject({ 'kept-not-in-config': 3, 'already-assigned': 1, removed: 0 });

    const pruned = await apply(['--config', config, '--prune', '--yes']);
    expect(pruned.exitCode).toBe(0);
    expect(pruned.result.outcomes.filter((o) => o.outcome === 'removed').map((o) => o.username)).toEqual([
      'li.wei@acme.example',
      'raj.patel@acme.example',
      'support.lead@acme.example',
    ]);
    expect(writes()).toEqual([expect.objectContaining({ method: 'DELETE' })]);
    expect(assignments()).toEqual({ 'jane.doe@acme.example': null });
    // Other permission sets, groups and profile-owned assignments are untouched.
    const org = session.sim.org;
    const jane = org.userByUsername('jane.doe@acme.example')?.Id;
    const others = org.find('PermissionSetAssignment', (a) => a.AssigneeId === jane).length;
    expect(others).toBe(3);
  });

  it('resolves groups and SOQL filters, warns about rules that match nobody, and reports a licence failure with Salesforce’s message', async () => {
    const base = loadScenario('ready');
    const scenario: Scenario = {
      ...base,
      permissionSets: [
        ...(base.permissionSets ?? []),
        { name: 'Northpass_Admin', label: 'Northpass Admin', namespace: 'northpass', license: 'Salesforce' },
      ],
    };
    session.sim.reset(scenario);
    const config = configWith(
      [
        { permissionSetGroup: 'Support_Team' },
        { userFilter: "Department = 'Sales'", expires: '2027-01-31' },
        { username: 'ce-integration@acme.example' },
        { username: 'nobody@acme.example' },
        { userFilter: "LastName = 'Nobody'" },
      ],
      'Northpass Admin'
    );
    const { exitCode, result } = await apply(['--config', config, '--yes']);
    expect(exitCode).toBe(1);
    const users = byUser(result);
    expect(users['support.lead@acme.example']).toMatchObject({
      outcome: 'added',
      rules: ['permission set group Support_Team'],
    });
    expect(users['raj.patel@acme.example']).toMatchObject({ outcome: 'added', expires: '2027-01-31T00:00:00.000Z' });
    expect(users['li.wei@acme.example'].outcome).toBe('added');
    expect(users['ce-integration@acme.example']).toMatchObject({
      outcome: 'failed',
      message:
        "FIELD_INTEGRITY_EXCEPTION: Can't assign permission set Northpass Admin to user ce-integration@acme.example. The user license doesn't allow the permission: Salesforce licence",
    });
    expect(result.warnings).toEqual([
      'permissionSet.assignees[3] (username nobody@acme.example) matches no user.',
      "permissionSet.assignees[4] (users where LastName = 'Nobody') matches no user.",
    ]);
    // One insert request for all four; the failure did not stop the others.
    expect(writes()).toHaveLength(1);
  });

  it('selects the direct holders of a permission set rule, not the members of a group that contains it', async () => {
    session.sim.reset('ready');
    const config = configWith([{ permissionSet: 'Sales_Ops_Tools' }]);
    const { exitCode, result } = await apply(['--config', config, '--yes']);
    expect(exitCode).toBe(0);
    const users = byUser(result);
    expect(users['jane.doe@acme.example']).toMatchObject({
      outcome: 'already-assigned',
      rules: ['permission set Sales_Ops_Tools'],
    });
    // support.lead holds Sales Ops Tools only through the Support Team group.
    expect(users['support.lead@acme.example'].outcome).toBe('kept-not-in-config');
    expect(result.warnings).toEqual([]);
    expect(writes()).toHaveLength(0);
  });

  it('rejects a bad userFilter as a config error, writing nothing', async () => {
    const config = configWith([{ userFilter: 'Shoe_Size__c > 40' }]);
    const run = await session.run(PermsetsApply, ['--json', '--config', config, '--yes']);
    expect(run.exitCode).toBe(2);
    expect(run.json?.name).toBe('InvalidUserFilter');
    expect(run.json?.message).toContain('/permissionSet/assignees/0/userFilter');
    expect(writes()).toHaveLength(0);
  });

  it('fails with the fix when the package’s permission set is not in the org', async () => {
    session.sim.reset('fresh');
    const run = await session.run(PermsetsApply, ['--json', '--yes']);
    expect(run.exitCode).toBe(1);
    expect(run.json?.name).toBe('PermissionSetNotFound');
    expect(run.json?.actions?.[0]).toContain('ce-connect packages check');
  });
});
