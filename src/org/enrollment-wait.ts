import type { Connection } from '@salesforce/core';
import type { CeConfig } from '../core/config.js';
import { operationError } from '../core/errors.js';
import { type PollPlan, describePlan, nextPoll, planPolls } from '../core/poll-schedule.js';
import { formatDuration } from '../core/durations.js';
import { soqlString } from '../core/soql-text.js';
import {
  type ContactRef,
  type LikelyCause,
  type Linkage,
  describeLinkage,
  timeoutCauses,
} from '../core/sync-diagnosis.js';
import { observeServerClock } from './server-clock.js';
import { clock as localClock } from './clock.js';
import { ERRORS } from '../core/messages.js';

/** An Enrollment record as `sync verify` reports it. */
export type EnrollmentSeen = {
  id: string;
  name: string | null;
  email: string | null;
  courseName: string | null;
  courseId: string | null;
  progress: number | null;
  contactId: string | null;
  lastModifiedDate: string;
  /** CE's own timestamp (config enrollment.timestampField). */
  syncTimestamp: string | null;
};

export type WaitProgress =
  | { kind: 'plan'; plan: PollPlan; schedule: string; since: string; sinceSource: SinceSource }
  | { kind: 'poll'; polls: number; elapsedMs: number; timeoutMs: number; nextPollInMs?: number; error?: string };

export type SinceSource = 'given' | 'org clock' | 'local clock';

export type WaitOptions = {
  email: string;
  /** A CE course id or course name; the record must match one of them. */
  course?: string;
  /** Only records created or updated at or after this time count (ms since the epoch). Default: now, by the org's clock. */
  since?: number;
  timeoutMs: number;
  /** The whole command's budget; default config sync.maxApiCalls. */
  maxApiCalls?: number;
  /** Calls the caller already spent towards that budget (for example the org query); default 0. */
  callsBefore?: number;
  /** The org's alias, for the commands the result suggests. */
  alias?: string;
  signal?: AbortSignal;
  onProgress?: (event: WaitProgress) => void;
};

export type WaitResult = {
  status: 'found' | 'timeout' | 'interrupted';
  email: string;
  course: string | null;
  since: string;
  sinceSource: SinceSource;
  timeoutMs: number;
  plan: { polls: number; worstCaseCalls: number; maxApiCalls: number; schedule: string; offsetsMs: number[] };
  polls: number;
  /** API calls this wait made (polls plus the Contact lookup); the caller adds its own. */
  apiCalls: number;
  /** Time from the start to the end of the wait (schedule time). */
  elapsedMs: number;
  /** found: the record, how long until it was seen, and where it sits. */
  record?: EnrollmentSeen;
  foundAfterMs?: number;
  linkage?: Linkage;
  /** The newest record for this learner that is older than the start, when one was seen. */
  olderRecord?: EnrollmentSeen;
  /** Polls that failed (counted against the budget; the next poll goes ahead as planned). */
  errors: string[];
  /** timeout: the likely causes, most likely first, each with the command that checks it. */
  causes?: LikelyCause[];
};

/** Every poll and lookup is one request: jsforce's automatic retries are off so the budget counts them all. */
const NO_RETRY = { retry: { maxRetries: 0 } };

type QueryBody<T> = { records: T[] };
type Row = Record<string, unknown> & { Id: string };

async function queryOnce<T>(conn: Connection, soql: string): Promise<T[]> {
  const body = await conn.request<QueryBody<T>>(
    { method: 'GET', url: `/query?q=${encodeURIComponent(soql)}` },
    NO_RETRY as Parameters<Connection['request']>[1]
  );
  return body.records;
}

function pollQuery(config: CeConfig, email: string, course: string | undefined): string {
  const e = config.enrollment;
  const fields = [
    'Id',
    'Name',
    e.emailField,
    e.courseNameField,
    e.courseIdField,
    e.progressField,
    e.contactField,
    e.timestampField,
    'LastModifiedDate',
  ].filter((f, i, all): f is string => typeof f === 'string' && all.indexOf(f) === i);
  const conditions = [`${e.emailField} = ${soqlString(email)}`];
  if (course !== undefined) {
    const courseFields = [e.courseIdField, e.courseNameField].filter((f): f is string => typeof f === 'string');
    if (courseFields.length > 0) {
      conditions.push(`(${courseFields.map((f) => `${f} = ${soqlString(course)}`).join(' OR ')})`);
    }
  }
  // The newest record for the learner, older or not: one query both answers "arrived?" and shows what was there.
  return `SELECT ${fields.join(', ')} FROM ${e.object} WHERE ${conditions.join(' AND ')} ORDER BY LastModifiedDate DESC LIMIT 1`;
}

function toSeen(config: CeConfig, row: Row): EnrollmentSeen {
  const e = config.enrollment;
  const text = (field: string | undefined): string | null =>
    field && row[field] !== null && row[field] !== undefined ? String(row[field]) : null;
  const progress = e.progressField ? row[e.progressField] : null;
  return {
    id: row.Id,
    name: text('Name'),
    email: text(e.emailField),
    courseName: text(e.courseNameField),
    courseId: text(e.courseIdField),
    progress:
      typeof progress === 'number' ? progress : progress === null || progress === undefined ? null : Number(progress),
    contactId: text(e.contactField),
    lastModifiedDate: String(row.LastModifiedDate),
    syncTimestamp: text(e.timestampField),
  };
}

/** Salesforce writes date-times as 2026-11-22T04:13:02.000+0000, which Date.parse does not read everywhere. */
export function parseSfDateTime(value: string): number {
  return Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

/** Errors that no amount of waiting fixes: the object or a field is missing, the session is gone. */
function isFatal(error: unknown): boolean {
  const code = (error as { errorCode?: string; name?: string }).errorCode ?? (error as { name?: string }).name;
  return ['INVALID_TYPE', 'INVALID_FIELD', 'MALFORMED_QUERY', 'INVALID_SESSION_ID', 'INSUFFICIENT_ACCESS'].includes(
    String(code)
  );
}

/**
 * Waits for CE to create or update an Enrollment record for the learner, polling on a schedule that keeps the
 * whole command within its API-call budget (see core/poll-schedule.ts). Never prints; progress goes to
 * onProgress. Resolves with status found, timeout or interrupted (signal aborted); throws OperationError when
 * polling cannot work at all (object or field missing, session invalid).
 */
export async function waitForEnrollment(conn: Connection, config: CeConfig, options: WaitOptions): Promise<WaitResult> {
  const email = options.email.trim();
  const alias = options.alias ?? '<org>';
  const clock = observeServerClock(conn);
  const startedLocal = localClock().now();
  const elapsed = (): number => localClock().now() - startedLocal;

  let sinceSource: SinceSource = 'given';
  let since = options.since;
  if (since === undefined) {
    const orgNow = clock.now();
    sinceSource = orgNow === undefined ? 'local clock' : 'org clock';
    since = orgNow ?? startedLocal;
  }
  const plan = planPolls({
    timeoutMs: options.timeoutMs,
    maxApiCalls: options.maxApiCalls ?? config.sync.maxApiCalls,
    callsBefore: options.callsBefore ?? 0,
    // An unlinked record costs one Contact lookup to say why it is unlinked.
    callsAfter: 1,
  });
  const schedule = describePlan(plan, formatDuration);
  const sinceIso = new Date(since).toISOString();
  options.onProgress?.({ kind: 'plan', plan, schedule, since: sinceIso, sinceSource });

  const soql = pollQuery(config, email, options.course);
  const result: WaitResult = {
    status: 'timeout',
    email,
    course: options.course ?? null,
    since: sinceIso,
    sinceSource,
    timeoutMs: options.timeoutMs,
    plan: {
      polls: plan.polls,
      worstCaseCalls: plan.worstCaseCalls,
      maxApiCalls: plan.maxApiCalls,
      schedule,
      offsetsMs: plan.offsets,
    },
    polls: 0,
    apiCalls: 0,
    elapsedMs: 0,
    errors: [],
  };

  // The poll we sleep for is made when we wake, even if the timer fired a moment after its time; overdue polls
  // after a slow answer are dropped by nextPoll, and none is started once the deadline has passed.
  let next = nextPoll(plan, 0, elapsed());
  while (next) {
    if (next.waitMs > 0) await localClock().sleep(next.waitMs, options.signal);
    if (options.signal?.aborted) {
      result.status = 'interrupted';
      break;
    }
    const index = next.index + 1;
    result.polls += 1;
    result.apiCalls += 1;
    let error: string | undefined;
    try {
      const [row] = await queryOnce<Row>(conn, soql);
      if (row) {
        const seen = toSeen(config, row);
        if (parseSfDateTime(seen.lastModifiedDate) >= since) {
          result.status = 'found';
          result.record = seen;
          result.foundAfterMs = elapsed();
        } else {
          result.olderRecord = seen;
        }
      }
    } catch (caught) {
      if (isFatal(caught)) {
        throw operationError(ERRORS, 'SyncVerifyQueryFailed', [(caught as Error).message], {
          actionTokens: [[config.enrollment.object, alias]],
          cause: caught,
        });
      }
      error = (caught as Error).message;
      result.errors.push(error);
    }
    next = result.status === 'found' ? undefined : nextPoll(plan, index, elapsed());
    options.onProgress?.({
      kind: 'poll',
      polls: result.polls,
      elapsedMs: elapsed(),
      timeoutMs: plan.timeoutMs,
      ...(next ? { nextPollInMs: next.waitMs } : {}),
      ...(error ? { error } : {}),
    });
  }
  if (options.signal?.aborted && result.status !== 'found') result.status = 'interrupted';
  result.elapsedMs = elapsed();

  if (result.status === 'found' && result.record) {
    const record = result.record;
    let contacts: ContactRef[] = [];
    if (!record.contactId) {
      result.apiCalls += 1;
      const rows = await queryOnce<Row>(
        conn,
        `SELECT Id, Name, Email FROM Contact WHERE Email = ${soqlString(email)} ORDER BY Id LIMIT 10`
      );
      contacts = rows.map((r) => ({ id: r.Id, name: String(r.Name ?? ''), email: String(r.Email ?? '') }));
    }
    result.linkage = describeLinkage(email, record.contactId, contacts, alias);
  } else if (result.status === 'timeout') {
    result.causes = timeoutCauses(alias);
  }
  return result;
}
