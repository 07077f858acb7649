import {
  type AccessHolder,
  type AdminsOnlyFacts,
  type ObjectAccessGrant,
  adminsOnlyItems,
  judgeAdminsOnly,
} from '../../src/core/admins-only.js';

const OBJECT = 'northpass__Enrollment__c';

const holder = (id: string, extra: Partial<AccessHolder> = {}): AccessHolder => ({
  id,
  kind: 'permission set',
  name: id,
  groupAggregate: false,
  permissions: {},
  ...extra,
});

const reads = (h: AccessHolder, more: Partial<ObjectAccessGrant> = {}): ObjectAccessGrant => ({
  holder: h,
  object: OBJECT,
  read: true,
  create: false,
  edit: false,
  delete: false,
  viewAll: false,
  modifyAll: false,
  ...more,
});

function facts(overrides: Partial<AdminsOnlyFacts>): AdminsOnlyFacts {
  return {
    namespaces: ['northpass'],
    objects: [],
    tabs: [],
    expected: { label: 'Northpass Standard User', namespace: 'northpass', name: 'Northpass_Standard_User' },
    integrationUsername: 'ce-integration@acme.example',
    assignees: new Map(),
    ...overrides,
  };
}

describe('admins only', () => {
  const admin = holder('0PS-admin', { kind: 'profile', name: 'Acme Admins', permissions: { ModifyAllData: true } });
  const nsu = holder('0PS-nsu', {
    name: 'Northpass Standard User',
    apiName: 'Northpass_Standard_User',
    namespace: 'northpass',
  });
  const integration = holder('0PS-int', { name: 'CE Integration', apiName: 'CE_Integration', namespace: null });
  const sales = holder('0PS-sales', { kind: 'profile', name: 'Sales' });
  const group = holder('0PS-group', { name: 'Learners', groupAggregate: true });

  it('expects administrators by permissions (not by name), the package’s permission set and the integration user’s own', () => {
    const result = judgeAdminsOnly(
      facts({
        objects: [reads(admin, { modifyAll: true }), reads(nsu), reads(integration, { edit: true }), reads(group)],
        assignees: new Map([['0PS-int', ['CE-Integration@acme.example']]]),
      })
    );
    expect(result).toMatchObject({ ok: true, findings: [] });
    expect(result.expected).toEqual([
      'permission set "CE Integration"',
      'permission set "Northpass Standard User"',
      'profile "Acme Admins"',
    ]);
    expect(adminsOnlyItems(result, 'Northpass Standard User')).toEqual([
      expect.objectContaining({ id: 'packages.admins-only', status: 'pass' }),
    ]);
  });

  it('names every other holder with its access; a tab without object access is a warning', () => {
    const shared = holder('0PS-int', { name: 'CE Integration' });
    const result = judgeAdminsOnly(
      facts({
        objects: [reads(sales, { create: true, edit: true, delete: true }), reads(shared)],
        tabs: [
          { holder: sales, tab: OBJECT, visibility: 'DefaultOn' },
          { holder: holder('0PS-tab', { name: 'Tab Only' }), tab: OBJECT, visibility: 'DefaultOff' },
        ],
        // Held by someone besides the integration user: no longer its own.
        assignees: new Map([
          ['0PS-int', ['ce-integration@acme.example', 'jane.doe@acme.example']],
          ['0PS-tab', []],
        ]),
      })
    );
    expect(result.ok).toBe(false);
    expect(result.findings.map((f) => [f.kind, f.name, f.status, f.assignees])).toEqual([
      ['permission set', 'CE Integration', 'fail', 2],
      ['permission set', 'Tab Only', 'warn', 0],
      ['profile', 'Sales', 'fail', undefined],
    ]);
    const [, , profile] = result.findings;
    expect(profile.objects).toEqual([{ object: OBJECT, access: ['Read', 'Create', 'Edit', 'Delete'] }]);
    expect(profile.tabs).toEqual([{ tab: OBJECT, visibility: 'Default On' }]);
    expect(profile.fix).toContain('Setup > Profiles > Sales > Object Settings: clear Read, Create, Edit, Delete on');
  });

  it('counts only Modify All Data as an administrator’s: Manage Users or Author Apex with Enrollment access is a finding', () => {
    const userAdmins = holder('0PS-ua', {
      kind: 'profile',
      name: 'User Admins',
      permissions: { ManageUsers: true, AuthorApex: true, CustomizeApplication: true },
    });
    const result = judgeAdminsOnly(
      facts({ objects: [reads(admin, { create: true, modifyAll: true }), reads(userAdmins, { edit: true })] })
    );
    expect(result.ok).toBe(false);
    expect(result.findings.map((f) => [f.name, f.status, f.objects])).toEqual([
      ['User Admins', 'fail', [{ object: OBJECT, access: ['Read', 'Edit'] }]],
    ]);
    expect(result.expected).toEqual(['profile "Acme Admins"']);
  });

  it('leaves out the Read and View All that View All Data gives anyway, and reports what goes beyond them', () => {
    const readers = holder('0PS-vad', { kind: 'profile', name: 'Auditors', permissions: { ViewAllData: true } });
    const writers = holder('0PS-vadw', { kind: 'profile', name: 'Analysts', permissions: { ViewAllData: true } });
    const result = judgeAdminsOnly(
      facts({ objects: [reads(readers, { viewAll: true }), reads(writers, { viewAll: true, create: true })] })
    );
    expect(result.findings.map((f) => [f.name, f.objects])).toEqual([
      ['Analysts', [{ object: OBJECT, access: ['Create'] }]],
    ]);
    expect(result.findings[0].fix).toContain(`clear Create on ${OBJECT}`);
    expect(result.expected).toEqual(['profile "Auditors"']);
  });

  it('makes a permission set with object access that nobody holds a warning, one that someone holds a failure', () => {
    const unheld = holder('0PS-none', { name: 'Enrollment Editor' });
    const held = holder('0PS-held', { name: 'Learning Desk' });
    const result = judgeAdminsOnly(
      facts({
        objects: [reads(unheld, { edit: true }), reads(held)],
        assignees: new Map([
          ['0PS-none', []],
          ['0PS-held', ['raj.patel@acme.example']],
        ]),
      })
    );
    expect(result.findings.map((f) => [f.name, f.status, f.assignees])).toEqual([
      ['Enrollment Editor', 'warn', 0],
      ['Learning Desk', 'fail', 1],
    ]);
    expect(adminsOnlyItems(result, 'Northpass Standard User')[0].evidence).toBe(
      `permission set "Enrollment Editor": Read, Edit on ${OBJECT} (held by no active user: it reaches no one today, and one assignment would let its holder reach CE data)`
    );
    const alone = judgeAdminsOnly(facts({ objects: [reads(unheld)], assignees: new Map([['0PS-none', []]]) }));
    expect(alone.ok).toBe(true);
  });

  it('without the permission set’s API name, recognises it by label and namespace only', () => {
    const copy = holder('0PS-copy', { name: 'Northpass Standard User', namespace: null });
    const result = judgeAdminsOnly(
      facts({
        expected: { label: 'Northpass Standard User', namespace: 'northpass' },
        objects: [reads(nsu), reads(copy)],
      })
    );
    expect(result.findings.map((f) => f.name)).toEqual(['Northpass Standard User']);
    expect(result.expected).toEqual(['permission set "Northpass Standard User"']);
  });

  it('turns an unreadable area into a warning naming the permission', () => {
    const result = judgeAdminsOnly(
      facts({
        objects: { unreadable: true, reason: 'INSUFFICIENT_ACCESS: no', permission: 'View Setup and Configuration' },
      })
    );
    expect(adminsOnlyItems(result, 'X')).toEqual([
      expect.objectContaining({ status: 'warn', fix: 'Run the check as a user with "View Setup and Configuration".' }),
    ]);
  });
});
