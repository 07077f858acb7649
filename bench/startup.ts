import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../simulator/server.js';
import { sfEnv, sfLogin } from '../test/helpers/simulator.js';
import { CE_CONNECT, ROOT, SF } from './setup-side.js';

/**
 * `npm run bench:startup [-- --runs N]`: how long an admin waits for ce-connect against the sf CLI it extends,
 * as whole processes, start-up included. Two pairs, each run alternately (A B A B …) after one warm-up of each,
 * so a drift in the machine's speed hits both sides alike:
 *   - `ce-connect --version` against `sf --version`;
 *   - `ce-connect packages check -o sim --json` against `sf package installed list -o sim --json`, both against
 *     the same simulated org (the `ready` scenario), logged in once through the real sf CLI in a throw-away HOME.
 * Prints the medians and the ratios A/B (median of the per-pair ratios) and writes bench/results/startup.json.
 */
type Pair = { name: string; a: string[]; b: string[] };
type PairResult = {
  name: string;
  a: string;
  b: string;
  runs: number;
  medianMsA: number;
  medianMsB: number;
  ratio: number;
  exitCodes: { a: number[]; b: number[] };
};

const median = (values: number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

// Asynchronous on purpose: the simulated org answers from this process, so it must keep serving while a child runs.
function timeOnce(args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; exitCode: number }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, exitCode: code ?? -1 }));
  });
}

async function timePair(pair: Pair, runs: number, env: NodeJS.ProcessEnv): Promise<PairResult> {
  await timeOnce(pair.a, env);
  await timeOnce(pair.b, env);
  const a: Array<{ ms: number; exitCode: number }> = [];
  const b: Array<{ ms: number; exitCode: number }> = [];
  for (let i = 0; i < runs; i++) {
    a.push(await timeOnce(pair.a, env));
    b.push(await timeOnce(pair.b, env));
  }
  const show = (args: string[]): string => args.map((x) => x.replace(`${ROOT}/`, '')).join(' ');
  return {
    name: pair.name,
    a: show(pair.a),
    b: show(pair.b),
    runs,
    medianMsA: Math.round(median(a.map((r) => r.ms))),
    medianMsB: Math.round(median(b.map((r) => r.ms))),
    ratio: Number(median(a.map((r, i) => r.ms / b[i].ms)).toFixed(2)),
    exitCodes: { a: a.map((r) => r.exitCode), b: b.map((r) => r.exitCode) },
  };
}

async function main(): Promise<void> {
  const runsFlag = process.argv.indexOf('--runs');
  const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 7;
  const sim = await startSimulator({ scenario: 'ready' });
  const home = mkdtempSync(join(tmpdir(), 'ce-bench-startup-'));
  const env = { ...process.env, ...sfEnv(home), FORCE_COLOR: '0', NODE_NO_WARNINGS: '1' };
  try {
    await sfLogin(sim.instanceUrl, sim.accessToken, 'sim', env);
    const pairs: Pair[] = [
      { name: '--version', a: [CE_CONNECT, '--version'], b: [SF, '--version'] },
      {
        name: 'installed packages',
        a: [CE_CONNECT, 'packages', 'check', '-o', 'sim', '--json'],
        b: [SF, 'package', 'installed', 'list', '-o', 'sim', '--json'],
      },
    ];
    const results: PairResult[] = [];
    for (const pair of pairs) results.push(await timePair(pair, runs, env));
    for (const r of results) {
      console.log(`${r.name}: ${r.a} ${r.medianMsA} ms, ${r.b} ${r.medianMsB} ms; ratio ${r.ratio}× (${r.runs} pairs)`);
      const failed = [...r.exitCodes.a, ...r.exitCodes.b].filter((code) => code !== 0);
      if (failed.length > 0) console.log(`  warning: exit codes ${JSON.stringify(r.exitCodes)}`);
    }
    const out = join(ROOT, 'bench', 'results');
    mkdirSync(out, { recursive: true });
    const report = { date: new Date().toISOString(), node: process.version, results };
    writeFileSync(join(out, 'startup.json'), `${JSON.stringify(report, null, 2)}\n`);
    console.log(`Written: bench/results/startup.json`);
  } finally {
    await sim.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
