// Object access and tab visibility of permission sets (profile-owned ones included), and what a package
// install grants: the rows Setup keeps in ObjectPermissions and PermissionSetTabSetting.
import type { OrgState } from './org-state.js';
import type { ScenarioObjectPermissions } from './types.js';

const SYSTEM = { system: true };

/**
 * ObjectPermissions rows of a permission set. Edit implies read and delete implies edit, as Setup enforces:
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_objectpermissions.htm
 */
export function insertObjectPermissions(
  org: OrgState,
  permissionSetId: string,
  objects: ScenarioObjectPermissions | undefined
): void {
  for (const [sobjectType, access] of Object.entries(objects ?? {})) {
    const has = (a: string): boolean => (access as string[]).includes(a);
    org.insert(
      'ObjectPermissions',
      {
        ParentId: permissionSetId,
        SobjectType: sobjectType,
        PermissionsRead: has('read') || has('create') || has('edit') || has('delete'),
        PermissionsCreate: has('create'),
        PermissionsEdit: has('edit') || has('delete'),
        PermissionsDelete: has('delete'),
      },
      SYSTEM
    );
  }
}

/** PermissionSetTabSetting rows: tab API name → DefaultOn or DefaultOff (a hidden tab has no row). */
export function insertTabSettings(
  org: OrgState,
  permissionSetId: string,
  tabs: Record<string, 'DefaultOn' | 'DefaultOff'> | undefined
): void {
  for (const [name, visibility] of Object.entries(tabs ?? {})) {
    org.insert('PermissionSetTabSetting', { ParentId: permissionSetId, Name: name, Visibility: visibility }, SYSTEM);
  }
}

/** The security types of PackageInstallRequest: None (admins only), Full (all users), Custom (profile mappings). */
export type SecurityType = 'None' | 'Full' | 'Custom';

/**
 * The profile-owned permission sets an install grants the package's new custom objects (and their tabs) to.
 * "Install for Admins Only" grants CRUD on the package's custom objects to the System Administrator profile;
 * "Install for All Users" to it and every cloned (custom) profile ("How We Handle Profile Settings in Unlocked
 * Packages", https://developer.salesforce.com/docs/atlas.en-us.sfdx_dev.meta/sfdx_dev/sfdx_dev_unlocked_pkg_profiles.htm).
 * That managed (1GP) packages behave the same is an assumption. Custom (profile mappings) is treated as None,
 * since the simulator takes no ProfileMappings.
 */
export function profilesGrantedOnInstall(org: OrgState, securityType: SecurityType): string[] {
  const owned = org.find('PermissionSet', (p) => p.IsOwnedByProfile === true);
  return owned
    .filter((ps) => {
      const profile = org.get('Profile', String(ps.ProfileId));
      if (profile?.Name === 'System Administrator') return true;
      return securityType === 'Full' && ps.IsCustom === true;
    })
    .map((ps) => ps.Id);
}
