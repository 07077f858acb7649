// Permission set groups being recalculated. Salesforce recalculates a group whenever a permission set in it
// changes, as a managed package upgrade changes the package's permission sets; while it does, the group's Status
// is not Updated, and users can be assigned to it only once it is Updated again
// (https://help.salesforce.com/s/articleView?id=sf.perm_set_groups_status_recalc.htm; sfpowerscripts waits for
// this after package installs, dxatscale/sfpowerscripts#732; forcedotcom/cli#1066).
// The simulated org counts reads instead of time: a recalculating group keeps its status for a number of queries
// that read groups (of PermissionSetGroup or PermissionSetGroupComponent), then takes its outcome.
import type { OrgState } from '../org-state.js';
import { addQueryGuard } from '../soql.js';
import type { GroupRecalculation, GroupStatus } from '../types.js';

/** Reads a group stays Updating after an upgrade when nothing says otherwise (an assumption, like install polls). */
export const DEFAULT_RECALCULATION_READS = 3;

type Recalculation = { readsLeft: number; outcome: GroupStatus };

const running = new WeakMap<OrgState, Map<string, Recalculation>>();

function recalculations(org: OrgState): Map<string, Recalculation> {
  let map = running.get(org);
  if (!map) {
    map = new Map();
    running.set(org, map);
  }
  return map;
}

/**
 * Starts a recalculation of a group: its Status becomes Updating (or stays what the scenario set) for `reads` group
 * reads, then `outcome` (Updated unless told otherwise; `org.flags.groupRecalculationOutcome` and
 * `org.flags.groupRecalculationReads` set the defaults for recalculations an upgrade starts).
 */
export function markRecalculating(org: OrgState, groupId: string, recalculation: GroupRecalculation = {}): void {
  const group = org.get('PermissionSetGroup', groupId);
  if (!group) throw new Error(`No permission set group ${groupId}`);
  const reads =
    recalculation.reads ??
    (typeof org.flags.groupRecalculationReads === 'number'
      ? org.flags.groupRecalculationReads
      : DEFAULT_RECALCULATION_READS);
  const outcome =
    recalculation.outcome ?? (org.flags.groupRecalculationOutcome as GroupStatus | undefined) ?? 'Updated';
  if (group.Status === 'Updated') org.update('PermissionSetGroup', groupId, { Status: 'Updating' }, { system: true });
  recalculations(org).set(group.Id, { readsLeft: reads, outcome });
}

/** The groups that hold a permission set of the namespace (a package upgrade recalculates them). */
export function groupsWithNamespace(org: OrgState, namespace: string): string[] {
  const members = new Set(org.find('PermissionSet', (p) => p.NamespacePrefix === namespace).map((p) => p.Id));
  const ids = org
    .find('PermissionSetGroupComponent', (c) => members.has(String(c.PermissionSetId)))
    .map((c) => String(c.PermissionSetGroupId));
  return [...new Set(ids)];
}

/** One group read: every running recalculation moves on by one read, and ends when it has none left. */
function read(org: OrgState): void {
  for (const [groupId, recalculation] of recalculations(org)) {
    if (recalculation.readsLeft > 0) {
      recalculation.readsLeft -= 1;
      continue;
    }
    recalculations(org).delete(groupId);
    if (org.get('PermissionSetGroup', groupId)) {
      // The org's own background work, not the caller's: the read that sees it end is logged as a read, as the
      // status read that finishes an install is.
      const changes = org.changeCount;
      org.update('PermissionSetGroup', groupId, { Status: recalculation.outcome }, { system: true });
      org.changeCount = changes;
    }
  }
}

export function setup(org: OrgState): void {
  addQueryGuard(org, 'PermissionSetGroup', ({ org: state }) => read(state));
  addQueryGuard(org, 'PermissionSetGroupComponent', ({ org: state }) => read(state));
  // "You can only assign users to permission set groups that have the "Updated" status." is the refusal CI runs
  // report (trailheadapps/multiframework-recipes#100); its error code is an assumption.
  org.addRule('PermissionSetAssignment', 'beforeInsert', ({ org: state, record }) => {
    if (!record.PermissionSetGroupId) return undefined;
    const group = state.get('PermissionSetGroup', String(record.PermissionSetGroupId));
    if (!group || group.Status === 'Updated') return undefined;
    return {
      errorCode: 'FIELD_INTEGRITY_EXCEPTION',
      message: 'You can only assign users to permission set groups that have the "Updated" status.',
      fields: ['PermissionSetGroupId'],
    };
  });
}
