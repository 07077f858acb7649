import type { Connection } from '@salesforce/core';
import {
  DEFAULT_POLL_SCHEDULE,
  type FailureCode,
  type PackageRef,
  WAIT_ERROR_CODES,
  WAIT_STATUSES,
  classifyInstallErrors,
  earlierVersionFix,
  keyInvalidFix,
  NO_VERSION_ROW,
  pollDelay,
  soqlString,
  timeoutMessage,
  versionOfRow,
} from '../../core/package-install.js';
import { formatVersion } from '../../core/versions.js';
import { now as clockNow, sleep as clockSleep } from '../clock.js';
import {
  DEFAULT_WAIT_MINUTES,
  type PackageInstallOutcome,
  type InstallOptions,
  type PlanItem,
  type SpvRow,
  type RequestRow,
  errorCode,
  querySpv,
} from './model.js';

// Following a PackageInstallRequest: waiting while the version is unavailable, then reading its status on a
// backing-off schedule until SUCCESS, ERROR or the deadline.
/** Re-queries the version until it is available or the deadline passes. */
export async function waitForAvailability(
  conn: Connection,
  item: PlanItem,
  timing: Timing,
  options: InstallOptions
): Promise<'available' | string> {
  const password = item.install?.password;
  let status = 'PACKAGE_UNAVAILABLE';
  for (let poll = 0; ; poll++) {
    let row: SpvRow | undefined;
    try {
      row = await querySpv(conn, item.spec.versionId, password);
      if (!row) status = NO_VERSION_ROW;
    } catch (error) {
      if (!WAIT_ERROR_CODES.includes(errorCode(error))) throw error;
    }
    status = row?.InstallValidationStatus ?? status;
    options.onProgress?.({
      phase: 'availability',
      key: item.spec.key,
      name: item.spec.name,
      status,
      startedAt: timing.start,
      deadline: timing.deadline,
      polls: poll + 1,
    });
    if (row && !WAIT_STATUSES.includes(status)) {
      item.outcome.target = formatVersion(versionOfRow(row));
      return status === 'NO_ERRORS_DETECTED' ? 'available' : status;
    }
    if (!(await timing.waitBefore(poll))) return status;
  }
}

type Timing = {
  start: number;
  deadline: number;
  /** Sleeps before read number `poll`; false when the deadline has passed. */
  waitBefore(poll: number): Promise<boolean>;
};

export function timing(options: InstallOptions): Timing {
  const now = options.now ?? clockNow;
  const sleep = options.sleep ?? clockSleep;
  const schedule = options.pollSchedule ?? DEFAULT_POLL_SCHEDULE;
  const start = now();
  const deadline = start + (options.waitMinutes ?? DEFAULT_WAIT_MINUTES) * 60_000;
  return {
    start,
    deadline,
    async waitBefore(poll) {
      const left = deadline - now();
      if (left <= 0) return false;
      await sleep(Math.min(pollDelay(schedule, poll), left));
      return true;
    },
  };
}

type Followed = { status: 'SUCCESS' | 'ERROR' | 'TIMEOUT'; messages: string[]; versionId: string; elapsedMs: number };

/** Reads a request's status on the poll schedule until SUCCESS, ERROR or the deadline. */
export async function followRequest(
  conn: Connection,
  requestId: string,
  who: { key: string; name: string },
  options: InstallOptions,
  readFirst: boolean
): Promise<Followed> {
  const t = timing(options);
  const now = options.now ?? clockNow;
  for (let poll = 0; ; poll++) {
    if ((poll > 0 || !readFirst) && !(await t.waitBefore(poll))) {
      return { status: 'TIMEOUT', messages: [], versionId: '', elapsedMs: now() - t.start };
    }
    const request = (await conn.tooling.retrieve('PackageInstallRequest', requestId)) as unknown as RequestRow;
    options.onProgress?.({
      phase: 'install',
      key: who.key,
      name: who.name,
      status: request.Status,
      requestId,
      startedAt: t.start,
      deadline: t.deadline,
      polls: poll + 1,
    });
    if (request.Status === 'SUCCESS' || request.Status === 'ERROR') {
      const messages = (request.Errors?.errors ?? []).map((e) => e.message ?? '').filter(Boolean);
      return {
        status: request.Status,
        messages,
        versionId: request.SubscriberPackageVersionKey,
        elapsedMs: now() - t.start,
      };
    }
  }
}

export function applyFollowed(
  outcome: PackageInstallOutcome,
  followed: Followed,
  options: InstallOptions,
  ref: PackageRef
): void {
  const alias = options.alias ?? '<org>';
  const requestId = outcome.requestId ?? '';
  if (followed.status === 'TIMEOUT') {
    Object.assign(outcome, {
      status: 'timeout',
      code: 'TIMEOUT',
      message: timeoutMessage(outcome.name, requestId, options.waitMinutes ?? DEFAULT_WAIT_MINUTES, alias),
      fix: `ce-connect packages install -o ${alias} --resume ${requestId}`,
    });
  } else if (followed.status === 'ERROR') {
    const code = classifyInstallErrors(followed.messages);
    const detail = followed.messages.join(' ') || 'Salesforce gave no message.';
    const fixes: Partial<Record<FailureCode, string>> = {
      CANNOT_INSTALL_EARLIER_VERSION: earlierVersionFix(ref, options.configPath ?? 'the config'),
      INSTALL_KEY_INVALID: keyInvalidFix({ kind: 'flag' }),
      PACKAGE_UNAVAILABLE: `Wait a few minutes for Salesforce to finish copying the version, then run \`ce-connect packages install -o ${alias}\` again.`,
    };
    Object.assign(outcome, {
      status: 'failed',
      code,
      message: `${outcome.name}${outcome.target ? ` ${outcome.target}` : ''} failed to install (request ${requestId}): ${detail}`,
      fix:
        fixes[code] ??
        `Fix what the package's message says, then run \`ce-connect packages install -o ${alias}\` again (Setup > Installed Packages shows the same error).`,
    });
  }
}

/**
 * An install request for this version that is still running, left by an earlier run that stopped (a lost
 * connection, an expired session, Ctrl-C). Following it instead of making a second request keeps an identical
 * rerun from installing twice. Assumption: the Tooling API lets PackageInstallRequest be filtered on
 * SubscriberPackageVersionKey and Status, as it lets other fields of the object be queried; a refusal is read as
 * "none running", and the run makes its request as before (unless `strict`: then the refusal is thrown).
 */
export async function runningInstallRequest(
  conn: Connection,
  versionId: string,
  options: { strict?: boolean } = {}
): Promise<string | undefined> {
  try {
    const found = await conn.tooling.query<{ Id: string }>(
      `SELECT Id FROM PackageInstallRequest WHERE SubscriberPackageVersionKey = ${soqlString(versionId)} AND Status = 'IN_PROGRESS' ORDER BY CreatedDate DESC LIMIT 1`
    );
    return found.records[0]?.Id;
  } catch (error) {
    // strict: the caller must know, because "none running" would let it make a second request.
    if (options.strict) throw error;
    return undefined;
  }
}
