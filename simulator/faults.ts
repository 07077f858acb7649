// Fault injection: answer chosen requests with an error or a delay, for a number of times or at a random
// rate. Error shapes follow the REST API's status codes and error codes
// (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm).
import type { ApiKind, SimResponse } from './types.js';

export type FaultKind = '500' | '502' | '503' | 'REQUEST_LIMIT_EXCEEDED' | 'INVALID_SESSION_ID' | 'latency' | 'reset';

export type FaultSpec = {
  /** HTTP method, or '*' (default) for any. */
  method?: string;
  /** Regular expression source matched against the request path (default: every path). */
  path?: string;
  /** Restrict to one API (rest, tooling, soap, bulk2, auth). */
  api?: ApiKind;
  /** Restrict to one Metadata API operation (checkRetrieveStatus, deploy, …): they all POST to one path. */
  operation?: string;
  kind: FaultKind;
  /** How many matching requests it applies to; default unlimited. */
  count?: number;
  /** Probability (0..1) that a matching request is hit; default 1. */
  rate?: number;
  /** Delay for `latency` faults (also added before errors when set). */
  latencyMs?: number;
};

export type Fault = FaultSpec & { id: number; hits: number; remaining: number };

/** `reset`: the connection is dropped without an answer (the client sees ECONNRESET), as a failing proxy does. */
export type FaultOutcome = { latencyMs: number; response?: SimResponse; reset?: boolean };

const ERRORS: Record<Exclude<FaultKind, 'latency' | 'reset'>, SimResponse> = {
  '500': {
    status: 500,
    body: [
      {
        message: 'An unexpected error occurred. Please include this ErrorId if you contact support: 0-sim',
        errorCode: 'UNKNOWN_EXCEPTION',
      },
    ],
  },
  '502': { status: 502, contentType: 'text/html', body: '<html><body>Bad Gateway</body></html>' },
  '503': {
    status: 503,
    body: [{ message: 'Server temporarily unavailable, please try again later', errorCode: 'SERVER_UNAVAILABLE' }],
  },
  // https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_api.htm
  REQUEST_LIMIT_EXCEEDED: {
    status: 403,
    body: [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
  },
  INVALID_SESSION_ID: {
    status: 401,
    body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }],
  },
};

export class Faults {
  private faults: Fault[] = [];
  private nextId = 1;

  public constructor(private readonly random: () => number = Math.random) {}

  public add(spec: FaultSpec | string): Fault {
    const parsed = typeof spec === 'string' ? parseFaultSpec(spec) : spec;
    if (!(parsed.kind in ERRORS) && parsed.kind !== 'latency' && parsed.kind !== 'reset')
      throw new Error(`Unknown fault kind "${parsed.kind}".`);
    const fault: Fault = { ...parsed, id: this.nextId++, hits: 0, remaining: parsed.count ?? Infinity };
    this.faults.push(fault);
    return fault;
  }

  public clear(): void {
    this.faults = [];
  }

  public list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** Finds the faults that apply to a request, consuming their counts. */
  public apply(method: string, path: string, api: ApiKind, operation?: string): FaultOutcome {
    let latencyMs = 0;
    let response: SimResponse | undefined;
    let reset = false;
    for (const fault of this.faults) {
      if (fault.remaining <= 0) continue;
      if (fault.method && fault.method !== '*' && fault.method.toUpperCase() !== method.toUpperCase()) continue;
      if (fault.api && fault.api !== api) continue;
      if (fault.operation && fault.operation !== operation) continue;
      if (fault.path && !new RegExp(fault.path).test(path)) continue;
      if (fault.rate !== undefined && this.random() >= fault.rate) continue;
      if (fault.kind !== 'latency' && (response || reset)) continue;
      fault.remaining -= 1;
      fault.hits += 1;
      latencyMs += fault.latencyMs ?? 0;
      if (fault.kind === 'reset') reset = true;
      else if (fault.kind !== 'latency') response = structuredClone(ERRORS[fault.kind]);
    }
    return { latencyMs, response, reset };
  }
}

/**
 * Parses the command-line form `<METHOD> <path-regex> <kind>[xN][@rate]`, for example `GET /query 503x1`,
 * `* /tooling/ REQUEST_LIMIT_EXCEEDED`, `GET .* latency=200x5`, `* .* 503@0.1`.
 */
export function parseFaultSpec(text: string): FaultSpec {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 3) {
    throw new Error(
      `Fault "${text}" must look like "<METHOD> <path-regex> <kind>[xN][@rate]", e.g. "GET /query 503x1".`
    );
  }
  const [method, path, kindPart] = parts;
  const match = /^(\d{3}|[A-Za-z_]+)(?:=(\d+))?(?:x(\d+))?(?:@(0(?:\.\d+)?|1(?:\.0+)?))?$/.exec(kindPart);
  if (!match)
    throw new Error(
      `Fault "${text}": cannot read "${kindPart}" (kinds: 500, 502, 503, REQUEST_LIMIT_EXCEEDED, INVALID_SESSION_ID, reset, latency=<ms>).`
    );
  const [, kind, ms, count, rate] = match;
  if (!(kind in ERRORS) && kind !== 'latency' && kind !== 'reset')
    throw new Error(`Fault "${text}": unknown kind "${kind}".`);
  if (kind === 'latency' && ms === undefined)
    throw new Error(`Fault "${text}": latency needs a delay, e.g. latency=500.`);
  try {
    new RegExp(path);
  } catch {
    throw new Error(`Fault "${text}": "${path}" is not a regular expression.`);
  }
  return {
    method: method.toUpperCase(),
    path: path === '*' ? undefined : path,
    kind: kind as FaultKind,
    count: count === undefined ? undefined : Number(count),
    rate: rate === undefined ? undefined : Number(rate),
    latencyMs: ms === undefined ? undefined : Number(ms),
  };
}
