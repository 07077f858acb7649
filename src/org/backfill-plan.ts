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
import { basename, dirname, join, resolve } from 'node:path';
import {
  BackfillPlanner,
  type BackfillSummary,
  type ExportHeader,
  OUTCOME_FILES,
  type Outcome,
  type RowCheck,
  locateColumns,
  upsertFileName,
} from '../core/backfill-planner.js';
import { type CsvRecord, fieldText, recordTexts } from '../core/csv-scanner.js';
import { writeHumanRecord, writeHumanRecordFast, writeRawRecord } from '../core/csv-output.js';
import { inputError, operationError } from '../core/errors.js';
import { IdIndex } from '../core/id-index.js';
import { parseTimestampBytes } from '../core/timestamps.js';
import { PrivateFile, scanCsvFile } from './csv-files.js';
import { ERRORS } from '../core/messages.js';

/**
 * The I/O half of `backfill plan`: reads the export twice (validate and find each ID's winning row, then classify
 * and write), loads the existing records in between, and writes the outcome files into a private temporary folder
 * that replaces the output folder only once everything is written. Bad input stops before anything is created.
 */
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
  loadExisting: (index: IdIndex, header: ExportHeader) => Promise<ExistingStats>;
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
  const first = await scanCsvFile(input.exportPath, (rec) => {
    if (rec.index === 0) {
      header = planner.readHeader(rec);
      planner.setRowCheck(input.rowCheckFor?.(header));
      return;
    }
    planner.observe(rec);
    if (rec.index % PROGRESS_EVERY === 0) input.onProgress?.({ phase: 'validate', rows: rec.index });
  });
  if (!header) {
    throw inputError(ERRORS, 'EmptyExport', [input.exportPath]);
  }

  input.onProgress?.({ phase: 'existing', rows: 0 });
  const existing = await input.loadExisting(planner.index, header);

  // Pass 2: classify and write, into a private folder next to the target, named for this process so that a
  // later plan can remove what a killed one left (it holds learner data).
  mkdirSync(dirname(outDir), { recursive: true });
  removeAbandonedTemps(outDir);
  const temp = mkdtempSync(join(dirname(outDir), `.${basename(outDir)}.${process.pid}.`));
  try {
    const extra = input.extraOutputs?.(temp);
    let files: string[];
    try {
      files = await writeOutcomes(input, planner, temp, first.lineBreak, first.hasBom, extra?.onUpsertRow);
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
  }
}

async function writeOutcomes(
  input: PlanInput,
  planner: BackfillPlanner,
  dir: string,
  lineBreak: string,
  hasBom: boolean,
  onUpsertRow: ((rec: CsvRecord) => void) | undefined
): Promise<string[]> {
  const eol = Buffer.from(lineBreak === '\r' ? '\r\n' : lineBreak);
  const bom = Buffer.from([0xef, 0xbb, 0xbf]);
  const files: string[] = [];
  const reasonBytes: Record<string, Buffer> = {
    existingUpToDate: Buffer.from('existingUpToDate'),
    beforeCutoff: Buffer.from('beforeCutoff'),
    duplicateInFile: Buffer.from('duplicateInFile'),
  };
  const skipped = new PrivateFile(join(dir, OUTCOME_FILES.skipped));
  const rejected = new PrivateFile(join(dir, OUTCOME_FILES.rejected));
  let upsert: PrivateFile | undefined;
  let rowsInFile = 0;
  let headerRaw = Buffer.alloc(0);
  let width = 0;
  const openUpsert = (): PrivateFile => {
    const name = upsertFileName(files.length + 1);
    files.push(name);
    const file = new PrivateFile(join(dir, name));
    if (hasBom) file.sink.raw(bom, 0, 3);
    file.sink.raw(headerRaw, 0, headerRaw.length);
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
  try {
    await scanCsvFile(input.exportPath, (rec) => {
      if (rec.index === 0) {
        headerRaw = Buffer.from(rec.buf.subarray(rec.start, rec.end));
        width = rec.fields;
        for (const file of [skipped, rejected]) {
          if (hasBom) file.sink.raw(bom, 0, 3);
          writeHumanRecord(file.sink, rec, width, ['reason', 'row'], eol);
        }
        return;
      }
      const outcome = planner.classify(rec);
      written[outcome]++;
      if (outcome === 'toUpsert') {
        if (!upsert || rowsInFile >= input.rowsPerFile) {
          upsert?.close();
          upsert = openUpsert();
        }
        writeRawRecord(upsert.sink, rec, eol);
        rowsInFile++;
        onUpsertRow?.(rec);
      } else if (outcome === 'rejected') {
        writeHumanRecord(rejected.sink, rec, width, [planner.rejectReason, String(rec.index)], eol);
      } else {
        writeHumanRecordFast(skipped.sink, rec, width, reasonBytes[outcome], rec.index, eol);
      }
      if (rec.index % PROGRESS_EVERY === 0) input.onProgress?.({ phase: 'classify', rows: rec.index });
    });
  } finally {
    upsert?.close();
    skipped.close();
    rejected.close();
  }
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
 */
export function existingFromFile(path: string, idColumn: string, timestampColumn: string) {
  return async (index: IdIndex): Promise<ExistingStats> => {
    statIfFile(path);
    const stats: ExistingStats = { source: path, records: 0, withTimestamp: 0, ignored: 0 };
    let idAt = -1;
    let tsAt = -1;
    let width = 0;
    await scanCsvFile(path, (rec) => {
      if (rec.index === 0) {
        const names = recordTexts(rec);
        [idAt] = locateColumns(names, [{ name: idColumn, flag: '--external-id-column' }], path);
        tsAt = names.indexOf(timestampColumn);
        width = rec.fields;
        return;
      }
      const s = rec.fieldStart[idAt];
      const blank =
        s === rec.fieldEnd[idAt] ||
        ((rec.buf[s] === 0x20 || rec.buf[s] === 0x09) && fieldText(rec, idAt).trim() === '');
      if (rec.fields !== width || blank) {
        stats.ignored++;
        return;
      }
      const ts = tsAt < 0 ? NaN : parseTimestampBytes(rec.buf, rec.fieldStart[tsAt], rec.fieldEnd[tsAt]);
      // Only records the export mentions are kept: the others cannot change the plan.
      if (rec.fieldQuoted[idAt] === 2) {
        const id = Buffer.from(fieldText(rec, idAt));
        index.recordExisting(id, 0, id.length, ts);
      } else {
        index.recordExisting(rec.buf, rec.fieldStart[idAt], rec.fieldEnd[idAt], ts);
      }
      stats.records++;
      if (!Number.isNaN(ts)) stats.withTimestamp++;
    });
    if (idAt < 0) {
      throw inputError(ERRORS, 'EmptyExisting', [path]);
    }
    return stats;
  };
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
