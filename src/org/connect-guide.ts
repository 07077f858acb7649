import type { Connection } from '@salesforce/core';
import type { CheckItem } from '../core/checklist.js';
import type { CeConfig } from '../core/config.js';
import { type ConnectGuide, buildConnectGuide } from '../core/connect-guide.js';
import type { AuditUser } from '../core/integration-user-audit.js';
import { type LoginRow, likelyCauses, newOAuthLogins, pollPlan, succeeded } from '../core/login-watch.js';
import type { OrgFacts } from './org-facts.js';
import { clock } from './clock.js';
import {
  hasPermission,
  readAssignedPermissionSets,
  readUsers,
  runningUsername,
  soqlQuote,
  unreadable,
} from './user-access.js';

/**
 * The guide with this org's values. One query (the integration user and the running user, returned for a
 * following waitForOAuthLogin); the org facts come from the caller.
 */
export async function connectGuide(
  conn: Connection,
  config: CeConfig,
  facts: OrgFacts,
  options: { username?: string; targetOrg?: string } = {}
): Promise<ConnectGuide & { user: AuditUser | null; runner?: AuditUser }> {
  const username = options.username ?? config.integrationUser.username;
  const me = runningUsername(conn);
  const users = await readUsers(conn, [username, me]);
  const user = users.get(username.toLowerCase()) ?? null;
  const guide = buildConnectGuide({
    orgName: facts.name,
    kind: facts.kind,
    // The URL the connection uses is the one Salesforce returned at login; it is never assembled here.
    instanceUrl: facts.instanceUrl,
    username,
    user,
    targetOrg: options.targetOrg ?? '<org>',
  });
  return { ...guide, user, runner: users.get(me.toLowerCase()) };
}

export type LoginWatchProgress = { elapsedMs: number; waitMs: number; polls: number; maxPolls: number };

export type LoginWatchResult = {
  username: string;
  /** The new successful OAuth login, when one appeared. */
  login?: LoginRow;
  /** New OAuth logins that failed. */
  failures: LoginRow[];
  /** Whether the running user can see the integration user's login history at all. */
  visible: boolean;
  polls: number;
  maxPolls: number;
  intervalMs: number;
  waitedMs: number;
  /** When nothing arrived: why, most likely first. */
  causes?: string[];
  /** When the history is not visible: the permission that would make it so. */
  missingPermission?: string;
};

const LOGIN_PERMISSION = 'Manage Users or Monitor Login History';

/**
 * Whether the running user sees another user's LoginHistory: Manage Users or Monitor Login History
 * (reference §4). PermissionsMonitorLoginHistory is newer than some orgs' API (⚠ unconfirmed per org), so an
 * INVALID_FIELD on it falls back to Manage Users alone.
 */
async function canSeeLogins(
  conn: Connection,
  me: { id: string } | undefined,
  target: { id: string }
): Promise<boolean> {
  if (!me) return false;
  if (me.id === target.id) return true;
  try {
    const sets = await readAssignedPermissionSets(conn, [me.id], ['ManageUsers', 'MonitorLoginHistory']);
    return hasPermission(sets.get(me.id), 'ManageUsers') || hasPermission(sets.get(me.id), 'MonitorLoginHistory');
  } catch (error) {
    if ((error as { errorCode?: string }).errorCode !== 'INVALID_FIELD') throw error;
    const sets = await readAssignedPermissionSets(conn, [me.id], ['ManageUsers']);
    return hasPermission(sets.get(me.id), 'ManageUsers');
  }
}

/**
 * Logins since `sinceMs`. Only UserId and LoginTime are filtered in SOQL; Application and Status are not
 * filterable (reference §4), so OAuth logins are picked out afterwards.
 */
async function recentLogins(conn: Connection, userId: string, sinceMs: number): Promise<LoginRow[]> {
  const since = new Date(Math.floor(sinceMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const result = await conn.query<{
    Id: string;
    LoginTime: string;
    Application: string | null;
    LoginType: string | null;
    LoginSubType: string | null;
    Status: string | null;
    SourceIp: string | null;
  }>(
    `SELECT Id, LoginTime, Application, LoginType, LoginSubType, Status, SourceIp FROM LoginHistory WHERE UserId = ${soqlQuote(userId)} AND LoginTime >= ${since} ORDER BY LoginTime DESC LIMIT 200`
  );
  return result.records.map((r) => ({
    id: r.Id,
    loginTime: r.LoginTime,
    application: r.Application,
    loginType: r.LoginType,
    loginSubType: r.LoginSubType,
    status: r.Status,
    sourceIp: r.SourceIp,
  }));
}

/**
 * Logins are compared with the command's start by the local clock; up to this much difference between the
 * local clock and the org's is tolerated (a login this long before the start still counts as new).
 */
export const CLOCK_TOLERANCE_MS = 60_000;

/**
 * Waits for a new OAuth login of the integration user: one with a LoginTime after `since` (the command's
 * start, minus CLOCK_TOLERANCE_MS). Failed OAuth logins are collected and the wait goes on; the first
 * successful one ends it. At most maxPolls LoginHistory queries, spread over the wait.
 */
export async function waitForOAuthLogin(
  conn: Connection,
  options: {
    username: string;
    waitMinutes: number;
    intervalSeconds?: number;
    maxPolls?: number;
    /** The start of the wait, local clock, ms (default: now). */
    since?: number;
    /** The integration user and the running user, when the caller has already read them (saves a query). */
    users?: { target: AuditUser | null; runner?: AuditUser };
    onProgress?: (event: LoginWatchProgress) => void;
  }
): Promise<LoginWatchResult> {
  const schedule = pollPlan(options.waitMinutes, options.intervalSeconds ?? 15, options.maxPolls ?? 60);
  let known = options.users;
  if (!known) {
    const me = runningUsername(conn);
    const users = await readUsers(conn, [options.username, me]);
    known = { target: users.get(options.username.toLowerCase()) ?? null, runner: users.get(me.toLowerCase()) };
  }
  const target = known.target;
  const base = { username: options.username, failures: [], polls: 0, ...schedule, waitedMs: 0 };
  if (!target) {
    return {
      ...base,
      visible: false,
      causes: [`There is no user ${options.username} in this org.`],
    };
  }
  if (!(await canSeeLogins(conn, known.runner, target))) {
    return { ...base, visible: false, missingPermission: LOGIN_PERMISSION };
  }
  const started = clock().now();
  const since = (options.since ?? started) - CLOCK_TOLERANCE_MS;
  let polls = 0;
  const failures: LoginRow[] = [];
  const seen = new Set<string>();
  for (;;) {
    let rows: LoginRow[];
    try {
      rows = await recentLogins(conn, target.id, since);
    } catch (error) {
      if (!unreadable(error, LOGIN_PERMISSION)) throw error;
      return { ...base, polls: polls + 1, visible: false, missingPermission: LOGIN_PERMISSION };
    }
    polls += 1;
    for (const login of newOAuthLogins(rows, seen)) {
      seen.add(login.id);
      if (succeeded(login)) {
        return { ...base, login, failures, visible: true, polls, waitedMs: clock().now() - started };
      }
      failures.push(login);
    }
    const elapsedMs = clock().now() - started;
    options.onProgress?.({ elapsedMs, waitMs: schedule.waitMs, polls, maxPolls: schedule.maxPolls });
    // Checks run at fixed times (every interval from the start, the last one at or before the deadline), so
    // the number of queries is known before the first one.
    if (polls >= schedule.maxPolls) {
      return {
        ...base,
        failures,
        visible: true,
        polls,
        waitedMs: elapsedMs,
        causes: likelyCauses(options.username, failures),
      };
    }
    await clock().sleep(Math.max(0, started + polls * schedule.intervalMs - clock().now()));
  }
}

/**
 * Checklist item: CE has connected since the incident, judged by the integration user's successful OAuth
 * logins since config backfill.since.
 */
export async function checkConnection(conn: Connection, config: CeConfig): Promise<CheckItem[]> {
  const username = config.integrationUser.username;
  const title = `CE connected as ${username} since ${config.backfill.since.slice(0, 10)}`;
  const me = runningUsername(conn);
  const users = await readUsers(conn, [username, me]);
  const target = users.get(username.toLowerCase());
  if (!target) {
    return [
      {
        id: 'connection.oauth-login',
        title,
        status: 'fail',
        evidence: `No user ${username}.`,
        fix: 'ce-connect integration-user check -o <org>',
      },
    ];
  }
  if (!(await canSeeLogins(conn, users.get(me.toLowerCase()), target))) {
    return [
      {
        id: 'connection.oauth-login',
        title,
        status: 'skip',
        evidence: `${me} cannot see ${username}'s login history.`,
        fix: `Run the checklist as a user with ${LOGIN_PERMISSION}.`,
      },
    ];
  }
  const rows = await recentLogins(conn, target.id, Date.parse(config.backfill.since));
  const ok = newOAuthLogins(rows, new Set()).filter(succeeded);
  const last = ok[ok.length - 1];
  return [
    last
      ? {
          id: 'connection.oauth-login',
          title,
          status: 'pass',
          evidence: `Last OAuth login ${last.loginTime} by ${last.application ?? 'an app'} from ${last.sourceIp ?? 'unknown'}.`,
        }
      : {
          id: 'connection.oauth-login',
          title,
          status: 'fail',
          evidence: `No successful OAuth login of ${username} since ${config.backfill.since}.`,
          fix: 'ce-connect connect-guide -o <org> --wait 15',
        },
  ];
}
