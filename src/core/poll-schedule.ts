import { ERRORS } from './messages.js';
import { inputError } from './errors.js';

/**
 * The poll schedule of `sync verify`: when to look for the test enrollment so that a wait of any length stays
 * within a fixed API-call budget and never polls after its deadline.
 *
 * Why this shape: one query at the deadline would already be enough to decide "arrived or not", because every
 * poll asks for the newest record since the start. More polls only shorten the time between the record
 * arriving and the admin hearing about it. CE usually pushes within minutes, so the schedule is front-loaded:
 * a poll right away, short intervals first, then intervals growing by a constant factor, with the last poll
 * exactly at the deadline. The polls the budget allows are spread so their intervals add up to the timeout.
 */

export type PollPlanInput = {
  timeoutMs: number;
  /** Every API call the command may make, all included (config `sync.maxApiCalls`). */
  maxApiCalls: number;
  /** Calls made before polling starts (the org query). */
  callsBefore: number;
  /** Calls that may follow the last poll (looking up Contacts for an unlinked record). */
  callsAfter: number;
  /** No two polls closer than this (default 2 s), unless the timeout itself is shorter. */
  minIntervalMs?: number;
};

export type PollPlan = {
  timeoutMs: number;
  maxApiCalls: number;
  callsBefore: number;
  callsAfter: number;
  /** When each poll is due, in ms from the start; strictly increasing; the last one is the deadline. */
  offsets: number[];
  /** offsets.length. */
  polls: number;
  /** callsBefore + polls + callsAfter: the most calls the whole command can make; never above maxApiCalls. */
  worstCaseCalls: number;
  firstIntervalMs: number;
  lastIntervalMs: number;
  /** The constant factor between consecutive intervals (1 = evenly spaced). */
  growth: number;
};

export const DEFAULT_MIN_INTERVAL_MS = 2000;

/** The first interval is a third of the mean interval: about three times as many polls early as late. */
const FIRST_INTERVAL_SHARE = 1 / 3;

/** Sum of k intervals a, a·r, a·r², …  */
function seriesSum(a: number, r: number, k: number): number {
  return r === 1 ? a * k : (a * (r ** k - 1)) / (r - 1);
}

/** The growth factor r > 1 with seriesSum(a, r, k) = total (bisection: the sum grows with r). */
function solveGrowth(a: number, k: number, total: number): number {
  let lo = 1;
  let hi = 2;
  while (seriesSum(a, hi, k) < total) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (seriesSum(a, mid, k) < total) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export function planPolls(input: PollPlanInput): PollPlan {
  const { timeoutMs, maxApiCalls, callsBefore, callsAfter } = input;
  const minInterval = input.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw inputError(ERRORS, 'BadTimeout', [timeoutMs]);
  }
  const available = Math.floor(maxApiCalls) - callsBefore - callsAfter;
  if (available < 1) {
    throw inputError(ERRORS, 'BudgetTooSmall', [maxApiCalls, callsBefore, callsAfter], {
      actionTokens: [[callsBefore + callsAfter + 1]],
    });
  }
  // Polls at 0, minInterval, 2·minInterval, … fit at most this many into the timeout.
  const fitByInterval = Math.floor(timeoutMs / minInterval) + 1;
  const polls = Math.min(available, fitByInterval);
  let offsets: number[];
  let growth = 1;
  if (polls === 1) {
    // One poll: at the deadline, where it sees everything that arrived since the start.
    offsets = [timeoutMs];
  } else {
    const k = polls - 1;
    const even = timeoutMs / k;
    const first = Math.max(minInterval, even * FIRST_INTERVAL_SHARE);
    const intervals: number[] = [];
    if (first >= even) {
      for (let i = 0; i < k; i++) intervals.push(even);
    } else {
      growth = solveGrowth(first, k, timeoutMs);
      for (let i = 0; i < k; i++) intervals.push(first * growth ** i);
    }
    offsets = [0];
    let sum = 0;
    for (let i = 0; i < k - 1; i++) {
      sum += intervals[i];
      offsets.push(Math.round(sum));
    }
    offsets.push(timeoutMs);
  }
  return {
    timeoutMs,
    maxApiCalls,
    callsBefore,
    callsAfter,
    offsets,
    polls: offsets.length,
    worstCaseCalls: callsBefore + offsets.length + callsAfter,
    firstIntervalMs: offsets.length > 1 ? offsets[1] - offsets[0] : timeoutMs,
    lastIntervalMs: offsets.length > 1 ? offsets[offsets.length - 1] - offsets[offsets.length - 2] : timeoutMs,
    growth,
  };
}

export type NextPoll = { index: number; waitMs: number };

/**
 * The next poll to make, given how many of the planned polls are behind us (`nextIndex`) and the time since
 * the start. When slow answers made us late, the polls whose time has passed are dropped rather than made in
 * a burst: the latest overdue one is made now. Undefined when the plan is used up or the deadline has passed,
 * so no poll ever starts after the deadline and no more polls are made than planned.
 */
export function nextPoll(
  plan: Pick<PollPlan, 'offsets' | 'timeoutMs'>,
  nextIndex: number,
  elapsedMs: number
): NextPoll | undefined {
  const { offsets } = plan;
  if (nextIndex >= offsets.length || elapsedMs > plan.timeoutMs) return undefined;
  let index = nextIndex;
  while (index + 1 < offsets.length && offsets[index + 1] <= elapsedMs) index++;
  return { index, waitMs: Math.max(0, offsets[index] - elapsedMs) };
}

/** One line that states the schedule, for the progress display and the docs. */
export function describePlan(plan: PollPlan, format: (ms: number) => string): string {
  const spacing =
    plan.polls === 1
      ? 'one poll at the deadline'
      : plan.growth === 1
        ? `a poll every ${format(plan.firstIntervalMs)}`
        : `a poll now, then every ${format(plan.firstIntervalMs)} growing to every ${format(plan.lastIntervalMs)}`;
  return `${plan.polls} polls over ${format(plan.timeoutMs)} (${spacing}); at most ${plan.worstCaseCalls} of ${plan.maxApiCalls} API calls`;
}
