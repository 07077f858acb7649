import type { Connection } from '@salesforce/core';
import type { CeConfig } from '../../core/config.js';
import {
  type FailureCode,
  type KeySource,
  type PackageRef,
  WAIT_ERROR_CODES,
  WAIT_STATUSES,
  belowMinimumMessage,
  decide,
  earlierVersionFix,
  earlierVersionMessage,
  keyInvalidFix,
  keyInvalidMessage,
  keyRequiredFix,
  keyRequiredMessage,
  planLine,
  versionOfRow,
  NO_VERSION_ROW,
} from '../../core/package-install.js';
import { findInstalled } from '../../core/package-status.js';
import { compareReleases, compareVersions, formatVersion, parseVersion } from '../../core/versions.js';
import {
  type InstallOptions,
  type PlanItem,
  type PackageInstallPlan,
  type SpvRow,
  errorCode,
  installedOrFail,
  keySourceFor,
  querySpv,
  outcomeBase,
} from './model.js';

// Planning a package install: reads only. For each package in config order, what the org has and what to do.
type Preflight =
  | { kind: 'row'; row: SpvRow; password?: string; keySource: KeySource }
  | { kind: 'unavailable'; status: string; password?: string; keySource: KeySource }
  | { kind: 'failed'; code: FailureCode; message: string; fix: string };

/**
 * Looks the version up the way the sf CLI does before installing: without a key first, and with the key only
 * when Salesforce says the version needs one (a key sent for a version without one is refused).
 */
async function preflight(conn: Connection, ref: PackageRef, options: InstallOptions): Promise<Preflight> {
  const { key, source } = keySourceFor(ref.spec, options);
  let password: string | undefined;
  let row: SpvRow | undefined;
  try {
    row = await querySpv(conn, ref.spec.versionId);
  } catch (error) {
    const code = errorCode(error);
    if (WAIT_ERROR_CODES.includes(code)) return { kind: 'unavailable', status: code, keySource: source };
    if (code !== 'INSTALL_KEY_REQUIRED') throw error;
    if (key === undefined) {
      return {
        kind: 'failed',
        code: 'INSTALL_KEY_REQUIRED',
        message: keyRequiredMessage(ref),
        fix: keyRequiredFix(ref, source),
      };
    }
    try {
      row = await querySpv(conn, ref.spec.versionId, key);
      password = key;
    } catch (withKey) {
      const keyCode = errorCode(withKey);
      if (keyCode === 'INSTALL_KEY_INVALID') {
        return {
          kind: 'failed',
          code: 'INSTALL_KEY_INVALID',
          message: keyInvalidMessage(ref, source),
          fix: keyInvalidFix(source),
        };
      }
      if (WAIT_ERROR_CODES.includes(keyCode))
        return { kind: 'unavailable', status: keyCode, password: key, keySource: source };
      throw withKey;
    }
  }
  if (!row) {
    // Real orgs answer a version that is still being copied to their instance with no row at all, not with
    // PACKAGE_UNAVAILABLE (as sf CLI users report), so no row is waited out like an unavailable version; only at
    // the deadline does it become "not visible", which may also mean a wrong id.
    return { kind: 'unavailable', status: NO_VERSION_ROW, password, keySource: source };
  }
  return WAIT_STATUSES.includes(row.InstallValidationStatus)
    ? { kind: 'unavailable', status: row.InstallValidationStatus, password, keySource: source }
    : { kind: 'row', row, password, keySource: source };
}

/** Reads what is installed and looks up every version to install; writes nothing. */
export async function planPackageInstall(
  conn: Connection,
  config: CeConfig,
  options: InstallOptions
): Promise<PackageInstallPlan> {
  const alias = options.alias ?? '<org>';
  const installed = await installedOrFail(conn, alias);
  const items: PlanItem[] = [];
  const plan: string[] = [];
  for (const [index, spec] of config.packages.entries()) {
    const decision = decide(spec, installed);
    const outcome = outcomeBase(spec, decision.before, decision.action);
    const item: PlanItem = { spec, index, outcome };
    items.push(item);
    if (decision.action === 'none') {
      outcome.status = decision.newer ? 'newer-installed' : 'satisfied';
      outcome.message = decision.newer
        ? `${spec.name} ${decision.before} is installed, newer than the required ${spec.minimumVersion}: left as it is (packages are never downgraded).`
        : `${spec.name} ${decision.before} is installed; ${spec.minimumVersion} or later is required. Nothing to do.`;
      continue;
    }
    const ref: PackageRef = { spec, index, target: null };
    const found = await preflight(conn, ref, options);
    if (found.kind === 'failed') {
      Object.assign(outcome, { status: 'failed', code: found.code, message: found.message, fix: found.fix });
      continue;
    }
    if (found.kind === 'row') {
      const target = versionOfRow(found.row);
      ref.target = outcome.target = formatVersion(target);
      const current = findInstalled(spec, installed);
      if (
        found.row.InstallValidationStatus === 'CANNOT_INSTALL_EARLIER_VERSION' ||
        (current && compareVersions(target, current.version) < 0)
      ) {
        Object.assign(outcome, {
          status: 'failed',
          code: 'CANNOT_INSTALL_EARLIER_VERSION',
          message: earlierVersionMessage(ref, decision.before),
          fix: earlierVersionFix(ref, options.configPath ?? 'the config'),
        });
        continue;
      }
      if (compareReleases(target, parseVersion(spec.minimumVersion)) < 0) {
        Object.assign(outcome, {
          status: 'failed',
          code: 'VERSION_BELOW_MINIMUM',
          message: belowMinimumMessage(ref),
          fix: earlierVersionFix(ref, options.configPath ?? 'the config'),
        });
        continue;
      }
      if (found.row.InstallValidationStatus !== 'NO_ERRORS_DETECTED') {
        Object.assign(outcome, {
          status: 'failed',
          code: 'NOT_INSTALLABLE',
          message: `${spec.name} ${outcome.target} cannot be installed in this org: Salesforce reports ${found.row.InstallValidationStatus}.`,
          fix: 'Look the status up in the SubscriberPackageVersion reference (InstallValidationStatus) or install the package once from its AppExchange listing to see the full message.',
        });
        continue;
      }
    }
    const line = planLine(spec, decision.action, decision.before, outcome.target);
    plan.push(line);
    item.install = {
      password: found.password,
      keySource: found.keySource,
      waitForAvailability: found.kind === 'unavailable',
    };
    outcome.message =
      found.kind === 'unavailable'
        ? `${line}, once Salesforce reports the version available (now ${found.status}).`
        : `${line}.`;
  }
  return { plan, items, installed };
}
