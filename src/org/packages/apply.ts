import type { Connection } from '@salesforce/core';
import type { CeConfig } from '../../core/config.js';
import {
  type InstallStatus,
  type PackageRef,
  earlierVersionFix,
  earlierVersionMessage,
  formatElapsed,
  keyInvalidFix,
  NO_VERSION_ROW,
} from '../../core/package-install.js';
import { packageStatuses } from '../../core/package-status.js';
import { auditAdminsOnly } from '../admins-only.js';
import { isRetryableStatus } from '../../core/retry.js';
import { stopKind } from '../../core/stops.js';
import { applyFollowed, followRequest, runningInstallRequest, timing, waitForAvailability } from './follow.js';
import {
  DEFAULT_WAIT_MINUTES,
  type PackageInstallOutcome,
  type PackagesInstallResult,
  type InstallOptions,
  type PackageInstallPlan,
  errorCode,
  installedOrFail,
} from './model.js';

// Applying a planned install: one PackageInstallRequest per package that needs it, in order, each followed to its
// end and read back from InstalledSubscriberPackage.
/** Makes the planned requests, one package at a time in config order, and reads the result back. */
export async function applyPackageInstall(
  conn: Connection,
  config: CeConfig,
  planned: PackageInstallPlan,
  options: InstallOptions
): Promise<PackagesInstallResult> {
  let writes = 0;
  let blockedBy: string | undefined;
  for (const item of planned.items) {
    const { outcome, spec } = item;
    if (!item.install) {
      if (outcome.status === 'failed') blockedBy ??= spec.name;
      continue;
    }
    if (blockedBy) {
      Object.assign(outcome, {
        status: 'skipped',
        code: 'BLOCKED',
        message: `${spec.name} was not installed: ${blockedBy} comes first and did not finish (see above).`,
        fix: `Resolve ${blockedBy} first, then run the install again.`,
      });
      continue;
    }
    const ref: PackageRef = { spec, index: item.index, target: outcome.target };
    if (item.install.waitForAvailability) {
      const availability = await waitForAvailability(conn, item, timing(options), options);
      ref.target = outcome.target;
      if (availability !== 'available') {
        const earlier = availability === 'CANNOT_INSTALL_EARLIER_VERSION';
        const minutes = options.waitMinutes ?? DEFAULT_WAIT_MINUTES;
        const rerun = `Run \`ce-connect packages install -o ${options.alias ?? '<org>'}\` again later, or with a longer --wait.`;
        Object.assign(outcome, {
          status: 'failed',
          code: earlier
            ? 'CANNOT_INSTALL_EARLIER_VERSION'
            : availability === NO_VERSION_ROW
              ? 'VERSION_NOT_FOUND'
              : 'PACKAGE_UNAVAILABLE',
          message: earlier
            ? earlierVersionMessage(ref, outcome.before)
            : availability === NO_VERSION_ROW
              ? `${spec.name}: no package version ${spec.versionId} became visible to this org in ${minutes} minute(s). Salesforce shows none while a version is still being copied to the org's instance, and none for an id that does not exist. Nothing was installed.`
              : `${spec.name} ${spec.versionId} is still not available to this org after ${minutes} minute(s) (${availability}): Salesforce is still copying the version to the org's instance. Nothing was installed.`,
          fix: earlier
            ? earlierVersionFix(ref, options.configPath ?? 'the config')
            : availability === NO_VERSION_ROW
              ? `Check packages[${ref.index}].versionId in ${options.configPath ?? 'the config'} (the 04t id from the package's AppExchange listing; its install link ends in ?p0=04t…). ${rerun}`
              : rerun,
        });
        blockedBy = spec.name;
        continue;
      }
    }
    // "Install for Admins Only" is SecurityType None; UpgradeType and ApexCompileType are for unlocked packages only.
    const request: Record<string, unknown> = {
      SubscriberPackageVersionKey: spec.versionId,
      SecurityType: 'None',
      EnableRss: spec.enableRss ?? false,
      NameConflictResolution: 'Block',
    };
    if (item.install.password !== undefined) request.Password = item.install.password;
    let requestId: string;
    const running = await runningInstallRequest(conn, spec.versionId);
    if (running) {
      // An earlier run's request for this version is still running: follow it rather than install twice.
      requestId = running;
    } else {
      try {
        requestId = await createRequest(conn, request, timing(options));
        writes += 1;
      } catch (error) {
        // An outage that outlasted the wait is the command's stop (it names the command that continues), not a
        // refusal of this package.
        if (stopKind(error)) throw error;
        const code = errorCode(error);
        const keyCase = code === 'INSTALL_KEY_INVALID' || code === 'INSTALL_KEY_REQUIRED';
        Object.assign(outcome, {
          status: 'failed',
          code: keyCase ? code : 'INSTALL_FAILED',
          message: `${spec.name}: Salesforce refused the install request (${code}): ${(error as Error).message}`,
          fix: keyCase
            ? keyInvalidFix(item.install.keySource)
            : `Run \`ce-connect packages install -o ${options.alias ?? '<org>'}\` again; if it keeps failing, install once from the AppExchange listing to see the full message.`,
        });
        blockedBy = spec.name;
        continue;
      }
    }
    options.onRequest?.(spec, requestId);
    outcome.requestId = requestId;
    const followed = await followRequest(conn, requestId, spec, options, false);
    if (followed.status === 'SUCCESS') {
      outcome.status = outcome.action === 'upgrade' ? 'upgraded' : 'installed';
      outcome.message = `${outcome.action === 'upgrade' ? 'Upgraded' : 'Installed'} ${spec.name} for admins only (request ${requestId}, ${formatElapsed(followed.elapsedMs)}).`;
    } else {
      applyFollowed(outcome, followed, options, ref);
      blockedBy = spec.name;
    }
  }
  if (writes > 0)
    await confirmInstalled(
      conn,
      config,
      planned.items.map((i) => i.outcome),
      options
    );
  const result = finish(planned, writes, false);
  if (!result.ok) return result;
  // SecurityType None asks for admins only, but what an install grants is not always what was asked for
  // (forcedotcom/cli#1973, SFDO-Tooling/CumulusCI#3902): the org's access is read back, as the versions are.
  const access = await auditAdminsOnly(conn, config);
  return { ...result, ok: access.ok, access };
}

/** Reads the installed versions back after installs, so "after" is what the org reports. */
async function confirmInstalled(
  conn: Connection,
  config: CeConfig,
  outcomes: PackageInstallOutcome[],
  options: InstallOptions
): Promise<void> {
  const installed = await installedOrFail(conn, options.alias ?? '<org>');
  const statuses = packageStatuses(config.packages, installed);
  for (const outcome of outcomes) {
    const status = statuses.find((s) => s.key === outcome.key);
    outcome.after = status?.installed ?? null;
    if ((outcome.status === 'installed' || outcome.status === 'upgraded') && status?.status !== 'ok') {
      Object.assign(outcome, {
        status: 'failed',
        code: 'NOT_CONFIRMED_INSTALLED',
        message: `${outcome.name}: the install request ${outcome.requestId} reported SUCCESS, but the org lists ${status?.installed ?? 'no version'}; ${status?.required} or later is required.`,
        fix: `Check Setup > Installed Packages, then run \`ce-connect packages check -o ${options.alias ?? '<org>'}\`.`,
      });
    } else if (outcome.status === 'installed' || outcome.status === 'upgraded') {
      outcome.message = outcome.message.replace(
        ' for admins only',
        ` ${outcome.before ? `${outcome.before} → ` : ''}${outcome.after} for admins only`
      );
    }
  }
}

export function finish(planned: PackageInstallPlan, writes: number, dryRun: boolean): PackagesInstallResult {
  const packages = planned.items.map((i) => i.outcome);
  const good: InstallStatus[] = dryRun
    ? ['satisfied', 'newer-installed', 'planned']
    : ['satisfied', 'newer-installed', 'installed', 'upgraded'];
  return { ok: packages.every((p) => good.includes(p.status)), dryRun, writes, plan: planned.plan, packages };
}

/** The plan as a result, for --dry-run. */
export function dryRunResult(planned: PackageInstallPlan): PackagesInstallResult {
  return finish(planned, 0, true);
}

/**
 * Refusals of a new PackageInstallRequest that pass with time, as CumulusCI treats them
 * (cumulusci/salesforce_api/package_install.py): the version is still being copied to the org's instance ("This
 * package is not yet available", or "invalid cross reference id" for a 04t the instance does not know yet, HTTP
 * 400), or another install holds the record ("unable to obtain exclusive access to this record"). The version was
 * found by its 04t before the request, so a cross-reference refusal here is the copy, not a wrong id. Anything
 * else is final.
 */
const PASSING_REFUSALS = [
  /not yet available/i,
  /invalid cross reference id/i,
  /unable to obtain exclusive access to this record/i,
];

/**
 * A create that may or may not have reached the org: the server was unavailable (502/503/504, SERVER_UNAVAILABLE)
 * or the connection dropped before the answer. Salesforce documents 503 as "not processed", but a gateway's 502 or
 * 504 and a lost answer leave it unknown, so the retry first looks for a request the lost answer may have made.
 */
function answerLost(error: unknown): boolean {
  const kind = stopKind(error);
  return kind === 'unavailable' || kind === 'network' || isRetryableStatus(error);
}

/**
 * Makes the request, waiting out the passing refusals and an unavailable server on the poll schedule within the
 * package's --wait; never a second request for a version whose first one may have arrived. Once an answer was
 * lost, every later try (and the end of the wait) first looks for a running request for the version; when that
 * look itself fails, the run stops rather than risk a second request. Assumption: a request made seconds ago is
 * still IN_PROGRESS when it is looked for (installs take minutes).
 */
async function createRequest(
  conn: Connection,
  request: Record<string, unknown>,
  wait: ReturnType<typeof timing>
): Promise<string> {
  const versionId = String(request.SubscriberPackageVersionKey);
  let anyLost = false;
  for (let poll = 0; ; poll++) {
    try {
      const created = await conn.tooling.create('PackageInstallRequest', request);
      return String((created as { id?: string }).id);
    } catch (error) {
      const lost = answerLost(error);
      anyLost ||= lost;
      const passing = lost || PASSING_REFUSALS.some((p) => p.test(String((error as Error).message)));
      const again = passing && (await wait.waitBefore(poll));
      if (anyLost) {
        const arrived = await runningInstallRequest(conn, versionId, { strict: true }).catch(() => {
          throw error;
        });
        if (arrived) return arrived;
      }
      if (!again) throw error;
    }
  }
}
