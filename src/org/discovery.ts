import type { Connection } from '@salesforce/core';
import type { CeConfig } from '../core/config.js';
import {
  type ChildRelationshipInfo,
  type Discovery,
  type FieldInfo,
  ceNamespaces,
  contactLayoutNames,
  describeEnrollment,
  discoverPackages,
  pickEnrollmentRelationship,
  pickPermissionSet,
} from '../core/discovery.js';
import { readInstalledPackages } from './installed-packages.js';

const quote = (value: string): string => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * Reads what the org says about the CE packages in five calls: installed packages (Tooling), Contact describe,
 * the Enrollment object's describe, the permission set by label, and the Contact layouts (Tooling Layout).
 * Describe calls should run as an admin: describe lists only what the running user can see.
 */
export async function discover(conn: Connection, config: CeConfig): Promise<Discovery> {
  const listing = await readInstalledPackages(conn);
  const packages = discoverPackages(config, listing.readable ? listing.packages : []);
  const namespaces = ceNamespaces(config, packages);

  const contact = await conn.describe('Contact');
  const { chosen, candidates } = pickEnrollmentRelationship(
    contact.childRelationships as ChildRelationshipInfo[],
    namespaces,
    config.enrollment.object
  );
  let enrollment: Discovery['enrollment'] = null;
  if (chosen) {
    const describe = await conn.describe(chosen.childSObject);
    enrollment = describeEnrollment(
      chosen,
      describe.fields as unknown as FieldInfo[],
      config.enrollment,
      describe.label
    );
  }

  const permissionSets = await conn.query<{ Id: string; Name: string; Label: string; NamespacePrefix: string | null }>(
    `SELECT Id, Name, Label, NamespacePrefix FROM PermissionSet WHERE Label = ${quote(config.permissionSet.label)} AND IsOwnedByProfile = false`
  );
  // https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/tooling_api_objects_layout.htm
  const layouts = await conn.tooling.query<{ Name: string; NamespacePrefix: string | null }>(
    "SELECT Id, Name, NamespacePrefix, ManageableState FROM Layout WHERE TableEnumOrId = 'Contact'",
    { autoFetch: true }
  );
  return {
    packages,
    packagesUnreadable: listing.readable
      ? undefined
      : `${listing.reason} (missing permission: ${listing.missingPermission})`,
    enrollment,
    enrollmentCandidates: chosen ? [] : candidates,
    permissionSet: pickPermissionSet(permissionSets.records, namespaces),
    contactLayouts: contactLayoutNames(layouts.records),
  };
}
