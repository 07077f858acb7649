import { Messages } from '@salesforce/core/messages';
import type { CheckItem } from './checklist.js';

/**
 * Permission set groups after a package upgrade. Salesforce recalculates a group whenever a permission set in it
 * changes, as an upgrade changes the package's permission sets; until the group's Status is back to Updated,
 * assigning users to it fails ("You can only assign users to permission set groups that have the "Updated"
 * status.") and its members hold the permissions of before. Status values: Updated (current), Outdated (needs a
 * recalculation), Updating (being recalculated), Failed (the recalculation failed).
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_permissionsetgroup.htm
 * https://help.salesforce.com/s/articleView?id=sf.perm_set_groups_status_recalc.htm
 * Prior art: sfpowerscripts waits for Updating groups after each install (dxatscale/sfpowerscripts#732, #1000);
 * forcedotcom/cli#1066. Pure: the org layer reads the groups and waits.
 */
Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const TEXT = Messages.loadMessages('ce-connect', 'access');

export type GroupStatus = 'Updated' | 'Outdated' | 'Updating' | 'Failed' | string;

/** A group that holds one of the CE packages' permission sets. */
export type PackageGroup = { id: string; developerName: string; label: string; status: GroupStatus };

/**
 * Groups worth waiting for: being recalculated, or due for it (after an upgrade a group shows Outdated before its
 * recalculation starts, as CI runs report in trailheadapps/multiframework-recipes#100). A Failed recalculation does
 * not resume by itself (an assumption): it needs an admin, so it does not hold a wait.
 */
export function stillChanging(groups: PackageGroup[]): PackageGroup[] {
  return groups.filter((g) => g.status === 'Updating' || g.status === 'Outdated');
}

export function notUpdated(groups: PackageGroup[]): PackageGroup[] {
  return groups.filter((g) => g.status !== 'Updated');
}

/**
 * The groups `permsets apply` assigns through: those permissionSet.assignees names (`permissionSetGroup` rules,
 * matched without case as Salesforce matches developer names). Only these hold up its plan; the others holding a CE
 * permission set are reported, since direct assignments do not depend on them.
 */
export function namedInConfig(groups: PackageGroup[], names: string[]): PackageGroup[] {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  return groups.filter((g) => wanted.has(g.developerName.toLowerCase()));
}

export function groupText(group: PackageGroup): string {
  return `"${group.label}" (${group.developerName}): ${group.status}`;
}

/** The command that continues once a group is Updated, and the flag that makes it wait longer. */
export type GroupRerun = { command: string; waitFlag: string };

/** What brings a group back to Updated. The Recalculate button on the group's page is an assumption about its label. */
export function groupFix(group: PackageGroup, rerun: GroupRerun): string {
  if (group.status === 'Updating')
    return TEXT.getMessage('groups.fix.updating', [group.label, rerun.command, rerun.waitFlag]);
  return TEXT.getMessage('groups.fix.recalculate', [group.label, group.status, rerun.command]);
}

/**
 * A group config does not name that is not Updated: a warning, not a stop. Direct assignments go ahead; its members
 * hold the permissions of before until Salesforce (Updating) or an admin (Outdated, Failed) recalculates it.
 */
export function groupWarning(group: PackageGroup, checkCommand: string): string {
  const fix =
    group.status === 'Updating'
      ? TEXT.getMessage('groups.not-named.fix.updating', [checkCommand])
      : TEXT.getMessage('groups.not-named.fix.recalculate', [group.label, checkCommand]);
  return TEXT.getMessage('groups.not-named', [groupText(group), fix]);
}

/** The checklist item when the running user may not read the groups. */
export function groupsUnreadableItem(reason: string, permission: string): CheckItem {
  return {
    id: 'permsets.groups',
    title: TEXT.getMessage('groups.title'),
    status: 'warn',
    evidence: reason,
    fix: TEXT.getMessage('groups.unreadable.fix', [permission]),
  };
}

/** The checklist item: one read, no wait. Updating is a warning (it ends by itself); Outdated and Failed fail. */
export function groupCheckItems(groups: PackageGroup[], namespaces: string[], rerun: GroupRerun): CheckItem[] {
  const title = TEXT.getMessage('groups.title');
  const scope = namespaces.map((ns) => `${ns}__`).join(', ');
  if (groups.length === 0) {
    return [{ id: 'permsets.groups', title, status: 'pass', evidence: TEXT.getMessage('groups.none', [scope]) }];
  }
  const pending = notUpdated(groups);
  if (pending.length === 0) {
    return [
      {
        id: 'permsets.groups',
        title,
        status: 'pass',
        evidence: TEXT.getMessage('groups.updated', [groups.map((g) => `"${g.label}"`).join(', ')]),
      },
    ];
  }
  return [
    {
      id: 'permsets.groups',
      title,
      status: pending.some((g) => g.status !== 'Updating') ? 'fail' : 'warn',
      evidence: pending.map(groupText).join('; '),
      fix: pending.map((g) => groupFix(g, rerun)).join(' '),
    },
  ];
}
