import { type CommandRun, apiMix, commandTable, ratios, totals } from '../../bench/setup-report.js';

// The arithmetic of `npm run bench:setup` (the bench itself starts two simulators and a dozen CLI processes,
// too slow for `npm test`).
const run = (
  step: string,
  ms: number,
  apiCalls: number,
  writes: number,
  byApi: Record<string, number>
): CommandRun => ({
  step,
  command: `cmd ${step}`,
  exitCode: 0,
  ms,
  apiCalls,
  writes,
  byApi,
});

describe('bench/setup-report', () => {
  const b = [run('one', 1500, 6, 1, { tooling: 6 }), run('two', 2500, 4, 0, { rest: 3, tooling: 1 })];

  it('sums a side and its API mix', () => {
    expect(totals(b)).toEqual({ ms: 4000, apiCalls: 10, writes: 1, byApi: { tooling: 7, rest: 3 } });
    expect(apiMix(totals(b).byApi)).toBe('tooling 7, rest 3');
  });

  it('divides B by A to two places, and says nothing when A is 0', () => {
    const r = ratios({ ms: 3000, apiCalls: 8, writes: 0 }, totals(b));
    expect(r.ms).toBe(1.33);
    expect(r.apiCalls).toBe(1.25);
    expect(r.writes).toBeNaN();
  });

  it('prints one aligned line per command with its note', () => {
    const lines = commandTable({ label: 'B', runs: [{ ...b[0], note: 'why' }, b[1]], ...totals(b) });
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^one\s+0\s+1\.5 s\s+6\s+1\s+cmd one {2}\(why\)$/);
    expect(lines[2].indexOf('cmd two')).toBe(lines[1].indexOf('cmd one'));
  });
});
