import type { Connection } from '@salesforce/core';

/**
 * Counts every HTTP request a connection makes (REST, Tooling, Bulk API 2.0 and Metadata SOAP all go through
 * the connection's transport), so each command can report the API calls it spent.
 */
export type ApiCallCounter = { readonly count: number };

type Transport = { httpRequest: (...args: unknown[]) => unknown };

// One counter per transport, so every caller that counts the same connection shares it.
const COUNTERS = new WeakMap<Transport, { count: number }>();

export function countApiCalls(conn: Connection): ApiCallCounter {
  const transport = (conn as unknown as { _transport: Transport })._transport;
  const existing = COUNTERS.get(transport);
  if (existing) return existing;
  const counter = { count: 0 };
  const original = transport.httpRequest.bind(transport);
  // HttpApi keeps a reference to the transport object, not to the method, so patching the method in place
  // also counts requests from APIs created before this call (tooling, metadata, bulk2).
  transport.httpRequest = (...args: unknown[]): unknown => {
    counter.count += 1;
    return original(...args);
  };
  COUNTERS.set(transport, counter);
  return counter;
}
