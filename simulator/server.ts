// The simulated org's HTTP servers: one simulator serves any number of orgs, each on its own port of 127.0.0.1
// (its instance URL), with its own sessions, faults, request log and state. Requests are routed to
// simulator/routes/*, with the session check, fault injection, the request log and the Sforce-Limit-Info header.
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimError, errorResponse, soapFault } from './errors.js';
import { Faults } from './faults.js';
import { BASE62, to18 } from './ids.js';
import { readSoapCall } from './mdapi/soap.js';
import type { OrgState } from './org-state.js';
import { controlRoutes } from './routes/control.js';
import { routes as apiRoutes } from './routes/index.js';
import { type LoadedScenario, buildOrg, loadScenario, scenarioOfOrg, withUsernameSuffix } from './scenario.js';
import type {
  ApiKind,
  NewOrgOptions,
  OrgHost,
  RequestRecord,
  Route,
  Scenario,
  SimRequest,
  SimResponse,
} from './types.js';

export type SimulatorOptions = {
  scenario: string | Scenario;
  /** 0 or absent: a free port. The primary org's port; other orgs always take free ports. */
  port?: number;
  /** Appends one JSON line per request, of every org, to this file. */
  requestLog?: string;
  /** The primary org's key (default: the scenario's name). */
  key?: string;
};

/** One org of a simulator, on its own instance URL. */
export type SimOrg = {
  /** Unique within the simulator: the scenario's name, an `orgs` entry's key, or the one given to addOrg. */
  readonly key: string;
  /** http://127.0.0.1:<port> */
  readonly instanceUrl: string;
  readonly port: number;
  /** The admin's access token (stays valid across reset()). */
  readonly accessToken: string;
  /** The admin's username. */
  readonly username: string;
  /** The org's Id (00D…, 18 characters). */
  readonly orgId: string;
  /** The org's current state (replaced by reset()). */
  readonly org: OrgState;
  readonly scenario: Scenario;
  /** Every API request to this org so far (control requests excluded). */
  readonly requests: RequestRecord[];
  /** Faults injected into this org's answers (a test may replace the set, for example with a seeded one). */
  faults: Faults;
  /** `active`, or `deleted` once deleted (a scratch org its Dev Hub deleted): its port is closed. */
  readonly status: 'active' | 'deleted';
  /** The org that made this one (a Dev Hub for its scratch orgs). */
  readonly createdBy?: string;
  /**
   * Rebuilds the org from the same or another scenario; clears its request log and its faults (but the scenario's
   * own), and deletes and forgets the orgs it made.
   */
  reset(scenario?: string | Scenario): void;
  /** An access token for another user of the scenario (a least-privilege login). */
  tokenFor(username: string): string;
};

/** Requests, writes and API usage of one org, as the control API lists them. */
export type OrgSummary = {
  key: string;
  status: SimOrg['status'];
  instanceUrl: string;
  username: string;
  orgId: string;
  scenario?: string;
  createdBy?: string;
  requests: number;
  writes: number;
  apiUsage: number;
};

/**
 * A simulator: the primary org (the scenario it started from; its fields are the simulator's own, so a test of one
 * org reads `sim.org`, `sim.requests`), and every other org it serves.
 */
export type Simulator = SimOrg & {
  /** Every org served, in the order they were made (the primary first), deleted ones included. */
  readonly orgs: readonly SimOrg[];
  /** The org with this key. */
  getOrg(key: string): SimOrg | undefined;
  /** Serves another org, from a scenario, on its own port. */
  addOrg(options: NewOrgOptions): Promise<SimOrg>;
  /** Deletes an org (not the primary): its port closes, its sessions end, its log stays readable. */
  deleteOrg(key: string): Promise<void>;
  /** The request logs of every org in arrival order (each record names its org). */
  allRequests(): RequestRecord[];
  summaries(): OrgSummary[];
  /** Moves the clock of every org on and runs what became due. */
  advance(ms: number): void;
  /** Stops every org's server. */
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

function opaque(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

function newToken(orgId: string): string {
  // Real session ids are the org id, an exclamation mark and an opaque string.
  return `${orgId.slice(0, 15)}!${opaque()}`;
}

/**
 * The three characters after the key prefix in the record Ids of the n-th org (0: the primary), chosen so the
 * primary keeps `Sm0` and every org's Ids differ, as Ids of different orgs do in Salesforce.
 */
function idTag(n: number): string {
  const v = 48 * 62 + n;
  return `S${BASE62[Math.floor(v / 62) % 62]}${BASE62[v % 62]}`;
}

/** A distinct org Id (00D…) for the n-th org when its scenario's is taken. */
function orgIdFor(n: number): string {
  let digits = '';
  for (let v = n, i = 0; i < 8; i++, v = Math.floor(v / 62)) digits = BASE62[v % 62] + digits;
  return to18(`00DSm00${digits}`);
}

class SimOrgImpl implements SimOrg, OrgHost {
  public instanceUrl = '';
  public port = 0;
  public accessToken: string;
  public username: string;
  public orgId: string;
  public org: OrgState;
  public scenario: Scenario;
  public requests: RequestRecord[] = [];
  public faults = new Faults();
  public status: 'active' | 'deleted' = 'active';
  public readonly routes: Route[];
  private readonly tokens = new Map<string, string>();
  private readonly authCodes = new Map<string, { username: string; clientId: string; redirectUri: string }>();
  private readonly refreshTokens = new Map<string, string>();
  private server?: Server;

  public constructor(
    private readonly sim: SimulatorImpl,
    public readonly key: string,
    scenario: Scenario,
    private readonly number: number,
    /** Set when the simulator chose the org's Id (the scenario's was taken); kept across resets. */
    private readonly assignedOrgId: string | undefined,
    public readonly createdBy?: string
  ) {
    this.scenario = scenario;
    this.org = this.build();
    this.orgId = this.org.orgId;
    for (const fault of scenario.faults ?? []) this.faults.add(fault);
    this.username = scenario.admin;
    this.accessToken = newToken(this.orgId);
    this.tokens.set(this.accessToken, this.username);
    this.routes = [...controlRoutes(this, sim), ...apiRoutes];
  }

  private build(): OrgState {
    const org = buildOrg(this.scenario, { orgId: this.assignedOrgId, idTag: idTag(this.number) });
    org.host = this;
    return org;
  }

  public reset(scenario?: string | Scenario): void {
    this.org.cancelScheduled();
    this.sim.forgetOrgsMadeBy(this.key);
    if (scenario !== undefined) this.scenario = resolveScenario(scenario);
    this.org = this.build();
    this.orgId = this.org.orgId;
    // The admin token survives a reset so a test can log in once and reset per test.
    this.tokens.set(this.accessToken, this.scenario.admin);
    this.username = this.scenario.admin;
    this.requests.length = 0;
    this.faults.clear();
    for (const fault of this.scenario.faults ?? []) this.faults.add(fault);
  }

  public tokenFor(username: string): string {
    if (!this.org.userByUsername(username)) throw new Error(`No user ${username} in scenario.`);
    return this.newSession(username);
  }

  // ---- OrgHost ------------------------------------------------------------------------------------------------

  public newSession(username: string): string {
    const token = newToken(this.orgId);
    this.tokens.set(token, username);
    return token;
  }

  public newAuthCode(username: string, grant: { clientId: string; redirectUri: string }): string {
    const code = opaque(32);
    this.authCodes.set(code, { username, ...grant });
    return code;
  }

  public redeemAuthCode(code: string): { username: string; clientId: string; redirectUri: string } | undefined {
    const grant = this.authCodes.get(code);
    this.authCodes.delete(code);
    return grant;
  }

  public newRefreshToken(username: string): string {
    const token = `5Aep${opaque(40)}`;
    this.refreshTokens.set(token, username);
    return token;
  }

  public refreshSession(refreshToken: string): { username: string; accessToken: string } | undefined {
    const username = this.refreshTokens.get(refreshToken);
    return username === undefined ? undefined : { username, accessToken: this.newSession(username) };
  }

  public createOrg(options: NewOrgOptions): Promise<SimOrgImpl> {
    return this.sim.addOrg({ ...options, createdBy: options.createdBy ?? this.key });
  }

  public deleteOrg(key: string): Promise<void> {
    return this.sim.deleteOrg(key);
  }

  // ---- serving ------------------------------------------------------------------------------------------------

  /** The user a request's session belongs to, or undefined when the session is invalid. */
  public sessionUser(req: SimRequest, api: ApiKind): string | undefined {
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

  public async listen(port: number): Promise<void> {
    const server = createServer((req, res) => {
      this.sim.handle(this, req, res).catch((error: unknown) => {
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

  /** Closes the port; the org's state and log stay for inspection. */
  public async close(): Promise<void> {
    this.org.cancelScheduled();
    this.tokens.clear();
    this.authCodes.clear();
    this.refreshTokens.clear();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  public summary(): OrgSummary {
    return {
      key: this.key,
      status: this.status,
      instanceUrl: this.instanceUrl,
      username: this.username,
      orgId: this.orgId,
      scenario: this.scenario.name,
      ...(this.createdBy && { createdBy: this.createdBy }),
      requests: this.requests.length,
      writes: this.requests.filter((r) => r.write).length,
      apiUsage: this.org.apiUsage,
    };
  }
}

class SimulatorImpl implements Simulator {
  private readonly registry = new Map<string, SimOrgImpl>();
  private readonly primary: SimOrgImpl;
  private seq = 0;
  private made = 0;

  public constructor(
    scenario: Scenario,
    key: string,
    private readonly requestLog?: string
  ) {
    this.primary = this.make({ scenario, key });
  }

  // ---- the primary org's fields are the simulator's ----------------------------------------------------------

  public get key(): string {
    return this.primary.key;
  }
  public get instanceUrl(): string {
    return this.primary.instanceUrl;
  }
  public get port(): number {
    return this.primary.port;
  }
  public get accessToken(): string {
    return this.primary.accessToken;
  }
  public get username(): string {
    return this.primary.username;
  }
  public get orgId(): string {
    return this.primary.orgId;
  }
  public get org(): OrgState {
    return this.primary.org;
  }
  public get scenario(): Scenario {
    return this.primary.scenario;
  }
  public get requests(): RequestRecord[] {
    return this.primary.requests;
  }
  public get faults(): Faults {
    return this.primary.faults;
  }
  public set faults(faults: Faults) {
    this.primary.faults = faults;
  }
  public get status(): 'active' | 'deleted' {
    return this.primary.status;
  }
  public get createdBy(): string | undefined {
    return undefined;
  }
  public reset(scenario?: string | Scenario): void {
    this.primary.reset(scenario);
  }
  public tokenFor(username: string): string {
    return this.primary.tokenFor(username);
  }

  // ---- every org -------------------------------------------------------------------------------------------

  public get orgs(): readonly SimOrg[] {
    return [...this.registry.values()];
  }

  public getOrg(key: string): SimOrg | undefined {
    return this.registry.get(key);
  }

  /** Builds an org (not yet listening): a unique key, usernames and org Id, its own record Ids. */
  private make(options: NewOrgOptions): SimOrgImpl {
    let scenario = resolveScenario(options.scenario);
    const base = options.key ?? scenario.name ?? 'org';
    let key = base;
    for (let i = 2; this.registry.has(key); i++) key = `${base}-${i}`;
    if (!/^[\w.-]+$/.test(key)) throw new Error(`Org key "${key}" may hold letters, digits, ".", "_" and "-" only.`);
    const taken = new Set(
      this.orgs
        .filter((o) => o.status === 'active')
        .flatMap((o) => o.scenario.users.map((u) => u.username.toLowerCase()))
    );
    const suffix =
      options.usernameSuffix ?? (scenario.users.some((u) => taken.has(u.username.toLowerCase())) ? `.${key}` : '');
    scenario = withUsernameSuffix(scenario, suffix);
    const clash = scenario.users.find((u) => taken.has(u.username.toLowerCase()));
    if (clash) throw new Error(`Username ${clash.username} is already used by another org of this simulator.`);
    const number = this.made++;
    // Org Ids are never shared or reused: a scenario's Id already served here gives way to a new one.
    const used = new Set(this.orgs.map((o) => o.orgId.slice(0, 15)));
    const wanted = options.orgId ?? scenario.org.id;
    const orgId = wanted && used.has(to18(wanted).slice(0, 15)) ? orgIdFor(number) : options.orgId;
    const org = new SimOrgImpl(this, key, scenario, number, orgId, options.createdBy);
    this.registry.set(key, org);
    return org;
  }

  public async addOrg(options: NewOrgOptions): Promise<SimOrgImpl> {
    const org = this.make(options);
    try {
      await org.listen(0);
    } catch (error) {
      this.registry.delete(org.key);
      throw error;
    }
    return org;
  }

  /** Serves the orgs a scenario lists under `orgs`, beside the one it describes. */
  public async addScenarioOrgs(scenario: Scenario): Promise<void> {
    for (const entry of scenario.orgs ?? []) {
      await this.addOrg({
        scenario: scenarioOfOrg(entry, scenario),
        key: entry.key,
        usernameSuffix: entry.usernameSuffix,
      });
    }
  }

  public async deleteOrg(key: string): Promise<void> {
    const org = this.registry.get(key);
    if (!org) throw new Error(`No org "${key}" in this simulator.`);
    if (org === this.primary) throw new Error('The primary org cannot be deleted; stop the simulator instead.');
    if (org.status === 'deleted') return;
    org.status = 'deleted';
    this.deleteOrgsMadeBy(key);
    await org.close();
  }

  /** Deletes (in the background) every org an org made: a deleted Dev Hub's scratch orgs go with it. */
  public deleteOrgsMadeBy(key: string): void {
    for (const org of this.registry.values()) {
      if (org.createdBy === key && org.status === 'active') void this.deleteOrg(org.key);
    }
  }

  /**
   * Deletes every org an org made and forgets them (their logs too): a Dev Hub's reset starts it afresh, with no
   * scratch orgs, as its reset forgets its own log.
   */
  public forgetOrgsMadeBy(key: string): void {
    for (const org of [...this.registry.values()]) {
      if (org.createdBy !== key) continue;
      this.forgetOrgsMadeBy(org.key);
      this.registry.delete(org.key);
      org.status = 'deleted';
      void org.close();
    }
  }

  public allRequests(): RequestRecord[] {
    return this.orgs.flatMap((o) => o.requests).sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  }

  public summaries(): OrgSummary[] {
    return [...this.registry.values()].map((o) => o.summary());
  }

  public advance(ms: number): void {
    for (const org of this.registry.values()) if (org.status === 'active') org.org.advance(ms);
  }

  public async listen(port: number): Promise<void> {
    await this.primary.listen(port);
  }

  public async stop(): Promise<void> {
    await Promise.all([...this.registry.values()].map((o) => o.close()));
  }

  public async handle(host: SimOrgImpl, req: IncomingMessage, res: ServerResponse): Promise<void> {
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
    for (const candidate of host.routes) {
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
    const org = host.org;
    const changesBefore = org.changeCount;

    const operation =
      api === 'soap'
        ? soapOperation(simReq.text)
        : api === 'auth' && /\/oauth2\/token\/?$/.test(path)
          ? (new URLSearchParams(simReq.text).get('grant_type') ?? undefined)
          : undefined;
    let limitRefused = false;
    if (api !== 'control') {
      const fault = host.faults.apply(simReq.method, path, api, operation);
      if (fault.latencyMs > 0) await new Promise((r) => setTimeout(r, fault.latencyMs));
      if (fault.reset) {
        this.record(host, {
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
      response = injected ?? (await this.dispatch(host, simReq, route, match, pathMatched, api));
    } else {
      response = await this.dispatch(host, simReq, route, match, pathMatched, api);
    }

    const write = response.write ?? (host.org === org && org.changeCount > changesBefore);
    const headers: Record<string, string> = { ...(response.headers ?? {}) };
    if (api !== 'control') {
      // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm
      const counted = !(route?.public ?? false);
      if (counted) org.apiUsage += 1;
      // A request refused for the limit is answered when usage has reached it.
      const used = limitRefused ? Math.max(org.apiUsage, org.apiLimit) : org.apiUsage;
      headers['Sforce-Limit-Info'] = `api-usage=${used}/${org.apiLimit}`;
      // The Date header is the server's clock (RFC 9110 §6.6.1): the org's, which scenarios and advance() can shift.
      headers.Date = org.now().toUTCString();
      this.record(host, {
        method: simReq.method,
        path,
        status: response.status,
        write,
        api,
        ...(operation && { operation }),
      });
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

  private record(host: SimOrgImpl, fields: Omit<RequestRecord, 'org' | 'seq'>): void {
    const record: RequestRecord = { org: host.key, seq: ++this.seq, ...fields };
    host.requests.push(record);
    if (this.requestLog) appendFileSync(this.requestLog, `${JSON.stringify({ ...record, at: Date.now() })}\n`);
  }

  private async dispatch(
    host: SimOrgImpl,
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
      const userId = host.sessionUser(req, api);
      if (!userId) {
        if (api === 'soap')
          return soapFault('INVALID_SESSION_ID', 'Invalid Session ID found in SessionHeader: Illegal Session');
        return errorResponse(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
      }
      req.userId = userId;
    }
    try {
      return await route.handle(req, match, host.org);
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

/**
 * Starts a simulator on 127.0.0.1 from a scenario (a shipped name, a file path, or a Scenario object): its org,
 * and every org the scenario lists under `orgs`, each on its own port.
 */
export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const scenario: Scenario | LoadedScenario = resolveScenario(options.scenario);
  const sim = new SimulatorImpl(scenario, options.key ?? scenario.name ?? 'primary', options.requestLog);
  try {
    await sim.listen(options.port ?? 0);
    await sim.addScenarioOrgs(scenario);
  } catch (error) {
    await sim.stop();
    throw error;
  }
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
