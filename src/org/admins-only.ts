import type { Connection } from '@salesforce/core';
import {
  type AccessHolder,
  type AdminsOnlyResult,
  HOLDER_PERMISSIONS,
  type ObjectAccessGrant,
  type TabGrant,
  adminsOnlyItems,
  isAdmin,
  isExpected,
  judgeAdminsOnly,
} from '../core/admins-only.js';
import type { CheckItem } from '../core/checklist.js';
import type { CeConfig } from '../core/config.js';
import type { Unreadable } from '../core/integration-user-audit.js';
import { soqlQuote, unreadable } from './user-access.js';

// Reads who can reach the CE packages' data: ObjectPermissions (object access) and PermissionSetTabSetting (tab
// visibility) of every permission set, profile-owned ones included, on the packages' objects and tabs.
// https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_objectpermissions.htm
// https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_permissionsettabsetting.htm
// Both need View Setup and Configuration. The parents are read in a query of their own rather than through
// `Parent.` paths, since PermissionSetTabSetting's Parent is polymorphic (PermissionSet or MutingPermissionSet).

const VIEW_SETUP = 'View Setup and Configuration';

/** `SobjectType LIKE 'ns\_\_%' OR …`: a custom object or tab of a package carries its namespace and two underscores. */
function namespaceCondition(field: string, namespaces: string[]): string {
  return namespaces.map((ns) => `${field} LIKE '${ns.replace(/_/g, '\\_')}\\_\\_%'`).join(' OR ');
}

function inNamespaces(name: string, namespaces: string[]): boolean {
  const lower = name.toLowerCase();
  return namespaces.some((ns) => lower.startsWith(`${ns.toLowerCase()}__`));
}

type ObjectRow = {
  ParentId: string;
  SobjectType: string;
  PermissionsRead: boolean;
  PermissionsCreate: boolean;
  PermissionsEdit: boolean;
  PermissionsDelete: boolean;
  PermissionsViewAllRecords: boolean;
  PermissionsModifyAllRecords: boolean;
};

type TabRow = { ParentId: string; Name: string; Visibility: string };

type ParentRow = Record<string, unknown> & {
  Id: string;
  Name: string;
  Label: string;
  NamespacePrefix: string | null;
  IsOwnedByProfile: boolean;
  PermissionSetGroupId: string | null;
  Profile: { Name: string | null } | null;
};

async function readRows<T>(conn: Connection, soql: string): Promise<T[] | Unreadable> {
  try {
    return (await conn.query<T & Record<string, unknown>>(soql, { autoFetch: true, maxFetch: 100_000 })).records;
  } catch (error) {
    const refused = unreadable(error, VIEW_SETUP);
    if (refused) return refused;
    throw error;
  }
}

async function readHolders(conn: Connection, ids: string[]): Promise<Map<string, AccessHolder>> {
  const holders = new Map<string, AccessHolder>();
  if (ids.length === 0) return holders;
  const flags = HOLDER_PERMISSIONS.map((p) => `Permissions${p}`).join(', ');
  const result = await conn.query<ParentRow>(
    `SELECT Id, Name, Label, NamespacePrefix, IsOwnedByProfile, PermissionSetGroupId, Profile.Name, ${flags} FROM PermissionSet WHERE Id IN (${ids
      .map(soqlQuote)
      .join(', ')})`,
    { autoFetch: true, maxFetch: 100_000 }
  );
  for (const row of result.records) {
    holders.set(row.Id, {
      id: row.Id,
      kind: row.IsOwnedByProfile ? 'profile' : 'permission set',
      name: row.IsOwnedByProfile ? (row.Profile?.Name ?? row.Label) : row.Label,
      apiName: row.Name,
      namespace: row.NamespacePrefix,
      groupAggregate: Boolean(row.PermissionSetGroupId),
      permissions: Object.fromEntries(HOLDER_PERMISSIONS.map((p) => [p, row[`Permissions${p}`] === true])),
    });
  }
  return holders;
}

/**
 * Active users holding each permission set, directly or through a permission set group that contains it (a group's
 * members hold its aggregate permission set, so a set assigned to nobody directly may still reach users): one
 * PermissionSetGroupComponent query for the groups, one PermissionSetAssignment query for both kinds of holders.
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_permissionsetassignment.htm
 */
async function readAssignees(conn: Connection, ids: string[]): Promise<Map<string, string[]>> {
  const byId = new Map<string, Set<string>>(ids.map((id) => [id, new Set()]));
  if (ids.length === 0) return new Map();
  const components = await conn.query<{ PermissionSetGroupId: string; PermissionSetId: string }>(
    `SELECT PermissionSetGroupId, PermissionSetId FROM PermissionSetGroupComponent WHERE PermissionSetId IN (${ids
      .map(soqlQuote)
      .join(', ')})`,
    { autoFetch: true, maxFetch: 100_000 }
  );
  const membersOf = new Map<string, string[]>();
  for (const row of components.records) {
    membersOf.set(row.PermissionSetGroupId, [...(membersOf.get(row.PermissionSetGroupId) ?? []), row.PermissionSetId]);
  }
  const groups = [...membersOf.keys()];
  const through = groups.length > 0 ? ` OR PermissionSetGroupId IN (${groups.map(soqlQuote).join(', ')})` : '';
  const result = await conn.query<{
    PermissionSetId: string;
    PermissionSetGroupId: string | null;
    Assignee: { Username: string };
  }>(
    `SELECT PermissionSetId, PermissionSetGroupId, Assignee.Username FROM PermissionSetAssignment WHERE (PermissionSetId IN (${ids
      .map(soqlQuote)
      .join(', ')})${through}) AND Assignee.IsActive = true`,
    { autoFetch: true, maxFetch: 100_000 }
  );
  for (const row of result.records) {
    const sets = row.PermissionSetGroupId ? (membersOf.get(row.PermissionSetGroupId) ?? []) : [row.PermissionSetId];
    for (const id of sets) byId.get(id)?.add(row.Assignee.Username);
  }
  return new Map([...byId].map(([id, users]) => [id, [...users]]));
}

/**
 * Which profiles and permission sets other than administrators' reach the CE packages' objects and tabs. Three
 * queries (object access and tab settings side by side, then their permission sets), plus two for the holders of
 * permission sets that would be findings (to recognise the integration user's own, and sets nobody holds).
 */
export async function auditAdminsOnly(conn: Connection, config: CeConfig): Promise<AdminsOnlyResult> {
  const namespaces = [...new Set(config.packages.map((p) => p.namespace))];
  const [objectRows, tabRows] = await Promise.all([
    readRows<ObjectRow>(
      conn,
      `SELECT ParentId, SobjectType, PermissionsRead, PermissionsCreate, PermissionsEdit, PermissionsDelete, PermissionsViewAllRecords, PermissionsModifyAllRecords FROM ObjectPermissions WHERE ${namespaceCondition('SobjectType', namespaces)}`
    ),
    readRows<TabRow>(
      conn,
      `SELECT ParentId, Name, Visibility FROM PermissionSetTabSetting WHERE ${namespaceCondition('Name', namespaces)}`
    ),
  ]);
  const objects = 'unreadable' in objectRows ? [] : objectRows.filter((r) => inNamespaces(r.SobjectType, namespaces));
  const tabs = 'unreadable' in tabRows ? [] : tabRows.filter((r) => inNamespaces(r.Name, namespaces));
  const holders = await readHolders(conn, [...new Set([...objects, ...tabs].map((r) => r.ParentId))]);
  const holderOf = (id: string): AccessHolder =>
    holders.get(id) ?? { id, kind: 'permission set', name: id, groupAggregate: false, permissions: {} };
  const grants: ObjectAccessGrant[] = objects.map((r) => ({
    holder: holderOf(r.ParentId),
    object: r.SobjectType,
    read: r.PermissionsRead,
    create: r.PermissionsCreate,
    edit: r.PermissionsEdit,
    delete: r.PermissionsDelete,
    viewAll: r.PermissionsViewAllRecords,
    modifyAll: r.PermissionsModifyAllRecords,
  }));
  const tabGrants: TabGrant[] = tabs.map((r) => ({
    holder: holderOf(r.ParentId),
    tab: r.Name,
    visibility: r.Visibility,
  }));
  const candidates = [...holders.values()].filter(
    (h) => h.kind === 'permission set' && !h.groupAggregate && !isAdmin(h)
  );
  const expected = {
    label: config.permissionSet.label,
    namespace: config.permissionSet.namespace,
    name: config.permissionSet.name,
  };
  const assignees = await readAssignees(
    conn,
    candidates.filter((h) => !isExpected(h, expected)).map((h) => h.id)
  );
  return judgeAdminsOnly({
    namespaces,
    objects: 'unreadable' in objectRows ? objectRows : grants,
    tabs: 'unreadable' in tabRows ? tabRows : tabGrants,
    expected,
    integrationUsername: config.integrationUser.username,
    assignees,
  });
}

/** The checklist's admins-only items. */
export async function checkAdminsOnly(conn: Connection, config: CeConfig): Promise<CheckItem[]> {
  return adminsOnlyItems(await auditAdminsOnly(conn, config), config.permissionSet.label);
}
