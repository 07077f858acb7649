import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { type BackfillSummary, assertAccounted } from '../../src/core/backfill-planner.js';
import { CeError, InputError, OperationError } from '../../src/core/errors.js';
import { IdIndex } from '../../src/core/id-index.js';
import { parseTimestamp } from '../../src/core/timestamps.js';
import { existingFromFile, planBackfill } from '../../src/org/backfill-plan.js';

const ID = 'ext_id';
const TS = 'updated_at';
const SINCE = parseTimestamp('2025-11-20T00:00:00Z');

type Planned = {
  summary: BackfillSummary;
  out: string;
  text: (name: string) => string;
  rows: (name: string) => string[][];
};

async function plan(
  exportData: string | Buffer,
  existingData: string | Buffer = `${ID},${TS}\n`,
  options: { since?: number; rowsPerFile?: number; out?: string; worker?: boolean } = {}
): Promise<Planned> {
  const dir = mkdtempSync(join(tmpdir(), 'ce-plan-'));
  writeFileSync(join(dir, 'export.csv'), exportData);
  writeFileSync(join(dir, 'existing.csv'), existingData);
  const out = options.out ?? join(dir, 'out');
  const result = await planBackfill({
    exportPath: join(dir, 'export.csv'),
    outDir: out,
    since: options.since ?? SINCE,
    externalIdColumn: ID,
    timestampColumn: TS,
    rowsPerFile: options.rowsPerFile ?? 50_000,
    loadExisting: existingFromFile(join(dir, 'existing.csv'), ID, TS, options.worker ? { workerFromBytes: 0 } : {}),
  });
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as BackfillSummary;
  expect(summary).toEqual(result.summary);
  const s = summary.skipped;
  expect(summary.toUpsert + s.existingUpToDate + s.beforeCutoff + s.duplicateInFile + summary.rejected).toBe(
    summary.input
  );
  const text = (name: string): string => readFileSync(join(out, name), 'utf8');
  return {
    summary,
    out,
    text,
    rows: (name) => parse(text(name), { bom: true, relax_column_count: true }) as string[][],
  };
}

async function planError(
  exportData: string | Buffer,
  existingData?: string,
  worker = false
): Promise<{ error: CeError; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'ce-plan-bad-'));
  writeFileSync(join(dir, 'export.csv'), exportData);
  writeFileSync(join(dir, 'existing.csv'), existingData ?? `${ID},${TS}\n`);
  let caught: unknown;
  try {
    await planBackfill({
      exportPath: join(dir, 'export.csv'),
      outDir: join(dir, 'out'),
      since: SINCE,
      externalIdColumn: ID,
      timestampColumn: TS,
      rowsPerFile: 50_000,
      loadExisting: existingFromFile(join(dir, 'existing.csv'), ID, TS, worker ? { workerFromBytes: 0 } : {}),
    });
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(CeError);
  // Nothing written: no output folder, no temporary folder left behind.
  expect(readdirSync(dir).sort()).toEqual(['existing.csv', 'export.csv']);
  return { error: caught as CeError, dir };
}

const counts = (s: BackfillSummary): number[] => [
  s.input,
  s.toUpsert,
  s.skipped.existingUpToDate,
  s.skipped.beforeCutoff,
  s.skipped.duplicateInFile,
  s.rejected,
];

describe('backfill planner: outcomes', () => {
  it('classifies new, newer, same, older and no-timestamp records against the existing ones', async () => {
    const { summary, rows } = await plan(
      `${ID},name,${TS}\nN1,new,2025-12-01T00:00:00Z\nU1,newer,2025-12-02T00:00:00Z\nS1,same,2025-12-01T00:00:00Z\nO1,older,2025-12-01T00:00:00Z\nE1,sf-empty,2025-12-01T00:00:00Z\n`,
      `${ID},${TS}\nU1,2025-12-01T00:00:00Z\nS1,2025-12-01T00:00:00.000Z\nO1,2025-12-05T00:00:00Z\nE1,\n`
    );
    expect(counts(summary)).toEqual([5, 2, 3, 0, 0, 0]);
    expect(rows('to-upsert-001.csv').map((r) => r[0])).toEqual([ID, 'N1', 'U1']);
    expect(rows('skipped.csv')).toEqual([
      [ID, 'name', TS, 'reason', 'row'],
      ['S1', 'same', '2025-12-01T00:00:00Z', 'existingUpToDate', '3'],
      ['O1', 'older', '2025-12-01T00:00:00Z', 'existingUpToDate', '4'],
      ['E1', 'sf-empty', '2025-12-01T00:00:00Z', 'existingUpToDate', '5'],
    ]);
  });

  it('treats every existing record as up to date when the existing file has no timestamp column', async () => {
    const { summary } = await plan(`${ID},${TS}\nA,2025-12-01\nB,2025-12-01\n`, `${ID},Name\nA,x\n`);
    expect(counts(summary)).toEqual([2, 1, 1, 0, 0, 0]);
  });

  it('keeps a row exactly at the cutoff and skips one a millisecond earlier, with offsets and date-only values', async () => {
    const { summary, rows } = await plan(
      [
        `${ID},${TS}`,
        'A,2025-11-20T00:00:00Z', // at the cutoff: kept
        'B,2025-11-19T23:59:59.999Z', // just before
        'C,2025-11-20T01:00:00+02:00', // 2025-11-19T23:00Z: before
        'D,2025-11-19T23:30:00-01:00', // 2025-11-20T00:30Z: kept
        'E,2025-11-20', // midnight UTC: kept
        'F,2025-11-19', // before
        'G,2025-11-20 00:00:00', // UTC: kept
        'H,2025-11-19 23:59:59', // before
      ].join('\n')
    );
    expect(counts(summary)).toEqual([8, 4, 0, 4, 0, 0]);
    expect(
      rows('to-upsert-001.csv')
        .slice(1)
        .map((r) => r[0])
    ).toEqual(['A', 'D', 'E', 'G']);
  });

  it('honours another --since', async () => {
    const { summary } = await plan(`${ID},${TS}\nA,2025-12-01\nB,2025-12-02\n`, undefined, {
      since: parseTimestamp('2025-12-02'),
    });
    expect(counts(summary)).toEqual([2, 1, 0, 1, 0, 0]);
  });

  it('keeps the newest copy of a duplicate External ID, the later row on a tie, and skips the others', async () => {
    const { summary, rows } = await plan(
      [
        `${ID},n,${TS}`,
        'A,1,2025-12-03T00:00:00Z', // newest A: kept although it comes first
        'A,2,2025-12-01T00:00:00Z',
        'B,3,2025-12-01T00:00:00Z',
        'B,4,2025-12-01T01:00:00+01:00', // same instant as row 3: the later row wins
        'C,5,2025-12-01T00:00:00Z',
        'C,6,not a date', // rejected rows take no part in duplicate resolution
        'D,7,2025-11-01', // newest D is before the cutoff: beforeCutoff, the other D a duplicate
        'D,8,2025-10-01',
        '"A",9,2025-11-30', // quoted copy of A is the same ID
      ].join('\r\n')
    );
    expect(counts(summary)).toEqual([9, 3, 0, 1, 4, 1]);
    expect(
      rows('to-upsert-001.csv')
        .slice(1)
        .map((r) => r[1])
    ).toEqual(['1', '4', '5']);
    expect(
      rows('skipped.csv')
        .slice(1)
        .map((r) => [r[1], r[3], r[4]])
    ).toEqual([
      ['2', 'duplicateInFile', '2'],
      ['3', 'duplicateInFile', '3'],
      ['7', 'beforeCutoff', '7'],
      ['8', 'duplicateInFile', '8'],
      ['9', 'duplicateInFile', '9'],
    ]);
  });

  it('matches a quoted ID holding doubled quotes with its other copies, among many rows', async () => {
    const lines = [`${ID},${TS}`];
    for (let i = 0; i < 100; i++) lines.push(`id-${i % 40},2025-12-${String(1 + (i % 28)).padStart(2, '0')}`);
    lines.push('"q""1",2025-12-02', 'id-3,2025-12-30', '"q""1",2025-12-03', '"q""1",2025-12-01');
    const { summary, rows } = await plan(lines.join('\n'), `${ID},${TS}\n"q""1",2025-12-02\n`);
    expect(counts(summary)).toEqual([104, 41, 0, 0, 63, 0]);
    expect(rows('to-upsert-001.csv').filter((r) => r[0] === 'q"1')).toEqual([['q"1', '2025-12-03']]);
    expect(rows('to-upsert-001.csv').filter((r) => r[0] === 'id-3')).toEqual([['id-3', '2025-12-30']]);
  });

  it('lets the duplicate winner still be compared with Salesforce', async () => {
    const { summary } = await plan(`${ID},${TS}\nA,2025-12-01\nA,2025-12-02\n`, `${ID},${TS}\nA,2025-12-05\n`);
    expect(counts(summary)).toEqual([2, 0, 1, 0, 1, 0]);
  });

  it('rejects rows with a missing External ID, a bad timestamp or the wrong number of columns, with row numbers', async () => {
    const { summary, rows } = await plan(
      [
        `${ID},name,${TS}`,
        ',no id,2025-12-01',
        '   ,blank id,2025-12-01',
        'A,no ts,',
        'B,bad ts,2025-02-30',
        'C,short',
        'D,long,2025-12-01,extra',
        'E,"a ""quoted"" , name",2025-12-01',
        'F,stray"quote,2025-12-01',
      ].join('\n')
    );
    expect(counts(summary)).toEqual([8, 1, 0, 0, 0, 7]);
    const rejected = rows('rejected.csv');
    expect(rejected[0]).toEqual([ID, 'name', TS, 'reason', 'row']);
    expect(rejected.slice(1).map((r) => [r[0], r[4]])).toEqual([
      ['', '1'],
      ['   ', '2'],
      ['A', '3'],
      ['B', '4'],
      ['C', '5'],
      ['D', '6'],
      ['F', '8'],
    ]);
    expect(rejected[1][3]).toMatch(/missing External ID/);
    expect(rejected[3][3]).toMatch(/missing timestamp/);
    expect(rejected[4][3]).toMatch(/unparseable timestamp "2025-02-30"/);
    expect(rejected[5]).toEqual(['C', 'short', '', 'wrong number of columns: 2, the header has 3', '5']);
    // The surplus field of a long row follows reason and row, so the columns still line up.
    expect(rejected[6]).toEqual([
      'D',
      'long',
      '2025-12-01',
      'wrong number of columns: 4, the header has 3',
      '6',
      'extra',
    ]);
    expect(rejected[7]).toEqual(['F', 'stray"quote', '2025-12-01', expect.stringMatching(/malformed quoting/), '8']);
  });

  it('holds the invariant and exact counts on a mixed file', async () => {
    const lines = [`${ID},${TS}`];
    for (let i = 0; i < 1000; i++) {
      const id = `id-${i % 700}`;
      const ts = i % 97 === 0 ? 'bad' : i % 5 === 0 ? '2025-11-01' : `2025-12-${String(1 + (i % 28)).padStart(2, '0')}`;
      lines.push(`${i % 151 === 0 ? '' : id},${ts}`);
    }
    const existing = [`${ID},${TS}`, ...Array.from({ length: 300 }, (_, i) => `id-${i * 2},2025-12-15`)];
    const { summary } = await plan(lines.join('\n'), existing.join('\n'));
    // Computed independently below with plain arrays.
    const valid = lines.slice(1).flatMap((line, k) => {
      const [id, ts] = line.split(',');
      const t = parseTimestamp(ts);
      return id === '' || Number.isNaN(t) ? [] : [{ id, t, row: k + 1 }];
    });
    const winner = new Map<string, { t: number; row: number }>();
    for (const v of valid) {
      const w = winner.get(v.id);
      if (!w || v.t >= w.t) winner.set(v.id, v);
    }
    const sf = new Map(existing.slice(1).map((l) => [l.split(',')[0], parseTimestamp(l.split(',')[1])]));
    const expected = { toUpsert: 0, existingUpToDate: 0, beforeCutoff: 0, duplicateInFile: 0 };
    for (const v of valid) {
      if (winner.get(v.id)?.row !== v.row) expected.duplicateInFile++;
      else if (v.t < SINCE) expected.beforeCutoff++;
      else if (sf.has(v.id) && !(v.t > (sf.get(v.id) ?? NaN))) expected.existingUpToDate++;
      else expected.toUpsert++;
    }
    expect(summary.input).toBe(1000);
    expect(summary.rejected).toBe(1000 - valid.length);
    expect({ toUpsert: summary.toUpsert, ...summary.skipped }).toEqual(expected);
  });
});

describe('backfill planner: files', () => {
  it('copies upsert rows byte for byte (BOM, CRLF, quoted line breaks) and neutralises formulas only in files for people', async () => {
    const header = `${ID},note,${TS}`;
    const rows = ['N1,"=HYPERLINK(""x"")",2025-12-01', 'N2,"two\r\nlines, quoted",2025-12-01', 'N3,+1 555,2025-12-01'];
    const { text, rows: parsed } = await plan(
      `\uFEFF${header}\r\n${rows.join('\r\n')}\r\nO1,-5,2025-01-01\r\nR1,@SUM(A1),bad\r\n`,
      undefined
    );
    expect(text('to-upsert-001.csv')).toBe(`\uFEFF${header}\r\n${rows.join('\r\n')}\r\n`);
    expect(parsed('skipped.csv')[1]).toEqual(['O1', "'-5", '2025-01-01', 'beforeCutoff', '4']);
    expect(parsed('rejected.csv')[1].slice(0, 2)).toEqual(['R1', "'@SUM(A1)"]);
  });

  it('neutralises tab and quoted formula cells too', async () => {
    const { rows } = await plan(`${ID},a,b,${TS}\nX,"\tcmd","=1+1",nope\n`);
    expect(rows('rejected.csv')[1].slice(0, 3)).toEqual(['X', "'\tcmd", "'=1+1"]);
  });

  it('writes every file with mode 0600', async () => {
    const { out } = await plan(`${ID},${TS}\nA,2025-12-01\nB,2025-01-01\nC,x\n`);
    const names = readdirSync(out).sort();
    expect(names).toEqual(['rejected.csv', 'skipped.csv', 'summary.json', 'to-upsert-001.csv']);
    for (const name of names) expect(statSync(join(out, name)).mode & 0o777).toBe(0o600);
    expect(statSync(out).mode & 0o077).toBe(0);
  });

  it('splits 120,000 upsert rows into exactly three files of at most 50,000 rows', async () => {
    const lines = [`${ID},${TS}`];
    for (let i = 0; i < 120_000; i++) lines.push(`id-${i},2025-12-01T00:00:00Z`);
    const { summary, text } = await plan(`${lines.join('\n')}\n`);
    expect(summary.files).toEqual(['to-upsert-001.csv', 'to-upsert-002.csv', 'to-upsert-003.csv']);
    const sizes = summary.files.map(
      (f) =>
        text(f)
          .split('\n')
          .filter((l) => l !== '').length - 1
    );
    expect(sizes).toEqual([50_000, 50_000, 20_000]);
    expect(text('to-upsert-003.csv').split('\n')[1]).toBe('id-100000,2025-12-01T00:00:00Z');
  });

  it('writes no upsert file when nothing needs upserting, and handles a header-only export', async () => {
    const { summary, out } = await plan(`${ID},${TS}\n`);
    expect(counts(summary)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(summary.files).toEqual([]);
    expect(readdirSync(out).sort()).toEqual(['rejected.csv', 'skipped.csv', 'summary.json']);
  });

  it('replaces an earlier plan in the same folder, and refuses a folder with other files', async () => {
    const first = await plan(
      `${ID},${TS}\n${Array.from({ length: 5 }, (_, i) => `a${i},2025-12-01`).join('\n')}`,
      undefined,
      {
        rowsPerFile: 2,
      }
    );
    expect(first.summary.files).toHaveLength(3);
    const second = await plan(`${ID},${TS}\nb,2025-12-01\n`, undefined, { out: first.out });
    expect(second.summary.files).toEqual(['to-upsert-001.csv']);
    expect(readdirSync(first.out).sort()).toEqual(['rejected.csv', 'skipped.csv', 'summary.json', 'to-upsert-001.csv']);
    writeFileSync(join(first.out, 'notes.txt'), 'mine');
    await expect(plan(`${ID},${TS}\nb,2025-12-01\n`, undefined, { out: first.out })).rejects.toThrow(/notes\.txt/);
  });
});

describe('backfill planner: bad input (exit 2, nothing written)', () => {
  it('names a missing External ID or timestamp column', async () => {
    const { error } = await planError(`id,${TS}\nA,2025-12-01\n`);
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain(`no column named "${ID}"`);
    const second = await planError(`${ID},when\nA,2025-12-01\n`);
    expect(second.error.message).toContain(`"${TS}"`);
    const existing = await planError(`${ID},${TS}\nA,2025-12-01\n`, 'Id,Name\n');
    expect(existing.error.message).toContain('existing.csv');
  });

  it('gives the byte offset of the first byte that is not UTF-8', async () => {
    const data = Buffer.concat([Buffer.from(`${ID},${TS}\nA,2025-12-01\nB,`), Buffer.from([0xff]), Buffer.from('\n')]);
    const { error } = await planError(data);
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(`byte offset ${Buffer.byteLength(`${ID},${TS}\nA,2025-12-01\nB,`)}`);
  });

  it('refuses an empty export file and a missing one', async () => {
    expect((await planError('')).error.message).toContain('no header row');
    const dir = mkdtempSync(join(tmpdir(), 'ce-plan-missing-'));
    mkdirSync(join(dir, 'x'));
    await expect(
      planBackfill({
        exportPath: join(dir, 'nope.csv'),
        outDir: join(dir, 'out'),
        since: SINCE,
        externalIdColumn: ID,
        timestampColumn: TS,
        rowsPerFile: 1,
        loadExisting: existingFromFile(join(dir, 'nope.csv'), ID, TS),
      })
    ).rejects.toThrow(/does not exist/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});

describe('backfill planner: existing records read in a worker thread', () => {
  const mixed = (): { exportData: string; existingData: string } => {
    const lines = [`${ID},note,${TS}`];
    for (let i = 0; i < 2000; i++) {
      const ts = i % 89 === 0 ? 'bad' : i % 7 === 0 ? '2025-11-01' : `2025-12-${String(1 + (i % 28)).padStart(2, '0')}`;
      lines.push(`${i % 173 === 0 ? '' : `id-${i % 1500}`},${i % 11 === 0 ? '"=a, ""b"""' : 'n'},${ts}`);
    }
    const existing = [`${ID},Id,${TS}`, '"id-""q""",x,2025-12-09', ' ,x,2025-12-01', 'short'];
    for (let i = 0; i < 3000; i += 3) existing.push(`id-${i},a0${i},${i % 2 === 0 ? '2025-12-14T00:00:00.000Z' : ''}`);
    return { exportData: lines.join('\r\n'), existingData: existing.join('\n') };
  };

  it('gives the same plan, files and counts as reading the file in the planning thread', async () => {
    const { exportData, existingData } = mixed();
    const here = await plan(exportData, existingData, { rowsPerFile: 300 });
    const there = await plan(exportData, existingData, { rowsPerFile: 300, worker: true });
    expect(there.summary).toEqual(here.summary);
    expect(here.summary.skipped.existingUpToDate).toBeGreaterThan(0);
    const names = readdirSync(here.out).sort();
    expect(readdirSync(there.out).sort()).toEqual(names);
    for (const name of names) expect(there.text(name)).toBe(here.text(name));
  });

  it('reports a bad existing file with the same error as the planning thread', async () => {
    const exportData = `${ID},${TS}\nA,2025-12-01\n`;
    const here = await planError(exportData, 'Id,Name\nx,y\n');
    const there = await planError(exportData, 'Id,Name\nx,y\n', true);
    expect(there.error.name).toBe(here.error.name);
    expect(there.error.message.replace(there.dir, '')).toBe(here.error.message.replace(here.dir, ''));
    const empty = await planError(exportData, '', true);
    expect(empty.error.message).toContain('existing.csv');
    const quote = await planError(exportData, `${ID},${TS}\n"A,2025-12-01\n`, true);
    expect(quote.error.exitCode).toBe(2);
    expect(quote.error.message).toContain('line 2');
  });
});

describe('backfill planner: second pass', () => {
  it('copies rows read across its 8 MB read blocks, quoted line breaks and formula cells included', async () => {
    const header = `${ID},note,cell,${TS}`;
    const rows: string[] = [];
    let size = 0;
    for (let i = 0; size < 9_500_000; i++) {
      const ts = i % 10 === 3 ? '2025-11-01T00:00:00Z' : '2025-12-01T00:00:00.000Z';
      const note = i % 5 === 0 ? `"said ""${i}"",\r\nthen left"` : `plain note ${i}`;
      const row = `id-${i},${note},${i % 7 === 0 ? '=cmd' : 'x'},${ts}`;
      rows.push(row);
      size += row.length + 2;
    }
    const { summary, text } = await plan(`${header}\r\n${rows.join('\r\n')}\r\n`);
    const kept = rows.filter((_, i) => i % 10 !== 3);
    expect(summary.toUpsert).toBe(kept.length);
    expect(summary.skipped.beforeCutoff).toBe(rows.length - kept.length);
    const upserted = summary.files.map((f) => text(f).slice(header.length + 2)).join('');
    expect(upserted).toBe(`${kept.join('\r\n')}\r\n`);
    const skipped = rows
      .map((row, i) => ({ row, i }))
      .filter(({ i }) => i % 10 === 3)
      .map(({ row, i }) => `${row.replace(',=cmd,', ",'=cmd,")},beforeCutoff,${i + 1}\r\n`);
    expect(text('skipped.csv')).toBe(`${header},reason,row\r\n${skipped.join('')}`);
  });
});

describe('backfill planner: invariant and index', () => {
  it('throws an internal error when the outcomes do not add up', () => {
    expect(() =>
      assertAccounted({
        input: 3,
        toUpsert: 1,
        skipped: { existingUpToDate: 0, beforeCutoff: 1, duplicateInFile: 0 },
        rejected: 0,
      })
    ).toThrow(OperationError);
    expect(() =>
      assertAccounted({
        input: 2,
        toUpsert: 1,
        skipped: { existingUpToDate: 0, beforeCutoff: 1, duplicateInFile: 0 },
        rejected: 0,
      })
    ).not.toThrow();
  });

  it('IdIndex finds every key after growing, and keeps the later existing timestamp', () => {
    const index = new IdIndex(4);
    const key = (i: number): Buffer => Buffer.from(`key-${i}`);
    for (let i = 0; i < 5000; i++) index.addExisting(key(i), 0, key(i).length, i);
    index.addExisting(key(7), 0, key(7).length, 1);
    index.addExisting(key(8), 0, key(8).length, 9000);
    expect(index.size).toBe(5000);
    for (const i of [0, 7, 8, 4999]) {
      const entry = index.find(key(i), 0, key(i).length);
      expect(index.key(entry)).toBe(`key-${i}`);
    }
    expect(index.existingTs[index.find(key(7), 0, 5)]).toBe(7);
    expect(index.existingTs[index.find(key(8), 0, 5)]).toBe(9000);
    expect(index.find(Buffer.from('key-5000'), 0, 8)).toBe(-1);
  });

  it('IdIndex.recordExisting keeps only IDs the export has, with the later timestamp', () => {
    const index = new IdIndex(4);
    const key = (text: string): Buffer => Buffer.from(text);
    index.intern(key('in-export'), 0, 9);
    expect(index.recordExisting(key('not-in-export'), 0, 13, 5)).toBe(-1);
    expect(index.size).toBe(1);
    const entry = index.recordExisting(key('in-export'), 0, 9, 10);
    expect(entry).toBe(0);
    index.recordExisting(key('in-export'), 0, 9, 4);
    index.recordExisting(key('in-export'), 0, 9, NaN);
    expect(index.inOrg[entry]).toBe(1);
    expect(index.existingTs[entry]).toBe(10);
  });
});
