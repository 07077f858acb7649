/**
 * Package install decisions and wording, without I/O: what to do for each required package, how long to wait
 * between status reads, and what each outcome tells the admin.
 */
import type { PackageSpec } from './config.js';
import { type InstalledPackage, findInstalled } from './package-status.js';
import { type Version, compareReleases, formatVersion, parseVersion } from './versions.js';

export type PackageAction = 'none' | 'install' | 'upgrade';

export type InstallStatus =
  'satisfied' | 'newer-installed' | 'planned' | 'installed' | 'upgraded' | 'failed' | 'timeout' | 'skipped';

/** Why a package was not installed; the first four are Salesforce's own codes. */
export type FailureCode =
  | 'CANNOT_INSTALL_EARLIER_VERSION'
  | 'INSTALL_KEY_REQUIRED'
  | 'INSTALL_KEY_INVALID'
  | 'PACKAGE_UNAVAILABLE'
  | 'VERSION_NOT_FOUND'
  | 'VERSION_BELOW_MINIMUM'
  | 'NOT_INSTALLABLE'
  | 'INSTALL_FAILED'
  | 'NOT_CONFIRMED_INSTALLED'
  | 'TIMEOUT'
  | 'BLOCKED';

export type PackageDecision = {
  action: PackageAction;
  /** The installed version (major.minor.patch.build), or null. */
  before: string | null;
  /** Installed and later than the required release: kept as it is. */
  newer: boolean;
};

/** Install when missing, upgrade when older than the required release, else leave it (never downgrade). */
export function decide(spec: PackageSpec, installed: InstalledPackage[]): PackageDecision {
  const found = findInstalled(spec, installed);
  if (!found) return { action: 'install', before: null, newer: false };
  const minimum = parseVersion(spec.minimumVersion, `minimumVersion of package ${spec.key}`);
  const cmp = compareReleases(found.version, minimum);
  return { action: cmp < 0 ? 'upgrade' : 'none', before: formatVersion(found.version), newer: cmp > 0 };
}

/**
 * InstallValidationStatus values that mean "not yet": the version is still being copied to the org's
 * instance, or an uninstall is running. The sf CLI waits on the same list (packaging packageInstall.ts).
 */
/** What the availability wait reports while the org returns no SubscriberPackageVersion row for the 04t. */
export const NO_VERSION_ROW = 'NO_VERSION_ROW';

export const WAIT_STATUSES = [
  'PACKAGE_UNAVAILABLE',
  'PACKAGE_UNAVAILABLE_CRC',
  'PACKAGE_UNAVAILABLE_ZIP',
  'UNINSTALL_IN_PROGRESS',
];

/** Errors a SubscriberPackageVersion query throws while the version replicates (same source). */
export const WAIT_ERROR_CODES = [
  'PACKAGE_UNAVAILABLE',
  'PACKAGE_UNAVAILABLE_CRC',
  'PACKAGE_UNAVAILABLE_ZIP',
  'UNKNOWN_EXCEPTION',
];

/** Sorts an ERROR request's messages into the cases the admin can act on. */
export function classifyInstallErrors(messages: string[]): FailureCode {
  const text = messages.join('\n');
  if (/CANNOT_INSTALL_EARLIER_VERSION|earlier version/i.test(text)) return 'CANNOT_INSTALL_EARLIER_VERSION';
  if (/INSTALL_KEY_INVALID|Invalid InstallationKey/i.test(text)) return 'INSTALL_KEY_INVALID';
  if (/INSTALL_KEY_REQUIRED|provide installationkey/i.test(text)) return 'INSTALL_KEY_REQUIRED';
  if (/PACKAGE_UNAVAILABLE/i.test(text)) return 'PACKAGE_UNAVAILABLE';
  return 'INSTALL_FAILED';
}

// ---- polling ------------------------------------------------------------------------------------------------

/** Delays between status reads: start at firstMs, grow by factor, never above maxMs. */
export type PollSchedule = { firstMs: number; maxMs: number; factor: number };

/**
 * Every 2 s at first (small installs finish in seconds), backing off to every 15 s: at most 5 reads in the
 * first 30 s and 4 a minute after that, so a 20-minute wait costs at most 84 status reads.
 */
export const DEFAULT_POLL_SCHEDULE: PollSchedule = { firstMs: 2_000, maxMs: 15_000, factor: 1.5 };

/** The wait before status read number `index` (0-based). */
export function pollDelay(schedule: PollSchedule, index: number): number {
  return Math.min(schedule.maxMs, schedule.firstMs * schedule.factor ** index);
}

/** How many status reads a wait of waitMs can make at most (reads happen after each delay, plus one at the deadline). */
export function maxPolls(schedule: PollSchedule, waitMs: number): number {
  let elapsed = 0;
  let polls = 0;
  while (elapsed + pollDelay(schedule, polls) <= waitMs) {
    elapsed += pollDelay(schedule, polls);
    polls += 1;
  }
  return elapsed < waitMs ? polls + 1 : polls;
}

/** 65_000 → "1:05"; 3_723_000 → "1:02:03". */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

// ---- wording --------------------------------------------------------------------------------------------------

/** Where an installation key came from, for messages (never the key itself). */
export type KeySource = { kind: 'flag' } | { kind: 'env'; name: string } | { kind: 'none'; envName?: string };

export function describeKeySource(source: KeySource): string {
  if (source.kind === 'flag') return '--installation-key';
  if (source.kind === 'env') return `the environment variable ${source.name}`;
  return 'nowhere';
}

export type PackageRef = { spec: PackageSpec; index: number; target: string | null };

const label = (ref: PackageRef): string =>
  `${ref.spec.name}${ref.target ? ` ${ref.target}` : ''} (${ref.spec.versionId})`;

export function keyRequiredFix(ref: PackageRef, source: KeySource): string {
  const env = source.kind === 'none' ? source.envName : undefined;
  return env
    ? `Set the environment variable ${env} (named by packages[${ref.index}].installationKeyEnv in the config) to the key, or pass --installation-key.`
    : `Pass --installation-key, or name an environment variable in packages[${ref.index}].installationKeyEnv of the config and set it to the key.`;
}

export function keyRequiredMessage(ref: PackageRef): string {
  return `${label(ref)} is protected by an installation key, and no key was given (INSTALL_KEY_REQUIRED).`;
}

export function keyInvalidMessage(ref: PackageRef, source: KeySource): string {
  return `Salesforce refused the installation key from ${describeKeySource(source)} for ${label(ref)} (INSTALL_KEY_INVALID).`;
}

export function keyInvalidFix(source: KeySource): string {
  return `Get the current key from the package's publisher (Gainsight support for the CE packages) and put it in ${describeKeySource(source)}, then run the install again.`;
}

export function earlierVersionMessage(ref: PackageRef, before: string | null): string {
  return `${label(ref)} is earlier than the installed ${before ?? 'version'}: Salesforce cannot install an earlier version of a package (CANNOT_INSTALL_EARLIER_VERSION). Nothing was changed for ${ref.spec.name}.`;
}

export function earlierVersionFix(ref: PackageRef, configPath: string): string {
  return `Put the 04t id of ${ref.spec.name} ${ref.spec.minimumVersion} or later (from its AppExchange listing) in packages[${ref.index}].versionId of ${configPath}.`;
}

export function belowMinimumMessage(ref: PackageRef): string {
  return `packages[${ref.index}].versionId ${ref.spec.versionId} is ${ref.spec.name} ${ref.target ?? '?'}, which is earlier than the required minimumVersion ${ref.spec.minimumVersion}: installing it would not satisfy the requirement, so it was not installed.`;
}

export function timeoutMessage(name: string, requestId: string, waitMinutes: number, alias: string): string {
  return `${name}: install request ${requestId} was still in progress after ${waitMinutes} minute(s). Salesforce keeps installing in the background. Check it later with \`ce-connect packages install -o ${alias} --resume ${requestId}\` (or \`sf package install report -i ${requestId} -o ${alias}\`).`;
}

export function planLine(
  spec: PackageSpec,
  action: PackageAction,
  before: string | null,
  target: string | null
): string {
  const what = `${spec.name} ${target ?? spec.minimumVersion} (${spec.versionId})`;
  const rss = spec.enableRss ? ', with its Remote Site Settings enabled' : '';
  return action === 'upgrade'
    ? `Upgrade ${spec.name} ${before} → ${target ?? spec.minimumVersion} (${spec.versionId}) for admins only${rss}`
    : `Install ${what} for admins only${rss}`;
}

/** A SubscriberPackageVersion row's version as major.minor.patch.build. */
export function versionOfRow(row: {
  MajorVersion: number;
  MinorVersion: number;
  PatchVersion: number;
  BuildNumber: number;
}): Version {
  return { major: row.MajorVersion, minor: row.MinorVersion, patch: row.PatchVersion, build: row.BuildNumber };
}

/** A SOQL string literal, as the installation key filter needs (one escaping rule: soql-text). */
export { soqlString } from './soql-text.js';
