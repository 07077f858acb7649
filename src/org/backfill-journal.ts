import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BackfillSummary } from '../core/backfill-planner.js';
import { inputError } from '../core/errors.js';
import type { IngestState } from './bulk2-ingest.js';
import { ERRORS } from '../core/messages.js';

/**
 * The run's journal (journal.json in the output folder): what was planned and how far each Bulk API job got.
 * Each step is written down before the next begins, a job's id before any data is sent, so a run stopped at any
 * point (crash, Ctrl-C, lost network) can be continued with --resume without sending a row to two jobs that run.
 */
export type JobStep = 'planned' | 'created' | 'uploaded' | 'closed' | 'done';

export type JournalJob = {
  n: number;
  file: string;
  rows: number;
  bytes: number;
  step: JobStep;
  jobId?: string;
  /** Jobs that were opened but abandoned (never closed, so none of their rows ran); the file went to a new job. */
  abandoned: string[];
  /** Set on a job whose rows Salesforce never processed (it ended Failed or Aborted): they were re-sent as this job. */
  resentAs?: number;
  /** On a job that re-sends another's unprocessed rows: that job, and how many re-sends came before this one. */
  resendOf?: { n: number; attempt: number };
  state?: IngestState;
  results?: { successful: number; failed: number; unprocessed: number };
};

export type Journal = {
  version: 1;
  export: { path: string; size: number; mtimeMs: number };
  object: string;
  externalIdField: string;
  since: string;
  plan: BackfillSummary;
  uploadColumns: string[];
  droppedColumns: string[];
  jobs: JournalJob[];
};

export const JOURNAL = 'journal.json';

export function journalPath(dir: string): string {
  return join(dir, JOURNAL);
}

/** Writes the journal atomically (temporary file, then rename), readable by its owner only. */
export function saveJournal(dir: string, journal: Journal): void {
  const temp = join(dir, `${JOURNAL}.tmp`);
  writeFileSync(temp, `${JSON.stringify(journal, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, journalPath(dir));
}

export function loadJournal(dir: string): Journal {
  const path = journalPath(dir);
  if (!existsSync(path)) {
    throw inputError(ERRORS, 'NothingToResume', [dir, JOURNAL]);
  }
  let journal: Journal;
  try {
    journal = JSON.parse(readFileSync(path, 'utf8')) as Journal;
  } catch (error) {
    throw inputError(ERRORS, 'BadJournal', [path, (error as Error).message], { cause: error });
  }
  if (journal.version !== 1 || !Array.isArray(journal.jobs)) {
    throw inputError(ERRORS, 'NotAJournal', [path]);
  }
  return journal;
}
