import type { Connection } from '@salesforce/core';
import type { AssignedPermissionSet, AuditUser, GrantSource, Unreadable } from '../core/integration-user-audit.js';

import { soqlString } from '../core/soql-text.js';

/** A SOQL string literal (one escaping rule for the whole tool: core/soql-text). */
export const soqlQuote = soqlString;

/** The username the connection is logged in as (the admin running the command). */
export function runningUsername(conn: Connection): string {
  return conn.getUsername() ?? '';
}

type UserRow = {
  Id: string;
  Username: string;
  Name: string;
  IsActive: boolean;
  Profile: { Name: string | null; UserLicense: { Name: string | null } | null } | null;
};

/** Users by username (case-insensitive keys), with their profile and licence, in one query. */
export async function readUsers(conn: Connection, usernames: string[]): Promise<Map<string, AuditUser>> {
  const unique = [...new Set(usernames.filter(Boolean).map((u) => u.toLowerCase()))];
  const found = new Map<string, AuditUser>();
  if (unique.length === 0) return found;
  const result = await conn.query<UserRow>(
    `SELECT Id, Username, Name, IsActive, Profile.Name, Profile.UserLicense.Name FROM User WHERE Username IN (${unique
      .map(soqlQuote)
      .join(', ')})`
  );
  for (const row of result.records) {
    found.set(row.Username.toLowerCase(), {
      id: row.Id,
      username: row.Username,
      name: row.Name,
      isActive: row.IsActive,
      profileName: row.Profile?.Name ?? null,
      licenseName: row.Profile?.UserLicense?.Name ?? null,
    });
  }
  return found;
}

type AssignmentRow = {
  AssigneeId: string;
  PermissionSetId: string;
  PermissionSetGroupId: string | null;
  ExpirationDate: string | null;
  PermissionSet: Record<string, unknown> & {
    Name: string;
    Label: string;
    NamespacePrefix: string | null;
    IsOwnedByProfile: boolean;
    Profile: { Name: string | null } | null;
  };
  PermissionSetGroup: { DeveloperName: string; MasterLabel: string | null } | null;
};

function sourceOf(row: AssignmentRow): GrantSource {
  const ps = row.PermissionSet;
  if (ps.IsOwnedByProfile) return { kind: 'profile', name: ps.Profile?.Name ?? ps.Label };
  if (row.PermissionSetGroupId) {
    const group = row.PermissionSetGroup;
    return {
      kind: 'permission set group',
      name: group?.MasterLabel ?? group?.DeveloperName ?? row.PermissionSetGroupId,
    };
  }
  return { kind: 'permission set', name: ps.NamespacePrefix ? `${ps.Label} (${ps.NamespacePrefix})` : ps.Label };
}

/**
 * Every permission set assigned to the users, profile-owned ones and group aggregates included, with the
 * given permission flags: one PermissionSetAssignment query covers the profile, permission sets and groups,
 * because every profile owns a permission set and every group has an aggregate one (reference §4).
 * Assignments past their expiration date grant nothing and are left out.
 */
export async function readAssignedPermissionSets(
  conn: Connection,
  userIds: string[],
  permissions: readonly string[],
  now = Date.now()
): Promise<Map<string, AssignedPermissionSet[]>> {
  const ids = [...new Set(userIds)];
  const byUser = new Map<string, AssignedPermissionSet[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return byUser;
  const flags = permissions.map((p) => `PermissionSet.Permissions${p}`).join(', ');
  const result = await conn.query<AssignmentRow>(
    'SELECT AssigneeId, PermissionSetId, PermissionSetGroupId, ExpirationDate, PermissionSet.Name, PermissionSet.Label, ' +
      'PermissionSet.NamespacePrefix, PermissionSet.IsOwnedByProfile, PermissionSet.Profile.Name, ' +
      `PermissionSetGroup.DeveloperName, PermissionSetGroup.MasterLabel, ${flags} ` +
      `FROM PermissionSetAssignment WHERE AssigneeId IN (${ids.map(soqlQuote).join(', ')})`,
    { autoFetch: true, maxFetch: 10_000 }
  );
  for (const row of result.records) {
    if (row.ExpirationDate && Date.parse(row.ExpirationDate.replace('+0000', 'Z')) < now) continue;
    const granted: Record<string, boolean> = {};
    for (const p of permissions) granted[p] = row.PermissionSet[`Permissions${p}`] === true;
    const list = byUser.get(row.AssigneeId) ?? [];
    list.push({ permissionSetId: row.PermissionSetId, source: sourceOf(row), permissions: granted });
    byUser.set(row.AssigneeId, list);
  }
  return byUser;
}

export function hasPermission(sets: AssignedPermissionSet[] | undefined, permission: string): boolean {
  return (sets ?? []).some((s) => s.permissions[permission] === true);
}

/**
 * Turns the org's refusal to show an object into a finding the admin can act on, instead of a crash.
 * INVALID_TYPE is how Salesforce hides objects a user may not see; INSUFFICIENT_ACCESS says it outright.
 */
export function unreadable(error: unknown, permission: string): Unreadable | undefined {
  const e = error as { errorCode?: string; name?: string; message?: string };
  const code = e.errorCode ?? e.name ?? '';
  if (/^(INVALID_TYPE|INSUFFICIENT_ACCESS|INSUFFICIENT_ACCESS_OR_READONLY|API_DISABLED_FOR_ORG)$/.test(code)) {
    return { unreadable: true, reason: `${code}: ${e.message ?? ''}`.trim(), permission };
  }
  return undefined;
}
