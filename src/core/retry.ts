/**
 * Capped, jittered exponential backoff for requests Salesforce expects clients to retry: 502/503/504 and dropped
 * connections ("Each retry should wait longer", REST API Developer Guide, Status Codes and Error Responses:
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm). Pure: the caller
 * hands in the clock's sleep and the random source.
 */
export type RetryPolicy = {
  /** Attempts in all, the first included. */
  attempts: number;
  firstMs: number;
  maxMs: number;
  /** Stop retrying when the next wait would end after this time (ms since the epoch): the command's own deadline. */
  deadline?: number;
};

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, firstMs: 1000, maxMs: 15_000 };

/** The wait before retry n (1-based): full jitter over an exponentially growing, capped window. */
export function backoffMs(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const window = Math.min(policy.maxMs, policy.firstMs * 2 ** (retry - 1));
  return Math.round(window / 2 + (random() * window) / 2);
}

export type RetryHooks = {
  sleep: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  /** Told before each retry, for progress lines. */
  onRetry?: (retry: number, waitMs: number, error: unknown) => void;
};

/** Runs fn until it succeeds, the error is not transient, the attempts run out, or the deadline would pass. */
export async function withRetries<T>(
  fn: () => Promise<T>,
  isTransient: (error: unknown) => boolean | Promise<boolean>,
  policy: RetryPolicy,
  hooks: RetryHooks
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= policy.attempts || !(await isTransient(error))) throw error;
      const wait = backoffMs(policy, attempt, hooks.random);
      const now = hooks.now?.() ?? Date.now();
      if (policy.deadline !== undefined && now + wait > policy.deadline) throw error;
      hooks.onRetry?.(attempt, wait, error);
      await hooks.sleep(wait);
    }
  }
}

/** 502, 503 or 504 in what a client library reports of an HTTP failure. */
export function isRetryableStatus(error: unknown): boolean {
  const e = error as { statusCode?: unknown; status?: unknown; name?: unknown; errorCode?: unknown; message?: unknown };
  const status = Number(e.statusCode ?? e.status);
  if ([502, 503, 504].includes(status)) return true;
  return [e.name, e.errorCode, e.message].some((v) => typeof v === 'string' && /\b(?:ERROR_HTTP_)?50[234]\b/.test(v));
}
