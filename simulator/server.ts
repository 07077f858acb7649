// The simulated org's HTTP server: Node http on 127.0.0.1, routing to simulator/routes/*, with the
// session check, fault injection, the request log and the Sforce-Limit-Info header.
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimError, errorResponse, soapFault } from './errors.js';
import { Faults } from './faults.js';
import { readSoapCall } from './mdapi/soap.js';
import type { OrgState } from './org-state.js';
import { controlRoutes } from './routes/control.js';
import { routes as apiRoutes } from './routes/index.js';
import { type LoadedScenario, buildOrg, loadScenario } from './scenario.js';
import type { ApiKind, RequestRecord, Route, Scenario, SimRequest, SimResponse } from './types.js';

export type SimulatorOptions = {
  scenario: string | Scenario;
  /** 0 or absent: a free port. */
  port?: number;
  /** Appends one JSON line per request to this file. */
  requestLog?: string;
};

export type Simulator = {
  /** http://127.0.0.1:<port> */
  instanceUrl: string;
  port: number;
  /** The admin's access token (stays valid across reset()). */
  accessToken: string;
  /** The admin's username. */
  username: string;
  /** The org's current state (replaced by reset()). */
  readonly org: OrgState;
  readonly scenario: Scenario;
  /** Every API request so far (control requests excluded). */
  readonly requests: RequestRecord[];
  faults: Faults;
  /** Rebuilds the org from the same or another scenario; clears the request log and faults. */
  reset(scenario?: string | Scenario): void;
  /** An access token for another user of the scenario (a least-privilege login). */
  tokenFor(username: string): string;
  stop(): Promise<void>;
};

const VERSION_IN_PATH = /^\/services\/(?:data|Soap\/[a-z])\/v?(\d+\.\d+)(?:\/|$)/;

function resolveScenario(scenario: string | Scenario): Scenario {
  return typeof scenario === 'string' ? loadScenario(scenario) : scenario;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function newToken(orgId: string): string {
  // Real session ids are the org id, an exclamation mark and an opaque string.
  return `${orgId.slice(0, 15)}!${randomBytes(24).toString('base64url')}`;
}

class SimulatorImpl implements Simulator {
  public instanceUrl = '';
  public port = 0;
  public accessToken: string;
  public username: string;
  public org: OrgState;
  public scenario: Scenario;
  public requests: RequestRecord[] = [];
  public faults = new Faults();
  private readonly tokens = new Map<string, string>();
  private server?: Server;
  private readonly routes: Route[];

  public constructor(
    scenario: Scenario,
    private readonly requestLog?: string
  ) {
    this.scenario = scenario;
    this.org = buildOrg(scenario);
    this.username = scenario.admin;
    this.accessToken = newToken(this.org.orgId);
    this.tokens.set(this.accessToken, this.username);
    this.routes = [...controlRoutes(this), ...apiRoutes];
  }

  public reset(scenario?: string | Scenario): void {
    this.org.cancelScheduled();
    if (scenario !== undefined) this.scenario = resolveScenario(scenario);
    this.org = buildOrg(this.scenario);
    // The admin token survives a reset so a test can log in once and reset per test.
    this.tokens.set(this.accessToken, this.scenario.admin);
    this.username = this.scenario.admin;
    this.requests.length = 0;
    this.faults.clear();
  }

  public tokenFor(username: string): string {
    if (!this.org.userByUsername(username)) throw new Error(`No user ${username} in scenario.`);
    const token = newToken(this.org.orgId);
    this.tokens.set(token, username);
    return token;
  }

  public async listen(port: number): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        console.error('simulator: unhandled error', error);
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify([{ message: String(error), errorCode: 'UNKNOWN_EXCEPTION' }]));
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.instanceUrl = `http://127.0.0.1:${this.port}`;
  }

  public async stop(): Promise<void> {
    this.org.cancelScheduled();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The user a request's session belongs to, or undefined when the session is invalid. */
  private sessionUser(req: SimRequest, api: ApiKind): string | undefined {
    let token: string | undefined;
    if (api === 'soap') {
      token = /<(?:\w+:)?sessionId>([^<]+)<\/(?:\w+:)?sessionId>/.exec(req.text)?.[1];
    } else {
      const header = req.headers.authorization;
      const value = Array.isArray(header) ? header[0] : header;
      token = value?.replace(/^(Bearer|OAuth)\s+/i, '');
    }
    const username = token ? this.tokens.get(token) : undefined;
    const user = username ? this.org.userByUsername(username) : undefined;
    return user && user.IsActive === true ? user.Id : undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // After `sf org login access-token`, the stored instance URL ends in a slash, so clients send //services/...
    // Collapse the slashes before parsing: new URL('//services/…', base) would read "services" as a host name.
    const raw = (req.url ?? '/').replace(/^\/{2,}/, '/');
    const url = new URL(raw, 'http://127.0.0.1');
    const path = url.pathname;
    const rawBody = await readBody(req);
    const text = rawBody.toString('utf8');
    const contentType = String(req.headers['content-type'] ?? '');
    let json: unknown;
    if (text && /json/i.test(contentType)) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    const simReq: SimRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      path,
      query: url.searchParams,
      headers: req.headers,
      rawBody,
      text,
      json,
      apiVersion: VERSION_IN_PATH.exec(path)?.[1],
    };

    let route: Route | undefined;
    let match: RegExpExecArray | null = null;
    let pathMatched = false;
    for (const candidate of this.routes) {
      const m = candidate.pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (candidate.method !== '*' && candidate.method !== simReq.method) continue;
      route = candidate;
      match = m;
      break;
    }
    const api: ApiKind = route?.api ?? guessApi(path);
    let response: SimResponse;
    const changesBefore = this.org.changeCount;
    const org = this.org;

    const operation = api === 'soap' ? soapOperation(simReq.text) : undefined;
    let limitRefused = false;
    if (api !== 'control') {
      const fault = this.faults.apply(simReq.method, path, api, operation);
      if (fault.latencyMs > 0) await new Promise((r) => setTimeout(r, fault.latencyMs));
      if (fault.reset) {
        this.requests.push({
          method: simReq.method,
          path,
          status: 0,
          write: false,
          api,
          ...(operation && { operation }),
        });
        res.socket?.destroy();
        return;
      }
      // The Metadata API answers in SOAP: a fault is HTTP 500 with sf:<CODE> (Metadata API Developer Guide,
      // "Error Handling"); REST APIs answer with the JSON error list.
      limitRefused = JSON.stringify(fault.response?.body ?? '').includes('REQUEST_LIMIT_EXCEEDED');
      const injected = fault.response && api === 'soap' ? asSoapFault(fault.response) : fault.response;
      response = injected ?? (await this.dispatch(simReq, route, match, pathMatched, api));
    } else {
      response = await this.dispatch(simReq, route, match, pathMatched, api);
    }

    const write = response.write ?? (this.org === org && this.org.changeCount > changesBefore);
    const headers: Record<string, string> = { ...(response.headers ?? {}) };
    if (api !== 'control') {
      // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm
      const counted = !(route?.public ?? false);
      if (counted) this.org.apiUsage += 1;
      // A request refused for the limit is answered when usage has reached it.
      const used = limitRefused ? Math.max(this.org.apiUsage, this.org.apiLimit) : this.org.apiUsage;
      headers['Sforce-Limit-Info'] = `api-usage=${used}/${this.org.apiLimit}`;
      // The Date header is the server's clock (RFC 9110 §6.6.1): the org's, which scenarios and advance() can shift.
      headers.Date = this.org.now().toUTCString();
      const record: RequestRecord = {
        method: simReq.method,
        path,
        status: response.status,
        write,
        api,
        ...(operation && { operation }),
      };
      this.requests.push(record);
      if (this.requestLog) appendFileSync(this.requestLog, `${JSON.stringify({ ...record, at: Date.now() })}\n`);
    }
    let payload: Buffer | string = '';
    if (response.body !== undefined && response.body !== null) {
      if (Buffer.isBuffer(response.body) || typeof response.body === 'string') {
        payload = response.body;
        headers['Content-Type'] = response.contentType ?? 'text/plain; charset=utf-8';
      } else {
        payload = JSON.stringify(response.body);
        headers['Content-Type'] = response.contentType ?? 'application/json;charset=UTF-8';
      }
    }
    res.writeHead(response.status, headers);
    res.end(response.status === 204 ? undefined : payload);
  }

  private async dispatch(
    req: SimRequest,
    route: Route | undefined,
    match: RegExpExecArray | null,
    pathMatched: boolean,
    api: ApiKind
  ): Promise<SimResponse> {
    if (!route || !match) {
      if (pathMatched) {
        // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm (405)
        return errorResponse(
          405,
          'METHOD_NOT_ALLOWED',
          `HTTP Method '${req.method}' not allowed. Allowed are other methods`
        );
      }
      return errorResponse(404, 'NOT_FOUND', 'The requested resource does not exist');
    }
    if (api !== 'control' && !route.public) {
      const userId = this.sessionUser(req, api);
      if (!userId) {
        if (api === 'soap')
          return soapFault('INVALID_SESSION_ID', 'Invalid Session ID found in SessionHeader: Illegal Session');
        return errorResponse(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
      }
      req.userId = userId;
    }
    try {
      return await route.handle(req, match, this.org);
    } catch (error) {
      if (error instanceof SimError) {
        if (api === 'soap') return soapFault(error.errorCode, error.message);
        return { status: error.status, body: [error.toBody()] };
      }
      throw error;
    }
  }
}

function asSoapFault(response: SimResponse): SimResponse {
  // A gateway's answer (502 Bad Gateway, an HTML page) comes from in front of the API, in no API's format.
  if (!Array.isArray(response.body)) return response;
  const first = Array.isArray(response.body) ? (response.body[0] as { errorCode?: string; message?: string }) : {};
  return soapFault(first.errorCode ?? 'UNKNOWN_EXCEPTION', first.message ?? `HTTP ${response.status}`);
}

function guessApi(path: string): ApiKind {
  if (path.startsWith('/__sim/')) return 'control';
  if (path.startsWith('/services/oauth2/')) return 'auth';
  if (path.startsWith('/services/Soap/')) return 'soap';
  if (/\/jobs\/(ingest|query)/.test(path)) return 'bulk2';
  if (/\/tooling\//.test(path)) return 'tooling';
  return 'rest';
}

/** Starts a simulated org on 127.0.0.1 from a scenario (a shipped name, a file path, or a Scenario object). */
export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const scenario: Scenario | LoadedScenario = resolveScenario(options.scenario);
  const sim = new SimulatorImpl(scenario, options.requestLog);
  await sim.listen(options.port ?? 0);
  return sim;
}

/** The Metadata API operation a SOAP envelope calls, for the request log and operation-specific faults. */
function soapOperation(text: string): string | undefined {
  try {
    return readSoapCall(text).operation;
  } catch {
    return undefined;
  }
}
