import { pathToFileURL } from 'node:url';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type CeConfig, parseConfig } from '../src/core/config.js';
import { runManualSide } from './setup-manual.js';
import {
  type CommandRun,
  type NotComparable,
  type SetupBenchResult,
  type Side,
  apiMix,
  commandTable,
  ratios,
  summaryTable,
  totals,
} from './setup-report.js';
import { type BenchSide, CE_CONNECT, type Output, ROOT, openSide } from './setup-side.js';

/**
 * `npm run bench:setup`: the whole runbook on the simulated org, once as `ce-connect setup` (side A, then a
 * second setup that must write nothing) and once as the plain `sf` commands an admin would run by hand (side B),
 * each side on its own fresh simulator from the same scenario, each with its own `sf` login. Prints wall time,
 * API calls and write requests (from the simulator's request log, login handshake excluded) and the ratios B/A,
 * and writes them to bench/results/setup.json. Wall times include each command's start-up, as an admin sees them.
 */
export type SetupBenchOptions = { scenario?: string; exportFile?: string; log?: (line: string) => void };

type SetupJson = { ok: boolean; writes: number; apiCalls: number; steps: Array<{ id: string; status: string }> };

const SCENARIO = 'outdated';
const EXPORT = join(ROOT, 'demo', 'ce-enrollments-export.csv');

function setupResult(output: Output, what: string): SetupJson {
  const envelope = output.json as { result?: SetupJson; message?: string } | undefined;
  if (output.exitCode !== 0 || !envelope?.result) {
    throw new Error(`${what} failed (exit ${output.exitCode}): ${envelope?.message ?? output.stderr.slice(0, 2000)}`);
  }
  return envelope.result;
}

/** The end state, judged by the checklist; its requests are not charged to the side. */
async function endState(side: BenchSide): Promise<Side['checklist']> {
  const output = await side.uncounted(CE_CONNECT, ['checklist']);
  type Report = { sections: Array<{ items: Array<{ id: string; status: string; evidence: string }> }> };
  const report = (output.json as { result?: Report } | undefined)?.result;
  if (!report) return undefined;
  const items = report.sections.flatMap((s) => s.items);
  const count = (status: string): number => items.filter((i) => i.status === status).length;
  return {
    pass: count('pass'),
    fail: count('fail'),
    warn: count('warn'),
    failing: items.filter((i) => i.status === 'fail').map((i) => ({ id: i.id, evidence: i.evidence })),
  };
}

function side(label: string, runs: CommandRun[], checklist?: Side['checklist']): Side {
  return { label, runs, ...totals(runs), checklist };
}

export async function runSetupBench(options: SetupBenchOptions = {}): Promise<SetupBenchResult> {
  const log = options.log ?? (() => undefined);
  const scenario = options.scenario ?? SCENARIO;
  const exportFile = options.exportFile ?? EXPORT;
  const configPath = join(ROOT, 'config', 'ce-connect.json');
  const config: CeConfig = parseConfig(readFileSync(configPath, 'utf8'), configPath);
  const display = `ce-connect setup --yes --poll-interval 1 --export ${relative(ROOT, exportFile)}`;

  log(`A: ce-connect setup on a fresh "${scenario}" org …`);
  const a = await openSide(scenario, config);
  let setupSide: SetupBenchResult['setup'];
  let rerunSide: SetupBenchResult['rerun'];
  try {
    const flags = (out: string): string[] => [
      'setup',
      '--yes',
      '--poll-interval',
      '1',
      '--export',
      exportFile,
      '--out-dir',
      join(a.dir, out),
      '--backup-dir',
      join(a.dir, 'backups'),
    ];
    const first = setupResult(await a.exec('setup', CE_CONNECT, flags('backfill'), display), 'setup');
    a.runs[0].note = first.steps.map((s) => `${s.id} ${s.status}`).join(', ');
    log('A: the same setup again …');
    const second = setupResult(await a.exec('setup again', CE_CONNECT, flags('backfill-again'), display), 'rerun');
    a.runs[1].note = `setup reports ${second.writes} write(s)`;
    const checklist = await endState(a);
    setupSide = {
      ...side('A  ce-connect setup', a.runs.slice(0, 1), checklist),
      reportedApiCalls: first.apiCalls,
      reportedWrites: first.writes,
    };
    rerunSide = { ...side('A again (rerun)', a.runs.slice(1, 2)), reportedWrites: second.writes };
  } finally {
    await a.stop();
  }

  log(`B: plain sf commands on a fresh "${scenario}" org …`);
  const b = await openSide(scenario, config);
  let sfSide: Side;
  let notes: NotComparable[];
  try {
    notes = await runManualSide(b, config, exportFile);
    sfSide = side('B  plain sf commands', b.runs, await endState(b));
  } finally {
    await b.stop();
  }

  const notComparable: NotComparable[] = [
    {
      step: 'integration-user',
      reason:
        'no plain sf command audits a user’s permissions; an admin checks the profile, permission sets and OAuth tokens in Setup (setup reads them).',
    },
    {
      step: 'connect-guide',
      reason: 'a manual step in Customer Education on both sides (setup only reads the org facts it prints).',
    },
    {
      step: 'layouts',
      reason: 'setup validates with a check-only deploy and keeps a backup before it deploys; side B deploys directly.',
    },
    ...notes,
  ];
  return {
    measuredAt: new Date().toISOString(),
    scenario,
    exportFile: relative(ROOT, exportFile),
    setup: setupSide,
    rerun: rerunSide,
    sf: sfSide,
    ratios: ratios(setupSide, sfSide),
    notComparable,
  };
}

function print(result: SetupBenchResult): void {
  const lines = [
    '',
    `bench:setup on the simulated org ("${result.scenario}" scenario, integration user fixed), export ${result.exportFile}`,
    '',
    ...summaryTable(result),
    '',
    `setup's own count: ${result.setup.reportedApiCalls} API calls, ${result.setup.reportedWrites} writes; the rerun reports ${result.rerun.reportedWrites} writes.`,
    '',
    'API calls by API:',
    ...[result.setup, result.sf, result.rerun].map((s) => `  ${s.label}: ${apiMix(s.byApi)}`),
    '',
    'A: ce-connect setup',
    ...commandTable({ ...result.setup, runs: [...result.setup.runs, ...result.rerun.runs] }),
    '',
    'B: plain sf commands',
    ...commandTable(result.sf),
    '',
    'End state (ce-connect checklist, not counted above):',
    ...[result.setup, result.sf].flatMap((s) => [
      `  ${s.label}: ${s.checklist ? `${s.checklist.pass} pass, ${s.checklist.warn} warn, ${s.checklist.fail} fail` : 'no report'}`,
      ...(s.checklist?.failing ?? []).map((f) => `      ✘ ${f.id}: ${f.evidence}`),
    ]),
    '',
    'Not comparable:',
    ...result.notComparable.map((n) => `  - ${n.step}: ${n.reason}`),
  ];
  console.log(lines.join('\n'));
}

async function main(): Promise<void> {
  const result = await runSetupBench({ log: (line) => console.error(line) });
  print(result);
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'setup.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nWritten to ${relative(ROOT, join(dir, 'setup.json'))}`);
  if (result.rerun.writes !== 0 || result.rerun.reportedWrites !== 0) {
    console.error(`The second setup wrote ${result.rerun.writes} time(s): it must write nothing.`);
    process.exitCode = 1;
  }
}

// Run as a script (npm run …), not when a test imports it.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(`bench:setup failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
