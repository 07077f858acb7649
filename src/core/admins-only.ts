import { Messages } from '@salesforce/core/messages';
import type { CheckItem } from './checklist.js';
import type { Unreadable } from './integration-user-audit.js';

/**
 * "Install for Admins Only", verified: which profiles and permission sets other than administrators' can reach the
 * CE packages' objects and tabs. Installs by API "for admins only" have been seen to grant access to other
 * profiles anyway (forcedotcom/cli#1973 and #2059, SFDO-Tooling/CumulusCI#3536 and #3902), and after a token theft
 * "who can see learner data" is what an admin has to prove. Administrators are judged by permissions, not by profile
 * name. Users who should see enrollments get them through the package's "Northpass Standard User" permission set,
 * so that one is expected; so is a permission set held by the integration user alone (its own access, which
 * `integration-user check` audits). A permission set nobody holds reaches no one today: a warning, one assignment
 * away from a finding. Pure: the org layer reads the rows.
 */
Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const TEXT = Messages.loadMessages('ce-connect', 'access');

/** A profile (through its profile-owned permission set) or a permission set that holds access. */
export type AccessHolder = {
  /** The permission set's Id (a profile's own permission set for a profile). */
  id: string;
  kind: 'profile' | 'permission set';
  /** The profile's name, or the permission set's label. */
  name: string;
  /** The permission set's API name and namespace (for a permission set). */
  apiName?: string;
  namespace?: string | null;
  /** The aggregate permission set of a permission set group: its members are judged one by one instead. */
  groupAggregate: boolean;
  /** System permission name (without `Permissions`, one of HOLDER_PERMISSIONS) → granted. */
  permissions: Record<string, boolean>;
};

export type ObjectAccessGrant = {
  holder: AccessHolder;
  object: string;
  read: boolean;
  create: boolean;
  edit: boolean;
  delete: boolean;
  viewAll: boolean;
  modifyAll: boolean;
};

export type TabGrant = { holder: AccessHolder; tab: string; visibility: 'DefaultOn' | 'DefaultOff' | string };

export type AdminsOnlyFacts = {
  /** The CE packages' namespaces whose objects and tabs are judged. */
  namespaces: string[];
  objects: ObjectAccessGrant[] | Unreadable;
  tabs: TabGrant[] | Unreadable;
  /** The permission set users should get CE data through. */
  expected: { label: string; namespace: string; name?: string };
  integrationUsername: string;
  /**
   * Active users holding each permission set that would be a finding, directly or through a permission set group, by
   * permission set Id (usernames, each once).
   */
  assignees: Map<string, string[]>;
};

export type AccessFinding = {
  kind: AccessHolder['kind'];
  name: string;
  /** Object access, one entry per object: the access words (Read, Create, Edit, Delete, View All, Modify All). */
  objects: Array<{ object: string; access: string[] }>;
  /** Tabs the holder shows (Default On or Default Off; a hidden tab has no row). */
  tabs: Array<{ tab: string; visibility: string }>;
  /** fail: object access someone holds; warn: a tab without object access, or a permission set nobody holds. */
  status: 'fail' | 'warn';
  /** For permission sets: how many active users hold it, directly or through a group. */
  assignees?: number;
  fix: string;
};

export type AdminsOnlyResult = {
  ok: boolean;
  namespaces: string[];
  findings: AccessFinding[];
  /** Holders left out: administrators by permissions, the expected permission set, the integration user's own. */
  expected: string[];
  /** Set when the running user could not read object access or tab settings. */
  unreadable?: Unreadable;
};

const WORDS: Array<[keyof Omit<ObjectAccessGrant, 'holder' | 'object'>, string]> = [
  ['read', 'Read'],
  ['create', 'Create'],
  ['edit', 'Edit'],
  ['delete', 'Delete'],
  ['viewAll', 'View All'],
  ['modifyAll', 'Modify All'],
];

const VISIBILITY: Record<string, string> = { DefaultOn: 'Default On', DefaultOff: 'Default Off' };

/**
 * The system permissions that change what a holder's object settings mean, read for every holder.
 *
 * Modify All Data makes an administrator for data access: its holders read, create, edit and delete every record of
 * every object whatever their object settings say ("Full access to all objects (ignores sharing and any other
 * protection)", and it turns on Read, Create, Edit, Delete, View All and Modify All on every object: Salesforce Help,
 * "'Modify All Data' permission", https://help.salesforce.com/s/articleView?id=000321298&type=1), and it is what the
 * System Administrator profile, the one "Install for Admins Only" grants to, has. So they are expected.
 *
 * View All Data lets its holders view all data whether or not it is shared with them ("View All" and "Modify All"
 * Permissions Overview, https://help.salesforce.com/s/articleView?id=platform.users_profiles_view_all_mod_all.htm):
 * Read and View All on the packages' objects come with it and cannot be taken from it there, so only access beyond
 * reading (Create, Edit, Delete, Modify All) is a finding for its holders.
 *
 * The permissions the integration-user audit counts as an administrator's (Author Apex, Customize Application,
 * Manage Users among them) say what a stolen token could do, not who reaches CE data: a profile with Manage Users and
 * access to Enrollments is a finding like any other.
 */
export const HOLDER_PERMISSIONS = ['ModifyAllData', 'ViewAllData'] as const;

export function isAdmin(holder: AccessHolder): boolean {
  return holder.permissions.ModifyAllData === true;
}

/** The object access a holder's object settings give beyond what its system permissions give anyway. */
function ownAccess(holder: AccessHolder, grant: ObjectAccessGrant): string[] {
  const implied = holder.permissions.ViewAllData === true ? new Set(['read', 'viewAll']) : new Set<string>();
  return WORDS.filter(([key]) => grant[key] && !implied.has(key)).map(([, word]) => word);
}

/** The permission set users should get CE data through (by API name once config knows it, else by label). */
export function isExpected(holder: AccessHolder, expected: AdminsOnlyFacts['expected']): boolean {
  if (holder.kind !== 'permission set' || (holder.namespace ?? '') !== expected.namespace) return false;
  return expected.name ? holder.apiName === expected.name : holder.name === expected.label;
}

export function describeHolder(holder: Pick<AccessHolder, 'kind' | 'name'>): string {
  return `${holder.kind} "${holder.name}"`;
}

/** Which holders reach the packages' data, apart from the ones that should. */
export function judgeAdminsOnly(facts: AdminsOnlyFacts): AdminsOnlyResult {
  const unreadable =
    'unreadable' in facts.objects ? facts.objects : 'unreadable' in facts.tabs ? facts.tabs : undefined;
  const objects = 'unreadable' in facts.objects ? [] : facts.objects;
  const tabs = 'unreadable' in facts.tabs ? [] : facts.tabs;
  const holders = new Map<string, AccessHolder>();
  for (const grant of [...objects, ...tabs]) holders.set(grant.holder.id, grant.holder);
  const expected = new Set<string>();
  const findings: AccessFinding[] = [];
  const integration = facts.integrationUsername.toLowerCase();
  for (const holder of holders.values()) {
    if (holder.groupAggregate) continue;
    const assignees = facts.assignees.get(holder.id);
    const integrationOnly =
      holder.kind === 'permission set' &&
      assignees !== undefined &&
      assignees.length > 0 &&
      assignees.every((u) => u.toLowerCase() === integration);
    if (isAdmin(holder) || isExpected(holder, facts.expected) || integrationOnly) {
      expected.add(describeHolder(holder));
      continue;
    }
    const held = objects
      .filter((g) => g.holder.id === holder.id)
      .map((g) => ({ object: g.object, access: ownAccess(holder, g) }))
      .filter((o) => o.access.length > 0)
      .sort((a, b) => a.object.localeCompare(b.object));
    const shown = tabs
      .filter((t) => t.holder.id === holder.id)
      .map((t) => ({ tab: t.tab, visibility: VISIBILITY[t.visibility] ?? t.visibility }))
      .sort((a, b) => a.tab.localeCompare(b.tab));
    if (held.length === 0 && shown.length === 0) {
      // Reading all data, by View All Data: nothing its object settings could take away.
      if (holder.permissions.ViewAllData === true) expected.add(describeHolder(holder));
      continue;
    }
    const holders = holder.kind === 'permission set' ? (assignees?.length ?? 0) : undefined;
    findings.push({
      kind: holder.kind,
      name: holder.name,
      objects: held,
      tabs: shown,
      // A permission set nobody holds reaches no one today; one assignment makes it a finding.
      status: held.length > 0 && holders !== 0 ? 'fail' : 'warn',
      ...(holders === undefined ? {} : { assignees: holders }),
      fix: removalFix(holder, held, shown, facts.expected.label),
    });
  }
  findings.sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
  return {
    ok: findings.every((f) => f.status !== 'fail'),
    namespaces: facts.namespaces,
    findings,
    expected: [...expected].sort(),
    ...(unreadable ? { unreadable } : {}),
  };
}

function removalFix(
  holder: AccessHolder,
  objects: AccessFinding['objects'],
  tabs: AccessFinding['tabs'],
  expectedLabel: string
): string {
  const steps = [
    ...objects.map((o) => TEXT.getMessage('admins-only.fix.object', [o.access.join(', '), o.object])),
    ...tabs.map((t) => TEXT.getMessage('admins-only.fix.tab', [t.tab])),
  ].join('; ');
  const key = holder.kind === 'profile' ? 'admins-only.fix.profile' : 'admins-only.fix.permission-set';
  return TEXT.getMessage(key, [holder.name, steps, expectedLabel]);
}

/** One line of what a finding holds, for evidence and warnings. */
export function findingText(finding: AccessFinding): string {
  const parts = [
    ...finding.objects.map((o) => TEXT.getMessage('admins-only.object', [o.access.join(', '), o.object])),
    ...finding.tabs.map((t) => TEXT.getMessage('admins-only.tab', [t.tab, t.visibility])),
  ];
  const holders =
    finding.assignees === undefined
      ? ''
      : ` ${finding.assignees === 0 ? TEXT.getMessage('admins-only.unassigned') : TEXT.getMessage('admins-only.assignees', [finding.assignees])}`;
  return `${describeHolder(finding)}: ${parts.join('; ')}${holders}`;
}

/** The checklist items: one that passes, or one per profile or permission set that reaches CE data. */
export function adminsOnlyItems(result: AdminsOnlyResult, expectedLabel: string): CheckItem[] {
  const scope = result.namespaces.map((ns) => `${ns}__`).join(', ');
  const title = TEXT.getMessage('admins-only.title', [expectedLabel]);
  if (result.unreadable) {
    return [
      {
        id: 'packages.admins-only',
        title,
        status: 'warn',
        evidence: TEXT.getMessage('admins-only.unreadable', [result.unreadable.reason]),
        fix: TEXT.getMessage('admins-only.unreadable.fix', [result.unreadable.permission]),
      },
    ];
  }
  if (result.findings.length === 0) {
    return [
      {
        id: 'packages.admins-only',
        title,
        status: 'pass',
        evidence: TEXT.getMessage('admins-only.pass', [scope, result.expected.join(', ') || '—']),
      },
    ];
  }
  return result.findings.map((finding) => ({
    id: `packages.admins-only.${finding.kind === 'profile' ? 'profile' : 'permission-set'}.${finding.name}`,
    title: TEXT.getMessage('admins-only.item', [describeHolder(finding), scope]),
    status: finding.status,
    evidence: findingText(finding),
    fix: finding.fix,
  }));
}
