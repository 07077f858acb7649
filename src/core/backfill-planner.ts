import { type CsvRecord, fieldText, recordTexts } from './csv-scanner.js';
import { isPlainRecord } from './csv-output.js';
import { IdIndex, hashBytes } from './id-index.js';
import { parseTimestampBytes } from './timestamps.js';
import { ERRORS } from './messages.js';
import { inputError, operationError } from './errors.js';

/**
 * Classifies every data row of a CE export into exactly one outcome, in two streaming passes over the file.
 *
 * The checks run in this order, and the first that applies decides:
 *   1. rejected: the row has the wrong number of columns; its quoting is malformed; the External ID is blank;
 *      the timestamp is blank or not one of the accepted forms (see timestamps.ts); a value does not fit its
 *      Salesforce field (only when planning against an org);
 *   2. duplicateInFile: among the rows that were not rejected, an External ID seen more than once keeps the row
 *      with the newest timestamp (the later row on a tie); every other copy is a duplicate, whatever its date;
 *   3. beforeCutoff: the kept row's timestamp is earlier than `since` (a row exactly at `since` is kept);
 *   4. existingUpToDate: Salesforce already holds the ID with the same or a newer timestamp, or with no
 *      timestamp to compare (then nothing proves the export is newer, so Salesforce's copy stays);
 *   5. toUpsert: everything else (new IDs, and IDs whose export timestamp is newer than Salesforce's).
 *
 * Streaming: pass 1 (`observe`) validates the rows and records, per External ID, the winning row number and its
 * timestamp in the IdIndex, and per row where its bytes are and which ID it has; pass 2 (`outcomeOf`) decides
 * each row from that alone, so the export is parsed once and pass 2 only copies bytes. Memory grows with the
 * number of distinct IDs (a few dozen bytes each) and rows (21 bytes each), never with row contents.
 */
export type SkipReason = 'existingUpToDate' | 'beforeCutoff' | 'duplicateInFile';
export type Outcome = 'toUpsert' | SkipReason | 'rejected';
/** The outcomes by number, as `classifyAll` gives them. */
export const OUTCOMES: readonly Outcome[] = [
  'toUpsert',
  'existingUpToDate',
  'beforeCutoff',
  'duplicateInFile',
  'rejected',
];

export type BackfillSummary = {
  input: number;
  toUpsert: number;
  skipped: Record<SkipReason, number>;
  rejected: number;
  files: string[];
};

/** A per-row check of values against the org's field types; returns the reason to reject, or undefined. */
export type RowCheck = (rec: CsvRecord) => string | undefined;

export type PlannerOptions = {
  /** Cutoff in ms since the epoch; rows earlier than this are skipped. */
  since: number;
  externalIdColumn: string;
  timestampColumn: string;
  /** The export's name in messages. */
  source: string;
  index?: IdIndex;
};

export type ExportHeader = { names: string[]; idColumn: number; timestampColumn: number };

/** Finds the named columns in a header row; a missing or ambiguous one is bad input (exit 2), named. */
export function locateColumns(
  names: string[],
  wanted: Array<{ name: string; flag: string }>,
  source: string
): number[] {
  return wanted.map(({ name, flag }) => {
    const positions = names.flatMap((n, i) => (n === name ? [i] : []));
    if (positions.length === 1) return positions[0];
    const problem = positions.length === 0 ? 'has no column' : `has ${positions.length} columns`;
    throw inputError(ERRORS, 'MissingColumn', [source, problem, name, names.join(', ')], {
      actionTokens: [[flag]],
      data: { file: source, column: name, header: names },
    });
  });
}

const HELD = 16;

export class BackfillPlanner {
  public readonly index: IdIndex;
  public header: ExportHeader | undefined;
  public readonly counts: Record<Outcome, number> = {
    toUpsert: 0,
    existingUpToDate: 0,
    beforeCutoff: 0,
    duplicateInFile: 0,
    rejected: 0,
  };
  /** Why the last row classified `rejected` was rejected. */
  public rejectReason = '';
  /** Rows seen by pass 1; pass 2 must see the same number. */
  public observed = 0;
  private classified = 0;
  private width = 0;
  private rowCheck: RowCheck | undefined;
  private scratch = Buffer.allocUnsafe(256);
  private idStart = 0;
  private idEnd = 0;
  private idBuf: Uint8Array = this.scratch;
  /** Per data row (by row number): file offsets of its bytes, its IdIndex entry (-1: rejected), plain or not. */
  private rowStart = new Float64Array(1024);
  private rowEnd = new Float64Array(1024);
  private rowEntry = new Int32Array(1024);
  private rowPlain = new Uint8Array(1024);
  /** Valid rows whose IDs observe has not looked up yet: the ID's bytes, its hash, the row and its timestamp. */
  private held = 0;
  private readonly heldBuf: Uint8Array[] = new Array<Uint8Array>(HELD);
  private readonly heldStart = new Int32Array(HELD);
  private readonly heldEnd = new Int32Array(HELD);
  private readonly heldHash = new Int32Array(HELD);
  private readonly heldRow = new Int32Array(HELD);
  private readonly heldTs = new Float64Array(HELD);

  public constructor(private readonly options: PlannerOptions) {
    this.index = options.index ?? new IdIndex();
  }

  /** Reads the export's header row (record 0). */
  public readHeader(rec: CsvRecord): ExportHeader {
    const names = recordTexts(rec);
    const [idColumn, timestampColumn] = locateColumns(
      names,
      [
        { name: this.options.externalIdColumn, flag: '--external-id-column' },
        { name: this.options.timestampColumn, flag: '--timestamp-column' },
      ],
      this.options.source
    );
    this.header = { names, idColumn, timestampColumn };
    this.width = names.length;
    return this.header;
  }

  /** Adds the org's field checks (after the describe is known); must be set before pass 1. */
  public setRowCheck(check: RowCheck | undefined): void {
    this.rowCheck = check;
  }

  /**
   * Pass 1: validates a data row, keeps track of the winning row per External ID, and notes where the row is.
   * The IDs of valid rows wait in a small batch and are looked up together (see IdIndex.touch): `flush` must
   * run before the bytes of a held row change (after each block of input) and at the end of pass 1.
   */
  public observe(rec: CsvRecord): void {
    this.observed++;
    const row = rec.index;
    if (row >= this.rowEntry.length) this.growRows();
    this.rowStart[row] = rec.offset;
    this.rowEnd[row] = rec.offset + (rec.end - rec.start);
    const ts = this.validate(rec);
    if (Number.isNaN(ts)) {
      this.rowEntry[row] = -1;
      this.rowPlain[row] = 0;
      return;
    }
    this.rowPlain[row] = isPlainRecord(rec) ? 1 : 0;
    if (this.idBuf === this.scratch) {
      // An unescaped ID is in the scratch buffer, which the next row overwrites: it cannot wait.
      this.flush();
      this.settle(row, ts, this.index.intern(this.idBuf, this.idStart, this.idEnd));
      return;
    }
    const n = this.held;
    this.heldBuf[n] = this.idBuf;
    this.heldStart[n] = this.idStart;
    this.heldEnd[n] = this.idEnd;
    this.heldHash[n] = hashBytes(this.idBuf, this.idStart, this.idEnd);
    this.heldRow[n] = row;
    this.heldTs[n] = ts;
    this.held = n + 1;
    if (this.held === HELD) this.flush();
  }

  /** Settles the rows observe holds, in their order. */
  public flush(): void {
    const n = this.held;
    if (n === 0) return;
    this.held = 0;
    const index = this.index;
    index.touch(this.heldHash, 0, n);
    for (let k = 0; k < n; k++) {
      const entry = index.internHashed(this.heldBuf[k], this.heldStart[k], this.heldEnd[k], this.heldHash[k]);
      this.settle(this.heldRow[k], this.heldTs[k], entry);
    }
  }

  /** Where data row `row` (1-based) lies in the file, [start, end) without its line break, and whether its bytes
   * can go to a file for people as they are (see isPlainRecord). */
  public rowStartOf(row: number): number {
    return this.rowStart[row];
  }

  public rowEndOf(row: number): number {
    return this.rowEnd[row];
  }

  public rowIsPlain(row: number): boolean {
    return this.rowPlain[row] === 1;
  }

  /**
   * Pass 2: the outcome of data row `row`, from what pass 1 noted. A row that won its ID in pass 1 passed every
   * check there, and every other valid row is a duplicate whatever its own timestamp, so nothing is parsed again.
   */
  public outcomeOf(row: number): Outcome {
    this.classified++;
    const outcome = this.decide(row);
    this.counts[outcome]++;
    return outcome;
  }

  /** outcomeOf for every row, as numbers into OUTCOMES (index 0 is the header, unused). */
  public classifyAll(): Uint8Array {
    const codes = new Uint8Array(this.observed + 1);
    for (let row = 1; row <= this.observed; row++) codes[row] = OUTCOMES.indexOf(this.outcomeOf(row));
    return codes;
  }

  /** Compact copies of what pass 1 noted of every row's bytes, for the second pass (in another thread too). */
  public rowSpans(): { rows: number; starts: Float64Array; ends: Float64Array; plain: Uint8Array } {
    const n = this.observed + 1;
    return {
      rows: this.observed,
      starts: this.rowStart.slice(0, n),
      ends: this.rowEnd.slice(0, n),
      plain: this.rowPlain.slice(0, n),
    };
  }

  /** Why a row that outcomeOf called rejected was rejected: its checks run again on the record. */
  public rejectionOf(rec: CsvRecord): string {
    this.validate(rec);
    return this.rejectReason;
  }

  /** The counts, after checking that every input row landed in exactly one outcome. */
  public finish(files: string[]): BackfillSummary {
    const c = this.counts;
    const summary: BackfillSummary = {
      input: this.classified,
      toUpsert: c.toUpsert,
      skipped: {
        existingUpToDate: c.existingUpToDate,
        beforeCutoff: c.beforeCutoff,
        duplicateInFile: c.duplicateInFile,
      },
      rejected: c.rejected,
      files,
    };
    assertAccounted(summary);
    if (this.classified !== this.observed) {
      throw operationError(ERRORS, 'ExportRowsChanged', [this.options.source, this.observed, this.classified]);
    }
    return summary;
  }

  private decide(row: number): Outcome {
    const entry = this.rowEntry[row];
    if (entry < 0) return 'rejected';
    const index = this.index;
    if (index.bestRow[entry] !== row) return 'duplicateInFile';
    const ts = index.bestTs[entry];
    if (ts < this.options.since) return 'beforeCutoff';
    // NaN (no timestamp in Salesforce) compares false, so such records stay as they are.
    if (index.inOrg[entry] === 1 && !(ts > index.existingTs[entry])) return 'existingUpToDate';
    return 'toUpsert';
  }

  private settle(row: number, ts: number, entry: number): void {
    const index = this.index;
    // ">=": rows arrive in order, so on equal timestamps the later row wins.
    if (index.bestRow[entry] === 0 || ts >= index.bestTs[entry]) {
      index.bestRow[entry] = row;
      index.bestTs[entry] = ts;
    }
    this.rowEntry[row] = entry;
  }

  private growRows(): void {
    const size = this.rowEntry.length * 2;
    const widen = <T extends Int32Array | Float64Array | Uint8Array>(old: T, next: T): T => {
      next.set(old);
      return next;
    };
    this.rowStart = widen(this.rowStart, new Float64Array(size));
    this.rowEnd = widen(this.rowEnd, new Float64Array(size));
    this.rowEntry = widen(this.rowEntry, new Int32Array(size));
    this.rowPlain = widen(this.rowPlain, new Uint8Array(size));
  }

  /** The row's timestamp, or NaN with `rejectReason` set. Leaves the External ID's bytes in idBuf[idStart, idEnd). */
  private validate(rec: CsvRecord): number {
    const header = this.header;
    if (!header) throw new Error('BackfillPlanner: readHeader must come first');
    if (rec.fields !== this.width) {
      return this.reject(`wrong number of columns: ${rec.fields}, the header has ${this.width}`);
    }
    if (rec.malformed) {
      return this.reject('malformed quoting: a quote inside an unquoted field, or text after a closing quote');
    }
    if (!this.locateId(rec, header.idColumn)) {
      return this.reject(`missing External ID (column ${header.names[header.idColumn]})`);
    }
    const t = header.timestampColumn;
    const start = rec.fieldStart[t];
    const end = rec.fieldEnd[t];
    const ts = parseTimestampBytes(rec.buf, start, end);
    if (Number.isNaN(ts)) {
      const raw = fieldText(rec, t).trim();
      return this.reject(
        raw === ''
          ? `missing timestamp (column ${header.names[t]})`
          : `unparseable timestamp "${raw.slice(0, 60)}" in column ${header.names[t]}: use ISO 8601 with Z or an offset, YYYY-MM-DD, or YYYY-MM-DD HH:MM:SS (UTC)`
      );
    }
    if (this.rowCheck) {
      const problem = this.rowCheck(rec);
      if (problem !== undefined) return this.reject(problem);
    }
    return ts;
  }

  /** Points idBuf/idStart/idEnd at the External ID's bytes (unescaped if needed); false when it is blank. */
  private locateId(rec: CsvRecord, column: number): boolean {
    let start = rec.fieldStart[column];
    const end = rec.fieldEnd[column];
    const buf = rec.buf;
    let blank = true;
    for (let i = start; i < end; i++) {
      const b = buf[i];
      if (b !== 0x20 && b !== 0x09) {
        blank = false;
        break;
      }
    }
    if (blank) return false;
    if (rec.fieldQuoted[column] !== 2) {
      this.idBuf = buf;
      this.idStart = start;
      this.idEnd = end;
      return true;
    }
    // Doubled quotes inside the ID: compare the unescaped value, as a quoted and an unquoted copy must match.
    if (this.scratch.length < end - start) this.scratch = Buffer.allocUnsafe((end - start) * 2);
    let n = 0;
    for (; start < end; start++) {
      const b = buf[start];
      this.scratch[n++] = b;
      if (b === 0x22) start++;
    }
    this.idBuf = this.scratch;
    this.idStart = 0;
    this.idEnd = n;
    return true;
  }

  private reject(reason: string): number {
    this.rejectReason = reason;
    return NaN;
  }
}

/** The tool's own promise: every input row is in exactly one outcome. A breach is a bug, never bad input. */
export function assertAccounted(summary: Omit<BackfillSummary, 'files'>): void {
  const s = summary.skipped;
  const total = summary.toUpsert + s.existingUpToDate + s.beforeCutoff + s.duplicateInFile + summary.rejected;
  if (total !== summary.input) {
    throw operationError(
      ERRORS,
      'BackfillInvariantBroken',
      [
        summary.input,
        total,
        summary.toUpsert,
        s.existingUpToDate + s.beforeCutoff + s.duplicateInFile,
        summary.rejected,
      ],
      { data: summary }
    );
  }
}

export const OUTCOME_FILES = { skipped: 'skipped.csv', rejected: 'rejected.csv', summary: 'summary.json' } as const;

/** to-upsert-001.csv, to-upsert-002.csv, … */
export function upsertFileName(n: number): string {
  return `to-upsert-${String(n).padStart(3, '0')}.csv`;
}
