// Replays responses transcribed from real orgs (test/contract/recordings/*.json) over HTTP, so the real
// @salesforce/core Connection and jsforce parse the bytes exactly as they would from Salesforce: status line,
// headers and body. Each recorded exchange is served once, in order, and only to the request it was recorded
// for (method, path and the query parameters it names); any other request gets a 599 that names the mismatch,
// and the test fails on the list of mismatches, so a contract test cannot pass by answering the wrong call.
import { readFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuthInfo, Connection } from '@salesforce/core';

/** Where the facts in a recording come from, and what of them was taken. */
export type RecordingSource = { url: string; transcribed: string };

export type RecordedRequest = {
  method: string;
  path: string;
  /** Query parameters the request must carry with exactly these values (others are not compared). */
  query?: Record<string, string>;
  /** Texts the request body must contain (what the org layer is expected to send). */
  bodyIncludes?: string[];
};

export type RecordedResponse = {
  status: number;
  headers?: Record<string, string>;
  /** The body as text, byte for byte as served. */
  body?: string;
  /** Or a JSON body, served as JSON.stringify of this value. */
  json?: unknown;
};

export type Exchange = { note?: string; request: RecordedRequest; response: RecordedResponse };

export type Recording = {
  description: string;
  source: RecordingSource[];
  /** Whatever the recording holds that no public recording shows; each is stated, never passed off as Salesforce's. */
  assumptions: string[];
  /** The API version the recorded calls used (the connection is built with it, so the paths match). */
  apiVersion: string;
  exchanges: Exchange[];
};

export type SeenRequest = { method: string; path: string; query: Record<string, string>; body: string };

export type Replay = {
  conn: Connection;
  /** Every request the org layer sent, in order. */
  seen: SeenRequest[];
  /** Requests that did not match the next recorded exchange. */
  mismatches: string[];
  /** Recorded exchanges that were never asked for. */
  unused(): Exchange[];
  stop(): Promise<void>;
};

const RECORDINGS = join(dirname(fileURLToPath(import.meta.url)), 'recordings');

export function loadRecording(name: string): Recording {
  return JSON.parse(readFileSync(join(RECORDINGS, name), 'utf8')) as Recording;
}

/** A recording's exchanges with some replaced, e.g. to serve one recorded fault in place of a success. */
export function withExchanges(recording: Recording, exchanges: Exchange[]): Recording {
  return { ...recording, exchanges };
}

// An opaque access token in the shape Salesforce issues (org id, "!", token). Given as the username, it makes
// @salesforce/core use it as is, without the userinfo and Organization calls of a login, so the replay serves
// only the org layer's own requests. This is also how `sf org login access-token` connections run: no refresh
// token, so a SOAP INVALID_SESSION_ID fault is not followed by a refresh attempt.
const ACCESS_TOKEN = '00Dxx0000000001EAA!AQ0AQReplayedSessionToken';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function mismatch(expected: RecordedRequest, seen: SeenRequest): string | undefined {
  if (seen.method !== expected.method || seen.path !== expected.path) {
    return `expected ${expected.method} ${expected.path}, got ${seen.method} ${seen.path}`;
  }
  for (const [key, value] of Object.entries(expected.query ?? {})) {
    if (seen.query[key] !== value) {
      return `${seen.method} ${seen.path}: query ${key} is ${JSON.stringify(seen.query[key])}, expected ${JSON.stringify(value)}`;
    }
  }
  for (const text of expected.bodyIncludes ?? []) {
    if (!seen.body.includes(text)) return `${seen.method} ${seen.path}: body lacks ${JSON.stringify(text)}`;
  }
  return undefined;
}

export async function startReplay(recording: Recording): Promise<Replay> {
  const queue = [...recording.exchanges];
  const seen: SeenRequest[] = [];
  const mismatches: string[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // The stored instance URL may end in "/", which makes request paths start with "//".
    const url = new URL((req.url ?? '/').replace(/^\/+/, '/'), 'http://replay.invalid');
    const request: SeenRequest = {
      method: req.method ?? 'GET',
      path: url.pathname.replace(/\/+$/, '') || '/',
      query: Object.fromEntries(url.searchParams.entries()),
      body: await readBody(req),
    };
    seen.push(request);
    const next = queue[0];
    const problem = next ? mismatch(next.request, request) : `unexpected ${request.method} ${request.path}`;
    if (problem) {
      mismatches.push(problem);
      res.writeHead(599, { 'content-type': 'text/plain' }).end(`replay mismatch: ${problem}`);
      return;
    }
    queue.shift();
    const { status, headers = {}, body, json } = next.response;
    res.writeHead(status, headers).end(json === undefined ? (body ?? '') : JSON.stringify(json));
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      mismatches.push(`replay server failed: ${String(error)}`);
      res.writeHead(599).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const instanceUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const authInfo = await AuthInfo.create({
    username: ACCESS_TOKEN,
    accessTokenOptions: { accessToken: ACCESS_TOKEN, instanceUrl, loginUrl: instanceUrl },
  });
  const conn = await Connection.create({ authInfo, connectionOptions: { version: recording.apiVersion } });
  return {
    conn,
    seen,
    mismatches,
    unused: () => [...queue],
    stop: () =>
      new Promise<void>((resolve) => {
        // Keep-alive sockets would hold close() open until they time out.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
