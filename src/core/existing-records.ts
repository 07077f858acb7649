import { type CsvRecord, fieldText, recordTexts } from './csv-scanner.js';
import { locateColumns } from './backfill-planner.js';
import { parseTimestampBytes } from './timestamps.js';

/**
 * The rules for one record of an existing-records CSV (for example a Data Loader export of the Enrollment object):
 * the same External ID column name as the export, and the timestamp column if it has one; a record of the wrong
 * width or without an ID is ignored and counted. One function for the thread that reads the file and the one
 * that plans, so both read it alike.
 */
export type ExistingCounts = { records: number; withTimestamp: number; ignored: number };

/** Receives each usable record: the ID's bytes (unescaped) and its timestamp (NaN when it has none). */
export type ExistingTake = (buf: Uint8Array, start: number, end: number, ts: number) => void;

export type ExistingReader = {
  onRecord: (rec: CsvRecord) => void;
  /** False until the header has been read: a file without one is bad input. */
  sawHeader: () => boolean;
};

export function existingReader(
  source: string,
  idColumn: string,
  timestampColumn: string,
  counts: ExistingCounts,
  take: ExistingTake
): ExistingReader {
  let idAt = -1;
  let tsAt = -1;
  let width = 0;
  return {
    sawHeader: () => idAt >= 0,
    onRecord: (rec) => {
      if (rec.index === 0) {
        const names = recordTexts(rec);
        [idAt] = locateColumns(names, [{ name: idColumn, flag: '--external-id-column' }], source);
        tsAt = names.indexOf(timestampColumn);
        width = rec.fields;
        return;
      }
      const s = rec.fieldStart[idAt];
      const blank =
        s === rec.fieldEnd[idAt] ||
        ((rec.buf[s] === 0x20 || rec.buf[s] === 0x09) && fieldText(rec, idAt).trim() === '');
      if (rec.fields !== width || blank) {
        counts.ignored++;
        return;
      }
      const ts = tsAt < 0 ? NaN : parseTimestampBytes(rec.buf, rec.fieldStart[tsAt], rec.fieldEnd[tsAt]);
      if (rec.fieldQuoted[idAt] === 2) {
        const id = Buffer.from(fieldText(rec, idAt));
        take(id, 0, id.length, ts);
      } else {
        take(rec.buf, rec.fieldStart[idAt], rec.fieldEnd[idAt], ts);
      }
      counts.records++;
      if (!Number.isNaN(ts)) counts.withTimestamp++;
    },
  };
}

/**
 * The usable records of an existing-records file in a form that crosses threads without copying: the IDs' bytes
 * back to back (record k is `ids[ends[k-1] .. ends[k])`), each ID's hashBytes and timestamp.
 */
export type ExistingBatch = ExistingCounts & {
  count: number;
  ids: Uint8Array;
  ends: Int32Array;
  hashes: Int32Array;
  timestamps: Float64Array;
};

/** Collects records into an ExistingBatch, hashing each ID where it is read. */
export class ExistingCollector {
  public readonly counts: ExistingCounts = { records: 0, withTimestamp: 0, ignored: 0 };
  private ids = new Uint8Array(1 << 16);
  private used = 0;
  private ends = new Int32Array(1024);
  private hashes = new Int32Array(1024);
  private timestamps = new Float64Array(1024);
  private count = 0;

  public constructor(private readonly hash: (buf: Uint8Array, start: number, end: number) => number) {}

  public readonly take: ExistingTake = (buf, start, end, ts) => {
    const length = end - start;
    if (this.used + length > this.ids.length) {
      const bigger = new Uint8Array(Math.max(this.ids.length * 2, this.used + length));
      bigger.set(this.ids.subarray(0, this.used));
      this.ids = bigger;
    }
    if (this.count === this.ends.length) {
      const size = this.count * 2;
      this.ends = grow(this.ends, new Int32Array(size));
      this.hashes = grow(this.hashes, new Int32Array(size));
      this.timestamps = grow(this.timestamps, new Float64Array(size));
    }
    const ids = this.ids;
    const at = this.used;
    for (let i = 0; i < length; i++) ids[at + i] = buf[start + i];
    this.used += length;
    this.ends[this.count] = this.used;
    this.hashes[this.count] = this.hash(buf, start, end);
    this.timestamps[this.count] = ts;
    this.count++;
  };

  public batch(): ExistingBatch {
    return {
      ...this.counts,
      count: this.count,
      ids: this.ids,
      ends: this.ends,
      hashes: this.hashes,
      timestamps: this.timestamps,
    };
  }
}

function grow<T extends Int32Array | Float64Array>(old: T, next: T): T {
  next.set(old);
  return next;
}
