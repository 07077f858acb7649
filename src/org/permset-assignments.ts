import type { Connection } from '@salesforce/core';
import type { CheckItem } from '../core/checklist.js';
import type { Assignee, CeConfig } from '../core/config.js';
import { InputError, inputError, OperationError, operationError } from '../core/errors.js';
import {
  type AssignmentOutcome,
  type AssignmentPlan,
  type AssignmentUser,
  type CurrentAssignment,
  type RuleMatch,
  type UserOutcome,
  countOutcomes,
  planAssignments,
  planLines,
  plannedOutcomes,
  sortOutcomes,
} from '../core/permset-plan.js';
import { Messages } from '@salesforce/core/messages';
import { soqlQuote } from './user-access.js';
import { ERRORS } from '../core/messages.js';
import { groupWarning, notUpdated } from '../core/group-recalculation.js';
import { type GroupWaitOptions, waitForPackageGroups } from './permission-set-groups.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const TEXT = Messages.loadMessages('ce-connect', 'access');

export type ManagedPermissionSet = { id: string; name: string; label: string; namespace: string };

/** What planning found: the permission set, the plan, and the lines for a confirmation prompt. */
export type PlannedAssignments = {
  permissionSet: ManagedPermissionSet;
  prune: boolean;
  plan: AssignmentPlan;
  lines: string[];
  /** The groups holding a CE permission set, as last read (after waiting for those config names, when asked to). */
  groups?: GroupsSeen;
};

/**
 * Permission set groups that hold a CE permission set, as the plan saw them: those permissionSet.assignees names
 * (`inConfig`) Updated, the others as they were (a warning each when not Updated).
 */
export type GroupsSeen = {
  groups: Array<{ developerName: string; label: string; status: string; inConfig: boolean }>;
  /** Reads of the groups' status the plan made (more than one when it waited for a recalculation). */
  reads: number;
  waitedMs: number;
};

export type PermsetApplyResult = {
  permissionSet: ManagedPermissionSet;
  dryRun: boolean;
  prune: boolean;
  /** Write requests made (0 on a dry run and when the org already matches config). */
  writes: number;
  /** One line per change made (or that a dry run would make). */
  plan: string[];
  outcomes: UserOutcome[];
  counts: Record<AssignmentOutcome, number>;
  warnings: string[];
  groups?: GroupsSeen;
};

export type PermsetProgress = { phase: 'insert' | 'update' | 'delete'; done: number; total: number };

/** sObject Collections take at most 200 records per request. */
const BATCH = 200;

type SaveResult = { id?: string | null; success: boolean; errors?: Array<{ statusCode?: string; message?: string }> };

/**
 * The managed permission set, by Label and NamespacePrefix (or Name and NamespacePrefix once config knows the
 * API name): managed names are split in SOQL, never written as ns__Name (reference §3).
 */
export async function resolvePermissionSet(conn: Connection, config: CeConfig): Promise<ManagedPermissionSet> {
  const { label, namespace, name } = config.permissionSet;
  const by = name ? `Name = ${soqlQuote(name)}` : `Label = ${soqlQuote(label)}`;
  const result = await conn.query<{ Id: string; Name: string; Label: string; NamespacePrefix: string }>(
    `SELECT Id, Name, Label, NamespacePrefix FROM PermissionSet WHERE ${by} AND NamespacePrefix = ${soqlQuote(namespace)} AND IsOwnedByProfile = false`
  );
  const wanted = name ? `${namespace}__${name}` : `"${label}" (namespace ${namespace})`;
  if (result.records.length === 0) {
    throw operationError(ERRORS, 'PermissionSetNotFound', [wanted]);
  }
  if (result.records.length > 1) {
    throw inputError(ERRORS, 'AmbiguousPermissionSet', [
      result.records.length,
      wanted,
      result.records.map((r) => `${r.NamespacePrefix}__${r.Name}`).join(', '),
    ]);
  }
  const row = result.records[0];
  return { id: row.Id, name: row.Name, label: row.Label, namespace: row.NamespacePrefix };
}

type UserRow = { Id: string; Username: string; IsActive: boolean; Profile?: { Name: string | null } | null };

/** `ns__Name` as SOQL needs it: the name and the namespace apart (how sfdx-core resolves managed names). */
function splitManagedName(apiName: string): { name: string; namespace: string | null } {
  const match = /^([A-Za-z][A-Za-z0-9]*)__(.+)$/.exec(apiName);
  return match ? { namespace: match[1], name: match[2] } : { namespace: null, name: apiName };
}

const toUser = (r: UserRow): AssignmentUser => ({ id: r.Id, username: r.Username, isActive: r.IsActive });

/**
 * Resolves every rule of permissionSet.assignees to users, inactive ones included (they are reported, not
 * assigned): usernames and profiles in one User query, groups and permission sets in one PermissionSetAssignment
 * query, and one User query per userFilter (a bad filter is a config error, exit 2).
 */
async function resolveRules(conn: Connection, assignees: Assignee[]): Promise<RuleMatch[]> {
  const usernames = assignees.flatMap((a) => ('username' in a ? [a.username] : []));
  const profiles = assignees.flatMap((a) => ('profile' in a ? [a.profile] : []));
  const groups = assignees.flatMap((a) => ('permissionSetGroup' in a ? [a.permissionSetGroup] : []));
  const sets = assignees.flatMap((a) => ('permissionSet' in a ? [splitManagedName(a.permissionSet)] : []));
  let direct: UserRow[] = [];
  if (usernames.length + profiles.length > 0) {
    const conditions = [
      ...(usernames.length > 0 ? [`Username IN (${usernames.map(soqlQuote).join(', ')})`] : []),
      ...(profiles.length > 0 ? [`Profile.Name IN (${profiles.map(soqlQuote).join(', ')})`] : []),
    ];
    direct = (
      await conn.query<UserRow>(
        `SELECT Id, Username, IsActive, Profile.Name FROM User WHERE ${conditions.map((c) => `(${c})`).join(' OR ')}`,
        { autoFetch: true, maxFetch: 100_000 }
      )
    ).records;
  }
  // Members of groups and holders of permission sets: one PermissionSetAssignment query for both. A permission set
  // rule means direct assignments (a group's members hold its aggregate permission set, not the member sets).
  let members: Array<{ group?: string; set?: string; user: AssignmentUser }> = [];
  if (groups.length + sets.length > 0) {
    const conditions = [
      ...(groups.length > 0 ? [`PermissionSetGroup.DeveloperName IN (${groups.map(soqlQuote).join(', ')})`] : []),
      ...(sets.length > 0
        ? [`PermissionSet.Name IN (${sets.map((p) => soqlQuote(p.name)).join(', ')}) AND PermissionSetGroupId = null`]
        : []),
    ];
    const rows = await conn.query<{
      AssigneeId: string;
      Assignee: { Username: string; IsActive: boolean };
      PermissionSetGroup: { DeveloperName: string } | null;
      PermissionSet: { Name: string; NamespacePrefix: string | null } | null;
    }>(
      `SELECT AssigneeId, Assignee.Username, Assignee.IsActive, PermissionSetGroup.DeveloperName${sets.length > 0 ? ', PermissionSet.Name, PermissionSet.NamespacePrefix' : ''} FROM PermissionSetAssignment WHERE ${
        conditions.length === 1 ? conditions[0] : conditions.map((c) => `(${c})`).join(' OR ')
      }`,
      { autoFetch: true, maxFetch: 100_000 }
    );
    members = rows.records.map((r) => ({
      group: r.PermissionSetGroup?.DeveloperName.toLowerCase(),
      set: r.PermissionSet
        ? `${r.PermissionSet.NamespacePrefix ? `${r.PermissionSet.NamespacePrefix}__` : ''}${r.PermissionSet.Name}`.toLowerCase()
        : undefined,
      user: { id: r.AssigneeId, username: r.Assignee.Username, isActive: r.Assignee.IsActive },
    }));
  }
  const matches: RuleMatch[] = [];
  for (const [index, assignee] of assignees.entries()) {
    let users: AssignmentUser[];
    if ('username' in assignee) {
      users = direct.filter((u) => u.Username.toLowerCase() === assignee.username.toLowerCase()).map(toUser);
    } else if ('profile' in assignee) {
      users = direct.filter((u) => u.Profile?.Name?.toLowerCase() === assignee.profile.toLowerCase()).map(toUser);
    } else if ('permissionSetGroup' in assignee) {
      users = members.filter((m) => m.group === assignee.permissionSetGroup.toLowerCase()).map((m) => m.user);
    } else if ('permissionSet' in assignee) {
      users = members.filter((m) => m.set === assignee.permissionSet.toLowerCase()).map((m) => m.user);
    } else {
      users = await usersWhere(conn, assignee.userFilter, index);
    }
    matches.push({ index, assignee, users });
  }
  return matches;
}

async function usersWhere(conn: Connection, filter: string, index: number): Promise<AssignmentUser[]> {
  try {
    const result = await conn.query<UserRow>(`SELECT Id, Username, IsActive FROM User WHERE (${filter})`, {
      autoFetch: true,
      maxFetch: 100_000,
    });
    return result.records.map(toUser);
  } catch (error) {
    const e = error as { errorCode?: string; name?: string; message?: string };
    const code = e.errorCode ?? e.name ?? '';
    if (/MALFORMED_QUERY|INVALID_FIELD|INVALID_QUERY_FILTER_OPERATOR/.test(code)) {
      throw inputError(ERRORS, 'InvalidUserFilter', [index, e.message ?? code], {
        actionTokens: [[index]],
        cause: error,
      });
    }
    throw error;
  }
}

/** Direct assignments of the permission set now (profile-owned ones excluded). */
async function currentAssignments(conn: Connection, permissionSetId: string): Promise<CurrentAssignment[]> {
  const result = await conn.query<{
    Id: string;
    AssigneeId: string;
    Assignee: { Username: string; IsActive: boolean };
    ExpirationDate: string | null;
  }>(
    `SELECT Id, AssigneeId, Assignee.Username, Assignee.IsActive, ExpirationDate FROM PermissionSetAssignment WHERE PermissionSetId = ${soqlQuote(permissionSetId)} AND PermissionSet.IsOwnedByProfile = false`,
    { autoFetch: true, maxFetch: 100_000 }
  );
  return result.records.map((r) => ({
    id: r.Id,
    user: { id: r.AssigneeId, username: r.Assignee.Username, isActive: r.Assignee.IsActive },
    expirationDate: r.ExpirationDate,
  }));
}

/**
 * Reads the org and computes the plan; writes nothing. With `groups`, it first waits (within that budget) until
 * every permission set group that permissionSet.assignees names and that holds a CE permission set is Updated: after
 * a package upgrade they are recalculated, and their members read meanwhile are not what they will be. A group that
 * does not get there stops the plan with its fix. Other groups holding a CE permission set that are not Updated are
 * warnings with their fix: direct assignments do not wait for them.
 */
export async function planPermissionSetAssignments(
  conn: Connection,
  config: CeConfig,
  options: { prune?: boolean; groups?: GroupWaitOptions } = {}
): Promise<PlannedAssignments> {
  const waited = options.groups ? await waitForPackageGroups(conn, config, options.groups) : undefined;
  const permissionSet = await resolvePermissionSet(conn, config);
  const rules = await resolveRules(conn, config.permissionSet.assignees);
  const current = await currentAssignments(conn, permissionSet.id);
  const plan = planAssignments({ rules, current, prune: options.prune ?? false });
  if (waited?.unreadable) {
    plan.warnings.push(TEXT.getMessage('groups.unreadable', [waited.unreadable.permission, waited.unreadable.reason]));
  }
  const named = new Set(waited?.named.map((g) => g.id));
  if (waited && options.groups) {
    for (const group of notUpdated(waited.groups.filter((g) => !named.has(g.id)))) {
      plan.warnings.push(groupWarning(group, options.groups.checkCommand));
    }
  }
  const groups = waited && {
    groups: waited.groups.map((g) => ({
      developerName: g.developerName,
      label: g.label,
      status: g.status,
      inConfig: named.has(g.id),
    })),
    reads: waited.reads,
    waitedMs: waited.waitedMs,
  };
  return {
    permissionSet,
    prune: options.prune ?? false,
    plan,
    lines: planLines(plan, permissionSet.label),
    ...(groups ? { groups } : {}),
  };
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += BATCH) out.push(items.slice(i, i + BATCH));
  return out;
}

/**
 * An assignment that already exists: DUPLICATE_VALUE, or the message "Duplicate PermissionSetAssignment" under
 * another code, which is how public tools that assign permission sets recognise it.
 */
export function isDuplicateAssignment(error: { code: string; message: string }): boolean {
  return error.code === 'DUPLICATE_VALUE' || /Duplicate PermissionSetAssignment/i.test(error.message);
}

function errorText(result: SaveResult): { code: string; message: string } {
  const first = result.errors?.[0];
  return {
    code: first?.statusCode ?? 'UNKNOWN',
    message: `${first?.statusCode ?? 'ERROR'}: ${first?.message ?? 'no message'}`,
  };
}

/**
 * Applies a plan: inserts, expiration updates and (with prune) deletes, each in sObject Collection requests
 * of up to 200 records with allOrNone false, so one user's failure (for example a licence that does not allow
 * the permission set) does not stop the others. A DUPLICATE_VALUE on insert means someone assigned it in the
 * meantime: reported as already assigned.
 */
export async function applyPlannedAssignments(
  conn: Connection,
  planned: PlannedAssignments,
  options: { onProgress?: (event: PermsetProgress) => void } = {}
): Promise<PermsetApplyResult> {
  const { plan, permissionSet } = planned;
  const sobject = conn.sobject('PermissionSetAssignment');
  const outcomes: UserOutcome[] = [...plan.unchanged];
  let writes = 0;

  let done = 0;
  for (const batch of chunks(plan.inserts)) {
    const results = (await sobject.create(
      batch.map((i) => ({ AssigneeId: i.user.id, PermissionSetId: permissionSet.id, ExpirationDate: i.expires })),
      { allOrNone: false }
    )) as SaveResult[];
    writes += 1;
    batch.forEach((item, n) => {
      const base = { username: item.user.username, userId: item.user.id, expires: item.expires, rules: item.rules };
      const r = results[n];
      if (r?.success) outcomes.push({ ...base, outcome: 'added' });
      else if (r && isDuplicateAssignment(errorText(r)))
        outcomes.push({ ...base, outcome: 'already-assigned', message: 'assigned by someone else meanwhile' });
      else outcomes.push({ ...base, outcome: 'failed', message: r ? errorText(r).message : 'no result returned' });
    });
    done += batch.length;
    options.onProgress?.({ phase: 'insert', done, total: plan.inserts.length });
  }

  done = 0;
  for (const batch of chunks(plan.updates)) {
    const results = (await sobject.update(
      batch.map((u) => ({ Id: u.assignmentId, ExpirationDate: u.expires })),
      { allOrNone: false }
    )) as SaveResult[];
    writes += 1;
    batch.forEach((item, n) => {
      const base = {
        username: item.user.username,
        userId: item.user.id,
        expires: item.expires,
        previousExpires: item.previous,
        rules: item.rules,
      };
      const r = results[n];
      outcomes.push(
        r?.success
          ? { ...base, outcome: 'updated' }
          : { ...base, outcome: 'failed', message: r ? errorText(r).message : 'no result returned' }
      );
    });
    done += batch.length;
    options.onProgress?.({ phase: 'update', done, total: plan.updates.length });
  }

  done = 0;
  for (const batch of chunks(plan.deletes)) {
    const results = (await sobject.destroy(
      batch.map((d) => d.assignmentId),
      { allOrNone: false }
    )) as SaveResult[];
    writes += 1;
    batch.forEach((item, n) => {
      const base = { username: item.user.username, userId: item.user.id, previousExpires: item.previous, rules: [] };
      const r = results[n];
      outcomes.push(
        r?.success
          ? { ...base, outcome: 'removed' }
          : { ...base, outcome: 'failed', message: r ? errorText(r).message : 'no result returned' }
      );
    });
    done += batch.length;
    options.onProgress?.({ phase: 'delete', done, total: plan.deletes.length });
  }

  const sorted = sortOutcomes(outcomes);
  return {
    permissionSet,
    dryRun: false,
    prune: planned.prune,
    writes,
    plan: planned.lines,
    outcomes: sorted,
    counts: countOutcomes(sorted),
    warnings: plan.warnings,
    ...(planned.groups ? { groups: planned.groups } : {}),
  };
}

/** The result of a plan that is not applied (a dry run). */
export function dryRunResult(planned: PlannedAssignments): PermsetApplyResult {
  const outcomes = plannedOutcomes(planned.plan);
  return {
    permissionSet: planned.permissionSet,
    dryRun: true,
    prune: planned.prune,
    writes: 0,
    plan: planned.lines,
    outcomes,
    counts: countOutcomes(outcomes),
    warnings: planned.plan.warnings,
    ...(planned.groups ? { groups: planned.groups } : {}),
  };
}

/**
 * Makes the permission set's assignments match config (setup calls this; `permsets apply` wraps it).
 * With dryRun, reads and plans only.
 */
export async function applyPermissionSetAssignments(
  conn: Connection,
  config: CeConfig,
  options: {
    dryRun: boolean;
    prune?: boolean;
    groups?: GroupWaitOptions;
    onProgress?: (event: PermsetProgress) => void;
  }
): Promise<PermsetApplyResult> {
  const planned = await planPermissionSetAssignments(conn, config, { prune: options.prune, groups: options.groups });
  if (options.dryRun) return dryRunResult(planned);
  return applyPlannedAssignments(conn, planned, { onProgress: options.onProgress });
}

/** Checklist items: the permission set exists, and its assignments match config (without pruning). */
export async function checkPermissionSetAssignments(conn: Connection, config: CeConfig): Promise<CheckItem[]> {
  const title = `"${config.permissionSet.label}" assigned as config lists`;
  let planned: PlannedAssignments;
  try {
    planned = await planPermissionSetAssignments(conn, config);
  } catch (error) {
    if (!(error instanceof OperationError) && !(error instanceof InputError)) throw error;
    return [
      {
        id: 'permsets.assignments',
        title,
        status: 'fail',
        evidence: error.message,
        ...(error.actions[0] ? { fix: error.actions[0] } : {}),
      },
    ];
  }
  const { plan } = planned;
  const missing = plan.inserts.length + plan.updates.length;
  const assigned = plan.unchanged.filter((o) => o.outcome === 'already-assigned').length;
  const items: CheckItem[] = [
    missing === 0
      ? {
          id: 'permsets.assignments',
          title,
          status: 'pass',
          evidence: `${assigned} user(s) hold it as configured (${planned.permissionSet.namespace}__${planned.permissionSet.name}).`,
        }
      : {
          id: 'permsets.assignments',
          title,
          status: 'fail',
          evidence: planned.lines.join('; '),
          fix: 'ce-connect permsets apply -o <org>',
        },
  ];
  if (plan.warnings.length > 0) {
    items.push({
      id: 'permsets.rules',
      title: 'Every assignee rule matches a user',
      status: 'warn',
      evidence: plan.warnings.join(' '),
      fix: 'Correct or remove the rule in permissionSet.assignees (config/ce-connect.json).',
    });
  }
  return items;
}
