import { isUtf8 } from 'node:buffer';
import { inputError } from './errors.js';
import { ERRORS } from './messages.js';

/**
 * A byte-level RFC 4180 CSV scanner (https://www.rfc-editor.org/rfc/rfc4180) that is fed chunks and hands out
 * records without copying them, so a million-row export is read in constant memory and the raw bytes of a
 * record can be written out unchanged (the upsert files must stay byte-faithful for the Data Import Wizard).
 *
 * Accepted beyond the strict RFC, because real exports do it: LF or lone CR instead of CRLF, a missing final
 * line break, a UTF-8 byte order mark. Lines with no bytes at all are not records (a trailing blank line is
 * common and meaningless). A quote inside an unquoted field, or text after a closing quote, marks the record
 * `malformed` (the planner rejects it); a quote that is never closed stops the scan, because everything after
 * it would be swallowed into one field.
 */
export type CsvRecord = {
  /** Holds the record's bytes; only valid during the callback. */
  buf: Buffer;
  /** Raw bytes of the record, without its line break. */
  start: number;
  end: number;
  /** Number of fields, and each field's content bounds (inside the quotes when quoted). */
  fields: number;
  fieldStart: Int32Array;
  fieldEnd: Int32Array;
  /** 0 plain, 1 quoted, 2 quoted and holding doubled quotes ("") that need unescaping. */
  fieldQuoted: Uint8Array;
  malformed: boolean;
  /** Byte offset of the record in the file (counting a byte order mark). */
  offset: number;
  /** 0 for the header, then 1, 2, … for data rows. */
  index: number;
};

export type CsvScanResult = { hasBom: boolean; lineBreak: '\r\n' | '\n' | '\r'; records: number };

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
/** Salesforce caps a record at 400,000 characters; anything far beyond is an unclosed quote, not data. */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;
/** How much of the next chunk is first joined to a record cut by a chunk boundary (most records are far shorter). */
const JOIN_FIRST = 16 * 1024;

export class CsvScanner {
  private readonly record: CsvRecord;
  private leftover: Buffer | undefined;
  private leftoverOffset = 0;
  /** File offset of the next byte pushed. */
  private fileOffset = 0;
  private utf8Pending: Buffer | undefined;
  private started = false;
  private head: Buffer | undefined;
  private done = false;
  private result: CsvScanResult = { hasBom: false, lineBreak: '\r\n', records: 0 };
  private lineBreakSeen = false;
  /** Some fieldQuoted entry is not 0: the fast path, which sets none, clears them first. */
  private quotedSet = false;

  /**
   * `onBlock` runs after the records of each block of input: until then every record's `buf` stays as it was,
   * so a consumer may keep references to the bytes of several records and handle them together.
   */
  public constructor(
    private readonly source: string,
    private readonly onRecord: (record: CsvRecord) => void,
    private readonly onBlock?: () => void
  ) {
    this.record = {
      buf: Buffer.alloc(0),
      start: 0,
      end: 0,
      fields: 0,
      fieldStart: new Int32Array(64),
      fieldEnd: new Int32Array(64),
      fieldQuoted: new Uint8Array(64),
      malformed: false,
      offset: 0,
      index: 0,
    };
  }

  /** Feeds the next chunk. The chunk may be reused by the caller once this returns. */
  public push(chunk: Buffer): void {
    if (this.done) throw new Error('CsvScanner: push after end');
    if (this.started) {
      this.feed(chunk);
      return;
    }
    // The byte order mark can only be recognised once three bytes have arrived.
    const head = this.head ? Buffer.concat([this.head, chunk]) : chunk;
    if (head.length < 3) {
      this.head = Buffer.from(head);
      return;
    }
    this.head = undefined;
    this.start(head);
  }

  /** Signals the end of the input and emits the last record. */
  public end(): CsvScanResult {
    if (this.done) return this.result;
    if (!this.started) this.start(this.head ?? Buffer.alloc(0));
    this.done = true;
    if (this.utf8Pending && this.utf8Pending.length > 0) {
      this.notUtf8(this.fileOffset - this.utf8Pending.length);
    }
    if (this.leftover) {
      this.scan(this.leftover, this.leftoverOffset, true);
      this.onBlock?.();
      this.leftover = undefined;
    }
    return this.result;
  }

  /**
   * Scans `bytes` again: the raw bytes of one record (without its line break) that a scan of the same file found
   * at `offset` as record `index`. The planner keeps where rows are rather than the rows, and reads the few it
   * must show field by field again. Use a scanner of its own for this (its callback sees these records too).
   */
  public reread(bytes: Buffer, index: number, offset: number): CsvRecord {
    this.scan(bytes, offset, true);
    this.record.index = index;
    return this.record;
  }

  private start(head: Buffer): void {
    this.started = true;
    if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) {
      this.result.hasBom = true;
      this.fileOffset = 3;
      this.feed(head.subarray(3));
    } else {
      this.feed(head);
    }
  }

  private feed(chunk: Buffer): void {
    let data = chunk;
    let dataOffset = this.fileOffset;
    this.fileOffset += chunk.length;
    this.checkUtf8(data, dataOffset);
    if (this.leftover) {
      // Only the record cut by the chunk boundary needs both pieces: join the leftover with as much of the chunk
      // as that record turns out to take, not with the whole chunk (a copy of every chunk, otherwise).
      let left = this.leftover;
      let leftOffset = this.leftoverOffset;
      this.leftover = undefined;
      let take = Math.min(chunk.length, JOIN_FIRST);
      for (;;) {
        const joined = Buffer.concat([left, chunk.subarray(0, take)]);
        const done = this.scan(joined, leftOffset, false);
        if (done >= left.length) {
          data = chunk.subarray(done - left.length);
          dataOffset += done - left.length;
          break;
        }
        if (take === chunk.length) {
          // The record takes all of the chunk too: it waits, whole, for the next one.
          data = joined.subarray(done);
          dataOffset = leftOffset + done;
          break;
        }
        left = left.subarray(done);
        leftOffset += done;
        take = Math.min(chunk.length, take * 4);
      }
    }
    const consumed = this.scan(data, dataOffset, false);
    this.onBlock?.();
    if (consumed < data.length) {
      if (data.length - consumed > MAX_RECORD_BYTES) this.tooLong(dataOffset + consumed);
      // Copy: the caller may reuse its chunk buffer.
      this.leftover = Buffer.from(data.subarray(consumed));
      this.leftoverOffset = dataOffset + consumed;
    }
  }

  /** Scans whole records from `data`; returns how many bytes were consumed (the rest waits for more input). */
  private scan(data: Buffer, dataOffset: number, final: boolean): number {
    const limit = data.length;
    const rec = this.record;
    rec.buf = data;
    let pos = 0;
    // Where the next quote, LF and CR are (-1: none left), found by native search and reused across records.
    let nextQuote = -2;
    let nextLf = -2;
    let nextCr = -2;
    let nextComma = -2;
    while (pos < limit) {
      // Fast path, the common case: a record with no quote and no stray CR before its LF is split on commas only.
      if (nextLf !== -1 && nextLf < pos) nextLf = data.indexOf(LF, pos);
      if (nextQuote !== -1 && nextQuote < pos) nextQuote = data.indexOf(QUOTE, pos);
      if (nextCr !== -1 && nextCr < pos) nextCr = data.indexOf(CR, pos);
      if (nextLf >= 0 && (nextQuote < 0 || nextQuote > nextLf) && (nextCr < 0 || nextCr >= nextLf - 1)) {
        const end = nextCr === nextLf - 1 ? nextCr : nextLf;
        if (end > pos) {
          let nf = 0;
          let s = pos;
          let starts = rec.fieldStart;
          let ends = rec.fieldEnd;
          for (;;) {
            // The last field's search finds the next record's first comma: kept, it spares that record one.
            const comma = nextComma === -1 || nextComma >= s ? nextComma : data.indexOf(COMMA, s);
            nextComma = comma;
            const stop = comma < 0 || comma > end ? end : comma;
            if (nf >= starts.length) {
              this.addField(nf, s, stop, 0);
              starts = rec.fieldStart;
              ends = rec.fieldEnd;
            } else {
              starts[nf] = s;
              ends[nf] = stop;
            }
            nf++;
            if (stop === end) break;
            s = stop + 1;
          }
          if (this.quotedSet) {
            rec.fieldQuoted.fill(0);
            this.quotedSet = false;
          }
          this.noteLineBreak(end === nextLf ? '\n' : '\r\n');
          rec.start = pos;
          rec.end = end;
          rec.fields = nf;
          rec.malformed = false;
          rec.offset = dataOffset + pos;
          rec.index = this.result.records;
          this.result.records++;
          this.onRecord(rec);
        }
        pos = nextLf + 1;
        continue;
      }
      let p = pos;
      let nf = 0;
      let malformed = false;
      let recEnd = -1;
      let next = -1;
      // One iteration per field.
      for (;;) {
        if (p >= limit) {
          if (!final) return pos;
          nf = this.addField(nf, p, p, 0);
          recEnd = p;
          next = p;
          break;
        }
        let c = data[p];
        if (c === QUOTE) {
          let q = p + 1;
          let escaped = false;
          let close: number;
          for (;;) {
            close = data.indexOf(QUOTE, q);
            if (close < 0) {
              if (!final) return pos;
              this.unclosedQuote(dataOffset + p);
            }
            if (close + 1 < limit) {
              if (data[close + 1] === QUOTE) {
                escaped = true;
                q = close + 2;
                continue;
              }
            } else if (!final) {
              return pos;
            }
            break;
          }
          nf = this.addField(nf, p + 1, close, escaped ? 2 : 1);
          p = close + 1;
          if (p >= limit) {
            recEnd = p;
            next = p;
            break;
          }
          c = data[p];
          if (c !== COMMA && c !== LF && c !== CR) {
            // Text after the closing quote: keep the bytes with the field so nothing is lost, and flag the row.
            malformed = true;
            while (p < limit) {
              c = data[p];
              if (c === COMMA || c === LF || c === CR) break;
              p++;
            }
            if (p >= limit && !final) return pos;
            this.record.fieldEnd[nf - 1] = p;
            if (p >= limit) {
              recEnd = p;
              next = p;
              break;
            }
          }
        } else {
          const s = p;
          // The field ends at the first comma or line break (native searches, kept for the next fields and
          // records); a quote before that end makes the record malformed.
          if (nextComma !== -1 && nextComma < p) nextComma = data.indexOf(COMMA, p);
          if (nextLf !== -1 && nextLf < p) nextLf = data.indexOf(LF, p);
          if (nextCr !== -1 && nextCr < p) nextCr = data.indexOf(CR, p);
          if (nextQuote !== -1 && nextQuote < p) nextQuote = data.indexOf(QUOTE, p);
          let stop = limit;
          if (nextComma >= 0 && nextComma < stop) stop = nextComma;
          if (nextLf >= 0 && nextLf < stop) stop = nextLf;
          if (nextCr >= 0 && nextCr < stop) stop = nextCr;
          if (nextQuote >= 0 && nextQuote < stop) malformed = true;
          p = stop;
          if (p < limit) c = data[p];
          if (p >= limit) {
            if (!final) return pos;
            nf = this.addField(nf, s, p, 0);
            recEnd = p;
            next = p;
            break;
          }
          nf = this.addField(nf, s, p, 0);
        }
        // data[p] is a comma or a line break.
        if (c === COMMA) {
          p++;
          continue;
        }
        recEnd = p;
        if (c === LF) {
          next = p + 1;
          this.noteLineBreak('\n');
        } else if (p + 1 < limit) {
          next = data[p + 1] === LF ? p + 2 : p + 1;
          this.noteLineBreak(next === p + 2 ? '\r\n' : '\r');
        } else if (!final) {
          return pos;
        } else {
          next = p + 1;
          this.noteLineBreak('\r');
        }
        break;
      }
      if (recEnd > pos || nf > 1 || rec.fieldQuoted[0] !== 0) {
        rec.start = pos;
        rec.end = recEnd;
        rec.fields = nf;
        rec.malformed = malformed;
        rec.offset = dataOffset + pos;
        rec.index = this.result.records;
        this.result.records++;
        this.onRecord(rec);
      }
      pos = next;
    }
    return pos;
  }

  private addField(nf: number, start: number, end: number, quoted: number): number {
    const rec = this.record;
    if (nf >= rec.fieldStart.length) {
      const size = rec.fieldStart.length * 2;
      const fs = new Int32Array(size);
      fs.set(rec.fieldStart);
      const fe = new Int32Array(size);
      fe.set(rec.fieldEnd);
      const fq = new Uint8Array(size);
      fq.set(rec.fieldQuoted);
      rec.fieldStart = fs;
      rec.fieldEnd = fe;
      rec.fieldQuoted = fq;
    }
    rec.fieldStart[nf] = start;
    rec.fieldEnd[nf] = end;
    rec.fieldQuoted[nf] = quoted;
    if (quoted !== 0) this.quotedSet = true;
    return nf + 1;
  }

  private noteLineBreak(kind: '\r\n' | '\n' | '\r'): void {
    if (this.lineBreakSeen) return;
    this.lineBreakSeen = true;
    this.result.lineBreak = kind;
  }

  /** Validates UTF-8 chunk by chunk; a sequence cut by the chunk boundary waits for the next chunk. */
  private checkUtf8(chunk: Buffer, chunkOffset: number): void {
    let data = chunk;
    let offset = chunkOffset;
    if (this.utf8Pending) {
      data = Buffer.concat([this.utf8Pending, chunk]);
      offset -= this.utf8Pending.length;
      this.utf8Pending = undefined;
    }
    const cut = completeUtf8Length(data);
    const whole = data.subarray(0, cut);
    if (!isUtf8(whole)) this.notUtf8(offset + firstInvalidUtf8(whole));
    if (cut < data.length) {
      const tail = data.subarray(cut);
      // A lead byte that can never start a sequence is already invalid; a partial one may complete later.
      this.utf8Pending = Buffer.from(tail);
    }
  }

  private notUtf8(offset: number): never {
    throw inputError(ERRORS, 'CsvNotUtf8', [this.source, offset], { data: { file: this.source, byteOffset: offset } });
  }

  private unclosedQuote(offset: number): never {
    throw inputError(ERRORS, 'CsvUnclosedQuote', [this.source, offset], {
      data: { file: this.source, byteOffset: offset },
    });
  }

  private tooLong(offset: number): never {
    throw inputError(ERRORS, 'CsvRecordTooLong', [this.source, offset, MAX_RECORD_BYTES], {
      data: { file: this.source, byteOffset: offset },
    });
  }
}

/** The length of the prefix of `data` that holds no incomplete multi-byte sequence at its end. */
function completeUtf8Length(data: Buffer): number {
  const len = data.length;
  for (let back = 1; back <= 3 && back <= len; back++) {
    const b = data[len - back];
    if (b < 0x80) return len;
    if (b >= 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return need > back ? len - back : len;
    }
  }
  return len;
}

/** Offset of the first invalid UTF-8 sequence (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF), or the length when all is valid. */
export function firstInvalidUtf8(data: Uint8Array): number {
  const len = data.length;
  let i = 0;
  while (i < len) {
    const b = data[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let max = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = b === 0xe0 ? 0xa0 : 0x80;
      if (b === 0xed) max = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = b === 0xf0 ? 0x90 : 0x80;
      if (b === 0xf4) max = 0x8f;
    } else {
      return i;
    }
    if (i + 1 >= len) return i;
    const second = data[i + 1];
    // A broken sequence is reported at its lead byte, as decoders do (a Latin-1 "é" is the bad byte).
    if (second < min || second > max) return i;
    for (let k = 2; k <= need; k++) {
      if (i + k >= len) return i;
      const c = data[i + k];
      if (c < 0x80 || c > 0xbf) return i;
    }
    i += need + 1;
  }
  return len;
}

/** A field's value as a string: decoded from UTF-8, with doubled quotes unescaped. */
export function fieldText(rec: CsvRecord, i: number): string {
  if (i >= rec.fields) return '';
  const text = rec.buf.toString('utf8', rec.fieldStart[i], rec.fieldEnd[i]);
  return rec.fieldQuoted[i] === 2 ? text.replace(/""/g, '"') : text;
}

/** Every field of a record as strings (for headers and the few rows that are re-encoded). */
export function recordTexts(rec: CsvRecord): string[] {
  const out: string[] = new Array<string>(rec.fields);
  for (let i = 0; i < rec.fields; i++) out[i] = fieldText(rec, i);
  return out;
}
