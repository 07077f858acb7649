import type { Connection } from '@salesforce/core';
import type { CheckItem } from '../core/checklist.js';
import type { CeConfig } from '../core/config.js';
import { formatDuration } from '../core/durations.js';
import { parseSfDateTime } from './enrollment-wait.js';
import { observeServerClock } from './server-clock.js';

/** Checklist items about the sync itself: is data arriving, and is any of it unlinked. */

const DAY_MS = 86_400_000;

function missingObject(error: unknown): boolean {
  const code = (error as { errorCode?: string }).errorCode ?? (error as { name?: string }).name;
  return code === 'INVALID_TYPE' || code === 'INVALID_FIELD';
}

function skipFor(id: string, title: string, config: CeConfig, error: unknown): CheckItem {
  return {
    id,
    title,
    status: 'skip',
    evidence: `${config.enrollment.object} cannot be read here (${(error as Error).message}); the package check says why.`,
    fix: 'ce-connect packages check -o <org>',
  };
}

/**
 * The last sync: the newest CE timestamp (config enrollment.timestampField) among Enrollment records. Warns
 * when none is within `days` days (default 7) of the org's clock, or when there are no records at all.
 */
export async function checkRecentEnrollments(
  conn: Connection,
  config: CeConfig,
  options: { days?: number } = {}
): Promise<CheckItem[]> {
  const id = 'sync.recent';
  const days = options.days ?? 7;
  const title = `Enrollments arrive from CE (newest within ${days} days)`;
  const clock = observeServerClock(conn);
  const field = config.enrollment.timestampField;
  let rows: Array<Record<string, unknown>>;
  try {
    const result = await conn.query<Record<string, unknown>>(
      `SELECT Id, ${field} FROM ${config.enrollment.object} WHERE ${field} != null ORDER BY ${field} DESC LIMIT 1`
    );
    rows = result.records;
  } catch (error) {
    if (missingObject(error)) return [skipFor(id, title, config, error)];
    throw error;
  }
  const fix = 'ce-connect sync verify -o <org> --email <a test learner>';
  if (rows.length === 0) {
    return [{ id, title, status: 'warn', evidence: `No ${config.enrollment.object} record has a ${field}.`, fix }];
  }
  const newest = String(rows[0][field]);
  const now = clock.now() ?? Date.now();
  const age = now - parseSfDateTime(newest);
  const evidence = `Last sync: ${newest} (${age >= 0 ? `${formatDuration(age)} ago` : 'in the future'}), record ${String(rows[0].Id)}.`;
  return [
    { id, title, status: age <= days * DAY_MS ? 'pass' : 'warn', evidence, ...(age > days * DAY_MS ? { fix } : {}) },
  ];
}

/** How many enrollments sit in Unlinked Enrollments (empty Contact lookup). */
export async function checkUnlinked(conn: Connection, config: CeConfig): Promise<CheckItem[]> {
  const id = 'sync.unlinked';
  const title = 'No enrollments are unlinked from Contacts';
  let count: number;
  try {
    const result = await conn.query(
      `SELECT COUNT() FROM ${config.enrollment.object} WHERE ${config.enrollment.contactField} = null`
    );
    count = result.totalSize;
  } catch (error) {
    if (missingObject(error)) return [skipFor(id, title, config, error)];
    throw error;
  }
  if (count === 0) return [{ id, title, status: 'pass', evidence: 'Every enrollment is linked to a Contact.' }];
  return [
    {
      id,
      title,
      status: 'warn',
      evidence: `${count} enrollment${count === 1 ? ' is' : 's are'} in Unlinked Enrollments (no Contact).`,
      fix: 'ce-connect enrollments unlinked -o <org>, then ce-connect enrollments relink -o <org>',
    },
  ];
}
