import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBackfillBench } from '../../bench/backfill.js';

jest.setTimeout(60_000);

// The benchmark's own code at a tiny size: the generator, the planner in a child process and the DuckDB baseline
// must agree on every count (`npm run bench:backfill` runs the same code with a million rows).
describe('bench/backfill.ts (smoke run)', () => {
  it('generates a realistic export and gets the same counts from the planner and DuckDB', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ce-bench-smoke-'));
    const result = await runBackfillBench({ rows: 3000, existing: 2000, dir, withFiles: true });
    expect(result.planner.counts).toEqual(result.duckdb.counts);
    expect(result.duckdbWithFiles?.counts).toEqual(result.planner.counts);
    const { counts } = result.planner;
    expect(counts.input).toBe(3000);
    // Every outcome occurs, so the comparison covers every rule.
    expect(counts.toUpsert).toBeGreaterThan(0);
    expect(Object.values(counts.skipped).every((n) => n > 0)).toBe(true);
    expect(counts.rejected).toBeGreaterThan(0);
    expect(result.planner.maxRssMb).toBeGreaterThan(0);
    expect(readFileSync(join(dir, 'existing.csv'), 'utf8').split('\n')).toHaveLength(2002);
  });
});
