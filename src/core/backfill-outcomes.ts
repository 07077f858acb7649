import { type BackfillSummary, assertAccounted } from './backfill-planner.js';
import { ERRORS } from './messages.js';
import { operationError } from './errors.js';

/**
 * What became of the rows `backfill run` uploaded, and the run's promise that every export row ends in exactly
 * one outcome file. "Cannot update record due to old timestamp" is the package saying Salesforce already holds a
 * newer copy; CE's import guide calls it expected (../shared/reference/northpass.md §2), so it is counted apart
 * from real failures.
 */
export type UpsertCounts = {
  created: number;
  updated: number;
  existingNewer: number;
  failed: number;
  unprocessed: number;
};

export type RunSummary = Omit<BackfillSummary, 'files'> & { upsert: UpsertCounts; files: string[] };

const OLD_TIMESTAMP = /Cannot update record due to old timestamp/i;

export function isOldTimestampError(error: string): boolean {
  return OLD_TIMESTAMP.test(error);
}

export function emptyUpsertCounts(): UpsertCounts {
  return { created: 0, updated: 0, existingNewer: 0, failed: 0, unprocessed: 0 };
}

/** Every planned upsert row has exactly one result, and the plan's own invariant still holds. */
export function assertRunAccounted(summary: RunSummary): void {
  assertAccounted(summary);
  const u = summary.upsert;
  const results = u.created + u.updated + u.existingNewer + u.failed + u.unprocessed;
  if (results !== summary.toUpsert) {
    throw operationError(
      ERRORS,
      'BackfillRunInvariantBroken',
      [summary.toUpsert, results, u.created, u.updated, u.existingNewer, u.failed, u.unprocessed],
      { data: summary }
    );
  }
}
