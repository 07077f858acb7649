// "Install for Admins Only", verified against the simulated org: after `packages install` and as checklist items,
// the profiles and permission sets other than administrators' that reach the CE packages' objects and tabs.
import Checklist, { type ChecklistResult } from '../../src/commands/ce/checklist.js';
import PackagesInstall from '../../src/commands/ce/packages/install.js';
import type { CheckItem } from '../../src/core/checklist.js';
import { loadScenario } from '../../simulator/scenario.js';
import type { Scenario } from '../../simulator/types.js';
import { resultOf } from '../helpers/command.js';
import { type SimSession, startSimSession } from '../helpers/simulator.js';

const ENROLLMENT = 'northpass__Enrollment__c';

function adminsOnlyItems(result: ChecklistResult): CheckItem[] {
  return result.sections.flatMap((s) => s.items).filter((i) => i.id.startsWith('packages.admins-only'));
}

describe('admins only, verified', () => {
  let session: SimSession;

  beforeAll(async () => {
    session = await startSimSession({ scenario: 'ready' });
  });
  afterAll(async () => session?.stop());

  const writes = () => session.sim.requests.filter((r) => r.write);

  it('passes on the ready org: administrators, Northpass Standard User and the integration user’s own set are expected', async () => {
    session.sim.reset('ready');
    const run = await session.run(Checklist, ['--json']);
    const items = adminsOnlyItems(resultOf(run));
    expect(items).toEqual([expect.objectContaining({ id: 'packages.admins-only', status: 'pass' })]);
    expect(items[0].evidence).toContain('northpass__');
    expect(items[0].evidence).toContain('permission set "Northpass Standard User"');
    expect(items[0].evidence).toContain('permission set "CE Integration"');
    expect(items[0].evidence).toContain('profile "System Administrator"');
  });

  it('fails on an org whose packages were installed for all users, naming each cloned profile, its access and the fix', async () => {
    session.sim.reset('all-users');
    const run = await session.run(Checklist, ['--json']);
    expect(run.exitCode).toBe(1);
    const items = adminsOnlyItems(resultOf(run));
    expect(items.map((i) => [i.id, i.status])).toEqual([
      ['packages.admins-only.profile.Acme Sales', 'fail'],
      ['packages.admins-only.profile.Acme Support', 'fail'],
    ]);
    expect(items[0].evidence).toBe(
      `profile "Acme Sales": Read, Create, Edit, Delete on ${ENROLLMENT}; tab ${ENROLLMENT} Default On`
    );
    expect(items[0].fix).toBe(
      `In Setup > Profiles > Acme Sales > Object Settings: clear Read, Create, Edit, Delete on ${ENROLLMENT}; set the ${ENROLLMENT} tab to Tab Hidden. Users who should see enrollments get them through the "Northpass Standard User" permission set (ce-connect permsets apply -o sim).`
    );
    // Standard profiles are not given package access by an install for all users.
    expect(items.map((i) => i.evidence).join(' ')).not.toContain('Standard User"');
    expect(writes()).toHaveLength(0);
  });

  it('makes packages install fail after the fact on that org, with each finding and its fix, writing nothing', async () => {
    session.sim.reset('all-users');
    const run = await session.run(PackagesInstall, ['--json']);
    expect(run.exitCode).toBe(1);
    const result = resultOf(run);
    expect(result.packages.map((p) => p.status)).toEqual(['satisfied', 'satisfied']);
    expect(result.ok).toBe(false);
    expect(result.access?.findings.map((f) => [f.kind, f.name, f.status])).toEqual([
      ['profile', 'Acme Sales', 'fail'],
      ['profile', 'Acme Support', 'fail'],
    ]);
    expect(result.access?.findings[1].objects).toEqual([
      { object: ENROLLMENT, access: ['Read', 'Create', 'Edit', 'Delete'] },
    ]);
    expect(run.json?.warnings?.[0]).toContain('Not admins only: profile "Acme Sales"');
    expect(writes()).toHaveLength(0);
  });

  it('reports a permission set that reaches CE data with how many users hold it; a tab alone, or a set nobody holds, is a warning', async () => {
    const base = loadScenario('ready');
    const scenario: Scenario = {
      ...base,
      permissionSets: [
        ...(base.permissionSets ?? []),
        { name: 'Sales_Insights', label: 'Sales Insights', objectPermissions: { [ENROLLMENT]: ['read'] } },
        { name: 'Tab_Only', label: 'Tab Only', tabs: { [ENROLLMENT]: 'DefaultOff' } },
        // Held by nobody, directly or through a group: reaches no one today.
        {
          name: 'Enrollment_Editor',
          label: 'Enrollment Editor',
          objectPermissions: { [ENROLLMENT]: ['read', 'edit'] },
        },
        // Held by nobody directly, but through a group that two users hold.
        { name: 'Learning_Desk', label: 'Learning Desk', objectPermissions: { [ENROLLMENT]: ['read'] } },
        // Reads all data by View All Data: its Read on Enrollments comes with that, so it is not a finding.
        {
          name: 'Data_Steward',
          label: 'Data Steward',
          permissions: { ViewAllData: true },
          objectPermissions: { [ENROLLMENT]: ['read'] },
        },
        // Manage Users and Author Apex do not make an administrator of data: its Enrollment access is a finding.
        {
          name: 'User_Admin',
          label: 'User Admin',
          permissions: { ManageUsers: true, AuthorApex: true },
          objectPermissions: { [ENROLLMENT]: ['read', 'create', 'edit', 'delete'] },
        },
        // An administrator by Modify All Data, whatever its name: not a finding.
        {
          name: 'Data_Admin',
          label: 'Data Admin',
          permissions: { ModifyAllData: true, ViewAllData: true },
          objectPermissions: { [ENROLLMENT]: ['read', 'create', 'edit', 'delete'] },
        },
      ],
      permissionSetGroups: [
        ...(base.permissionSetGroups ?? []),
        { developerName: 'Learning_Team', label: 'Learning Team', permissionSets: ['Learning_Desk'] },
      ],
      assignments: [
        ...(base.assignments ?? []),
        { user: 'raj.patel@acme.example', permissionSet: 'Sales_Insights' },
        { user: 'li.wei@acme.example', permissionSet: 'Sales_Insights' },
        { user: 'jane.doe@acme.example', permissionSet: 'User_Admin' },
        { user: 'raj.patel@acme.example', permissionSetGroup: 'Learning_Team' },
        { user: 'li.wei@acme.example', permissionSetGroup: 'Learning_Team' },
      ],
    };
    session.sim.reset(scenario);
    const run = await session.run(Checklist, ['--json']);
    const items = adminsOnlyItems(resultOf(run));
    expect(items.map((i) => [i.id, i.status, i.evidence])).toEqual([
      [
        'packages.admins-only.permission-set.Enrollment Editor',
        'warn',
        `permission set "Enrollment Editor": Read, Edit on ${ENROLLMENT} (held by no active user: it reaches no one today, and one assignment would let its holder reach CE data)`,
      ],
      [
        'packages.admins-only.permission-set.Learning Desk',
        'fail',
        `permission set "Learning Desk": Read on ${ENROLLMENT} (held by 2 active user(s), directly or through a permission set group)`,
      ],
      [
        'packages.admins-only.permission-set.Sales Insights',
        'fail',
        `permission set "Sales Insights": Read on ${ENROLLMENT} (held by 2 active user(s), directly or through a permission set group)`,
      ],
      [
        'packages.admins-only.permission-set.Tab Only',
        'warn',
        `permission set "Tab Only": tab ${ENROLLMENT} Default Off (held by no active user: it reaches no one today, and one assignment would let its holder reach CE data)`,
      ],
      [
        'packages.admins-only.permission-set.User Admin',
        'fail',
        `permission set "User Admin": Read, Create, Edit, Delete on ${ENROLLMENT} (held by 1 active user(s), directly or through a permission set group)`,
      ],
    ]);
    expect(items.find((i) => i.id.endsWith('Sales Insights'))?.fix).toContain(
      'Setup > Permission Sets > Sales Insights > Object Settings: clear Read on'
    );
    expect(writes()).toHaveLength(0);
  });

  it('counts only the access View All Data does not give anyway', async () => {
    const base = loadScenario('ready');
    session.sim.reset({
      ...base,
      permissionSets: [
        ...(base.permissionSets ?? []),
        {
          name: 'Auditors',
          label: 'Auditors',
          permissions: { ViewAllData: true },
          objectPermissions: { [ENROLLMENT]: ['read', 'create'] },
        },
      ],
      assignments: [...(base.assignments ?? []), { user: 'auditor@acme.example', permissionSet: 'Auditors' }],
    });
    const items = adminsOnlyItems(resultOf(await session.run(Checklist, ['--json'])));
    expect(items.map((i) => [i.status, i.evidence])).toEqual([
      [
        'fail',
        `permission set "Auditors": Create on ${ENROLLMENT} (held by 1 active user(s), directly or through a permission set group)`,
      ],
    ]);
    expect(items[0].fix).toContain(`clear Create on ${ENROLLMENT}`);
  });

  it('proves the difference on a fresh org: ce-connect’s install (admins only) leaves cloned profiles out, one for all users does not', async () => {
    const base = loadScenario('all-users');
    const fresh: Scenario = {
      ...base,
      installedPackages: [],
      installSecurityType: undefined,
      permissionSets: [],
      permissionSetGroups: [],
      assignments: [],
      records: {},
    };
    session.sim.reset(fresh);
    session.sim.org.flags.packageInstallPolls = 0;
    const ours = await session.run(PackagesInstall, ['--json', '--yes']);
    expect(ours.exitCode).toBe(0);
    expect(resultOf(ours).access).toMatchObject({ ok: true, findings: [] });
    expect(session.sim.org.all('PackageInstallRequest').map((r) => r.SecurityType)).toEqual(['None', 'None']);

    // The same org installed the way the bug reports describe: a request with SecurityType Full ("all users").
    session.sim.reset(fresh);
    session.sim.org.flags.packageInstallPolls = 0;
    const tooling = `${session.sim.instanceUrl}/services/data/v65.0/tooling/sobjects/PackageInstallRequest`;
    const headers = { Authorization: `Bearer ${session.sim.accessToken}`, 'Content-Type': 'application/json' };
    for (const version of ['04t4x000000NP21AAA', '04t4x000000NC10AAA']) {
      const created = await fetch(tooling, {
        method: 'POST',
        headers,
        body: JSON.stringify({ SubscriberPackageVersionKey: version, SecurityType: 'Full' }),
      });
      const { id } = (await created.json()) as { id: string };
      const status = (await (await fetch(`${tooling}/${id}`, { headers })).json()) as { Status: string };
      expect(status.Status).toBe('SUCCESS');
    }
    const theirs = await session.run(PackagesInstall, ['--json', '--yes']);
    expect(theirs.exitCode).toBe(1);
    expect(resultOf(theirs).access?.findings.map((f) => f.name)).toEqual(['Acme Sales', 'Acme Support']);
  });
});
