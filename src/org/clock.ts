import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The one clock every wait, poll and backoff of the org layer reads: the system's by default. A test that runs a
 * command in its own process replaces it with the simulated org's (see `useClock`), so a 20-minute install wait
 * takes milliseconds and no product flag or environment variable exists only to make tests fast.
 */
export type Clock = {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after ms (at once when the signal is aborted, or becomes aborted). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
};

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted || ms <= 0) {
        resolve();
        return;
      }
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

let current: Clock = systemClock;

// A fleet run gives each org's work a clock of its own (one whose sleeps give the org's slot to another org), and
// the org layer reads whichever clock the work it runs for was started with.
const scoped = new AsyncLocalStorage<Clock>();

export function clock(): Clock {
  return scoped.getStore() ?? current;
}

/** Runs `work` (and everything it starts) with `replacement` as its clock. */
export function withClock<T>(replacement: Clock, work: () => Promise<T>): Promise<T> {
  return scoped.run(replacement, work);
}

/** Replaces the clock until the returned function is called. */
export function useClock(replacement: Clock): () => void {
  const previous = current;
  current = replacement;
  return () => {
    current = previous;
  };
}

/** The org layer's sleep, for callers that take a sleep function. */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> => clock().sleep(ms, signal);

/** The org layer's now, for callers that take a now function. */
export const now = (): number => clock().now();
