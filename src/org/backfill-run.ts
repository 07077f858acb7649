import { existsSync, mkdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Connection } from '@salesforce/core';
import type { BackfillSummary } from '../core/backfill-planner.js';
import {
  type RunSummary,
  type UpsertCounts,
  assertRunAccounted,
  emptyUpsertCounts,
  isOldTimestampError,
} from '../core/backfill-outcomes.js';
import type { CeConfig } from '../core/config.js';
import { writeHumanRecord } from '../core/csv-output.js';
import { type CsvRecord, CsvScanner, fieldText, recordTexts } from '../core/csv-scanner.js';
import { inputError, operationError } from '../core/errors.js';
import { makeRowCheck } from '../core/field-fit.js';
import type { IdIndex } from '../core/id-index.js';
import { type IngestState, recoveryFor } from '../core/job-recovery.js';
import { type UploadLayout, uploadLayout, writeUploadHeader, writeUploadRow } from '../core/upload-row.js';
import { type ExistingStats, planBackfill } from './backfill-plan.js';
import { describeEnrollment, existingFromOrg } from './backfill-org.js';
import { type Journal, type JournalJob, journalPath, loadJournal, saveJournal } from './backfill-journal.js';
import {
  FINAL_STATES,
  type ResultKind,
  abortJob,
  closeJob,
  createUpsertJob,
  downloadResults,
  jobInfo,
  uploadFile,
  waitForJob,
} from './bulk2-ingest.js';
import { PrivateFile } from './csv-files.js';
import { ERRORS } from '../core/messages.js';

/**
 * `backfill run`: plan against the org, then upsert the planned rows with Bulk API 2.0 on the External ID, one
 * job per upload file (at most ~100 MB of CSV each), and account for every row: the plan's skipped and rejected
 * files, plus upserted.csv, existing-newer.csv (the package's expected old-timestamp refusals), failed.csv and
 * unprocessed.csv from the jobs' results. A journal makes the run resumable; see backfill-journal.ts.
 */
export type RunInput = {
  conn: Connection;
  config: CeConfig;
  outDir: string;
  /** Set for a new run; a resumed run works from its journal and upload files. */
  exportPath?: string;
  resume: boolean;
  since: number;
  externalIdColumn: string;
  timestampColumn: string;
  rowsPerFile: number;
  dryRun: boolean;
  pollIntervalMs: number;
  timeoutMs: number;
  maxJobBytes: number;
  /** Asked once the plan is known and before the first write (production orgs need a yes). */
  confirm: (plan: string[]) => Promise<void>;
  onProgress?: (message: string) => void;
};

export type RunResult = {
  outDir: string;
  dryRun: boolean;
  resumed: boolean;
  /** One line per Bulk API job still to run (empty when there is nothing to upsert). */
  plan: string[];
  /** Write requests sent to the org (job create, upload, close, abort). */
  writes: number;
  planSummary: BackfillSummary;
  summary?: RunSummary;
  jobs: JournalJob[];
  droppedColumns: string[];
  existing?: ExistingStats;
  /** For a new plan: how many of the rows to upsert Salesforce will create, and how many it will update. */
  forecast?: UpsertForecast;
};

export const RUN_FILES = {
  upserted: 'upserted.csv',
  existingNewer: 'existing-newer.csv',
  failed: 'failed.csv',
  unprocessed: 'unprocessed.csv',
  summary: 'run-summary.json',
} as const;

const UPLOAD_FILE = (n: number): string => `upload-${String(n).padStart(3, '0')}.csv`;
const RESULT_FILE = (n: number, kind: ResultKind): string =>
  join('jobs', `job-${String(n).padStart(3, '0')}-${kind}.csv`);

/** How the planned rows will land: new records, and updates of records Salesforce holds an older copy of. */
export type UpsertForecast = { create: number; update: number };

/**
 * A run planned and ready to write: its journal (and upload files) are on disk, nothing was sent to the org.
 * `result` is what a dry run returns; `applyBackfill` writes exactly this plan.
 */
export type PreparedRun = { result: RunResult; journal: Journal; resumeHint: string };

export async function runBackfill(input: RunInput): Promise<RunResult> {
  const prepared = await prepareBackfill(input);
  if (input.dryRun) return prepared.result;
  await input.confirm(prepared.result.plan);
  return applyBackfill(input, prepared);
}

/**
 * Plans the run (or loads the journal of the run to continue) without writing to the org. `setup` shows this
 * plan in its own confirmation and then applies it, so what the admin confirmed is what is sent.
 */
export async function prepareBackfill(input: RunInput): Promise<PreparedRun> {
  const outDir = resolve(input.outDir);
  // An identical rerun (same export, same folder) continues the run its folder holds instead of refusing. A run
  // that never sent anything (its plan was declined, or it stopped before its first job) is planned again
  // instead: the org may have changed since, and a fresh plan tells created from updated.
  let resume = input.resume || sameRunAgain(outDir, input.exportPath, input.since);
  const kept = resume && !input.resume && !input.dryRun ? loadJournal(outDir) : undefined;
  if (kept && nothingSent(kept)) {
    // The old plan's own files go (its upload files, the journal last: a stop in between leaves a journal that the
    // next identical run plans afresh from too); the outcome files are replaced by the new plan's.
    // Only the files the plan named itself, whatever a hand-edited journal says.
    for (const job of kept.jobs) if (job.file === UPLOAD_FILE(job.n)) rmSync(join(outDir, job.file), { force: true });
    unlinkSync(journalPath(outDir));
    resume = false;
  }
  const planned = resume
    ? { journal: loadJournal(outDir), existing: undefined, forecast: undefined }
    : await planRun(input, outDir);
  const { journal } = planned;
  const resumeHint = `Continue with \`ce-connect backfill run --resume ${outDir} -o <org>\`.`;
  const remaining = journal.jobs.filter((j) => j.step !== 'done');
  const plan = remaining.map(
    (j) =>
      `upsert ${j.rows.toLocaleString('en-US')} ${journal.object} records on ${journal.externalIdField} from ${j.file} (${(
        j.bytes / 1e6
      ).toFixed(1)} MB) in one Bulk API 2.0 job`
  );
  const result: RunResult = {
    outDir,
    dryRun: input.dryRun,
    resumed: resume,
    plan,
    writes: 0,
    planSummary: journal.plan,
    jobs: journal.jobs,
    droppedColumns: journal.droppedColumns,
    existing: planned.existing,
    ...(planned.forecast ? { forecast: planned.forecast } : {}),
  };
  return { result, journal, resumeHint };
}

/** Sends a prepared run's remaining jobs and merges their results. */
export async function applyBackfill(input: RunInput, prepared: PreparedRun): Promise<RunResult> {
  const { journal, result, resumeHint } = prepared;
  const step = { count: 0 };
  for (const job of journal.jobs) {
    if (job.step === 'done') continue;
    await runJob(input, result.outDir, journal, job, step, resumeHint);
  }
  return { ...result, dryRun: false, writes: step.count, summary: mergeResults(result.outDir, journal) };
}

/** No job of the run reached the org: each is still as planned, none opened and abandoned. */
function nothingSent(journal: Journal): boolean {
  // A run with no jobs (every row skipped or rejected) is finished, not unsent: its rerun shows that run.
  if (journal.jobs.length === 0) return false;
  return journal.jobs.every((j) => j.step === 'planned' && j.jobId === undefined && j.abandoned.length === 0);
}

/** True when the folder holds a run of this very export, unchanged since it was planned, with the same cutoff. */
function sameRunAgain(outDir: string, exportPath: string | undefined, since: number): boolean {
  if (!exportPath || !existsSync(journalPath(outDir)) || !existsSync(exportPath)) return false;
  const journal = loadJournal(outDir);
  const stat = statSync(exportPath);
  return (
    journal.export.path === resolve(exportPath) &&
    journal.export.size === stat.size &&
    journal.export.mtimeMs === stat.mtimeMs &&
    journal.since === new Date(since).toISOString()
  );
}

/** Plans against the org and writes the upload files and the journal (not in a dry run). */
async function planRun(
  input: RunInput,
  outDir: string
): Promise<{ journal: Journal; existing: ExistingStats; forecast: UpsertForecast }> {
  if (!input.exportPath) throw inputError(ERRORS, 'ExportRequired');
  if (existsSync(journalPath(outDir))) {
    throw inputError(ERRORS, 'RunExists', [outDir, journalPath(outDir)], { actionTokens: [[outDir]] });
  }
  const { object, externalIdField, timestampField } = input.config.enrollment;
  input.onProgress?.(`describing ${object}`);
  const fields = await describeEnrollment(input.conn, input.config);
  let layout: UploadLayout | undefined;
  let idColumn = 0;
  let index: IdIndex | undefined;
  const uploads: Array<{ file: string; rows: number; bytes: number }> = [];
  const forecast: UpsertForecast = { create: 0, update: 0 };
  const loadExisting = existingFromOrg(input.conn, input.config, { pollIntervalMs: input.pollIntervalMs });
  const plan = await planBackfill({
    exportPath: input.exportPath,
    outDir,
    since: input.since,
    externalIdColumn: input.externalIdColumn,
    timestampColumn: input.timestampColumn,
    rowsPerFile: input.rowsPerFile,
    loadExisting: (ids) => {
      // The index the plan is made from, kept to tell each upsert row's create from its update.
      index = ids;
      return loadExisting(ids);
    },
    rowCheckFor: (header) => {
      idColumn = header.idColumn;
      // The export's ID and timestamp columns load into the configured fields, whatever their headers say.
      const names = header.names.slice();
      names[header.idColumn] = externalIdField;
      names[header.timestampColumn] = timestampField;
      layout = uploadLayout(names, fields);
      return makeRowCheck(names, fields);
    },
    extraOutputs: (dir) => {
      const writer = uploadWriter(dir, () => layout, input.maxJobBytes, uploads, input.dryRun);
      return {
        onUpsertRow: (rec) => {
          if (index && inOrg(index, rec, idColumn)) forecast.update++;
          else forecast.create++;
          writer.onUpsertRow(rec);
        },
        close: writer.close,
      };
    },
    onProgress: (p) => input.onProgress?.(`${p.phase}${p.rows > 0 ? ` ${p.rows.toLocaleString('en-US')} rows` : ''}`),
  });
  const stat = statSync(input.exportPath);
  const journal: Journal = {
    version: 1,
    export: { path: resolve(input.exportPath), size: stat.size, mtimeMs: stat.mtimeMs },
    object,
    externalIdField,
    since: new Date(input.since).toISOString(),
    plan: plan.summary,
    uploadColumns: layout?.columns.map((c) => c.field) ?? [],
    droppedColumns: layout?.dropped ?? [],
    jobs: uploads.map((u, i) => ({ n: i + 1, ...u, step: 'planned', abandoned: [] })),
  };
  if (!input.dryRun) saveJournal(outDir, journal);
  return { journal, existing: plan.existing, forecast };
}

/** Whether Salesforce held the row's External ID when the plan read the org (an upsert then updates it). */
function inOrg(index: IdIndex, rec: CsvRecord, column: number): boolean {
  let entry: number;
  if (rec.fieldQuoted[column] === 2) {
    // Doubled quotes inside the ID: the index holds the unescaped value.
    const id = Buffer.from(fieldText(rec, column));
    entry = index.find(id, 0, id.length);
  } else {
    entry = index.find(rec.buf, rec.fieldStart[column], rec.fieldEnd[column]);
  }
  return entry >= 0 && index.inOrg[entry] === 1;
}

/** Writes the upsert rows as Bulk API upload files of at most maxJobBytes each (in a dry run, only counts). */
function uploadWriter(
  dir: string,
  layoutOf: () => UploadLayout | undefined,
  maxJobBytes: number,
  uploads: Array<{ file: string; rows: number; bytes: number }>,
  dryRun: boolean
): { onUpsertRow: (rec: CsvRecord) => void; close: () => void } {
  let file: PrivateFile | undefined;
  let current: { file: string; rows: number; bytes: number } | undefined;
  const start = (): void => {
    file?.close();
    current = { file: UPLOAD_FILE(uploads.length + 1), rows: 0, bytes: 0 };
    uploads.push(current);
    if (!dryRun) {
      file = new PrivateFile(join(dir, current.file));
      writeUploadHeader(file.sink, layoutOf() as UploadLayout);
    }
  };
  return {
    onUpsertRow: (rec) => {
      const layout = layoutOf() as UploadLayout;
      // Raw length plus room for ISO date-times: an estimate that keeps each job under the limit.
      const size = rec.end - rec.start + 1 + layout.columns.length * 8;
      if (!current || (current.rows > 0 && current.bytes + size > maxJobBytes)) start();
      const job = current as { rows: number; bytes: number };
      if (file) writeUploadRow(file.sink, rec, layout);
      job.rows++;
      job.bytes += size;
    },
    close: () => file?.close(),
  };
}

async function runJob(
  input: RunInput,
  dir: string,
  journal: Journal,
  job: JournalJob,
  writes: { count: number },
  resumeHint: string
): Promise<void> {
  const { conn } = input;
  const save = (): void => saveJournal(dir, journal);
  const label = `job ${job.n}/${journal.jobs.length}`;
  // A step recorded by an earlier process is checked against the org before going on; one done here is known.
  let known = false;
  if ((job.step === 'created' || job.step === 'uploaded') && job.jobId) {
    const info = await jobInfo(conn, job.jobId);
    const action = recoveryFor(job.step, info.state, info.numberRecordsProcessed ?? 0);
    if (action === 'abandon') {
      // This run never closed the job, so none of its rows ran: an Open job never runs, and one Aborted before
      // it was closed (by an earlier resume's abort, or by an admin) processed nothing. Its upload may have been
      // partial, so the whole file goes to a new job; the old one is aborted first if it is still Open.
      if (info.state === 'Open') {
        await abortJob(conn, job.jobId);
        writes.count++;
      }
      job.abandoned.push(job.jobId);
      job.jobId = undefined;
      job.step = 'planned';
    } else if (action === 'closed') {
      job.step = 'closed';
    }
    save();
  }
  if (job.step === 'planned') {
    input.onProgress?.(`${label}: creating`);
    job.jobId = await createUpsertJob(conn, journal.object, journal.externalIdField);
    writes.count++;
    job.step = 'created';
    save();
    known = true;
  }
  const jobId = job.jobId as string;
  if (job.step === 'created') {
    input.onProgress?.(`${label}: uploading ${job.rows.toLocaleString('en-US')} rows`);
    await uploadFile(conn, jobId, join(dir, job.file));
    writes.count++;
    job.step = 'uploaded';
    save();
  }
  if (job.step === 'uploaded') {
    const open = known || (await jobInfo(conn, jobId)).state === 'Open';
    if (open) {
      await closeJob(conn, jobId);
      writes.count++;
    }
    job.step = 'closed';
    save();
  }
  input.onProgress?.(`${label}: waiting for Salesforce`);
  const info = await waitForJob(conn, jobId, {
    pollIntervalMs: input.pollIntervalMs,
    timeoutMs: input.timeoutMs,
    resumeHint,
    onPoll: (i) => input.onProgress?.(`${label}: ${i.state}, ${i.numberRecordsProcessed ?? 0} processed`),
  });
  if (!FINAL_STATES.includes(info.state)) return;
  mkdirSync(join(dir, 'jobs'), { recursive: true, mode: 0o700 });
  const counts = { successful: 0, failed: 0, unprocessed: 0 };
  for (const kind of ['successful', 'failed', 'unprocessed'] as const) {
    input.onProgress?.(`${label}: downloading ${kind} results`);
    const text = await downloadResults(conn, jobId, kind);
    const path = join(dir, RESULT_FILE(job.n, kind));
    if (existsSync(path)) unlinkSync(path);
    writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
    counts[kind] = countRows(text);
  }
  const total = counts.successful + counts.failed + counts.unprocessed;
  if (total !== job.rows) {
    throw operationError(ERRORS, 'JobResultsIncomplete', [jobId, job.file, total, job.rows], {
      actionTokens: [[resumeHint]],
      data: { jobId, counts },
    });
  }
  job.state = info.state;
  job.results = counts;
  resendUnprocessed(dir, journal, job, info.state, counts.unprocessed);
  job.step = 'done';
  save();
}

/** At most this many re-sends of one job's unprocessed rows; a job that keeps failing is reported, not retried. */
const MAX_RESENDS = 2;

/**
 * Rows a job never processed (it ended Failed or Aborted, for example aborted by an admin while it ran) are sent
 * again in a new job, made from the job's unprocessed-results file (the upload's own columns and values). The
 * upsert on the External ID makes a second send of a row safe, and the merge counts each row once: the old job's
 * unprocessed rows are counted by the job that re-sent them.
 */
function resendUnprocessed(
  dir: string,
  journal: Journal,
  job: JournalJob,
  state: IngestState,
  unprocessed: number
): void {
  if (unprocessed === 0 || (state !== 'Failed' && state !== 'Aborted') || job.resentAs !== undefined) return;
  const attempt = (job.resendOf?.attempt ?? 0) + 1;
  if (attempt > MAX_RESENDS) return;
  const n = journal.jobs.length + 1;
  const file = UPLOAD_FILE(n);
  const text = readFileSync(join(dir, RESULT_FILE(job.n, 'unprocessed')));
  writeFileSync(join(dir, file), text, { mode: 0o600 });
  journal.jobs.push({
    n,
    file,
    rows: unprocessed,
    bytes: text.length,
    step: 'planned',
    abandoned: [],
    resendOf: { n: job.resendOf?.n ?? job.n, attempt },
  });
  job.resentAs = n;
}

function countRows(text: string): number {
  let rows = 0;
  const scanner = new CsvScanner('Bulk API results', (rec) => {
    if (rec.index > 0) rows++;
  });
  scanner.push(Buffer.from(text, 'utf8'));
  scanner.end();
  return rows;
}

/** Builds the run's outcome files from every job's results and checks that every row is accounted for. */
function mergeResults(dir: string, journal: Journal): RunSummary {
  const eol = Buffer.from('\n');
  const open = (name: string, header: string[]): PrivateFile => {
    const path = join(dir, name);
    if (existsSync(path)) unlinkSync(path);
    const file = new PrivateFile(path);
    file.sink.text(`${header.join(',')}\n`);
    return file;
  };
  const columns = journal.uploadColumns;
  const files = {
    upserted: open(RUN_FILES.upserted, ['sf__Id', 'sf__Created', ...columns]),
    existingNewer: open(RUN_FILES.existingNewer, ['sf__Id', 'sf__Error', ...columns]),
    failed: open(RUN_FILES.failed, ['sf__Id', 'sf__Error', ...columns]),
    unprocessed: open(RUN_FILES.unprocessed, columns),
  };
  const counts: UpsertCounts = emptyUpsertCounts();
  try {
    for (const job of journal.jobs) {
      for (const kind of ['successful', 'failed', 'unprocessed'] as const) {
        // Rows re-sent in a later job are counted there.
        if (kind === 'unprocessed' && job.resentAs !== undefined) continue;
        const path = join(dir, RESULT_FILE(job.n, kind));
        if (!existsSync(path)) continue;
        let special = -1;
        const scanner = new CsvScanner(path, (rec) => {
          if (rec.index === 0) {
            special = recordTexts(rec).indexOf(kind === 'successful' ? 'sf__Created' : 'sf__Error');
            return;
          }
          let target: PrivateFile;
          if (kind === 'successful') {
            if (fieldText(rec, special) === 'true') counts.created++;
            else counts.updated++;
            target = files.upserted;
          } else if (kind === 'failed') {
            const old = isOldTimestampError(fieldText(rec, special));
            if (old) counts.existingNewer++;
            else counts.failed++;
            target = old ? files.existingNewer : files.failed;
          } else {
            counts.unprocessed++;
            target = files.unprocessed;
          }
          writeHumanRecord(target.sink, rec, rec.fields, [], eol);
        });
        scanner.push(readFileSync(path));
        scanner.end();
      }
    }
  } finally {
    for (const file of Object.values(files)) file.close();
  }
  const summary: RunSummary = {
    input: journal.plan.input,
    toUpsert: journal.plan.toUpsert,
    skipped: journal.plan.skipped,
    rejected: journal.plan.rejected,
    upsert: counts,
    files: [
      RUN_FILES.upserted,
      RUN_FILES.existingNewer,
      RUN_FILES.failed,
      RUN_FILES.unprocessed,
      'skipped.csv',
      'rejected.csv',
    ],
  };
  assertRunAccounted(summary);
  const jobs = journal.jobs.map(({ n, file, rows, jobId, state, abandoned, results }) => ({
    n,
    file,
    rows,
    jobId,
    state,
    abandoned,
    results,
  }));
  const path = join(dir, RUN_FILES.summary);
  writeFileSync(path, `${JSON.stringify({ ...summary, jobs }, null, 2)}\n`, { mode: 0o600 });
  return summary;
}
