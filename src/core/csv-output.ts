import { type CsvRecord, fieldText } from './csv-scanner.js';

/**
 * Writing CSV bytes without a string per row: a buffer that hands full blocks to the caller's `flush` (the
 * caller owns the file), and the two row shapes the backfill writes, raw (upsert files, byte-faithful) and
 * neutralised (files for people).
 */
export class ByteSink {
  private buf: Buffer;
  private used = 0;
  public bytesWritten = 0;

  public constructor(
    private readonly flush: (data: Buffer) => void,
    size = 1 << 20
  ) {
    this.buf = Buffer.allocUnsafe(size);
  }

  public raw(source: Uint8Array, start: number, end: number): void {
    const length = end - start;
    if (this.used + length > this.buf.length) {
      this.drain();
      if (length > this.buf.length) {
        this.flush(Buffer.from(source.subarray(start, end)));
        this.bytesWritten += length;
        return;
      }
    }
    const buf = this.buf;
    let at = this.used;
    // A loop beats a native copy (and its view allocation) for the short runs most calls write.
    if (length < 64) for (let i = start; i < end; i++) buf[at++] = source[i];
    else buf.set(source.subarray(start, end), at);
    this.used += length;
  }

  /** A non-negative integer in decimal, without making a string. */
  public int(value: number): void {
    if (this.used + 16 > this.buf.length) this.drain();
    let digits = 1;
    for (let v = value; v >= 10; v = Math.floor(v / 10)) digits++;
    let at = this.used + digits;
    this.used = at;
    let v = value;
    do {
      this.buf[--at] = 0x30 + (v % 10);
      v = Math.floor(v / 10);
    } while (v > 0);
  }

  public byte(value: number): void {
    if (this.used >= this.buf.length) this.drain();
    this.buf[this.used++] = value;
  }

  public text(value: string): void {
    const max = value.length * 3;
    if (this.used + max > this.buf.length) {
      this.drain();
      if (max > this.buf.length) {
        const bytes = Buffer.from(value, 'utf8');
        this.flush(bytes);
        this.bytesWritten += bytes.length;
        return;
      }
    }
    this.used += this.buf.write(value, this.used, 'utf8');
  }

  /** Hands over everything buffered. */
  public drain(): void {
    if (this.used === 0) return;
    this.flush(this.buf.subarray(0, this.used));
    this.bytesWritten += this.used;
    // The flushed view must stay intact until the caller has written it; flush is synchronous by contract.
    this.used = 0;
  }
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const APOSTROPHE = 0x27;

/**
 * Spreadsheets run a cell that starts with = + - @ (or a tab or carriage return that hides one) as a formula
 * (OWASP "CSV injection"). Files meant for people get a leading apostrophe on such cells, which Excel, LibreOffice
 * and Google Sheets show as text. Files meant for import are never changed.
 */
export function isFormulaStart(byte: number): boolean {
  return byte === 0x3d || byte === 0x2b || byte === 0x2d || byte === 0x40 || byte === 0x09 || byte === 0x0d;
}

export function neutralise(text: string): string {
  return text.length > 0 && isFormulaStart(text.charCodeAt(0)) ? `'${text}` : text;
}

/** RFC 4180 quoting, only when the value needs it. */
export function csvQuote(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * A record for people: the export's `width` columns (padded when the row is short), then `extra` cells (reason,
 * row), then any surplus fields of a too-long row, so columns line up and nothing is dropped. Cells that would run
 * as formulas are neutralised; well-formed fields are copied as bytes, malformed ones re-quoted.
 */
export function writeHumanRecord(
  sink: ByteSink,
  rec: CsvRecord,
  width: number,
  extra: string[],
  lineBreak: Uint8Array
): void {
  if (rec.fields === width && isPlainRecord(rec)) {
    sink.raw(rec.buf, rec.start, rec.end);
    for (const cell of extra) {
      sink.byte(COMMA);
      sink.text(csvQuote(neutralise(cell)));
    }
    sink.raw(lineBreak, 0, lineBreak.length);
    return;
  }
  const shown = Math.min(rec.fields, width);
  for (let i = 0; i < shown; i++) {
    if (i > 0) sink.byte(COMMA);
    writeHumanField(sink, rec, i);
  }
  for (let i = shown; i < width; i++) if (i > 0) sink.byte(COMMA);
  for (const cell of extra) {
    if (width > 0) sink.byte(COMMA);
    sink.text(csvQuote(neutralise(cell)));
  }
  for (let i = width; i < rec.fields; i++) {
    sink.byte(COMMA);
    writeHumanField(sink, rec, i);
  }
  sink.raw(lineBreak, 0, lineBreak.length);
}

/**
 * The same, for the common case: `cell` (already CSV-safe bytes) and a row number after a record that needs no
 * change, without a string per row.
 */
export function writeHumanRecordFast(
  sink: ByteSink,
  rec: CsvRecord,
  width: number,
  cell: Uint8Array,
  row: number,
  lineBreak: Uint8Array
): void {
  if (rec.fields !== width || !isPlainRecord(rec)) {
    writeHumanRecord(sink, rec, width, [Buffer.from(cell).toString('utf8'), String(row)], lineBreak);
    return;
  }
  writeHumanBytesFast(sink, rec.buf, rec.start, rec.end, cell, row, lineBreak);
}

/**
 * writeHumanRecordFast for a row already known to be plain (isPlainRecord) with the export's width, from its raw
 * bytes alone: what the planner's second pass writes for nearly every skipped row.
 */
export function writeHumanBytesFast(
  sink: ByteSink,
  buf: Uint8Array,
  start: number,
  end: number,
  cell: Uint8Array,
  row: number,
  lineBreak: Uint8Array
): void {
  sink.raw(buf, start, end);
  sink.byte(COMMA);
  sink.raw(cell, 0, cell.length);
  sink.byte(COMMA);
  sink.int(row);
  sink.raw(lineBreak, 0, lineBreak.length);
}

/** Well-formed, and no cell a spreadsheet would run: the raw bytes can be copied as they are. */
export function isPlainRecord(rec: CsvRecord): boolean {
  if (rec.malformed) return false;
  const buf = rec.buf;
  for (let i = 0; i < rec.fields; i++) {
    const start = rec.fieldStart[i];
    if (start < rec.fieldEnd[i] && isFormulaStart(buf[start])) return false;
  }
  return true;
}

function writeHumanField(sink: ByteSink, rec: CsvRecord, i: number): void {
  const start = rec.fieldStart[i];
  const end = rec.fieldEnd[i];
  const quoted = rec.fieldQuoted[i];
  if (rec.malformed) {
    sink.text(csvQuote(neutralise(fieldText(rec, i))));
    return;
  }
  const danger = start < end && isFormulaStart(rec.buf[start]);
  if (quoted !== 0) sink.byte(QUOTE);
  if (danger) sink.byte(APOSTROPHE);
  sink.raw(rec.buf, start, end);
  if (quoted !== 0) sink.byte(QUOTE);
}
