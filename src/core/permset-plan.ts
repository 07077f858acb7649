/**
 * Permission-set assignments as code: the difference between who config says should hold the permission set
 * (with which expiration) and who holds it now. Pure: the org layer resolves rules to users and reads the
 * current assignments; this module decides what to insert, update, delete and leave alone.
 */
import type { Assignee } from './config.js';

export type AssignmentUser = { id: string; username: string; isActive: boolean };

/** One config rule (permissionSet.assignees[index]) and the users it matched in the org. */
export type RuleMatch = { index: number; assignee: Assignee; users: AssignmentUser[] };

/** A direct assignment of the permission set as the org has it now (profile-owned ones excluded by the caller). */
export type CurrentAssignment = {
  id: string;
  user: AssignmentUser;
  /** As Salesforce returns it (2027-06-30T00:00:00.000+0000), or null for no expiration. */
  expirationDate: string | null;
};

export type AssignmentOutcome =
  'added' | 'already-assigned' | 'updated' | 'removed' | 'kept-not-in-config' | 'skipped-inactive' | 'failed';

export const OUTCOMES: AssignmentOutcome[] = [
  'added',
  'already-assigned',
  'updated',
  'removed',
  'kept-not-in-config',
  'skipped-inactive',
  'failed',
];

/** One line of the per-user report (and of the `--json` result). */
export type UserOutcome = {
  username: string;
  userId: string;
  outcome: AssignmentOutcome;
  /** The expiration config asks for (ISO, UTC), or null for none; absent for users config does not list. */
  expires?: string | null;
  /** The expiration the org had before, when it differs or the assignment was removed. */
  previousExpires?: string | null;
  /** The config rules that selected the user, e.g. `profile "Standard User"`. */
  rules: string[];
  /** Salesforce's message for a failure, or why a user was skipped or kept. */
  message?: string;
};

export type PlannedInsert = { user: AssignmentUser; expires: string | null; rules: string[] };
export type PlannedUpdate = PlannedInsert & { assignmentId: string; previous: string | null };
export type PlannedDelete = { user: AssignmentUser; assignmentId: string; previous: string | null };

export type AssignmentPlan = {
  inserts: PlannedInsert[];
  updates: PlannedUpdate[];
  deletes: PlannedDelete[];
  /** Everything that needs no write: already assigned, skipped, kept. */
  unchanged: UserOutcome[];
  /** Rules that matched nobody, and similar notes for the admin. */
  warnings: string[];
};

/** How a rule reads in reports. */
export function describeRule(assignee: Assignee): string {
  if ('username' in assignee) return `username ${assignee.username}`;
  if ('profile' in assignee) return `profile "${assignee.profile}"`;
  if ('permissionSet' in assignee) return `permission set ${assignee.permissionSet}`;
  if ('permissionSetGroup' in assignee) return `permission set group ${assignee.permissionSetGroup}`;
  return `users where ${assignee.userFilter}`;
}

/**
 * The ExpirationDate to write for a config value: a date alone means midnight UTC at the start of that day
 * (2027-06-30 → 2027-06-30T00:00:00.000Z); a date-time keeps its instant. Undefined means no expiration.
 */
export function expirationInstant(expires: string | undefined): string | null {
  if (expires === undefined) return null;
  const text = /^\d{4}-\d{2}-\d{2}$/.test(expires) ? `${expires}T00:00:00Z` : expires;
  const ms = Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isNaN(ms)) throw new RangeError(`Not a date: ${expires}`);
  return new Date(ms).toISOString();
}

/** Salesforce writes 2027-06-30T00:00:00.000+0000; compare instants, not text. */
function instant(value: string | null): number | null {
  if (value === null) return null;
  return Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

export function sameExpiration(a: string | null, b: string | null): boolean {
  return instant(a) === instant(b);
}

type Desired = { user: AssignmentUser; expires: string | null; rules: string[] };

/**
 * The plan. Active users that config selects get the permission set with the configured expiration (of the
 * last rule that selects them); inactive
 * ones are skipped (their existing assignment, if any, is left alone). Assignments of users config does not
 * select are removed only when prune is true, otherwise kept and reported.
 */
export function planAssignments(input: {
  rules: RuleMatch[];
  current: CurrentAssignment[];
  prune: boolean;
}): AssignmentPlan {
  const plan: AssignmentPlan = { inserts: [], updates: [], deletes: [], unchanged: [], warnings: [] };
  const desired = new Map<string, Desired>();
  for (const match of input.rules) {
    const label = describeRule(match.assignee);
    if (match.users.length === 0) {
      plan.warnings.push(`permissionSet.assignees[${match.index}] (${label}) matches no user.`);
      continue;
    }
    const expires = expirationInstant(match.assignee.expires);
    for (const user of match.users) {
      const seen = desired.get(user.id);
      if (seen) {
        // When several rules select a user, the last one in the list decides the expiration, so a username
        // rule after a profile rule can give one person an end date (or take it away).
        seen.expires = expires;
        if (!seen.rules.includes(label)) seen.rules.push(label);
      } else {
        desired.set(user.id, { user, expires, rules: [label] });
      }
    }
  }
  const currentByUser = new Map(input.current.map((a) => [a.user.id, a]));

  const byName = (a: { user: AssignmentUser }, b: { user: AssignmentUser }): number =>
    a.user.username.localeCompare(b.user.username);
  for (const want of [...desired.values()].sort(byName)) {
    const have = currentByUser.get(want.user.id);
    const base = { username: want.user.username, userId: want.user.id, rules: want.rules, expires: want.expires };
    if (!want.user.isActive) {
      plan.unchanged.push({
        ...base,
        outcome: 'skipped-inactive',
        message: have
          ? 'inactive user; the existing assignment is left as it is'
          : 'inactive user; activate the user, then run again',
      });
    } else if (!have) {
      plan.inserts.push(want);
    } else if (sameExpiration(have.expirationDate, want.expires)) {
      plan.unchanged.push({ ...base, outcome: 'already-assigned' });
    } else {
      plan.updates.push({ ...want, assignmentId: have.id, previous: have.expirationDate });
    }
  }
  for (const have of [...input.current].sort(byName)) {
    if (desired.has(have.user.id)) continue;
    if (input.prune) {
      plan.deletes.push({ user: have.user, assignmentId: have.id, previous: have.expirationDate });
    } else {
      plan.unchanged.push({
        username: have.user.username,
        userId: have.user.id,
        outcome: 'kept-not-in-config',
        previousExpires: have.expirationDate,
        rules: [],
        message: 'not selected by config; --prune would remove it',
      });
    }
  }
  return plan;
}

function until(expires: string | null): string {
  return expires === null ? 'no expiration' : `expires ${expires.slice(0, 10)}`;
}

/** One human line per write the plan makes (empty when the org already matches config). */
export function planLines(plan: AssignmentPlan, permissionSetLabel: string): string[] {
  return [
    ...plan.inserts.map((i) => `assign ${permissionSetLabel} to ${i.user.username} (${until(i.expires)})`),
    ...plan.updates.map(
      (u) =>
        `change the expiration of ${u.user.username}'s ${permissionSetLabel}: ${until(u.previous)} → ${until(u.expires)}`
    ),
    ...plan.deletes.map((d) => `remove ${permissionSetLabel} from ${d.user.username} (not in config)`),
  ];
}

/** Per-user outcomes of a plan that was not (or not yet) applied: what each write would do. */
export function plannedOutcomes(plan: AssignmentPlan): UserOutcome[] {
  return sortOutcomes([
    ...plan.inserts.map((i) => ({
      username: i.user.username,
      userId: i.user.id,
      outcome: 'added' as const,
      expires: i.expires,
      rules: i.rules,
    })),
    ...plan.updates.map((u) => ({
      username: u.user.username,
      userId: u.user.id,
      outcome: 'updated' as const,
      expires: u.expires,
      previousExpires: u.previous,
      rules: u.rules,
    })),
    ...plan.deletes.map((d) => ({
      username: d.user.username,
      userId: d.user.id,
      outcome: 'removed' as const,
      previousExpires: d.previous,
      rules: [],
    })),
    ...plan.unchanged,
  ]);
}

export function sortOutcomes(outcomes: UserOutcome[]): UserOutcome[] {
  return [...outcomes].sort(
    (a, b) => OUTCOMES.indexOf(a.outcome) - OUTCOMES.indexOf(b.outcome) || a.username.localeCompare(b.username)
  );
}

export function countOutcomes(outcomes: UserOutcome[]): Record<AssignmentOutcome, number> {
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<AssignmentOutcome, number>;
  for (const o of outcomes) counts[o.outcome] += 1;
  return counts;
}
