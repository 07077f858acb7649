import type { Connection } from '@salesforce/core';
import type { CheckItem } from '../core/checklist.js';
import type { CeConfig } from '../core/config.js';
import {
  ADMIN_PERMISSIONS,
  type AuditFacts,
  type AuditUser,
  type FlaggedToken,
  type Finding,
  type ObjectAccessRow,
  type OauthTokenRow,
  type Unreadable,
  auditFindings,
  flagTokens,
} from '../core/integration-user-audit.js';
import {
  hasPermission,
  readAssignedPermissionSets,
  readUsers,
  runningUsername,
  soqlQuote,
  unreadable,
} from './user-access.js';

export type IntegrationUserAudit = {
  username: string;
  user: AuditUser | null;
  /** The user running the audit (what it may see decides some findings). */
  checkedBy: string;
  findings: Finding[];
  /** The user's OAuth tokens, flagged when they belong to other apps; empty when they could not be read. */
  tokens: FlaggedToken[];
  ok: boolean;
};

/** The permission flags the audit reads: API access, the admin permissions, and what the running user may see. */
const AUDIT_PERMISSIONS = ['ApiEnabled', 'ApiUserOnly', ...ADMIN_PERMISSIONS.map((p) => p.name)];

const CUSTOMIZE_APPLICATION = 'Customize Application';

/**
 * Object access comes from ObjectPermissions of the user's permission sets (profile-owned and group
 * aggregates included), rather than UserRecordAccess: UserRecordAccess answers per record, so it cannot say
 * whether the user may create records, and needs a record to exist first.
 */
async function readObjectAccess(
  conn: Connection,
  permissionSetIds: string[],
  objects: string[]
): Promise<ObjectAccessRow[] | Unreadable> {
  if (permissionSetIds.length === 0 || objects.length === 0) return [];
  try {
    const result = await conn.query<{
      ParentId: string;
      SobjectType: string;
      PermissionsRead: boolean;
      PermissionsCreate: boolean;
      PermissionsEdit: boolean;
    }>(
      `SELECT ParentId, SobjectType, PermissionsRead, PermissionsCreate, PermissionsEdit FROM ObjectPermissions WHERE ParentId IN (${permissionSetIds
        .map(soqlQuote)
        .join(', ')}) AND SobjectType IN (${objects.map(soqlQuote).join(', ')})`,
      { autoFetch: true, maxFetch: 10_000 }
    );
    return result.records.map((r) => ({
      permissionSetId: r.ParentId,
      object: r.SobjectType,
      read: r.PermissionsRead,
      create: r.PermissionsCreate,
      edit: r.PermissionsEdit,
    }));
  } catch (error) {
    const refused = unreadable(error, 'View Setup and Configuration');
    if (refused) return refused;
    throw error;
  }
}

async function readTokens(conn: Connection, userId: string): Promise<OauthTokenRow[] | Unreadable> {
  try {
    const result = await conn.query<{
      Id: string;
      AppName: string;
      LastUsedDate: string | null;
      UseCount: number | null;
    }>(
      `SELECT Id, AppName, LastUsedDate, UseCount FROM OauthToken WHERE UserId = ${soqlQuote(userId)} ORDER BY LastUsedDate DESC NULLS LAST`,
      { autoFetch: true, maxFetch: 2500 }
    );
    return result.records.map((r) => ({
      id: r.Id,
      appName: r.AppName,
      lastUsedDate: r.LastUsedDate,
      useCount: r.UseCount,
    }));
  } catch (error) {
    const refused = unreadable(error, CUSTOMIZE_APPLICATION);
    if (refused) return refused;
    throw error;
  }
}

/**
 * Audits the integration user: exists, active, API enabled, no admin permissions (naming where each comes
 * from), licence and profile, object access the CE package needs, OAuth tokens of other apps. Read-only:
 * at most 4 queries (users, one PermissionSetAssignment query for the user and the running user,
 * ObjectPermissions, OauthToken).
 */
export async function auditIntegrationUser(
  conn: Connection,
  config: CeConfig,
  options: { username?: string } = {}
): Promise<IntegrationUserAudit> {
  const username = options.username ?? config.integrationUser.username;
  const me = runningUsername(conn);
  const users = await readUsers(conn, [username, me]);
  const user = users.get(username.toLowerCase()) ?? null;
  const runner = users.get(me.toLowerCase());
  const facts: AuditFacts = { username, user, permissionSets: [], objectAccess: [], tokens: [] };
  if (user) {
    const sets = await readAssignedPermissionSets(conn, [user.id, ...(runner ? [runner.id] : [])], AUDIT_PERMISSIONS);
    facts.permissionSets = sets.get(user.id) ?? [];
    const objects = (config.integrationUser.objectAccess ?? []).map((o) => o.object);
    facts.objectAccess = await readObjectAccess(
      conn,
      facts.permissionSets.map((p) => p.permissionSetId),
      objects
    );
    // Other users' tokens are visible only with Customize Application; without it the query would quietly
    // return nothing, which reads like "no stale tokens". Say so instead of querying.
    const seesTokens =
      runner?.id === user.id || hasPermission(runner ? sets.get(runner.id) : undefined, 'CustomizeApplication');
    facts.tokens = seesTokens
      ? await readTokens(conn, user.id)
      : {
          unreadable: true,
          reason: `${me} lacks "${CUSTOMIZE_APPLICATION}", which Salesforce requires to see other users' OAuth tokens.`,
          permission: CUSTOMIZE_APPLICATION,
        };
  }
  const auditConfig = {
    objectAccess: config.integrationUser.objectAccess,
    connectedApps: config.integrationUser.connectedApps,
    incidentCutoff: config.backfill.since,
  };
  const findings = auditFindings(facts, auditConfig);
  return {
    username,
    user,
    checkedBy: me,
    findings,
    tokens: Array.isArray(facts.tokens) ? flagTokens(facts.tokens, auditConfig) : [],
    ok: findings.every((f) => f.status !== 'fail'),
  };
}

/** The audit as checklist items (one per finding). */
export async function checkIntegrationUser(conn: Connection, config: CeConfig): Promise<CheckItem[]> {
  const audit = await auditIntegrationUser(conn, config);
  return audit.findings.map((f) => ({
    id: f.id,
    title: `Integration user ${audit.username}: ${f.title}`,
    status: f.status,
    evidence: f.reason,
    ...(f.fix ? { fix: f.fix } : {}),
  }));
}
