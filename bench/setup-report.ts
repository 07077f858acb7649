// The numbers of `npm run bench:setup` and how they are printed: pure functions over what the run measured.

/** One command (or one scripted step between commands) of a side, with the API requests it caused. */
export type CommandRun = {
  step: string;
  /** What an admin would type (or do), for the table. */
  command: string;
  exitCode: number;
  ms: number;
  apiCalls: number;
  writes: number;
  /** API calls by API (rest, tooling, soap, bulk2). */
  byApi: Record<string, number>;
  note?: string;
};

export type SideTotals = { ms: number; apiCalls: number; writes: number };

export type Side = SideTotals & {
  label: string;
  byApi: Record<string, number>;
  runs: CommandRun[];
  /** The end state, judged by `ce-connect checklist` after the side finished (its requests not counted). */
  checklist?: { pass: number; fail: number; warn: number; failing: Array<{ id: string; evidence: string }> };
};

export type NotComparable = { step: string; reason: string };

export type SetupBenchResult = {
  measuredAt: string;
  scenario: string;
  exportFile: string;
  setup: Side & { reportedApiCalls: number; reportedWrites: number };
  rerun: Side & { reportedWrites: number };
  sf: Side;
  /** sf (side B) divided by setup (side A), measured in the same run. */
  ratios: SideTotals;
  notComparable: NotComparable[];
};

export function totals(runs: CommandRun[]): SideTotals & { byApi: Record<string, number> } {
  const byApi: Record<string, number> = {};
  for (const run of runs) {
    for (const [api, n] of Object.entries(run.byApi)) byApi[api] = (byApi[api] ?? 0) + n;
  }
  return {
    ms: runs.reduce((sum, run) => sum + run.ms, 0),
    apiCalls: runs.reduce((sum, run) => sum + run.apiCalls, 0),
    writes: runs.reduce((sum, run) => sum + run.writes, 0),
    byApi,
  };
}

/** `rest 20, tooling 12, …`, largest first. */
export function apiMix(byApi: Record<string, number>): string {
  return Object.entries(byApi)
    .sort((x, y) => y[1] - x[1])
    .map(([api, n]) => `${api} ${n}`)
    .join(', ');
}

/** B / A, to two places; NaN (null in the JSON) when A is 0: a ratio to nothing says nothing. */
function ratio(b: number, a: number): number {
  return a === 0 ? Number.NaN : Math.round((b / a) * 100) / 100;
}

export function ratios(a: SideTotals, b: SideTotals): SideTotals {
  return { ms: ratio(b.ms, a.ms), apiCalls: ratio(b.apiCalls, a.apiCalls), writes: ratio(b.writes, a.writes) };
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const times = (r: number): string => (Number.isNaN(r) ? 'n/a' : `${r.toFixed(2)}×`);

function pad(rows: string[][]): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd()
  );
}

/** The summary table: both sides, the ratios, the idempotent rerun. */
export function summaryTable(result: SetupBenchResult): string[] {
  const { setup, rerun, sf, ratios: r } = result;
  return pad([
    ['', 'wall time', 'API calls', 'writes', 'commands'],
    ['A  ce-connect setup', seconds(setup.ms), String(setup.apiCalls), String(setup.writes), String(setup.runs.length)],
    ['B  plain sf commands', seconds(sf.ms), String(sf.apiCalls), String(sf.writes), String(sf.runs.length)],
    ['B / A', times(r.ms), times(r.apiCalls), times(r.writes), ''],
    ['A again (rerun)', seconds(rerun.ms), String(rerun.apiCalls), String(rerun.writes), String(rerun.runs.length)],
  ]);
}

/** One line per command of a side. */
export function commandTable(side: Side): string[] {
  return pad([
    ['step', 'exit', 'time', 'calls', 'writes', 'command'],
    ...side.runs.map((run) => [
      run.step,
      String(run.exitCode),
      seconds(run.ms),
      String(run.apiCalls),
      String(run.writes),
      run.note ? `${run.command}  (${run.note})` : run.command,
    ]),
  ]);
}
