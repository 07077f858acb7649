/**
 * Installs and upgrades the CE packages with Tooling PackageInstallRequest, admins only, in config order, and
 * checks them for the checklist. Plan first (reads only), then apply (one request per package that needs it).
 * https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/tooling_api_objects_packageinstallrequest.htm
 */
import type { Connection } from '@salesforce/core';
import type { AdminsOnlyResult } from '../../core/admins-only.js';
import type { PackageSpec } from '../../core/config.js';
import { PACKAGE_DEFAULTS } from '../../core/defaults.js';
import {
  type FailureCode,
  type InstallStatus,
  type KeySource,
  type PackageAction,
  type PollSchedule,
  soqlString,
} from '../../core/package-install.js';
import type { InstalledPackage } from '../../core/package-status.js';
import { packagesNotReadable, readInstalledPackages } from '../installed-packages.js';

// The shapes the package install flow passes between its parts, and the reads they share.
export const DEFAULT_WAIT_MINUTES = PACKAGE_DEFAULTS.waitMinutes;

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
  /**
   * True when every package ends installed at the required version (or would, in a dry run) and, once they are,
   * no profile or permission set but administrators' and the expected one reaches their data.
   */
  ok: boolean;
  dryRun: boolean;
  writes: number;
  plan: string[];
  packages: PackageInstallOutcome[];
  /** "Install for Admins Only", verified once the packages are in (not on a dry run). */
  access?: AdminsOnlyResult;
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
  /** Called once a package's install request is known (made now, or an earlier run's that is still running). */
  onRequest?: (spec: PackageSpec, requestId: string) => void;
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
export type PlanItem = {
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

export type SpvRow = {
  Id: string;
  Name: string;
  MajorVersion: number;
  MinorVersion: number;
  PatchVersion: number;
  BuildNumber: number;
  IsPasswordProtected: boolean;
  InstallValidationStatus: string;
};

export type RequestRow = {
  Id: string;
  Status: string;
  SubscriberPackageVersionKey: string;
  Errors: { errors?: Array<{ message?: string }> } | null;
};

const SPV_FIELDS =
  'Id, Name, SubscriberPackageId, MajorVersion, MinorVersion, PatchVersion, BuildNumber, ReleaseState, IsBeta, IsManaged, IsPasswordProtected, InstallValidationStatus';

export function errorCode(error: unknown): string {
  const e = error as { errorCode?: string; name?: string };
  return e.errorCode ?? e.name ?? '';
}

export async function installedOrFail(conn: Connection, alias: string): Promise<InstalledPackage[]> {
  const listing = await readInstalledPackages(conn);
  if (listing.readable) return listing.packages;
  throw packagesNotReadable(alias, listing);
}

export function keySourceFor(spec: PackageSpec, options: InstallOptions): { key?: string; source: KeySource } {
  if (options.installationKey) return { key: options.installationKey, source: { kind: 'flag' } };
  const env = spec.installationKeyEnv;
  const value = env ? (options.env ?? process.env)[env] : undefined;
  if (env && value) return { key: value, source: { kind: 'env', name: env } };
  return { source: { kind: 'none', envName: env } };
}

export async function querySpv(conn: Connection, versionId: string, key?: string): Promise<SpvRow | undefined> {
  const keyFilter = key === undefined ? '' : ` AND InstallationKey = ${soqlString(key)}`;
  const result = await conn.tooling.query<SpvRow>(
    `SELECT ${SPV_FIELDS} FROM SubscriberPackageVersion WHERE Id = '${versionId}'${keyFilter}`
  );
  return result.records[0];
}

export function outcomeBase(spec: PackageSpec, before: string | null, action: PackageAction): PackageInstallOutcome {
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
