import { InputError } from '../../src/core/errors.js';
import { describePlan, nextPoll, planPolls } from '../../src/core/poll-schedule.js';
import { formatDuration } from '../../src/core/durations.js';

const MIN = 60_000;

describe('planPolls', () => {
  it('plans a 30-minute wait within 60 calls, the org query and the Contact lookup included', () => {
    const plan = planPolls({ timeoutMs: 30 * MIN, maxApiCalls: 60, callsBefore: 1, callsAfter: 1 });
    expect(plan.polls).toBe(58);
    expect(plan.worstCaseCalls).toBe(60);
    expect(plan.offsets[0]).toBe(0);
    expect(plan.offsets[plan.offsets.length - 1]).toBe(30 * MIN);
    // Front-loaded: about 10 s apart at first, about a minute apart at the end.
    expect(plan.firstIntervalMs).toBeGreaterThanOrEqual(10_000);
    expect(plan.firstIntervalMs).toBeLessThan(11_000);
    expect(plan.lastIntervalMs).toBeGreaterThan(60_000);
    expect(plan.lastIntervalMs).toBeLessThan(75_000);
    // A third of the polls fall in the first five minutes.
    expect(plan.offsets.filter((o) => o <= 5 * MIN).length).toBeGreaterThanOrEqual(20);
  });

  const timeouts = [1, 500, 1999, 2000, 2001, 6000, 59_999, 90_000, 5 * MIN, 30 * MIN, 61 * MIN, 24 * 60 * MIN];
  const budgets = [3, 4, 10, 60, 61, 1000];
  for (const timeoutMs of timeouts) {
    for (const maxApiCalls of budgets) {
      it(`keeps ${formatDuration(timeoutMs)} within ${maxApiCalls} calls, before the deadline, never closer than 2 s`, () => {
        const plan = planPolls({ timeoutMs, maxApiCalls, callsBefore: 1, callsAfter: 1 });
        expect(plan.worstCaseCalls).toBeLessThanOrEqual(maxApiCalls);
        expect(plan.polls).toBe(plan.offsets.length);
        expect(plan.polls).toBeGreaterThanOrEqual(1);
        expect(plan.offsets[plan.offsets.length - 1]).toBe(timeoutMs);
        expect(Math.max(...plan.offsets)).toBeLessThanOrEqual(timeoutMs);
        const intervals = plan.offsets.slice(1).map((o, i) => o - plan.offsets[i]);
        for (const [i, gap] of intervals.entries()) {
          expect(gap).toBeGreaterThanOrEqual(1999); // 2 s, give or take the rounding to whole ms
          if (i > 0) expect(gap).toBeGreaterThanOrEqual(intervals[i - 1] - 1); // never speeds up
        }
      });
    }
  }

  it('uses the whole budget when the timeout allows it', () => {
    const plan = planPolls({ timeoutMs: 24 * 60 * MIN, maxApiCalls: 1000, callsBefore: 3, callsAfter: 1 });
    expect(plan.polls).toBe(996);
    expect(plan.worstCaseCalls).toBe(1000);
  });

  it('makes one poll, at the deadline, when the timeout is shorter than the minimum interval', () => {
    expect(planPolls({ timeoutMs: 1500, maxApiCalls: 60, callsBefore: 1, callsAfter: 1 }).offsets).toEqual([1500]);
  });

  it('spaces polls evenly when the budget is the limit but the intervals would fall under a third of the mean', () => {
    const plan = planPolls({ timeoutMs: 6000, maxApiCalls: 60, callsBefore: 1, callsAfter: 1 });
    expect(plan.offsets).toEqual([0, 2000, 4000, 6000]);
    expect(plan.growth).toBe(1);
  });

  it('refuses a budget that leaves no call for polling (exit 2)', () => {
    let thrown: unknown;
    try {
      planPolls({ timeoutMs: 30 * MIN, maxApiCalls: 2, callsBefore: 1, callsAfter: 1 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InputError);
    expect((thrown as InputError).exitCode).toBe(2);
    expect((thrown as InputError).actions[0]).toMatch(/sync\.maxApiCalls to at least 3/);
  });

  it('refuses a timeout of zero', () => {
    expect(() => planPolls({ timeoutMs: 0, maxApiCalls: 60, callsBefore: 1, callsAfter: 1 })).toThrow(InputError);
  });

  it('states the schedule in one line', () => {
    const plan = planPolls({ timeoutMs: 30 * MIN, maxApiCalls: 60, callsBefore: 1, callsAfter: 1 });
    expect(describePlan(plan, formatDuration)).toMatch(
      /^58 polls over 30m 00s \(a poll now, then every 1\ds growing to every 1m \d\ds\); at most 60 of 60 API calls$/
    );
  });
});

describe('nextPoll', () => {
  const plan = { offsets: [0, 10, 30, 60, 100], timeoutMs: 100 };

  it('waits for the next planned poll', () => {
    expect(nextPoll(plan, 1, 4)).toEqual({ index: 1, waitMs: 6 });
  });

  it('polls at once when the planned time has come', () => {
    expect(nextPoll(plan, 0, 0)).toEqual({ index: 0, waitMs: 0 });
  });

  it('drops overdue polls instead of making them in a burst', () => {
    expect(nextPoll(plan, 1, 65)).toEqual({ index: 3, waitMs: 0 });
  });

  it('starts no poll after the deadline and none beyond the plan', () => {
    expect(nextPoll(plan, 2, 101)).toBeUndefined();
    expect(nextPoll(plan, 5, 50)).toBeUndefined();
  });

  it('never makes more polls than planned, however the time runs', () => {
    const real = planPolls({ timeoutMs: 30 * MIN, maxApiCalls: 60, callsBefore: 1, callsAfter: 1 });
    for (const step of [1, 997, 10_000, 45_000]) {
      let polls = 0;
      let index = 0;
      let elapsed = 0;
      for (let next = nextPoll(real, index, elapsed); next; next = nextPoll(real, index, elapsed)) {
        elapsed += next.waitMs;
        expect(elapsed).toBeLessThanOrEqual(real.timeoutMs);
        polls += 1;
        index = next.index + 1;
        elapsed += step; // each poll takes this long to answer
      }
      expect(polls).toBeLessThanOrEqual(real.polls);
      expect(polls).toBeGreaterThan(0);
    }
  });
});
