import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  BackfillPlanner,
  type BackfillSummary,
  type ExportHeader,
  OUTCOME_FILES,
  type Outcome,
  type RowCheck,
  type SkipReason,
  OUTCOMES,
  locateColumns,
  upsertFileName,
} from '../core/backfill-planner.js';
import { type CsvRecord, CsvScanner, recordTexts } from '../core/csv-scanner.js';
import { writeHumanRecord } from '../core/csv-output.js';
import { inputError, operationError } from '../core/errors.js';
import { type ExistingBatch, existingReader } from '../core/existing-records.js';
import { IdIndex } from '../core/id-index.js';
import { PrivateFile, scanCsvFile } from './csv-files.js';
import type { ExistingWorkerInput } from './existing-file-worker.js';
import { type SkippedJob, readRows, writeSkipped } from './outcome-files.js';
import { ERRORS } from '../core/messages.js';

/**
 * The I/O half of `backfill plan`: reads the export twice (parse, validate and find each ID's winning row, then
 * copy each row's bytes to its outcome file), loads the existing records in between (a file is read in a worker
 * thread during the first pass), and writes the outcome files into a private temporary folder that replaces the
 * output folder only once everything is written. Bad input stops before anything is created.
 */

/** What was read of the records already in Salesforce (or in an existing-records file). */
export type ExistingStats = { source: string; records: number; withTimestamp: number; ignored: number };

export type PlanProgress = { phase: 'validate' | 'existing' | 'classify'; rows: number };

export type PlanInput = {
  exportPath: string;
  outDir: string;
  since: number;
  externalIdColumn: string;
  timestampColumn: string;
  rowsPerFile: number;
  /** Fills the index with what Salesforce holds (from a file or a Bulk API query). */
  loadExisting: ExistingLoader;
  /** Per-row checks against the org's field types, once the export's header is known. */
  rowCheckFor?: (header: ExportHeader) => RowCheck | undefined;
  /** Other files that may already be in the output folder (a run's journal and results). */
  allowInOutDir?: RegExp;
  onProgress?: (progress: PlanProgress) => void;
  /**
   * More files written from the upsert rows (the run's Bulk API uploads), into the same private folder so they
   * appear together with the plan or not at all.
   */
  extraOutputs?: (dir: string) => { onUpsertRow: (rec: CsvRecord) => void; close: () => void };
};

export type ExistingLoader = {
  (index: IdIndex, header: ExportHeader): Promise<ExistingStats>;
  /** Starts the part of the work that needs no export, during pass 1; returns how to stop it if pass 1 fails. */
  begin?: () => () => void;
  /** After loading: a thread that can write skipped.csv during pass 2, if the loading had one. */
  helper?: () => PassTwoHelper | undefined;
};

export type PassTwoHelper = {
  /** skipped.csv written, with the rows of each reason; undefined when it could not be (then nothing is left). */
  writeSkipped: (job: SkippedJob) => Promise<Record<SkipReason, number> | undefined>;
  /** Lets the thread end, used or not. */
  release: () => void;
};

export type PlanResult = {
  summary: BackfillSummary;
  outDir: string;
  existing: ExistingStats;
  header: string[];
  lineBreak: string;
  hasBom: boolean;
};

const PLAN_FILE = /^(to-upsert-\d{3,}\.csv|skipped\.csv|rejected\.csv|summary\.json)$/;
const PROGRESS_EVERY = 100_000;

export async function planBackfill(input: PlanInput): Promise<PlanResult> {
  const outDir = resolve(input.outDir);
  checkOutDir(outDir, input.allowInOutDir);
  const exportStat = statIfFile(input.exportPath);
  // Sized for the export's likely row count up front (rows are rarely under 80 bytes), which spares most rehashing.
  const expectedIds = Math.min(Math.max(1024, Math.round(exportStat.size / 80)), 1 << 22);
  const planner = new BackfillPlanner({
    index: new IdIndex(expectedIds),
    since: input.since,
    externalIdColumn: input.externalIdColumn,
    timestampColumn: input.timestampColumn,
    source: input.exportPath,
  });

  // Pass 1: validate the whole export (UTF-8, quoting, header) and find each External ID's winning row.
  let header: ExportHeader | undefined;
  let headerBytes = Buffer.alloc(0);
  const stopExisting = input.loadExisting.begin?.();
  let first;
  try {
    first = await scanCsvFile(
      input.exportPath,
      (rec) => {
        if (rec.index === 0) {
          header = planner.readHeader(rec);
          headerBytes = Buffer.from(rec.buf.subarray(rec.start, rec.end));
          planner.setRowCheck(input.rowCheckFor?.(header));
          return;
        }
        planner.observe(rec);
        if (rec.index % PROGRESS_EVERY === 0) input.onProgress?.({ phase: 'validate', rows: rec.index });
      },
      () => planner.flush()
    );
    planner.flush();
    if (!header) {
      throw inputError(ERRORS, 'EmptyExport', [input.exportPath]);
    }
  } catch (error) {
    stopExisting?.();
    throw error;
  }

  input.onProgress?.({ phase: 'existing', rows: 0 });
  const existing = await input.loadExisting(planner.index, header);

  // Pass 2: classify and write, into a private folder next to the target, named for this process so that a
  // later plan can remove what a killed one left (it holds learner data).
  mkdirSync(dirname(outDir), { recursive: true });
  removeAbandonedTemps(outDir);
  const temp = mkdtempSync(join(dirname(outDir), `.${basename(outDir)}.${process.pid}.`));
  const helper = input.loadExisting.helper?.();
  try {
    const extra = input.extraOutputs?.(temp);
    let files: string[];
    try {
      files = await writeOutcomes(input, planner, temp, headerBytes, first, extra?.onUpsertRow, helper);
    } finally {
      extra?.close();
    }
    const after = statIfFile(input.exportPath);
    if (after.mtimeMs !== exportStat.mtimeMs || after.size !== exportStat.size) {
      throw operationError(ERRORS, 'ExportChanged', [input.exportPath]);
    }
    const summary = planner.finish(files);
    writePrivate(join(temp, OUTCOME_FILES.summary), `${JSON.stringify(summary, null, 2)}\n`);
    commit(temp, outDir);
    return { summary, outDir, existing, header: header.names, lineBreak: first.lineBreak, hasBom: first.hasBom };
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw error;
  } finally {
    helper?.release();
  }
}

/**
 * Pass 2: each row's outcome from what pass 1 noted, and its bytes copied from the export to its file, read in
 * large blocks; only the few rows that a file for people must show field by field (rejected ones, cells that
 * would run as formulas) and, for a run, the upsert rows are parsed again. skipped.csv is written by `helper`
 * (the thread that read the existing records) while this thread writes the others, or after them here.
 */
async function writeOutcomes(
  input: PlanInput,
  planner: BackfillPlanner,
  dir: string,
  headerBytes: Buffer,
  first: { lineBreak: string; hasBom: boolean; records: number },
  onUpsertRow: ((rec: CsvRecord) => void) | undefined,
  helper: PassTwoHelper | undefined
): Promise<string[]> {
  const eol = Buffer.from(first.lineBreak === '\r' ? '\r\n' : first.lineBreak);
  const bom = Buffer.from([0xef, 0xbb, 0xbf]);
  const files: string[] = [];
  const outcomes = planner.classifyAll();
  const spans = planner.rowSpans();
  const job: SkippedJob = {
    ...spans,
    exportPath: input.exportPath,
    path: join(dir, OUTCOME_FILES.skipped),
    outcomes,
    header: headerBytes,
    hasBom: first.hasBom,
    eol,
  };
  const elsewhere = helper?.writeSkipped(job);
  const reader = new CsvScanner(input.exportPath, () => undefined);
  const headerRec = reader.reread(headerBytes, 0, first.hasBom ? 3 : 0);
  const width = headerRec.fields;
  let upsert: PrivateFile | undefined;
  let rowsInFile = 0;
  const openUpsert = (): PrivateFile => {
    const name = upsertFileName(files.length + 1);
    files.push(name);
    const file = new PrivateFile(join(dir, name));
    if (first.hasBom) file.sink.raw(bom, 0, 3);
    file.sink.raw(headerBytes, 0, headerBytes.length);
    file.sink.raw(eol, 0, eol.length);
    rowsInFile = 0;
    return file;
  };
  const written: Record<Outcome, number> = {
    toUpsert: 0,
    existingUpToDate: 0,
    beforeCutoff: 0,
    duplicateInFile: 0,
    rejected: 0,
  };
  const UPSERT = OUTCOMES.indexOf('toUpsert');
  const REJECTED = OUTCOMES.indexOf('rejected');
  let rejected: PrivateFile | undefined;
  // Upsert rows next to each other in the export, with the file's own line break between them, are copied in
  // one piece: [runStart, runEnd) of the block they were read into.
  let runBlock: Buffer | undefined;
  let runStart = -1;
  let runEnd = -1;
  const endRun = (): void => {
    if (runStart < 0) return;
    (upsert as PrivateFile).sink.raw(runBlock as Buffer, runStart, runEnd);
    (upsert as PrivateFile).sink.raw(eol, 0, eol.length);
    runStart = -1;
  };
  try {
    rejected = new PrivateFile(join(dir, OUTCOME_FILES.rejected));
    if (first.hasBom) rejected.sink.raw(bom, 0, 3);
    writeHumanRecord(rejected.sink, headerRec, width, ['reason', 'row'], eol);
    const rejectedFile = rejected;
    await readRows(
      input.exportPath,
      spans,
      (row) => {
        if (row % PROGRESS_EVERY === 0) input.onProgress?.({ phase: 'classify', rows: row });
        return outcomes[row] === UPSERT || outcomes[row] === REJECTED;
      },
      (block, start, end, row) => {
        if (outcomes[row] === REJECTED) {
          written.rejected++;
          const rec = reader.reread(block.subarray(start, end), row, spans.starts[row]);
          writeHumanRecord(rejectedFile.sink, rec, width, [planner.rejectionOf(rec), String(row)], eol);
          return;
        }
        written.toUpsert++;
        if (!upsert || rowsInFile >= input.rowsPerFile) {
          endRun();
          upsert?.close();
          upsert = openUpsert();
        }
        if (
          runStart >= 0 &&
          start - runEnd === eol.length &&
          block[runEnd] === eol[0] &&
          (eol.length === 1 || block[runEnd + 1] === eol[1])
        ) {
          runEnd = end;
        } else {
          endRun();
          runBlock = block;
          runStart = start;
          runEnd = end;
        }
        rowsInFile++;
        if (onUpsertRow) onUpsertRow(reader.reread(block.subarray(start, end), row, spans.starts[row]));
      },
      endRun
    );
    endRun();
  } finally {
    upsert?.close();
    rejected?.close();
    // Nothing of this plan may still be written once this returns or throws (the folder is then moved or removed).
    if (elsewhere) await elsewhere.catch(() => undefined);
  }
  let skipped = elsewhere ? await elsewhere : undefined;
  if (!skipped) {
    // No helper, or it failed: written here, where a failure shows with this thread's own error.
    rmSync(job.path, { force: true });
    skipped = await writeSkipped(job);
  }
  Object.assign(written, skipped);
  // The files must hold what the counts say, or the plan is not trustworthy.
  for (const outcome of Object.keys(written) as Outcome[]) {
    if (written[outcome] !== planner.counts[outcome])
      throw new Error(`Internal error: ${outcome} rows written differ from the count`);
  }
  return files;
}

/** The output folder may be new, empty, or hold an earlier plan (replaced); anything else is refused up front. */
function checkOutDir(outDir: string, allow: RegExp | undefined): void {
  if (!existsSync(outDir)) return;
  if (!statSync(outDir).isDirectory()) {
    throw inputError(ERRORS, 'OutDirNotFolder', [outDir]);
  }
  const strangers = readdirSync(outDir).filter((name) => !PLAN_FILE.test(name) && !(allow && allow.test(name)));
  if (strangers.length > 0) {
    throw inputError(ERRORS, 'OutDirNotEmpty', [
      outDir,
      strangers.slice(0, 5).join(', '),
      strangers.length > 5 ? ', …' : '',
    ]);
  }
}

function commit(temp: string, outDir: string): void {
  if (!existsSync(outDir)) {
    renameSync(temp, outDir);
    return;
  }
  for (const name of readdirSync(outDir)) if (PLAN_FILE.test(name)) unlinkSync(join(outDir, name));
  for (const name of readdirSync(temp)) renameSync(join(temp, name), join(outDir, name));
  rmSync(temp, { recursive: true, force: true });
}

/** Removes the private folders of earlier plans of this folder whose process is gone (killed mid-plan). */
function removeAbandonedTemps(outDir: string): void {
  const prefix = `.${basename(outDir)}.`;
  for (const name of readdirSync(dirname(outDir))) {
    const pid = Number(/^(\d+)\./.exec(name.slice(prefix.length))?.[1]);
    if (!name.startsWith(prefix) || !Number.isInteger(pid) || pid === process.pid || alive(pid)) continue;
    rmSync(join(dirname(outDir), name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function statIfFile(path: string): { mtimeMs: number; size: number } {
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    return stat;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw inputError(
      ERRORS,
      'FileNotReadable',
      [path, code === 'ENOENT' ? 'it does not exist' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message],
      { data: { file: path }, cause: error }
    );
  }
}

export function writePrivate(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600, flag: 'w' });
}

/**
 * Loads an existing-records CSV (for example a Data Loader export of the Enrollment object): the same External ID
 * column name as the export, and the timestamp column if it has one. Rows without an ID are ignored and counted.
 * A file of `workerFromBytes` or more is read in a worker thread while pass 1 reads the export (a thread costs
 * some 0.2 s to start, which only a large file repays).
 */
export function existingFromFile(
  path: string,
  idColumn: string,
  timestampColumn: string,
  options: { workerFromBytes?: number } = {}
): ExistingLoader {
  let pending: Promise<ExistingBatch | undefined> | undefined;
  let worker: ExistingWorker | undefined;
  const load: ExistingLoader = async (index: IdIndex): Promise<ExistingStats> => {
    const batch = pending ? await pending : undefined;
    pending = undefined;
    if (!batch) {
      worker = undefined;
      return readExisting(path, idColumn, timestampColumn, index);
    }
    const { ids, ends, hashes, timestamps } = batch;
    // Only records the export mentions are kept: the others cannot change the plan.
    for (let from = 0; from < batch.count; from += 16) {
      const to = Math.min(batch.count, from + 16);
      index.touch(hashes, from, to);
      for (let k = from; k < to; k++) {
        index.recordExistingHashed(ids, k === 0 ? 0 : ends[k - 1], ends[k], hashes[k], timestamps[k]);
      }
    }
    return { source: path, records: batch.records, withTimestamp: batch.withTimestamp, ignored: batch.ignored };
  };
  load.begin = () => {
    let size = 0;
    try {
      size = statSync(path).size;
    } catch {
      // The read after pass 1 reports it.
    }
    if (size < (options.workerFromBytes ?? WORKER_FROM_BYTES)) return () => undefined;
    worker = startExistingWorker({ path, idColumn, timestampColumn });
    pending = worker.result;
    return worker.stop;
  };
  load.helper = () => {
    const used = worker;
    worker = undefined;
    return used?.helper();
  };
  return load;
}

const WORKER_FROM_BYTES = 8 * 1024 * 1024;

async function readExisting(path: string, idColumn: string, timestampColumn: string, index: IdIndex) {
  statIfFile(path);
  const stats: ExistingStats = { source: path, records: 0, withTimestamp: 0, ignored: 0 };
  const reader = existingReader(path, idColumn, timestampColumn, stats, (buf, start, end, ts) => {
    // Only records the export mentions are kept: the others cannot change the plan.
    index.recordExisting(buf, start, end, ts);
  });
  await scanCsvFile(path, reader.onRecord);
  if (!reader.sawHeader()) {
    throw inputError(ERRORS, 'EmptyExisting', [path]);
  }
  return stats;
}

type ExistingWorker = {
  result: Promise<ExistingBatch | undefined>;
  stop: () => void;
  /** The thread, once it has sent its records, for skipped.csv (see existing-file-worker.ts). */
  helper: () => PassTwoHelper | undefined;
};

/**
 * The worker's records, or undefined for anything that went wrong there (the file's problem, or no thread to be
 * had): the caller then reads the file itself and meets the same problem, with the same message.
 */
function startExistingWorker(input: ExistingWorkerInput): ExistingWorker {
  let worker: Worker;
  try {
    worker = makeWorker(input);
  } catch {
    return { result: Promise.resolve(undefined), stop: () => undefined, helper: () => undefined };
  }
  // Whatever goes wrong in the thread ends it, and its exit answers whatever was asked of it.
  worker.on('error', () => undefined);
  let exited = false;
  const exit = new Promise<void>((resolvePromise) => worker.once('exit', () => resolvePromise()));
  void exit.then(() => (exited = true));
  const result = new Promise<ExistingBatch | undefined>((resolvePromise) => {
    worker.once('message', (batch: ExistingBatch | undefined) => {
      // Waiting for a second job must not keep the process alive if none comes.
      worker.unref();
      resolvePromise(batch);
    });
    void exit.then(() => resolvePromise(undefined));
  });
  const helper = (): PassTwoHelper | undefined => {
    if (exited) return undefined;
    let asked = false;
    return {
      writeSkipped: (job) => {
        asked = true;
        const written = new Promise<Record<SkipReason, number> | undefined>((resolvePromise) => {
          worker.once('message', (reply: { written?: Record<SkipReason, number> }) => resolvePromise(reply.written));
          void exit.then(() => resolvePromise(undefined));
        });
        worker.ref();
        worker.postMessage(job);
        return written;
      },
      release: () => {
        if (!asked) worker.postMessage(undefined);
      },
    };
  };
  return { result, stop: () => void worker.terminate(), helper };
}

function makeWorker(input: ExistingWorkerInput): Worker {
  const url = new URL(import.meta.url);
  if (!url.pathname.endsWith('.ts'))
    return new Worker(new URL('./existing-file-worker.js', url), { workerData: input });
  // Run from the TypeScript sources (tests, benchmarks): a worker does not inherit the loader that compiles them
  // on this Node, so it registers tsx's itself before importing the worker module.
  const require = createRequire(url);
  const tsx = require('tsx/package.json') as { exports: Record<string, { import: { default: string } }> };
  const api = pathToFileURL(
    join(dirname(require.resolve('tsx/package.json')), tsx.exports['./esm/api'].import.default)
  ).href;
  const entry = new URL('./existing-file-worker.ts', url).href;
  const code = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(code, { eval: true, workerData: input });
}

/**
 * Reads a whole export as the plan's first pass would, and throws its InputError (exit 2) on a file that is
 * missing, not UTF-8, badly quoted, empty or without the ID and timestamp columns. `setup` calls it before its
 * first write, so a bad export stops it with nothing changed instead of after the other steps have run.
 */
export async function checkExportFile(path: string, idColumn: string, timestampColumn: string): Promise<number> {
  statIfFile(path);
  let rows = 0;
  await scanCsvFile(path, (rec) => {
    if (rec.index === 0) {
      locateColumns(
        recordTexts(rec),
        [
          { name: idColumn, flag: 'backfill.externalIdColumn' },
          { name: timestampColumn, flag: 'backfill.timestampColumn' },
        ],
        path
      );
      return;
    }
    rows++;
  });
  if (rows === 0) throw inputError(ERRORS, 'EmptyExport', [path]);
  return rows;
}
