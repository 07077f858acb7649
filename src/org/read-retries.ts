import type { Connection } from '@salesforce/core';
import { DEFAULT_RETRY, type RetryPolicy, withRetries } from '../core/retry.js';
import { stopKind } from '../core/stops.js';
import { type ApiCallCounter, countApiCalls } from './api-calls.js';
import { clock } from './clock.js';

/**
 * Retries of the reads Salesforce expects clients to retry: a 502, 503 or 504 answer, or its SOAP form ("Each retry should wait
 * longer", REST API Developer Guide, Status Codes and Error Responses:
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm) or a dropped
 * connection, on a request that changes nothing: GET and HEAD, and the Metadata API's status and listing calls,
 * which are SOAP POSTs.
 *
 * jsforce retries GETs itself, but on its own timer (0.5 s doubling, no jitter, five times), which neither the
 * command's wait budget nor the org layer's clock governs. Here its retries are turned off per request and each
 * read is retried with the project's capped, jittered backoff, read from the org layer's clock, never past the
 * command's deadline. Writes are never retried here: whether a refused write took effect is for its caller to
 * decide (a Bulk upload is re-sent only into the same Open job, see bulk2-ingest.ts).
 */
export type ReadRetries = {
  /** No retry wait ends after this time (ms since the epoch): the end of the command's own wait. */
  until(deadline: number | undefined): void;
  /** Reads retried so far. */
  readonly retried: number;
};

type RawRequest = { method?: string; url?: string; body?: unknown };
type RawResponse = { statusCode?: number; body?: unknown };
type RequestOptions = { retry?: { maxRetries?: number } & Record<string, unknown> } & Record<string, unknown>;
type Pending = Promise<RawResponse> & { stream(): unknown };
type Transport = { httpRequest: (req: RawRequest, options?: RequestOptions) => Pending };

const RETRY_STATUS = new Set([502, 503, 504]);

/**
 * The SOAP APIs report an unavailable server as a fault (HTTP 500), ExceptionCode SERVER_UNAVAILABLE: "A server
 * that is necessary for this call is currently unavailable" (SOAP API Developer Guide, Core Data Types,
 * ExceptionCode: https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm).
 */
const SOAP_UNAVAILABLE = /<faultcode>(?:\w+:)?SERVER_UNAVAILABLE<\/faultcode>/;

function isTransientAnswer(response: RawResponse | undefined): boolean {
  const status = Number(response?.statusCode);
  if (RETRY_STATUS.has(status)) return true;
  return status === 500 && typeof response?.body === 'string' && SOAP_UNAVAILABLE.test(response.body);
}

// Metadata API calls that only read (https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_calls_intro.htm).
const SOAP_READ = /<(?:\w+:)?(?:checkDeployStatus|checkRetrieveStatus|listMetadata|readMetadata|describeMetadata)\b/;

export function isIdempotentRead(req: RawRequest): boolean {
  const method = (req.method ?? 'GET').toUpperCase();
  if (method === 'GET' || method === 'HEAD') return true;
  return method === 'POST' && typeof req.body === 'string' && SOAP_READ.test(req.body);
}

/** A transient answer, thrown inside the retry loop and handed back as the answer when the retries end. */
class TransientAnswer {
  public constructor(public readonly response: RawResponse) {}
}

const INSTALLED = new WeakMap<Transport, ReadRetries>();

/** Installs read retries on the connection's transport (once; later calls return the same handle). */
export function retryReads(conn: Connection, policy: RetryPolicy = DEFAULT_RETRY): ReadRetries {
  const transport = (conn as unknown as { _transport: Transport })._transport;
  const existing = INSTALLED.get(transport);
  if (existing) return existing;
  const state = { deadline: undefined as number | undefined, retried: 0 };
  const original = transport.httpRequest.bind(transport);
  transport.httpRequest = (req, options = {}): Pending => {
    // A caller that turned retries off counts every request itself (enrollment-wait's polls): leave it be.
    if (!isIdempotentRead(req) || options.retry?.maxRetries === 0) return original(req, options);
    const once: RequestOptions = { ...options, retry: { ...options.retry, maxRetries: 0 } };
    const first = original(req, once);
    let attempts = 0;
    const answer = withRetries(
      async () => {
        const response = await (attempts++ === 0 ? first : original(req, once));
        if (isTransientAnswer(response)) throw new TransientAnswer(response);
        return response;
      },
      (error) => error instanceof TransientAnswer || stopKind(error) === 'network',
      { ...policy, deadline: state.deadline },
      {
        sleep: (ms) => clock().sleep(ms),
        now: () => clock().now(),
        onRetry: () => {
          state.retried++;
        },
      }
    ).catch((error: unknown) => {
      // Out of retries: the last answer goes back to jsforce, which turns it into its usual error.
      if (error instanceof TransientAnswer) return error.response;
      throw error;
    });
    // jsforce takes the body stream synchronously; reads here are consumed whole, never streamed, so the first
    // attempt's stream is the one it gets (an assumption this project's reads keep).
    return Object.assign(answer, { stream: () => first.stream() });
  };
  const handle: ReadRetries = {
    until: (deadline) => {
      state.deadline = deadline;
    },
    get retried() {
      return state.retried;
    },
  };
  INSTALLED.set(transport, handle);
  return handle;
}

/**
 * A connection as every command uses it: each request counted (first, so every attempt counts), and idempotent
 * reads retried on 502/503/504 and dropped connections, never past `waitMs` from now (the command's longest wait).
 */
export function countedWithRetries(conn: Connection, waitMs?: number): ApiCallCounter {
  const calls = countApiCalls(conn);
  retryReads(conn).until(waitMs ? clock().now() + waitMs : undefined);
  return calls;
}
