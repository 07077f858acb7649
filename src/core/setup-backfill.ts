import { Messages } from '@salesforce/core/messages';
import type { BackfillSummary } from './backfill-planner.js';

// The backfill's part of setup's plan: setup confirms writes to production once for every step, so this part has
// to say what `backfill run` would show before it writes.
Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const TEXT = Messages.loadMessages('ce-connect', 'setup');

export type SetupBackfillJob = { file: string; rows: number; bytes: number };

/** What the backfill step will send, as planned against the org before anything is written. */
export type SetupBackfillPlan = {
  exportFile: string;
  outDir: string;
  object: string;
  externalIdField: string;
  /** The cutoff (ISO 8601): export rows older than this are skipped. */
  since: string;
  /** True when the folder holds an earlier run of this very export: setup continues it instead of planning again. */
  resumed: boolean;
  rows: {
    input: number;
    /** Rows the jobs below will upsert (for a continued run, those of its jobs not done yet). */
    toUpsert: number;
    /** Of toUpsert, records Salesforce does not hold yet; absent when continuing a run (not known then). */
    create?: number;
    /** Of toUpsert, records Salesforce holds an older copy of; absent when continuing a run. */
    update?: number;
    skipped: BackfillSummary['skipped'];
    rejected: number;
  };
  jobs: {
    /** Bulk API 2.0 ingest jobs still to run, one per upload file. */
    count: number;
    /** The largest upload per job, in bytes of CSV. */
    maxJobBytes: number;
    files: SetupBackfillJob[];
  };
};

export type SetupBackfillInput = {
  exportFile: string;
  outDir: string;
  object: string;
  externalIdField: string;
  since: string;
  resumed: boolean;
  maxJobBytes: number;
  summary: BackfillSummary;
  /** Jobs still to run. */
  jobs: SetupBackfillJob[];
  forecast?: { create: number; update: number };
};

export function setupBackfillPlan(input: SetupBackfillInput): SetupBackfillPlan {
  const { summary, forecast } = input;
  return {
    exportFile: input.exportFile,
    outDir: input.outDir,
    object: input.object,
    externalIdField: input.externalIdField,
    since: input.since,
    resumed: input.resumed,
    rows: {
      input: summary.input,
      toUpsert: input.jobs.reduce((sum, job) => sum + job.rows, 0),
      ...(forecast ? { create: forecast.create, update: forecast.update } : {}),
      skipped: { ...summary.skipped },
      rejected: summary.rejected,
    },
    jobs: {
      count: input.jobs.length,
      maxJobBytes: input.maxJobBytes,
      files: input.jobs.map(({ file, rows, bytes }) => ({ file, rows, bytes })),
    },
  };
}

const count = (n: number): string => n.toLocaleString('en-US');
// Under a megabyte in kB, so a small upload does not read "0.0 MB".
const size = (bytes: number): string =>
  bytes < 1e6 ? `${Math.max(1, Math.ceil(bytes / 1e3))} kB` : `${(bytes / 1e6).toFixed(1)} MB`;
// A limit is a round number of MB (100, or what --max-job-mb says): shown without a decimal.
const limit = (bytes: number): string => String(Number((bytes / 1e6).toFixed(1)));

/**
 * The plan's lines for the admin: what is upserted (new or updated), what is skipped and why, what is rejected,
 * and the Bulk API jobs that carry it. Empty when nothing is to be sent, as for every step that writes nothing.
 */
export function setupBackfillLines(plan: SetupBackfillPlan): string[] {
  if (plan.jobs.count === 0) return [];
  const { rows } = plan;
  const into = [count(rows.toUpsert), plan.exportFile, plan.object, plan.externalIdField];
  const upsert =
    rows.create === undefined || rows.update === undefined
      ? TEXT.getMessage('backfill.plan.upsert-continued', [...into, plan.outDir])
      : TEXT.getMessage('backfill.plan.upsert', [...into, count(rows.create), count(rows.update)]);
  const skipped = rows.skipped.existingUpToDate + rows.skipped.beforeCutoff + rows.skipped.duplicateInFile;
  const bytes = plan.jobs.files.reduce((sum, job) => sum + job.bytes, 0);
  return [
    upsert,
    TEXT.getMessage('backfill.plan.skip', [
      count(skipped),
      count(rows.skipped.existingUpToDate),
      count(rows.skipped.beforeCutoff),
      plan.since,
      count(rows.skipped.duplicateInFile),
    ]),
    TEXT.getMessage('backfill.plan.reject', [count(rows.rejected), plan.outDir]),
    TEXT.getMessage('backfill.plan.jobs', [count(plan.jobs.count), limit(plan.jobs.maxJobBytes), size(bytes)]),
  ];
}
