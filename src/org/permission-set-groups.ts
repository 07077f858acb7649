import type { Connection } from '@salesforce/core';
import type { CheckItem } from '../core/checklist.js';
import type { CeConfig } from '../core/config.js';
import { OperationError } from '../core/errors.js';
import {
  type GroupRerun,
  type PackageGroup,
  groupCheckItems,
  groupFix,
  groupText,
  groupsUnreadableItem,
  namedInConfig,
  notUpdated,
  stillChanging,
} from '../core/group-recalculation.js';
import type { Unreadable } from '../core/integration-user-audit.js';
import { ERRORS } from '../core/messages.js';
import { DEFAULT_POLL_SCHEDULE, type PollSchedule, formatElapsed, pollDelay } from '../core/package-install.js';
import { clock } from './clock.js';
import { soqlQuote, unreadable } from './user-access.js';

/** Minutes `permsets apply` (and setup's permsets step) waits for groups by default. */
export const DEFAULT_GROUP_WAIT_MINUTES = 10;

export type GroupWaitOptions = {
  waitMinutes?: number;
  pollSchedule?: PollSchedule;
  onProgress?: (event: GroupWaitProgress) => void;
  /** The command that continues after a stop (the one that was run), and its flag for a longer wait. */
  rerun: GroupRerun;
  /** The command that shows the groups' status (the checklist, with the org), for the groups nothing waits for. */
  checkCommand: string;
};

export type GroupWaitProgress = {
  /** The groups not yet Updated, as "label: status". */
  pending: string[];
  reads: number;
  startedAt: number;
  deadline: number;
};

/** What the wait saw: the groups as last read, and how many reads it took. */
export type GroupWait = {
  /** Every group holding a CE permission set, as last read. */
  groups: PackageGroup[];
  /** Those of them permissionSet.assignees names: the wait was for these. */
  named: PackageGroup[];
  reads: number;
  waitedMs: number;
  /** Set when the running user may not read the groups (the wait was skipped). */
  unreadable?: Unreadable;
};

function namespacesOf(config: CeConfig): string[] {
  return [...new Set([config.permissionSet.namespace, ...config.packages.map((p) => p.namespace)])];
}

/**
 * The groups that hold a permission set of the CE packages, with their Status: one PermissionSetGroupComponent
 * query (the group's fields through its parent, so no second query).
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_permissionsetgroupcomponent.htm
 */
export async function readPackageGroups(conn: Connection, config: CeConfig): Promise<PackageGroup[] | Unreadable> {
  let rows: Array<{
    PermissionSetGroupId: string;
    PermissionSetGroup: { DeveloperName: string; MasterLabel: string | null; Status: string } | null;
  }>;
  try {
    rows = (
      await conn.query<(typeof rows)[number]>(
        `SELECT PermissionSetGroupId, PermissionSetGroup.DeveloperName, PermissionSetGroup.MasterLabel, PermissionSetGroup.Status FROM PermissionSetGroupComponent WHERE PermissionSet.NamespacePrefix IN (${namespacesOf(
          config
        )
          .map(soqlQuote)
          .join(', ')})`,
        { autoFetch: true, maxFetch: 10_000 }
      )
    ).records;
  } catch (error) {
    const refused = unreadable(error, 'View Setup and Configuration');
    if (refused) return refused;
    throw error;
  }
  const groups = new Map<string, PackageGroup>();
  for (const row of rows) {
    const group = row.PermissionSetGroup;
    if (!group) continue;
    groups.set(row.PermissionSetGroupId, {
      id: row.PermissionSetGroupId,
      developerName: group.DeveloperName,
      label: group.MasterLabel ?? group.DeveloperName,
      status: group.Status,
    });
  }
  return [...groups.values()].sort((a, b) => a.label.localeCompare(b.label));
}

/** The groups permissionSet.assignees assigns through (its `permissionSetGroup` rules). */
export function groupRules(config: CeConfig): string[] {
  return config.permissionSet.assignees.flatMap((a) => ('permissionSetGroup' in a ? [a.permissionSetGroup] : []));
}

/**
 * Waits until every group permissionSet.assignees names that holds a CE permission set is Updated, reading them on
 * the poll schedule (2 s, backing off to 15 s by default) within the wait: after a package upgrade those are being
 * recalculated, and their members are not yet what they will be. One that stays Failed, Outdated or Updating is a
 * stop with its fix (OperationError, exit 1), before anything is assigned. The other groups holding a CE permission
 * set come back as read (the same query), for the caller to report: direct assignments do not depend on them, so
 * they never hold up the wait. Groups the running user cannot read are a warning, not a wait.
 */
export async function waitForPackageGroups(
  conn: Connection,
  config: CeConfig,
  options: GroupWaitOptions
): Promise<GroupWait> {
  const schedule = options.pollSchedule ?? DEFAULT_POLL_SCHEDULE;
  const waitMs = (options.waitMinutes ?? DEFAULT_GROUP_WAIT_MINUTES) * 60_000;
  const rules = groupRules(config);
  const startedAt = clock().now();
  const deadline = startedAt + waitMs;
  for (let reads = 1; ; reads++) {
    const groups = await readPackageGroups(conn, config);
    const waitedMs = clock().now() - startedAt;
    if ('unreadable' in groups) return { groups: [], named: [], reads, waitedMs, unreadable: groups };
    const named = namedInConfig(groups, rules);
    const pending = notUpdated(named);
    if (pending.length === 0) return { groups, named, reads, waitedMs };
    const left = deadline - clock().now();
    if (stillChanging(named).length === 0 || left <= 0) {
      throw new OperationError(
        'PermissionSetGroupsNotUpdated',
        ERRORS.getMessage('PermissionSetGroupsNotUpdated', [
          pending.length,
          formatElapsed(waitedMs),
          pending.map(groupText).join('; '),
        ]),
        { actions: pending.map((g) => groupFix(g, options.rerun)), data: { groups, reads } }
      );
    }
    options.onProgress?.({ pending: pending.map(groupText), reads, startedAt, deadline });
    await clock().sleep(Math.min(pollDelay(schedule, reads - 1), left));
  }
}

/** The checklist's item: the groups as they are now (no wait). Its fixes name the org as `<org>`, filled in later. */
export async function checkPackageGroups(conn: Connection, config: CeConfig): Promise<CheckItem[]> {
  const groups = await readPackageGroups(conn, config);
  if ('unreadable' in groups) return [groupsUnreadableItem(groups.reason, groups.permission)];
  return groupCheckItems(groups, namespacesOf(config), {
    command: 'ce-connect permsets apply -o <org>',
    waitFlag: '--wait',
  });
}
