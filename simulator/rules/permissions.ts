// Permission set assignments and the objects whose visibility depends on the running user's permissions.
import type { OrgState } from '../org-state.js';
import { addRowFilter } from '../soql.js';
import type { SfErrorBody, SObjectRecord } from '../types.js';

/** Permissions that make a permission set impossible to expire (help: "Assign Permission Sets with Expiration Dates"). */
const NEVER_EXPIRE = ['AssignPermissionSets', 'ManageProfilesPermissionsets', 'ManageUsers'];

function canAssign(org: OrgState, userId: string | undefined): boolean {
  // Scenario loading and package installs write without a user; API writes carry the session's user.
  return (
    userId === undefined ||
    org.hasPermission(userId, 'AssignPermissionSets') ||
    org.hasPermission(userId, 'ManageUsers')
  );
}

function insufficientAccess(): SfErrorBody {
  return { errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY', message: 'insufficient access rights on cross-reference id' };
}

function expirationProblem(permissionSet: SObjectRecord, expiration: unknown): SfErrorBody | undefined {
  if (expiration === null || expiration === undefined) return undefined;
  const blocking = NEVER_EXPIRE.filter((p) => permissionSet[`Permissions${p}`] === true);
  if (blocking.length === 0) return undefined;
  // https://help.salesforce.com/s/articleView?id=platform.permissions_assign_expire_how.htm (error code ⚠ unconfirmed)
  return {
    errorCode: 'FIELD_INTEGRITY_EXCEPTION',
    message: `Permission set ${String(permissionSet.Label)} contains ${blocking.join(', ')}, so its assignments can't have an expiration date.`,
    fields: ['ExpirationDate'],
  };
}

export function setup(org: OrgState): void {
  org.addRule('PermissionSetAssignment', 'beforeInsert', ({ org: state, record, userId }) => {
    if (!canAssign(state, userId)) return insufficientAccess();
    const permissionSet = state.get('PermissionSet', String(record.PermissionSetId));
    const user = state.get('User', String(record.AssigneeId));
    if (!permissionSet || !user) return undefined;
    // A repeat assignment is rejected, not ignored: `sf org assign permset` reports it as a failure
    // (https://github.com/forcedotcom/cli/issues/2551; reference §3, DUPLICATE_VALUE; exact message ⚠ unconfirmed).
    const duplicate = state.findOne(
      'PermissionSetAssignment',
      (a) => a.AssigneeId === record.AssigneeId && a.PermissionSetId === record.PermissionSetId
    );
    if (duplicate) {
      return {
        errorCode: 'DUPLICATE_VALUE',
        message: `Duplicate PermissionSetAssignment. Assignee: ${user.Id}, Permission Set: ${permissionSet.Id}; duplicate value found: existing assignment ${duplicate.Id}`,
      };
    }
    // A permission set tied to a licence can only go to users whose profile has that licence:
    // https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_permissionsetassignment.htm
    // Message as reported by admins (https://support.veeva.com/hc/en-us/articles/115003888654); error code ⚠ unconfirmed.
    const profile = state.get('Profile', String(user.ProfileId));
    if (permissionSet.LicenseId && profile && permissionSet.LicenseId !== profile.UserLicenseId) {
      const license = state.get('UserLicense', String(permissionSet.LicenseId));
      return {
        errorCode: 'FIELD_INTEGRITY_EXCEPTION',
        message: `Can't assign permission set ${String(permissionSet.Label)} to user ${String(user.Username)}. The user license doesn't allow the permission: ${String(license?.Name ?? permissionSet.LicenseId)} licence`,
        fields: ['AssigneeId'],
      };
    }
    return expirationProblem(permissionSet, record.ExpirationDate);
  });
  // ExpirationDate is updatable (API 52.0+), the only field of an assignment that is.
  org.addRule('PermissionSetAssignment', 'beforeUpdate', ({ org: state, record, userId }) => {
    if (!canAssign(state, userId)) return insufficientAccess();
    const permissionSet = state.get('PermissionSet', String(record.PermissionSetId));
    return permissionSet ? expirationProblem(permissionSet, record.ExpirationDate) : undefined;
  });
  org.addRule('PermissionSetAssignment', 'beforeDelete', ({ org: state, userId }) =>
    canAssign(state, userId) ? undefined : insufficientAccess()
  );

  // Only users with Customize Application see other users' OAuth tokens:
  // https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_oauthtoken.htm
  addRowFilter(
    org,
    'OauthToken',
    ({ org: state, record, userId }) =>
      userId === undefined || record.UserId === userId || state.hasPermission(userId, 'CustomizeApplication')
  );
  // Login history of other users needs Manage Users or Monitor Login History; everyone sees their own (API 37.0+):
  // https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_loginhistory.htm
  addRowFilter(
    org,
    'LoginHistory',
    ({ org: state, record, userId }) =>
      userId === undefined ||
      record.UserId === userId ||
      state.hasPermission(userId, 'ManageUsers') ||
      state.hasPermission(userId, 'MonitorLoginHistory')
  );
}
