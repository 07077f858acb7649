import {
  type AssignedPermissionSet,
  type AuditFacts,
  auditFindings,
  flagTokens,
} from '../../src/core/integration-user-audit.js';

const profile = (name: string, permissions: Record<string, boolean>): AssignedPermissionSet => ({
  permissionSetId: `0PS-${name}`,
  source: { kind: 'profile', name },
  permissions,
});

function facts(overrides: Partial<AuditFacts> = {}): AuditFacts {
  return {
    username: 'int@x.example',
    user: {
      id: '005A',
      username: 'int@x.example',
      name: 'Int',
      isActive: true,
      profileName: 'Minimum Access - API Only Integrations',
      licenseName: 'Salesforce Integration',
    },
    permissionSets: [profile('Minimum Access - API Only Integrations', { ApiEnabled: true })],
    objectAccess: [],
    tokens: [],
    ...overrides,
  };
}

const status = (all: ReturnType<typeof auditFindings>, id: string): string | undefined =>
  all.find((f) => f.id === `integration-user.${id}`)?.status;

describe('integration user audit', () => {
  it('passes a minimal user and skips object access when config asks for none', () => {
    const findings = auditFindings(facts(), { connectedApps: ['CE'] });
    expect(findings.map((f) => f.status)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass', 'pass']);
    expect(findings.some((f) => f.id === 'integration-user.object-access')).toBe(false);
  });

  it('names every admin permission with every source', () => {
    const findings = auditFindings(
      facts({
        permissionSets: [
          profile('Custom Integration', { ApiEnabled: true, ManageUsers: true }),
          {
            permissionSetId: '0PS-g',
            source: { kind: 'permission set group', name: 'Ops' },
            permissions: { ModifyAllData: true, ManageUsers: true },
          },
        ],
      }),
      {}
    );
    const admin = findings.find((f) => f.id === 'integration-user.admin-permissions');
    expect(admin?.status).toBe('fail');
    expect(admin?.reason).toBe(
      'Modify All Data (ModifyAllData) from permission set group "Ops"; Manage Users (ManageUsers) from profile "Custom Integration", permission set group "Ops"'
    );
  });

  it('counts Modify All Data as object access, and reports what is missing otherwise', () => {
    const wanted = { objectAccess: [{ object: 'X__c', access: ['read', 'edit'] as Array<'read' | 'edit'> }] };
    const missing = auditFindings(
      facts({ objectAccess: [{ permissionSetId: 'p', object: 'x__c', read: true, create: false, edit: false }] }),
      wanted
    );
    expect(missing.find((f) => f.id === 'integration-user.object-access')?.reason).toBe('Missing edit on X__c.');
    const admin = auditFindings(
      facts({ permissionSets: [profile('Admin', { ApiEnabled: true, ModifyAllData: true })] }),
      wanted
    );
    expect(status(admin, 'object-access')).toBe('pass');
  });

  it('warns instead of failing when something could not be read', () => {
    const findings = auditFindings(
      facts({
        objectAccess: { unreadable: true, reason: 'INVALID_TYPE', permission: 'View Setup and Configuration' },
        tokens: { unreadable: true, reason: 'no access', permission: 'Customize Application' },
      }),
      { objectAccess: [{ object: 'Contact', access: ['read'] }], connectedApps: ['CE'] }
    );
    expect(status(findings, 'object-access')).toBe('warn');
    expect(findings.find((f) => f.id === 'integration-user.oauth-tokens')).toMatchObject({
      status: 'warn',
      fix: expect.stringContaining('Customize Application'),
    });
  });

  it('flags tokens of other apps, noting those last used before the incident', () => {
    const tokens = flagTokens(
      [
        { id: '1', appName: 'ce connector', lastUsedDate: '2025-01-01T00:00:00.000+0000', useCount: 1 },
        { id: '2', appName: 'Old', lastUsedDate: '2025-11-19T00:00:00.000+0000', useCount: 9 },
        { id: '3', appName: 'New', lastUsedDate: '2026-01-01T00:00:00.000+0000', useCount: 2 },
      ],
      { connectedApps: ['CE Connector'], incidentCutoff: '2025-11-20T00:00:00Z' }
    );
    expect(tokens.map((t) => [t.appName, t.flagged, t.why])).toEqual([
      ['ce connector', false, undefined],
      ['Old', true, 'not the CE connector; last used before 2025-11-20, before the incident'],
      ['New', true, 'not the CE connector'],
    ]);
  });

  it('stops at a user that does not exist', () => {
    const findings = auditFindings(facts({ user: null }), {});
    expect(findings).toEqual([expect.objectContaining({ id: 'integration-user.exists', status: 'fail' })]);
  });
});
