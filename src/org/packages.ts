import { ERRORS } from '../core/messages.js';
/**
 * Installs and upgrades the CE packages with Tooling PackageInstallRequest, admins only, in config order, and
 * checks them for the checklist. Plan first (reads only), then apply (one request per package that needs it).
 * https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/tooling_api_objects_packageinstallrequest.htm
 */
import type { Connection } from '@salesforce/core';
import type { CheckItem } from '../core/checklist.js';
import type { CeConfig, PackageSpec } from '../core/config.js';
import { inputError } from '../core/errors.js';
import {
  DEFAULT_POLL_SCHEDULE,
  type FailureCode,
  type InstallStatus,
  type KeySource,
  type PackageAction,
  type PackageRef,
  type PollSchedule,
  WAIT_ERROR_CODES,
  WAIT_STATUSES,
  belowMinimumMessage,
  classifyInstallErrors,
  decide,
  earlierVersionFix,
  earlierVersionMessage,
  formatElapsed,
  keyInvalidFix,
  keyInvalidMessage,
  keyRequiredFix,
  keyRequiredMessage,
  planLine,
  pollDelay,
  soqlString,
  timeoutMessage,
  versionOfRow,
} from '../core/package-install.js';
import { type InstalledPackage, findInstalled, packageStatuses } from '../core/package-status.js';
import { compareReleases, compareVersions, formatVersion, parseVersion } from '../core/versions.js';
import { packagesNotReadable, readInstalledPackages } from './installed-packages.js';

export const DEFAULT_WAIT_MINUTES = 20;

/** One package's outcome: the `--json` shape of `packages install`. */
export type PackageInstallOutcome = {
  key: string;
  name: string;
  /** Installed version before (major.minor.patch.build), null when not installed. */
  before: string | null;
  /** Installed version after, read back from the org; equals before when nothing was written. */
  after: string | null;
  /** The version of the config's versionId, when it was looked up. */
  target: string | null;
  versionId: string;
  action: PackageAction;
  requestId: string | null;
  status: InstallStatus;
  message: string;
  code?: FailureCode;
  fix?: string;
};

export type PackagesInstallResult = {
  /** True when every package ends installed at the required version (or would, in a dry run). */
  ok: boolean;
  dryRun: boolean;
  writes: number;
  plan: string[];
  packages: PackageInstallOutcome[];
};

export type InstallProgress = {
  phase: 'availability' | 'install';
  key: string;
  name: string;
  /** InstallValidationStatus while waiting for availability, the request Status while installing. */
  status: string;
  requestId?: string;
  startedAt: number;
  deadline: number;
  polls: number;
};

export type InstallOptions = {
  dryRun: boolean;
  /** Minutes to wait for each package (availability and install); default 20. */
  waitMinutes?: number;
  /** Applies to every key-protected version; else each package's installationKeyEnv. */
  installationKey?: string;
  /** Where installationKeyEnv is read from (process.env by default). */
  env?: NodeJS.ProcessEnv;
  onProgress?: (event: InstallProgress) => void;
  pollSchedule?: PollSchedule;
  /** The org as the admin names it, for the commands suggested in messages. */
  alias?: string;
  /** The config file's path, for messages. */
  configPath?: string;
  /** Injected in tests. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
};

/** What planning found for one package; carries the installation key in memory only. */
type PlanItem = {
  spec: PackageSpec;
  index: number;
  outcome: PackageInstallOutcome;
  /** Set when a request should be made. */
  install?: { password?: string; keySource: KeySource; waitForAvailability: boolean };
};

export type PackageInstallPlan = {
  plan: string[];
  items: PlanItem[];
  /** The org's installed packages at planning time. */
  installed: InstalledPackage[];
};

type SpvRow = {
  Id: string;
  Name: string;
  MajorVersion: number;
  MinorVersion: number;
  PatchVersion: number;
  BuildNumber: number;
  IsPasswordProtected: boolean;
  InstallValidationStatus: string;
};

type RequestRow = {
  Id: string;
  Status: string;
  SubscriberPackageVersionKey: string;
  Errors: { errors?: Array<{ message?: string }> } | null;
};

const SPV_FIELDS =
  'Id, Name, SubscriberPackageId, MajorVersion, MinorVersion, PatchVersion, BuildNumber, ReleaseState, IsBeta, IsManaged, IsPasswordProtected, InstallValidationStatus';

function errorCode(error: unknown): string {
  const e = error as { errorCode?: string; name?: string };
  return e.errorCode ?? e.name ?? '';
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function installedOrFail(conn: Connection, alias: string): Promise<InstalledPackage[]> {
  const listing = await readInstalledPackages(conn);
  if (listing.readable) return listing.packages;
  throw packagesNotReadable(alias, listing);
}

function keySourceFor(spec: PackageSpec, options: InstallOptions): { key?: string; source: KeySource } {
  if (options.installationKey) return { key: options.installationKey, source: { kind: 'flag' } };
  const env = spec.installationKeyEnv;
  const value = env ? (options.env ?? process.env)[env] : undefined;
  if (env && value) return { key: value, source: { kind: 'env', name: env } };
  return { source: { kind: 'none', envName: env } };
}

async function querySpv(conn: Connection, versionId: string, key?: string): Promise<SpvRow | undefined> {
  const keyFilter = key === undefined ? '' : ` AND InstallationKey = ${soqlString(key)}`;
  const result = await conn.tooling.query<SpvRow>(
    `SELECT ${SPV_FIELDS} FROM SubscriberPackageVersion WHERE Id = '${versionId}'${keyFilter}`
  );
  return result.records[0];
}

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
    return {
      kind: 'failed',
      code: 'VERSION_NOT_FOUND',
      message: `${ref.spec.name}: no package version ${ref.spec.versionId} is visible to this org.`,
      fix: `Check packages[${ref.index}].versionId in ${options.configPath ?? 'the config'}: copy the 04t id from the package's AppExchange listing (the install link ends in ?p0=04t…).`,
    };
  }
  return WAIT_STATUSES.includes(row.InstallValidationStatus)
    ? { kind: 'unavailable', status: row.InstallValidationStatus, password, keySource: source }
    : { kind: 'row', row, password, keySource: source };
}

function outcomeBase(spec: PackageSpec, before: string | null, action: PackageAction): PackageInstallOutcome {
  return {
    key: spec.key,
    name: spec.name,
    before,
    after: before,
    target: null,
    versionId: spec.versionId,
    action,
    requestId: null,
    status: 'planned',
    message: '',
  };
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

/** Re-queries the version until it is available or the deadline passes. */
async function waitForAvailability(
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

function timing(options: InstallOptions): Timing {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
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
async function followRequest(
  conn: Connection,
  requestId: string,
  who: { key: string; name: string },
  options: InstallOptions,
  readFirst: boolean
): Promise<Followed> {
  const t = timing(options);
  const now = options.now ?? Date.now;
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

function applyFollowed(
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
        Object.assign(outcome, {
          status: 'failed',
          code: earlier ? 'CANNOT_INSTALL_EARLIER_VERSION' : 'PACKAGE_UNAVAILABLE',
          message: earlier
            ? earlierVersionMessage(ref, outcome.before)
            : `${spec.name} ${spec.versionId} is still not available to this org after ${options.waitMinutes ?? DEFAULT_WAIT_MINUTES} minute(s) (${availability}): Salesforce is still copying the version to the org's instance. Nothing was installed.`,
          fix: earlier
            ? earlierVersionFix(ref, options.configPath ?? 'the config')
            : `Run \`ce-connect packages install -o ${options.alias ?? '<org>'}\` again later, or with a longer --wait.`,
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
    try {
      const created = await conn.tooling.create('PackageInstallRequest', request);
      writes += 1;
      requestId = String((created as { id?: string }).id);
    } catch (error) {
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
  return finish(planned, writes, false);
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

function finish(planned: PackageInstallPlan, writes: number, dryRun: boolean): PackagesInstallResult {
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

const REQUEST_ID = /^0Hf[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$/;

export type ResumeResult = { outcome: PackageInstallOutcome; installed: InstalledPackage[] };

/**
 * Waits for an install request made earlier (a run that timed out) and reports it as that package's outcome.
 * Reads only: the request is already in Salesforce's hands.
 */
export async function resumePackageInstall(
  conn: Connection,
  config: CeConfig,
  requestId: string,
  options: InstallOptions
): Promise<ResumeResult> {
  if (!REQUEST_ID.test(requestId)) {
    throw inputError(ERRORS, 'InvalidRequestId', [requestId]);
  }
  const before = await installedOrFail(conn, options.alias ?? '<org>');
  let first: RequestRow;
  try {
    first = (await conn.tooling.retrieve('PackageInstallRequest', requestId)) as unknown as RequestRow;
  } catch (error) {
    if (['NOT_FOUND', 'INVALID_ID_FIELD', 'MALFORMED_ID'].includes(errorCode(error))) {
      throw inputError(ERRORS, 'RequestNotFound', [requestId]);
    }
    throw error;
  }
  const versionId = first.SubscriberPackageVersionKey;
  const index = config.packages.findIndex((p) => p.versionId.slice(0, 15) === versionId.slice(0, 15));
  const spec: PackageSpec = config.packages[index] ?? {
    key: versionId,
    name: `package version ${versionId}`,
    namespace: '',
    minimumVersion: '0',
    versionId,
  };
  const decision = decide(spec, before);
  const outcome = outcomeBase(spec, decision.before, decision.action === 'none' ? 'install' : decision.action);
  outcome.requestId = requestId;
  const ref: PackageRef = { spec, index: Math.max(index, 0), target: null };
  const followed = await followRequest(conn, requestId, spec, options, true);
  if (followed.status === 'SUCCESS') {
    const installed = await installedOrFail(conn, options.alias ?? '<org>');
    const now = findInstalled(spec, installed);
    outcome.after = now ? formatVersion(now.version) : null;
    outcome.target = outcome.after;
    const upgraded = decision.before !== null && decision.before !== outcome.after;
    outcome.action = decision.before === null ? 'install' : 'upgrade';
    outcome.status = upgraded ? 'upgraded' : 'installed';
    outcome.message = `Request ${requestId} finished: ${spec.name} ${upgraded ? `${decision.before} → ` : ''}${outcome.after ?? '?'} is installed for admins only.`;
    return { outcome, installed };
  }
  applyFollowed(outcome, followed, options, ref);
  return { outcome, installed: before };
}

/**
 * The whole install as `setup` runs it: resume a request if asked, plan, and (unless dry-run) apply. The caller
 * confirms production writes between planning and applying when it needs to; this function does not ask.
 */
export async function installPackages(
  conn: Connection,
  config: CeConfig,
  options: InstallOptions & { resumeRequestId?: string }
): Promise<PackagesInstallResult> {
  let resumed: PackageInstallOutcome | undefined;
  if (options.resumeRequestId) {
    resumed = (await resumePackageInstall(conn, config, options.resumeRequestId, options)).outcome;
    if (resumed.status !== 'installed' && resumed.status !== 'upgraded') {
      return { ok: false, dryRun: options.dryRun, writes: 0, plan: [], packages: [resumed] };
    }
  }
  const planned = await planPackageInstall(conn, config, options);
  const result = options.dryRun ? dryRunResult(planned) : await applyPackageInstall(conn, config, planned, options);
  return resumed ? mergeResumed(result, resumed) : result;
}

/** Puts a resumed request's outcome in place of its package's "nothing to do" line. */
export function mergeResumed(result: PackagesInstallResult, resumed: PackageInstallOutcome): PackagesInstallResult {
  const packages = result.packages.map((p) =>
    p.key === resumed.key && (p.status === 'satisfied' || p.status === 'newer-installed')
      ? { ...resumed, after: p.after }
      : p
  );
  if (!packages.some((p) => p.key === resumed.key)) packages.unshift(resumed);
  return { ...result, packages };
}

/** Checklist items: one per package, pass when installed at the required version or later. */
export async function checkPackages(conn: Connection, config: CeConfig): Promise<CheckItem[]> {
  const listing = await readInstalledPackages(conn);
  if (!listing.readable) {
    return config.packages.map((spec) => ({
      id: `packages.${spec.key}`,
      title: `${spec.name} ${spec.minimumVersion} or later installed`,
      status: 'skip',
      evidence: `Installed packages are not readable: ${listing.reason}`,
      fix: `Run the checklist as a user with "${listing.missingPermission}".`,
    }));
  }
  return packageStatuses(config.packages, listing.packages).map((s) => ({
    id: `packages.${s.key}`,
    title: `${s.name} ${s.required} or later installed`,
    status: s.status === 'ok' ? 'pass' : 'fail',
    evidence: s.installed
      ? `${s.name} ${s.installed} is installed (${s.installedVersionId}).`
      : `${s.name} is not installed.`,
    ...(s.status === 'ok' ? {} : { fix: 'ce-connect packages install -o <org>' }),
  }));
}
