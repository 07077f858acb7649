import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
 * With --runs N it times N rounds of each side in turn and quotes medians (one round on a noisy machine says little),
 * and writes bench/results/backfill.json.
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
  /** Rounds of (planner, CLI, DuckDB) timed one after the other; default 1. */
  runs?: number;
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
  /** How many rounds were timed; the times above are each side's median round, the ratios medians of the rounds'. */
  rounds: number;
  ratios: { planner: number[]; cli?: number[] };
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
  const rounds = Math.max(1, options.runs ?? 1);
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'ce-bench-backfill-'));
  const exportPath = join(dir, 'export.csv');
  const existingPath = join(dir, 'existing.csv');
  const started = Date.now();
  generate(exportPath, existingPath, { exportRows: options.rows, existingRows: options.existing });
  const exportMb = statSync(exportPath).size / 1e6;
  log(
    `generated ${options.rows.toLocaleString('en-US')} export rows (${exportMb.toFixed(1)} MB) and ${options.existing.toLocaleString('en-US')} existing records in ${Date.now() - started} ms`
  );

  // Each round times the three side by side, so a drift in the machine's speed hits every side of a ratio alike;
  // the ratios quoted are the medians of the per-round ratios.
  const planners: BenchResult['planner'][] = [];
  const clis: NonNullable<BenchResult['cli']>[] = [];
  const duckdbs: BenchResult['duckdb'][] = [];
  for (let round = 0; round < rounds; round++) {
    const planDir = join(dir, 'plan');
    rmSync(planDir, { recursive: true, force: true });
    const worker = await run(process.execPath, [
      '--import',
      'tsx',
      join(ROOT, 'bench', 'backfill-worker.ts'),
      exportPath,
      existingPath,
      planDir,
      String(Date.parse(SINCE)),
    ]);
    const planned = JSON.parse(worker.stdout.trim().split('\n').pop() ?? '{}') as {
      ms: number;
      cpuMs: number;
      maxRssMb: number;
      summary: BackfillSummary;
    };
    planners.push({
      ms: planned.ms,
      cpuMs: planned.cpuMs,
      maxRssMb: planned.maxRssMb,
      counts: counts(planned.summary),
    });
    if (options.cli) clis.push(await timeCli(exportPath, existingPath, join(dir, 'plan-cli')));
    duckdbs.push(await duckdbCounts(exportPath, existingPath));
    if (rounds > 1) {
      const last = clis.at(-1);
      log(
        `round ${round + 1}/${rounds}: planner ${Math.round(planned.ms)} ms${last ? `, whole CLI ${Math.round(last.ms)} ms` : ''}, DuckDB ${Math.round(duckdbs[round].ms)} ms`
      );
    }
  }

  let duckdbWithFiles: BenchResult['duckdbWithFiles'];
  if (options.withFiles) {
    const out = join(dir, 'duckdb');
    mkdirSync(out, { recursive: true });
    duckdbWithFiles = await duckdbCounts(exportPath, existingPath, out);
  }
  if (!options.dir) rmSync(dir, { recursive: true, force: true });
  const byMs = <T extends { ms: number }>(sides: T[]): T => {
    const sorted = [...sides].sort((a, b) => a.ms - b.ms);
    return sorted[Math.floor((sorted.length - 1) / 2)];
  };
  const ratios = (sides: Array<{ ms: number }>): number[] => sides.map((side, i) => side.ms / duckdbs[i].ms);
  return {
    rows: options.rows,
    existing: options.existing,
    exportMb,
    rounds,
    planner: { ...byMs(planners), maxRssMb: Math.max(...planners.map((p) => p.maxRssMb)) },
    cli: clis.length > 0 ? byMs(clis) : undefined,
    duckdb: byMs(duckdbs),
    duckdbWithFiles,
    ratio: median(ratios(planners)),
    cliRatio: clis.length > 0 ? median(ratios(clis)) : undefined,
    ratios: { planner: ratios(planners), cli: clis.length > 0 ? ratios(clis) : undefined },
  };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** The whole CLI as an admin runs it, start-up included, in a throw-away HOME. */
async function timeCli(
  exportPath: string,
  existingPath: string,
  outDir: string
): Promise<NonNullable<BenchResult['cli']>> {
  const home = mkdtempSync(join(tmpdir(), 'ce-bench-home-'));
  rmSync(outDir, { recursive: true, force: true });
  try {
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
        outDir,
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
    return { ms: out.ms, counts: counts(envelope.result.summary) };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
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
    runs: flag('--runs', 1),
    log: (line) => console.log(line),
  });
  const { planner, duckdb, duckdbWithFiles, cli } = result;
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  console.log('');
  if (result.rounds > 1) console.log(`medians of ${result.rounds} rounds (planner, CLI and DuckDB timed in turn):`);
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
  const out = join(ROOT, 'bench', 'results');
  mkdirSync(out, { recursive: true });
  const report = { date: new Date().toISOString(), node: process.version, loadAverage: load, ...result };
  writeFileSync(join(out, 'backfill.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log('Written: bench/results/backfill.json');
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
