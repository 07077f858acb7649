import type { Connection } from '@salesforce/core';
import { clock as localClock } from './clock.js';

/**
 * The org's clock, read from the `Date` header of the connection's responses (RFC 9110 §6.6.1: the origin
 * server's time when it made the response). Comparing record timestamps with the org's clock rather than this
 * machine's avoids false "nothing arrived" results when the local clock is off.
 *
 * The header has whole seconds and is truncated, so the estimate is never later than the org's real time:
 * a start time taken from it can only include a little more, never miss a record.
 */
export type ServerClock = {
  /** The org's time now, estimated from the last Date header; undefined before any response had one. */
  now(): number | undefined;
};

type Transport = { httpRequest: (...args: unknown[]) => unknown };
type RawResponse = { headers?: Record<string, string | undefined> };

// Kept on the transport itself, so every caller that watches the same connection shares one clock.
const CLOCK = Symbol.for('ce-connect.serverClock');

/** Starts watching the connection's responses (once per connection; later calls return the same clock). */
export function observeServerClock(conn: Connection): ServerClock {
  const transport = (conn as unknown as { _transport: Transport & { [CLOCK]?: ServerClock } })._transport;
  const existing = transport[CLOCK];
  if (existing) return existing;
  let last: { serverMs: number; localMs: number } | undefined;
  const original = transport.httpRequest.bind(transport);
  transport.httpRequest = (...args: unknown[]): unknown => {
    const pending = original(...args);
    // The same promise object goes back to jsforce (it also calls .stream() on it); this only listens.
    Promise.resolve(pending as Promise<RawResponse>).then(
      (response) => {
        const header = response?.headers?.date;
        const serverMs = header ? Date.parse(header) : NaN;
        if (!Number.isNaN(serverMs)) last = { serverMs, localMs: localClock().now() };
      },
      () => undefined
    );
    return pending;
  };
  const clock: ServerClock = { now: () => (last ? last.serverMs + (localClock().now() - last.localMs) : undefined) };
  transport[CLOCK] = clock;
  return clock;
}
