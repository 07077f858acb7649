import type { OrgState } from '../../simulator/org-state.js';
import { recordLogin, scheduleLogin } from '../../simulator/logins.js';
import { buildOrg, loadScenario } from '../../simulator/scenario.js';
import { runQuery } from '../../simulator/soql.js';

function errorOf(fn: () => unknown): { errorCode?: string; message: string } {
  try {
    fn();
  } catch (error) {
    return error as { errorCode?: string; message: string };
  }
  throw new Error('expected an error, nothing was thrown');
}

describe('permission sets, assignments and access-dependent visibility in the simulated org', () => {
  let org: OrgState;
  const id = (username: string): string => String(org.userByUsername(username)?.Id);
  const permissionSet = (label: string): string =>
    String(org.findOne('PermissionSet', (p) => p.Label === label && p.IsOwnedByProfile === false)?.Id);
  const admin = (): string => id('admin@acme.example');

  beforeEach(() => {
    org = buildOrg(loadScenario('ready'));
  });

  it('rejects a repeat assignment with DUPLICATE_VALUE', () => {
    const error = errorOf(() =>
      org.insert(
        'PermissionSetAssignment',
        { AssigneeId: id('jane.doe@acme.example'), PermissionSetId: permissionSet('Northpass Standard User') },
        { userId: admin() }
      )
    );
    expect(error.errorCode).toBe('DUPLICATE_VALUE');
    expect(error.message).toMatch(/^Duplicate PermissionSetAssignment/);
  });

  it('rejects a permission set whose licence differs from the user’s profile licence', () => {
    const error = errorOf(() =>
      org.insert(
        'PermissionSetAssignment',
        { AssigneeId: id('jane.doe@acme.example'), PermissionSetId: permissionSet('CE Integration') },
        { userId: admin() }
      )
    );
    expect(error.message).toBe(
      "Can't assign permission set CE Integration to user jane.doe@acme.example. The user license doesn't allow the permission: Salesforce Integration licence"
    );
  });

  it('sets and updates expiration dates, and refuses writes from users who cannot assign', () => {
    const row = org.insert(
      'PermissionSetAssignment',
      {
        AssigneeId: id('auditor@acme.example'),
        PermissionSetId: permissionSet('Northpass Standard User'),
        ExpirationDate: '2027-01-31T00:00:00Z',
      },
      { userId: admin() }
    );
    expect(row.ExpirationDate).toBe('2027-01-31T00:00:00.000+0000');
    expect(
      org.update('PermissionSetAssignment', row.Id, { ExpirationDate: '2028-01-31' }, { userId: admin() })
        .ExpirationDate
    ).toBe('2028-01-31T00:00:00.000+0000');
    const denied = errorOf(() =>
      org.delete('PermissionSetAssignment', row.Id, { userId: id('jane.doe@acme.example') })
    );
    expect(denied.errorCode).toBe('INSUFFICIENT_ACCESS_OR_READONLY');
  });

  it('gives group members the aggregate permission set’s object access', () => {
    const org2 = buildOrg({
      ...loadScenario('ready'),
      permissionSets: [{ name: 'Readers', label: 'Readers', objectPermissions: { Contact: ['read', 'edit'] } }],
      permissionSetGroups: [{ developerName: 'Team', label: 'Team', permissionSets: ['Readers'] }],
      assignments: [],
    });
    const aggregate = org2.findOne('PermissionSet', (p) => p.Type === 'Group');
    const rows = org2.find('ObjectPermissions', (o) => o.ParentId === aggregate?.Id);
    expect(rows.map((r) => [r.SobjectType, r.PermissionsRead, r.PermissionsEdit, r.PermissionsCreate])).toEqual([
      ['Contact', true, true, false],
    ]);
  });

  it('shows other users’ OAuth tokens only to users with Customize Application', () => {
    const soql = `SELECT AppName FROM OauthToken WHERE UserId = '${id('ce-integration@acme.example')}'`;
    expect(runQuery(org, soql, { api: 'data', userId: admin() }).totalSize).toBe(1);
    expect(runQuery(org, soql, { api: 'data', userId: id('auditor@acme.example') }).totalSize).toBe(0);
    expect(runQuery(org, soql, { api: 'data', userId: id('ce-integration@acme.example') }).totalSize).toBe(1);
  });

  it('adds logins now or later, visible to Manage Users but not to a read-only user', () => {
    const before = org.all('LoginHistory').length;
    scheduleLogin(org, 60_000, { username: 'ce-integration@acme.example', application: 'CE' });
    expect(org.all('LoginHistory')).toHaveLength(before);
    org.advance(60_000);
    const soql = `SELECT Application, LoginType FROM LoginHistory WHERE UserId = '${id('ce-integration@acme.example')}' ORDER BY LoginTime DESC`;
    const rows = runQuery(org, soql, { api: 'data', userId: admin() }).records;
    expect(rows[0]).toMatchObject({ Application: 'CE', LoginType: 'Remote Access 2.0' });
    expect(runQuery(org, soql, { api: 'data', userId: id('auditor@acme.example') }).totalSize).toBe(0);
    recordLogin(org, { username: 'auditor@acme.example', application: 'Browser', loginType: 'Application' });
    const own = `SELECT Application FROM LoginHistory WHERE UserId = '${id('auditor@acme.example')}'`;
    expect(runQuery(org, own, { api: 'data', userId: id('auditor@acme.example') }).totalSize).toBe(1);
  });

  it('refuses a filter on LoginHistory.Status, which is not filterable', () => {
    const error = errorOf(() => runQuery(org, "SELECT Id FROM LoginHistory WHERE Status = 'Success'", { api: 'data' }));
    expect(error.errorCode).toBe('INVALID_QUERY_FILTER_OPERATOR');
  });
});
