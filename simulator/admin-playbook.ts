// What an admin does by hand in Setup when `integration-user check` fails, played on the simulated org for the
// demo: the steps of the check's own fix, in the order a person would click through them.
import type { OrgState } from './org-state.js';

const SYSTEM = { system: true };
const MINIMUM_ACCESS = 'Minimum Access - API Only Integrations';

export type IntegrationUserFix = {
  username: string;
  /** OAuth apps whose tokens are kept (the CE connector); other tokens are revoked. */
  keepApps: string[];
  /** Object access the CE package needs, granted by a permission set on the user's (integration) licence. */
  objectAccess: Array<{ object: string; access: Array<'read' | 'create' | 'edit'> }>;
};

/** The part of config/ce-connect.json the fix reads (integrationUser). */
export type IntegrationUserConfig = {
  integrationUser: {
    username: string;
    connectedApps?: string[];
    objectAccess?: Array<{ object: string; access: string[] }>;
  };
};

/** The fix as the config describes the integration user: its username, the apps it keeps, its object access. */
export function fixIntegrationUserAsConfigured(org: OrgState, config: IntegrationUserConfig): string[] {
  const { username, connectedApps = [], objectAccess = [] } = config.integrationUser;
  return fixIntegrationUser(org, {
    username,
    keepApps: connectedApps,
    objectAccess: objectAccess as IntegrationUserFix['objectAccess'],
  });
}

/**
 * Moves the user to the "Minimum Access - API Only Integrations" profile (Salesforce Integration licence),
 * removes every permission set and group assigned to it, grants the CE objects through a "CE Integration"
 * permission set, and revokes OAuth tokens of other apps (Setup > Connected Apps OAuth Usage > Revoke).
 * Returns one line per change, for the demo to print.
 */
export function fixIntegrationUser(org: OrgState, fix: IntegrationUserFix): string[] {
  const done: string[] = [];
  const user = org.userByUsername(fix.username);
  if (!user) throw new Error(`No user ${fix.username} in this org.`);
  const profile = org.findOne('Profile', (p) => p.Name === MINIMUM_ACCESS);
  if (!profile) throw new Error(`No "${MINIMUM_ACCESS}" profile in this org.`);
  // A profile's permissions reach its users through the profile-owned permission set's assignment, so a
  // profile change moves that assignment too (as Salesforce does when Setup saves the user).
  const ownedByProfile = new Set(
    org.find('PermissionSet', (p) => p.IsOwnedByProfile === true).map((p) => String(p.Id))
  );
  for (const assignment of org.find(
    'PermissionSetAssignment',
    (a) => a.AssigneeId === user.Id && ownedByProfile.has(String(a.PermissionSetId))
  )) {
    org.delete('PermissionSetAssignment', String(assignment.Id), SYSTEM);
  }
  org.update('User', String(user.Id), { ProfileId: profile.Id }, SYSTEM);
  const profileSet = org.findOne('PermissionSet', (p) => p.IsOwnedByProfile === true && p.ProfileId === profile.Id);
  if (profileSet) {
    org.insert('PermissionSetAssignment', { AssigneeId: user.Id, PermissionSetId: profileSet.Id }, SYSTEM);
  }
  done.push(`moved ${fix.username} to the "${MINIMUM_ACCESS}" profile`);

  for (const assignment of org.find(
    'PermissionSetAssignment',
    (a) => a.AssigneeId === user.Id && !ownedByProfile.has(String(a.PermissionSetId))
  )) {
    const set = org.get('PermissionSet', String(assignment.PermissionSetId));
    org.delete('PermissionSetAssignment', String(assignment.Id), SYSTEM);
    done.push(
      `removed ${assignment.PermissionSetGroupId ? 'permission set group' : 'permission set'} "${set?.Label ?? assignment.PermissionSetId}"`
    );
  }

  const access =
    org.findOne('PermissionSet', (p) => p.Name === 'CE_Integration' && p.IsOwnedByProfile !== true) ??
    org.insert(
      'PermissionSet',
      {
        Name: 'CE_Integration',
        Label: 'CE Integration',
        NamespacePrefix: null,
        IsOwnedByProfile: false,
        IsCustom: true,
        Type: 'Regular',
        LicenseId: profile.UserLicenseId ?? null,
      },
      SYSTEM
    );
  for (const { object, access: rights } of fix.objectAccess) {
    org.insert(
      'ObjectPermissions',
      {
        ParentId: access.Id,
        SobjectType: object,
        PermissionsRead: true,
        PermissionsCreate: rights.includes('create'),
        PermissionsEdit: rights.includes('edit'),
        PermissionsDelete: false,
      },
      SYSTEM
    );
  }
  org.insert('PermissionSetAssignment', { AssigneeId: user.Id, PermissionSetId: access.Id }, SYSTEM);
  done.push(
    `assigned permission set "CE Integration" (${fix.objectAccess.map((o) => `${o.object}: ${o.access.join('/')}`).join('; ')})`
  );

  const keep = new Set(fix.keepApps.map((app) => app.toLowerCase()));
  for (const token of org.find(
    'OauthToken',
    (t) => t.UserId === user.Id && !keep.has(String(t.AppName).toLowerCase())
  )) {
    org.delete('OauthToken', String(token.Id), SYSTEM);
    done.push(`revoked the OAuth token of "${token.AppName}"`);
  }
  return done;
}

/**
 * What an admin does in Setup after a policy is deployed (it lands in Design): automates it, which makes it Active
 * with the order they choose (Metadata API Developer Guide, UserAccessPolicy: status, order). Returns the line for
 * the demo to print.
 */
export function activateUserAccessPolicy(org: OrgState, fullName: string, order = 10): string {
  const stored = org.getMetadata('UserAccessPolicy', fullName);
  if (!stored) throw new Error(`No user access policy ${fullName} in this org.`);
  const withoutOrder = stored.content.replace(/\s*<order>[^<]*<\/order>/, '');
  org.putMetadata(
    'UserAccessPolicy',
    fullName,
    withoutOrder.replace(/<status>[^<]*<\/status>/, `<order>${order}</order>\n    <status>Active</status>`)
  );
  return `activated the User Access Policy ${fullName} (order ${order})`;
}
