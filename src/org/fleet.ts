import { AuthInfo, type Connection, Org } from '@salesforce/core';
import type { CeConfig } from '../core/config.js';
import { CeError, operationError } from '../core/errors.js';
import type { FleetOrg } from '../core/fleet-orgs.js';
import type { FleetOrgOutcome } from '../core/fleet-report.js';
import { FLEET_TEXTS } from '../core/messages.js';
import { stopKind } from '../core/stops.js';
import { type ApiCallCounter, capApiCalls } from './api-calls.js';
import { clock, withClock } from './clock.js';
import { SlotPool, slotClock } from './fleet-pool.js';
import { type OrgFacts, readOrgFacts } from './org-facts.js';
import { countedWithRetries } from './read-retries.js';

/** An org of the list with the config it runs with, read and checked before any org is opened. */
export type FleetEntry = Omit<FleetOrg, 'config'> & { config: CeConfig; configPath: string };

export type FleetSession = { entry: FleetEntry; conn: Connection; facts: OrgFacts; calls: ApiCallCounter };

/** What one org's work came to. */
export type FleetOutcome<R> = {
  ok: boolean;
  writes: number;
  result: R;
  /** The first thing that failed, with what fixes it. */
  failure?: FleetFailure;
};

export type FleetFailure = { name: string; message: string; fix?: string };

/** One org's outcome, with its work's result (the checklist report, the setup result). */
export type FleetRow<R> = FleetOrgOutcome & { failure?: FleetFailure; result?: R };

export type FleetEvent<R> =
  | { kind: 'start'; org: string }
  | { kind: 'progress'; org: string; message: string }
  | { kind: 'finish'; row: FleetRow<R> };

export type FleetRunOptions<R> = {
  entries: FleetEntry[];
  /** Orgs worked on at once; an org waiting (for an install, a sync, a Bulk job) holds no slot. */
  concurrency: number;
  /** Stop starting orgs once this many have failed. */
  maxFailures?: number;
  /** Refuse any request past this many on one org. */
  maxApiCallsPerOrg?: number;
  /** Calls an org already spent in this run (an earlier pass over the same orgs): they count against the cap. */
  spent?: (org: string) => number;
  /** The API calls one org's work is expected to make: an org with less than twice this left today is skipped. */
  plannedCalls: number;
  /** How long read retries may go on for one org (its work's longest wait). */
  retryBudgetMs?: number;
  work: (session: FleetSession, progress: (message: string) => void) => Promise<FleetOutcome<R>>;
  onEvent?: (event: FleetEvent<R>) => void;
};

type DailyApi = { Max: number; Remaining: number };

/**
 * Runs `work` on every org of the list in one process: at most `concurrency` at once, each org's steps in order,
 * each org's waits holding no slot (its clock gives the slot back while it sleeps). An org that cannot be opened,
 * has too few API requests left, or fails is a row of the result, never an abort of the run.
 */
export async function runFleet<R>(options: FleetRunOptions<R>): Promise<Array<FleetRow<R>>> {
  const pool = new SlotPool(options.concurrency);
  const base = clock();
  let failures = 0;
  const rows = await Promise.all(
    options.entries.map(async (entry): Promise<FleetRow<R>> => {
      await pool.acquire();
      try {
        if (options.maxFailures !== undefined && failures >= options.maxFailures) {
          return notRun(entry, options.maxFailures);
        }
        options.onEvent?.({ kind: 'start', org: entry.org });
        const row = await withClock(slotClock(base, pool), () => runOne(entry, options));
        if (row.status === 'failed') failures += 1;
        options.onEvent?.({ kind: 'finish', row });
        return row;
      } finally {
        pool.release();
      }
    })
  );
  return rows;
}

function notRun<R>(entry: FleetEntry, maxFailures: number): FleetRow<R> {
  return {
    org: entry.org,
    status: 'not-run',
    writes: 0,
    apiCalls: 0,
    durationMs: 0,
    failure: {
      name: 'MaxFailuresReached',
      message: FLEET_TEXTS.getMessage('finding.maxFailures', [maxFailures]),
      fix: FLEET_TEXTS.getMessage('fix.retryFailed'),
    },
  };
}

async function runOne<R>(entry: FleetEntry, options: FleetRunOptions<R>): Promise<FleetRow<R>> {
  const started = clock().now();
  let session: FleetSession | undefined;
  let apiRemaining: number | undefined;
  /** Where the org is, once its stored login is read: the login command that fixes a refused session names it. */
  const where: { instanceUrl?: string } = {};
  const row = (fields: Partial<FleetRow<R>> & Pick<FleetRow<R>, 'status'>): FleetRow<R> => ({
    org: entry.org,
    ...(session
      ? {
          orgId: session.facts.id,
          name: session.facts.name,
          kind: session.facts.kind,
          instanceUrl: session.facts.instanceUrl,
        }
      : {}),
    writes: 0,
    apiCalls: session?.calls.count ?? 0,
    ...(apiRemaining === undefined ? {} : { apiRemaining }),
    durationMs: clock().now() - started,
    ...fields,
  });
  try {
    const opened = await openFleetOrg(entry, options.retryBudgetMs, where);
    session = opened.session;
    apiRemaining = opened.daily?.Remaining;
    if (opened.daily && opened.daily.Remaining < 2 * options.plannedCalls) {
      return row({
        status: 'skipped',
        failure: {
          name: 'LowApiAllowance',
          message: FLEET_TEXTS.getMessage('finding.lowApi', [
            opened.daily.Remaining,
            opened.daily.Max,
            options.plannedCalls,
          ]),
          fix: FLEET_TEXTS.getMessage('fix.lowApi'),
        },
      });
    }
    if (options.maxApiCallsPerOrg !== undefined) {
      const cap = options.maxApiCallsPerOrg;
      capApiCalls(session.conn, Math.max(0, cap - (options.spent?.(entry.org) ?? 0)), () =>
        operationError(FLEET_TEXTS, 'ApiBudgetReached', [cap], { actionTokens: [[cap]] })
      );
    }
    const outcome = await options.work(session, (message) =>
      options.onEvent?.({ kind: 'progress', org: entry.org, message })
    );
    return row({
      status: outcome.ok ? 'ok' : 'failed',
      writes: outcome.writes,
      result: outcome.result,
      ...(outcome.failure ? { failure: outcome.failure } : {}),
    });
  } catch (error) {
    return row({ status: 'failed', failure: describeFailure(error, entry, where.instanceUrl) });
  }
}

/** Opens the org as `sf` knows it, counts its calls, retries its reads, and reads its facts and API allowance. */
async function openFleetOrg(
  entry: FleetEntry,
  retryBudgetMs: number | undefined,
  where: { instanceUrl?: string }
): Promise<{ session: FleetSession; daily?: DailyApi }> {
  const org = await Org.create({ aliasOrUsername: entry.org });
  const conn = org.getConnection();
  where.instanceUrl = conn.instanceUrl.replace(/\/+$/, '');
  const calls = countedWithRetries(conn, retryBudgetMs);
  const facts = await readOrgFacts(conn);
  // Every REST answer reports the org's 24-hour API usage (Sforce-Limit-Info, the same counter as the limits
  // resource's DailyApiRequests), so the facts' answer gives it and the run spends no call of its own on it; the
  // limits resource is asked only when an answer came without the header.
  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm
  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm
  const usage = calls.usage;
  const daily = usage
    ? { Max: usage.limit, Remaining: Math.max(0, usage.limit - usage.used) }
    : (await conn.request<{ DailyApiRequests?: DailyApi }>(`/services/data/v${conn.getApiVersion()}/limits`))
        .DailyApiRequests;
  return { session: { entry, conn, facts, calls }, daily };
}

/** Why an org failed, with the one thing that fixes it, in the words of the single-org commands. */
function describeFailure(error: unknown, entry: FleetEntry, url: string | undefined): FleetFailure {
  const e = error as Error & { actions?: string[] };
  const login = FLEET_TEXTS.getMessage('fix.login', [entry.org, url ? ` --instance-url ${url}` : '']);
  if (e?.name === 'NamedOrgNotFoundError' || e?.name === 'NoAuthInfoFound' || e?.name === 'AuthInfoCreationError') {
    return { name: 'OrgNotKnown', message: FLEET_TEXTS.getMessage('finding.notKnown', [entry.org]), fix: login };
  }
  const stop = stopKind(error);
  if (stop === 'session') return { name: 'SessionExpired', message: e.message, fix: login };
  if (stop === 'api-limit') {
    return { name: 'ApiLimitExceeded', message: e.message, fix: FLEET_TEXTS.getMessage('fix.lowApi') };
  }
  if (stop === 'network' || stop === 'unavailable') {
    return {
      name: stop === 'network' ? 'ConnectionLost' : 'OrgUnavailable',
      message: e.message,
      fix: FLEET_TEXTS.getMessage('fix.retryFailed'),
    };
  }
  if (error instanceof CeError) {
    // Every action is a way on (the policy refusal's --force, or the run without the step).
    return {
      name: error.name,
      message: error.message,
      ...(error.actions.length > 0 ? { fix: error.actions.join(' Or: ') } : {}),
    };
  }
  // A refused refresh of the stored login (expired or revoked) reaches us as an auth error of @salesforce/core.
  if (/refresh|expired access\/refresh token|invalid_grant/i.test(e?.message ?? '')) {
    return { name: 'SessionExpired', message: e.message, fix: login };
  }
  return { name: e?.name ?? 'Error', message: e?.message ?? String(error) };
}

/**
 * The orgs `sf org list` would show as connected candidates: every stored login that is not an expired scratch
 * org, named by its alias when it has one.
 */
export async function connectedOrgNames(): Promise<string[]> {
  const auths = await AuthInfo.listAllAuthorizations();
  return auths
    .filter((a) => !a.isExpired || a.isExpired === 'unknown')
    .map((a) => a.aliases?.[0] ?? a.username)
    .sort((a, b) => a.localeCompare(b));
}
