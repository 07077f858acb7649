// The simulated org playing Customer Education (CE): pushing an Enrollment record the way CE's connector does,
// now or after a delay, so `sync verify` has something to wait for.
//
// What CE does, as far as public sources say (../shared/reference/northpass.md §1–2):
// - it writes the package's Enrollment object, upserting on the External ID field
//   (support.northpass.com/knowledge/import-historic-learner-data-into-salesforce);
// - it matches the learner to a Contact by email; with no match the record is created anyway, with an empty
//   Contact lookup, and shows in the "Unlinked Enrollments" list view
//   (support.northpass.com/en/articles/3310404-viewing-unlinked-enrollments-list-view).
// What it does when several Contacts share the email is not documented; the simulator leaves the record
// unlinked then, the cautious reading ("links when exactly one Contact matches").
import { SimError } from './errors.js';
import type { OrgState } from './org-state.js';
import type { SObjectRecord } from './types.js';

/** One enrollment CE pushes. Field names are the simulated package's (catalog/ce-packages.json). */
export type CePush = {
  email: string;
  courseName?: string;
  courseId?: string;
  /** 0–100. */
  progress?: number;
  attempt?: number;
  /** The upsert key; a new one is made up when absent (a new enrollment). An existing key updates that record. */
  externalId?: string;
  /** `byEmail` (default): link to the one Contact with that email, as CE does; `none`: leave it unlinked. */
  link?: 'byEmail' | 'none';
  /** The package namespace (default northpass). */
  namespace?: string;
  /** Who CE writes as (default: the first active user on the API-only integration profile, if any). */
  asUser?: string;
  /** Any other fields, by API name, written as given. */
  fields?: Record<string, unknown>;
};

/** A push scheduled for later: a scenario's `scheduled` entries and POST /__sim/ce/enrollments take this shape. */
export type ScheduledPush = CePush & { afterMs?: number; afterSeconds?: number };

export type PushLogEntry = {
  id: number;
  status: 'scheduled' | 'pushed' | 'failed';
  dueAt: string;
  push: CePush;
  recordId?: string;
  linkedTo?: string | null;
  error?: string;
};

const logs = new WeakMap<OrgState, PushLogEntry[]>();
const pushCounts = new WeakMap<OrgState, number>();

/** What CE pushed and will push in this org (reset with the org). */
export function pushLog(org: OrgState): PushLogEntry[] {
  const log = logs.get(org) ?? [];
  logs.set(org, log);
  return log;
}

function ceWriter(org: OrgState, asUser: string | undefined): string | undefined {
  if (asUser) {
    const user = org.userByUsername(asUser);
    if (!user) throw new Error(`CE push: no user ${asUser} in this org.`);
    return user.Id;
  }
  const profile = org.findOne('Profile', (p) => p.Name === 'Minimum Access - API Only Integrations');
  return profile ? org.findOne('User', (u) => u.ProfileId === profile.Id && u.IsActive === true)?.Id : undefined;
}

/** Pushes one enrollment now, as CE's connector would; returns the record. Throws SimError as the API would. */
export function pushEnrollment(org: OrgState, push: CePush): { record: SObjectRecord; linkedTo: string | null } {
  const ns = push.namespace ?? 'northpass';
  const object = `${ns}__Enrollment__c`;
  org.requireObject(object);
  const f = (name: string): string => `${ns}__${name}__c`;
  const email = push.email.trim();
  let contactId: string | null = null;
  if ((push.link ?? 'byEmail') === 'byEmail') {
    const lower = email.toLowerCase();
    const matches = org.find('Contact', (c) => typeof c.Email === 'string' && c.Email.trim().toLowerCase() === lower);
    contactId = matches.length === 1 ? matches[0].Id : null;
  }
  const now = org.now().toISOString();
  const values: Record<string, unknown> = {
    [f('Learner_Email')]: email,
    [f('Contact')]: contactId,
    [f('Last_Synced_At')]: now,
    ...(push.courseName !== undefined ? { [f('Course_Name')]: push.courseName } : {}),
    ...(push.courseId !== undefined ? { [f('Course_Id')]: push.courseId } : {}),
    ...(push.progress !== undefined ? { [f('Progress_Percentage')]: push.progress } : {}),
    ...(push.attempt !== undefined ? { [f('Course_Attempt_Number')]: push.attempt } : {}),
    ...(push.fields ?? {}),
  };
  const userId = ceWriter(org, push.asUser);
  const externalField = f('External_Id');
  const existing = push.externalId
    ? org.findOne(object, (r) => String(r[externalField] ?? '').toLowerCase() === push.externalId?.toLowerCase())
    : undefined;
  if (existing) {
    return { record: org.update(object, existing.Id, values, { userId }), linkedTo: contactId };
  }
  const n = (pushCounts.get(org) ?? 0) + 1;
  pushCounts.set(org, n);
  const externalId = push.externalId ?? `np-enr-sim-${n}`;
  values[f('Enrollment_Date')] ??= now;
  return { record: org.insert(object, { ...values, [externalField]: externalId }, { userId }), linkedTo: contactId };
}

/**
 * Schedules a push after `afterMs` (or `afterSeconds`) of real time, or sooner when the org's clock is advanced
 * past it (org.schedule). The outcome, including an error such as a missing Enrollment object, goes to pushLog.
 */
export function schedulePush(org: OrgState, scheduled: ScheduledPush): PushLogEntry {
  const { afterMs, afterSeconds, ...push } = scheduled;
  if (typeof push.email !== 'string' || push.email.trim() === '') throw new Error('A CE push needs an email.');
  const delay = afterMs ?? (afterSeconds ?? 0) * 1000;
  if (!Number.isFinite(delay) || delay < 0) throw new Error(`A CE push needs a delay of 0 or more (got ${delay}).`);
  const log = pushLog(org);
  const entry: PushLogEntry = {
    id: log.length + 1,
    status: 'scheduled',
    dueAt: new Date(org.now().getTime() + delay).toISOString(),
    push,
  };
  log.push(entry);
  org.schedule(delay, () => {
    try {
      const { record, linkedTo } = pushEnrollment(org, push);
      entry.status = 'pushed';
      entry.recordId = record.Id;
      entry.linkedTo = linkedTo;
    } catch (error) {
      entry.status = 'failed';
      entry.error = error instanceof SimError ? `${error.errorCode}: ${error.message}` : String(error);
    }
  });
  return entry;
}

/** Reads a scenario's `scheduled` section: `[{ "afterSeconds": 20, "email": "…", "courseName": "…" }, …]`. */
export function scheduleFromScenario(org: OrgState, scenario: { scheduled?: unknown }): void {
  if (scenario.scheduled === undefined) return;
  if (!Array.isArray(scenario.scheduled)) throw new Error('Scenario key "scheduled" must be a list of CE pushes.');
  for (const item of scenario.scheduled as ScheduledPush[]) schedulePush(org, item);
}
