import type { Connection } from '@salesforce/core';

/**
 * Counts every HTTP request a connection makes (REST, Tooling, Bulk API 2.0 and Metadata SOAP all go through
 * the connection's transport), so each command can report the API calls it spent.
 */
export type ApiCallCounter = {
  readonly count: number;
  /**
   * The org's API request usage as its last answer reported it (the Sforce-Limit-Info header,
   * "api-usage=used/limit": https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm).
   */
  readonly usage?: { used: number; limit: number };
};

type Transport = { httpRequest: (...args: unknown[]) => unknown };
type RawResponse = { headers?: Record<string, string | undefined> };
type Counter = { count: number; usage?: { used: number; limit: number }; cap?: { max: number; refuse: () => Error } };

// One counter per transport, so every caller that counts the same connection shares it.
const COUNTERS = new WeakMap<Transport, Counter>();

/** `api-usage=25/15000` (possibly among other limits, comma-separated) as numbers. */
export function parseLimitInfo(header: string | undefined): { used: number; limit: number } | undefined {
  const match = /(?:^|[,\s])api-usage=(\d+)\/(\d+)/.exec(header ?? '');
  return match ? { used: Number(match[1]), limit: Number(match[2]) } : undefined;
}

export function countApiCalls(conn: Connection): ApiCallCounter {
  const transport = (conn as unknown as { _transport: Transport })._transport;
  const existing = COUNTERS.get(transport);
  if (existing) return existing;
  const counter: Counter = { count: 0 };
  const original = transport.httpRequest.bind(transport);
  // HttpApi keeps a reference to the transport object, not to the method, so patching the method in place
  // also counts requests from APIs created before this call (tooling, metadata, bulk2).
  transport.httpRequest = (...args: unknown[]): unknown => {
    // Thrown before the request leaves, inside jsforce's own async request, so the caller sees a rejection.
    if (counter.cap && counter.count >= counter.cap.max) throw counter.cap.refuse();
    counter.count += 1;
    const pending = original(...args);
    // The same promise goes back to jsforce (it also calls .stream() on it); this only listens.
    Promise.resolve(pending as Promise<RawResponse>).then(
      (response) => {
        counter.usage = parseLimitInfo(response?.headers?.['sforce-limit-info']) ?? counter.usage;
      },
      () => undefined
    );
    return pending;
  };
  COUNTERS.set(transport, counter);
  return counter;
}

/**
 * Refuses every request past `max` on this connection with the error `refuse` makes (a fleet run's
 * --max-api-calls-per-org), so one org cannot spend more of its daily allowance than the run was given.
 */
export function capApiCalls(conn: Connection, max: number, refuse: () => Error): void {
  const counter = countApiCalls(conn) as Counter;
  counter.cap = { max, refuse };
}
