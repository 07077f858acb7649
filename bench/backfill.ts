import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { BackfillSummary } from '../src/core/backfill-planner.js';
import { COLUMNS, generate } from './backfill-data.js';

/**
 * `npm run bench:backfill`: plans a seeded 1,000,000-row CE export against 1,000,000 existing records with the real
 * planner (planBackfill, the function behind `ce-connect backfill plan --existing`, run in a child process so its
 * peak RSS is its own), then does the same classification in DuckDB as the baseline, and checks both agree.
 * With --cli it also times the whole CLI (`bin/run.js backfill plan --existing … --json`), start-up included.
 *
 * The generator only writes timestamps that both sides read the same way (ISO 8601 with Z or an offset, date-only,
 * `YYYY-MM-DD HH:MM:SS`), so equal counts mean equal rules, not luck.
 */
export type BenchOptions = {
  rows: number;
  existing: number;
  dir?: string;
  cli?: boolean;
  /** Also time DuckDB writing the outcome files. */
  withFiles?: boolean;
  log?: (line: string) => void;
};

export type Counts = Omit<BackfillSummary, 'files'>;

export type BenchResult = {
  rows: number;
  existing: number;
  exportMb: number;
  planner: { ms: number; cpuMs: number; maxRssMb: number; counts: Counts };
  cli?: { ms: number; counts: Counts };
  duckdb: { ms: number; cpuMs: number; counts: Counts };
  /** DuckDB doing the planner's whole job: classify and write the outcome files. */
  duckdbWithFiles?: { ms: number; cpuMs: number; counts: Counts };
  ratio: number;
  /** The whole CLI (start-up included) against DuckDB counting, when the CLI was timed. */
  cliRatio?: number;
};

const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const SINCE = '2025-11-20T00:00:00Z';

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; ms: number }> {
  return new Promise((resolvePromise, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code === 0) resolvePromise({ stdout, ms });
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${stderr}`));
    });
  });
}

const counts = (s: BackfillSummary): Counts => ({
  input: s.input,
  toUpsert: s.toUpsert,
  skipped: s.skipped,
  rejected: s.rejected,
});

/**
 * The planner's rules in SQL: reject, then keep the newest copy per ID (later row on ties), cutoff, compare.
 * With `outDir`, DuckDB also writes what the planner writes (the upsert rows in file order, the skipped rows with
 * reason and row, the rejected rows), so the two do the same work; without it, it only counts.
 */
export async function duckdbCounts(
  exportPath: string,
  existingPath: string,
  outDir?: string
): Promise<{ ms: number; cpuMs: number; counts: Counts }> {
  const started = process.hrtime.bigint();
  // DuckDB's threads run inside this process, so the process's CPU time is DuckDB's.
  const cpu = process.cpuUsage();
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  await connection.run("SET TimeZone = 'UTC'");
  const since = `TIMESTAMPTZ '${SINCE.replace('T', ' ').replace('Z', '+00')}'`;
  const read = `read_csv('${exportPath}', header = true, all_varchar = true, null_padding = true, delim = ',', quote = '"', escape = '"')`;
  const exportRows = outDir
    ? `SELECT row_number() OVER () AS rn, * FROM ${read}`
    : `SELECT row_number() OVER () AS rn, "${COLUMNS.id}", "${COLUMNS.ts}" FROM ${read}`;
  await connection.run(`CREATE TEMP TABLE ex AS ${exportRows}`);
  await connection.run(`
    CREATE TEMP TABLE decided AS
    WITH ok AS (
      SELECT rn, "${COLUMNS.id}" AS id, TRY_CAST("${COLUMNS.ts}" AS TIMESTAMPTZ) AS ts FROM ex
      WHERE "${COLUMNS.id}" IS NOT NULL AND trim("${COLUMNS.id}") <> '' AND TRY_CAST("${COLUMNS.ts}" AS TIMESTAMPTZ) IS NOT NULL
    ),
    ranked AS (SELECT *, row_number() OVER (PARTITION BY id ORDER BY ts DESC, rn DESC) AS k FROM ok),
    sf AS (
      SELECT "${COLUMNS.id}" AS id, max(TRY_CAST("${COLUMNS.ts}" AS TIMESTAMPTZ)) AS ts
      FROM read_csv('${existingPath}', header = true, all_varchar = true) GROUP BY 1
    )
    SELECT rn, CASE
      WHEN k > 1 THEN 'duplicateInFile'
      WHEN r.ts < ${since} THEN 'beforeCutoff'
      WHEN sf.id IS NOT NULL AND (sf.ts IS NULL OR sf.ts >= r.ts) THEN 'existingUpToDate'
      ELSE 'toUpsert' END AS outcome
    FROM ranked r LEFT JOIN sf USING (id)`);
  if (outDir) {
    const copy = (select: string, file: string): Promise<unknown> =>
      connection.run(`COPY (${select}) TO '${join(outDir, file)}' (HEADER, DELIMITER ',')`);
    await copy(
      `SELECT ex.* EXCLUDE (rn) FROM ex JOIN decided USING (rn) WHERE outcome = 'toUpsert' ORDER BY rn`,
      'duckdb-upsert.csv'
    );
    await copy(
      `SELECT ex.* EXCLUDE (rn), outcome AS reason, rn AS row FROM ex JOIN decided USING (rn) WHERE outcome <> 'toUpsert' ORDER BY rn`,
      'duckdb-skipped.csv'
    );
    await copy(
      `SELECT ex.* EXCLUDE (rn), 'rejected' AS reason, rn AS row FROM ex ANTI JOIN decided USING (rn) ORDER BY rn`,
      'duckdb-rejected.csv'
    );
  }
  const sql = `
    SELECT (SELECT count(*) FROM ex) AS input,
      count(*) FILTER (WHERE outcome = 'toUpsert') AS "toUpsert",
      count(*) FILTER (WHERE outcome = 'existingUpToDate') AS "existingUpToDate",
      count(*) FILTER (WHERE outcome = 'beforeCutoff') AS "beforeCutoff",
      count(*) FILTER (WHERE outcome = 'duplicateInFile') AS "duplicateInFile"
    FROM decided`;
  const row = (await connection.runAndReadAll(sql)).getRowObjects()[0];
  const n = (key: string): number => Number(row[key]);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const used = process.cpuUsage(cpu);
  connection.closeSync();
  const input = n('input');
  const kept = n('toUpsert') + n('existingUpToDate') + n('beforeCutoff') + n('duplicateInFile');
  return {
    ms,
    cpuMs: (used.user + used.system) / 1000,
    counts: {
      input,
      toUpsert: n('toUpsert'),
      skipped: {
        existingUpToDate: n('existingUpToDate'),
        beforeCutoff: n('beforeCutoff'),
        duplicateInFile: n('duplicateInFile'),
      },
      rejected: input - kept,
    },
  };
}

export async function runBackfillBench(options: BenchOptions): Promise<BenchResult> {
  const log = options.log ?? ((): void => undefined);
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'ce-bench-backfill-'));
  const exportPath = join(dir, 'export.csv');
  const existingPath = join(dir, 'existing.csv');
  let started = Date.now();
  generate(exportPath, existingPath, { exportRows: options.rows, existingRows: options.existing });
  const exportMb = statSync(exportPath).size / 1e6;
  log(
    `generated ${options.rows.toLocaleString('en-US')} export rows (${exportMb.toFixed(1)} MB) and ${options.existing.toLocaleString('en-US')} existing records in ${Date.now() - started} ms`
  );

  const worker = await run(process.execPath, [
    '--import',
    'tsx',
    join(ROOT, 'bench', 'backfill-worker.ts'),
    exportPath,
    existingPath,
    join(dir, 'plan'),
    String(Date.parse(SINCE)),
  ]);
  const planned = JSON.parse(worker.stdout.trim().split('\n').pop() ?? '{}') as {
    ms: number;
    cpuMs: number;
    maxRssMb: number;
    summary: BackfillSummary;
  };
  const planner = {
    ms: planned.ms,
    cpuMs: planned.cpuMs,
    maxRssMb: planned.maxRssMb,
    counts: counts(planned.summary),
  };

  let cli: BenchResult['cli'];
  if (options.cli) {
    const home = mkdtempSync(join(tmpdir(), 'ce-bench-home-'));
    started = Date.now();
    const out = await run(
      process.execPath,
      [
        join(ROOT, 'bin', 'run.js'),
        'backfill',
        'plan',
        '--export',
        exportPath,
        '--existing',
        existingPath,
        '--out-dir',
        join(dir, 'plan-cli'),
        '--since',
        SINCE,
        '--external-id-column',
        COLUMNS.id,
        '--timestamp-column',
        COLUMNS.ts,
        '--json',
      ],
      {
        HOME: home,
        SF_DISABLE_TELEMETRY: 'true',
        SF_DISABLE_AUTOUPDATE: 'true',
        SF_SKIP_NEW_VERSION_CHECK: 'true',
        SF_DISABLE_LOG_FILE: 'true',
      }
    );
    const envelope = JSON.parse(out.stdout) as { result: { summary: BackfillSummary } };
    cli = { ms: out.ms, counts: counts(envelope.result.summary) };
    rmSync(home, { recursive: true, force: true });
  }

  const duckdb = await duckdbCounts(exportPath, existingPath);
  let duckdbWithFiles: BenchResult['duckdbWithFiles'];
  if (options.withFiles) {
    const out = join(dir, 'duckdb');
    mkdirSync(out, { recursive: true });
    duckdbWithFiles = await duckdbCounts(exportPath, existingPath, out);
  }
  if (!options.dir) rmSync(dir, { recursive: true, force: true });
  return {
    rows: options.rows,
    existing: options.existing,
    exportMb,
    planner,
    cli,
    duckdb,
    duckdbWithFiles,
    ratio: planner.ms / duckdb.ms,
    cliRatio: cli ? cli.ms / duckdb.ms : undefined,
  };
}

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

async function main(): Promise<void> {
  const rows = flag('--rows', 1_000_000);
  const result = await runBackfillBench({
    rows,
    existing: flag('--existing', rows),
    cli: process.argv.includes('--cli'),
    withFiles: true,
    log: (line) => console.log(line),
  });
  const { planner, duckdb, duckdbWithFiles, cli } = result;
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  console.log('');
  console.log(
    `planner (planBackfill in a child process): ${fmt(planner.ms)} ms wall, ${fmt(planner.cpuMs)} ms CPU, ${fmt((result.rows / planner.ms) * 1000)} rows/s, peak RSS ${planner.maxRssMb.toFixed(0)} MB`
  );
  if (cli) console.log(`ce-connect backfill plan --existing (whole CLI, start-up included): ${fmt(cli.ms)} ms wall`);
  console.log(
    `DuckDB baseline (same classification, counts only): ${fmt(duckdb.ms)} ms wall, ${fmt(duckdb.cpuMs)} ms CPU (all its threads), ${fmt((result.rows / duckdb.ms) * 1000)} rows/s`
  );
  if (duckdbWithFiles) {
    console.log(
      `DuckDB doing the whole job (classify + write upsert, skipped and rejected files): ${fmt(duckdbWithFiles.ms)} ms wall, ${fmt(duckdbWithFiles.cpuMs)} ms CPU; ratio planner / that: ${(planner.ms / duckdbWithFiles.ms).toFixed(2)}`
    );
  }
  console.log(
    `ratio planner / DuckDB counts only (wall): ${result.ratio.toFixed(2)} (target ≤ 2.00); peak RSS target < 512 MB`
  );
  if (result.cliRatio !== undefined) {
    console.log(`ratio whole CLI / DuckDB counts only (wall): ${result.cliRatio.toFixed(2)} (target ≤ 2.00)`);
  }
  console.log(`counts: ${JSON.stringify(planner.counts)}`);
  // Wall times mean little on a busy machine: say so next to the numbers.
  const [load] = loadavg();
  if (load > cpus().length) {
    console.log(
      `note: load average ${load.toFixed(1)} on ${cpus().length} CPUs while measuring; the wall times are noisy.`
    );
  }
  const same = (a: Counts, b: Counts): boolean => JSON.stringify(a) === JSON.stringify(b);
  if (
    !same(planner.counts, duckdb.counts) ||
    (duckdbWithFiles && !same(duckdbWithFiles.counts, planner.counts)) ||
    (cli && !same(cli.counts, planner.counts))
  ) {
    console.error(
      `COUNTS DIFFER:\n planner ${JSON.stringify(planner.counts)}\n duckdb  ${JSON.stringify(duckdb.counts)}${cli ? `\n cli     ${JSON.stringify(cli.counts)}` : ''}`
    );
    process.exit(1);
  }
  console.log('planner and DuckDB agree on every count.');
  const met = result.ratio <= 2 && (result.cliRatio ?? 0) <= 2 && planner.maxRssMb < 512;
  console.log(
    met
      ? 'targets met.'
      : 'TARGET MISSED: the planner (and with --cli the whole CLI) should be within 2× of DuckDB counting, and the planner under 512 MB peak RSS.'
  );
}

// Run as a script (npm run …), not when a test imports it.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
