import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { CsvScanner, firstInvalidUtf8, recordTexts } from '../../src/core/csv-scanner.js';
import { InputError } from '../../src/core/errors.js';

type Scanned = {
  rows: string[][];
  malformed: boolean[];
  raw: string[];
  offsets: number[];
  hasBom: boolean;
  lineBreak: string;
};

/** Scans `input`, fed in chunks of `chunk` bytes (all at once by default). */
function scan(input: Buffer | string, chunk = Infinity): Scanned {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const out: Scanned = { rows: [], malformed: [], raw: [], offsets: [], hasBom: false, lineBreak: '' };
  const scanner = new CsvScanner('test.csv', (rec) => {
    out.rows.push(recordTexts(rec));
    out.malformed.push(rec.malformed);
    out.raw.push(rec.buf.toString('utf8', rec.start, rec.end));
    out.offsets.push(rec.offset);
  });
  const size = Math.min(chunk, Math.max(bytes.length, 1));
  for (let i = 0; i < bytes.length; i += size) scanner.push(Buffer.from(bytes.subarray(i, i + size)));
  const result = scanner.end();
  out.hasBom = result.hasBom;
  out.lineBreak = result.lineBreak;
  return out;
}

function scanError(input: Buffer | string, chunk = Infinity): InputError {
  let caught: unknown;
  try {
    scan(input, chunk);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InputError);
  return caught as InputError;
}

describe('CsvScanner (RFC 4180)', () => {
  it('reads LF, CRLF and lone CR line breaks, with or without a final one', () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      expect(scan(`a,b${eol}1,2${eol}3,4`).rows).toEqual([
        ['a', 'b'],
        ['1', '2'],
        ['3', '4'],
      ]);
      const withFinal = scan(`a,b${eol}1,2${eol}`);
      expect(withFinal.rows).toEqual([
        ['a', 'b'],
        ['1', '2'],
      ]);
      expect(withFinal.lineBreak).toBe(eol);
    }
  });

  it('strips a UTF-8 byte order mark and reports it; offsets still count it', () => {
    const out = scan('\uFEFFid,ts\nx,1\n');
    expect(out.hasBom).toBe(true);
    expect(out.rows[0]).toEqual(['id', 'ts']);
    expect(out.offsets).toEqual([3, 9]);
  });

  it('keeps commas, doubled quotes and line breaks inside quoted fields, and the raw bytes of the record', () => {
    const text = 'a,b,c\r\n"x, y","say ""hi""","line1\r\nline2"\r\n"",plain,\r\n';
    const out = scan(text);
    expect(out.rows).toEqual([
      ['a', 'b', 'c'],
      ['x, y', 'say "hi"', 'line1\r\nline2'],
      ['', 'plain', ''],
    ]);
    expect(out.raw[1]).toBe('"x, y","say ""hi""","line1\r\nline2"');
  });

  it('ignores lines with no bytes but keeps a line holding an empty quoted field', () => {
    expect(scan('a\n\n1\n\n\n""\n\n').rows).toEqual([['a'], ['1'], ['']]);
  });

  it('gives the same records whatever the chunk size (records, quotes, CRLF and UTF-8 cut anywhere)', () => {
    const text = '\uFEFFid,name,note\r\n1,"Zoë ""Z""","a,\r\nb"\r\n2,日本語,€\r\n3,"",\r\n';
    const whole = scan(text);
    for (const chunk of [1, 2, 3, 5, 7, 64]) expect(scan(text, chunk)).toEqual(whole);
  });

  it('reads a record again from its raw bytes exactly as the scan of the whole file gave it', () => {
    const text = '\uFEFFid,note,x\r\n1,"a ""b""\r\nc",=1\r\n2,x"y,\r"z"w,"",\n\n3\r\n';
    const seen: Array<{ fields: string[]; quoted: number[]; malformed: boolean; raw: Buffer; offset: number }> = [];
    const scanner = new CsvScanner('test.csv', (rec) => {
      seen.push({
        fields: recordTexts(rec),
        quoted: Array.from(rec.fieldQuoted.subarray(0, rec.fields)),
        malformed: rec.malformed,
        raw: Buffer.from(rec.buf.subarray(rec.start, rec.end)),
        offset: rec.offset,
      });
    });
    scanner.push(Buffer.from(text));
    scanner.end();
    expect(seen).toHaveLength(5);
    const again = new CsvScanner('test.csv', () => undefined);
    seen.forEach((first, index) => {
      const rec = again.reread(first.raw, index, first.offset);
      expect(rec.index).toBe(index);
      expect(rec.offset).toBe(first.offset);
      expect(rec.buf.subarray(rec.start, rec.end)).toEqual(first.raw);
      expect(recordTexts(rec)).toEqual(first.fields);
      expect(Array.from(rec.fieldQuoted.subarray(0, rec.fields))).toEqual(first.quoted);
      expect(rec.malformed).toBe(first.malformed);
    });
  });

  it('gives the same records whatever the chunk size when records are longer than a chunk or end in a lone CR', () => {
    const long = 'x'.repeat(40_000);
    const parts = ['id,note\r', `1,"${long}\r\n""${long}"""\r`, '2,short\n', `3,${long}\r\n`];
    for (let i = 0; i < 400; i++) parts.push(i % 37 === 0 ? `${i},"a\r\nb, ""c"""\r` : `${i},plain ${i}\r\n`);
    parts.push(`4,"${long}`, `"\r`, '5,end');
    const text = parts.join('');
    const whole = scan(text);
    expect(whole.rows).toHaveLength(406);
    for (const chunk of [999, 4096, 16_384, 16_385, 20_000, 65_536, 100_000]) expect(scan(text, chunk)).toEqual(whole);
  });

  it('matches csv-parse on generated files with awkward values', () => {
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = ['a', 'b', ',', '"', '\n', '\r\n', ' ', 'é', '😀', '=', ''];
    const rows: string[][] = [];
    for (let r = 0; r < 300; r++) {
      rows.push(
        Array.from({ length: 4 }, () => Array.from({ length: rand(6) }, () => alphabet[rand(alphabet.length)]).join(''))
      );
    }
    // A row of only empty strings is a blank line in CSV, which neither side treats as a record.
    const kept = rows.filter((row) => row.some((v) => v !== ''));
    const text = stringify(kept, { quoted_match: /^$/ });
    const expected = parse(text, { relax_column_count: true }) as string[][];
    expect(scan(text, 13).rows).toEqual(expected);
    expect(expected.length).toBe(kept.length);
  });

  it('flags a quote inside an unquoted field, or text after a closing quote, as malformed and keeps the bytes', () => {
    const out = scan('a,b\nab"c,1\n"x"y,2\nok,3\n');
    expect(out.malformed).toEqual([false, true, true, false]);
    expect(out.rows[1]).toEqual(['ab"c', '1']);
    expect(out.rows[2][0]).toBe('x"y');
    expect(out.rows[3]).toEqual(['ok', '3']);
  });

  it('stops with exit code 2 and the byte offset at a quote that is never closed', () => {
    const error = scanError('a,b\n1,"open\n2,3\n', 4);
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('byte offset 6');
  });

  it('rejects a file that is not UTF-8 with the offset of the first bad byte (0-based, BOM counted)', () => {
    const latin1 = Buffer.concat([Buffer.from('id,name\n1,caf'), Buffer.from([0xe9]), Buffer.from(',x\n')]);
    const error = scanError(latin1);
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('byte offset 13');
    expect((error.data as { byteOffset: number }).byteOffset).toBe(13);
    // Same byte, fed one byte at a time, after a BOM.
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), latin1]);
    expect((scanError(withBom, 1).data as { byteOffset: number }).byteOffset).toBe(16);
  });

  it('rejects a multi-byte sequence cut off at the end of the file, and overlongs and surrogates', () => {
    const cut = Buffer.concat([Buffer.from('a\nb'), Buffer.from([0xe2, 0x82])]);
    expect((scanError(cut, 2).data as { byteOffset: number }).byteOffset).toBe(3);
    expect(firstInvalidUtf8(Buffer.from([0x41, 0xc0, 0x80]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0);
    expect(firstInvalidUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0);
    expect(firstInvalidUtf8(Buffer.from('ok €😀', 'utf8'))).toBe(10); // valid: its length
  });

  it('handles an empty input and a header-only input', () => {
    expect(scan('').rows).toEqual([]);
    expect(scan('a,b').rows).toEqual([['a', 'b']]);
  });
});
