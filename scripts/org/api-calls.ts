import type { Connection } from '@salesforce/core';

/**
 * Counts every HTTP request a connection makes (REST, Tooling, Bulk API 2.0 and Metadata SOAP all go through
 * the connection's transport), so each command can report the API calls it spent.
 */
export type ApiCallCounter = { readonly count: number };

// Kept on the transport itself under a registered symbol, not in module state: the CLI's ESM commands and the
// CommonJS org modules can each load this file, and both must see the one counter of a connection.
const COUNTER = Symbol.for('ce-connect.apiCalls');

type Transport = { httpRequest: (...args: unknown[]) => unknown; [COUNTER]?: { count: number } };

export function countApiCalls(conn: Connection): ApiCallCounter {
  const transport = (conn as unknown as { _transport: Transport })._transport;
  const existing = transport[COUNTER];
  if (existing) return existing;
  const counter = { count: 0 };
  const original = transport.httpRequest.bind(transport);
  // HttpApi keeps a reference to the transport object, not to the method, so patching the method in place
  // also counts requests from APIs created before this call (tooling, metadata, bulk2).
  transport.httpRequest = (...args: unknown[]): unknown => {
    counter.count += 1;
    return original(...args);
  };
  transport[COUNTER] = counter;
  return counter;
}
