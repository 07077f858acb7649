// What a SubscriberPackageVersion query tells one subscriber org before it installs a version:
// InstallValidationStatus (computed for this org) and the installation-key check.
// https://developer.salesforce.com/docs/platform/api-tooling/references/tooling-objects/tooling-subscriberpackageversion.html
import type { Query, WhereClause } from '@jetstreamapp/soql-parser-js';
import {
  type Catalog,
  type CatalogVersion,
  type InstallRequestRefusal,
  findVersion,
  installedRow,
  parseVersionNumber,
} from '../catalog.js';
import { SimError } from '../errors.js';
import type { OrgState } from '../org-state.js';
import { addQueryGuard, addRowFilter } from '../soql.js';

// Per org: how many times each version has been queried (drives PACKAGE_UNAVAILABLE).
const queriesSeen = new WeakMap<OrgState, Map<string, number>>();

/** Installation-key errors as the API reports them (messages from forcedotcom/packaging#580, cli#2882). */
export const installKeyRequired = (): SimError =>
  new SimError(
    400,
    'INSTALL_KEY_REQUIRED',
    'Please provide installationkey when querying against SubscriberPackageVersion that is protected by installationkey'
  );
export const installKeyInvalid = (): SimError =>
  new SimError(400, 'INSTALL_KEY_INVALID', 'Invalid InstallationKey for SubscriberPackageVersion');

function versionKey(version: CatalogVersion): [number, number, number, number] {
  const n = parseVersionNumber(version.version);
  return [n.major, n.minor, n.patch, n.build];
}

/** Negative when a is earlier than b (all four parts, as Salesforce orders versions of one package). */
export function compareCatalogVersions(a: CatalogVersion, b: CatalogVersion): number {
  const [x, y] = [versionKey(a), versionKey(b)];
  for (let i = 0; i < 4; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

/** The version of the same package installed in this org, if any. */
export function installedVersionOf(
  org: OrgState,
  catalog: Catalog,
  version: CatalogVersion
): CatalogVersion | undefined {
  const pkg = catalog.packages.find((p) => p.key === version.package);
  const row = pkg ? installedRow(org, pkg.id) : undefined;
  return row ? findVersion(catalog, String(row.SubscriberPackageVersionId)) : undefined;
}

/** True while the version has not reached this org's instance at all: its first `missingQueries` find no row. */
export function stillMissing(org: OrgState, version: CatalogVersion): boolean {
  const missingFor = version.missingQueries ?? 0;
  return missingFor > 0 && (queriesSeen.get(org)?.get(version.id) ?? 0) <= missingFor;
}

/** True while the version has not finished replicating to this org's instance (the N queries after the missing). */
export function stillUnavailable(org: OrgState, version: CatalogVersion): boolean {
  const unavailableFor = version.unavailableQueries ?? 0;
  const seen = (queriesSeen.get(org)?.get(version.id) ?? 0) - (version.missingQueries ?? 0);
  return unavailableFor > 0 && seen > 0 && seen <= unavailableFor;
}

/**
 * Refusals of a new PackageInstallRequest that pass with time, as CumulusCI retries them
 * (cumulusci/salesforce_api/package_install.py: "invalid cross reference id" for a PackageInstallRequest, and
 * "This package is not yet available" / "unable to obtain exclusive access to this record" for an install). The
 * codes INVALID_CROSS_REFERENCE_KEY and UNABLE_TO_LOCK_ROW are the API's for those texts; the code of "not yet
 * available" is not public, so UNKNOWN_EXCEPTION here is an assumption.
 */
export const INSTALL_REQUEST_REFUSALS: Record<InstallRequestRefusal, () => SimError> = {
  'cross-reference': () =>
    new SimError(400, 'INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', ['SubscriberPackageVersionKey']),
  'not-yet-available': () =>
    new SimError(400, 'UNKNOWN_EXCEPTION', 'This package is not yet available. Try again later.'),
  locked: () => new SimError(400, 'UNABLE_TO_LOCK_ROW', 'unable to obtain exclusive access to this record'),
};

/**
 * InstallValidationStatus for this org. The values and their meaning (PACKAGE_UNAVAILABLE while the version
 * replicates, CANNOT_INSTALL_EARLIER_VERSION when a later version is installed) are the API's; the sf CLI
 * re-queries while PACKAGE_UNAVAILABLE (forcedotcom/packaging src/package/packageInstall.ts waitForPublish).
 */
export function installValidationStatus(org: OrgState, catalog: Catalog, version: CatalogVersion): string {
  if (stillUnavailable(org, version)) return 'PACKAGE_UNAVAILABLE';
  const installed = installedVersionOf(org, catalog, version);
  if (installed && compareCatalogVersions(version, installed) < 0) return 'CANNOT_INSTALL_EARLIER_VERSION';
  return version.installValidationStatus ?? 'NO_ERRORS_DETECTED';
}

/** The string literal of a top-level `Field = '…'` condition (AND-ed), unquoted; SOQL escapes with backslashes. */
function equalsValues(where: WhereClause | undefined, field: string): string[] {
  const out: string[] = [];
  let node: WhereClause | undefined = where;
  while (node) {
    const left = node.left as { field?: string; operator?: string; value?: string | string[] } | null;
    if (left?.field?.toLowerCase() === field.toLowerCase() && (left.operator === '=' || left.operator === 'IN')) {
      for (const raw of [left.value ?? []].flat()) {
        out.push(raw.replace(/^'(.*)'$/s, '$1').replace(/\\(.)/g, '$1'));
      }
    }
    node = 'right' in node ? node.right : undefined;
  }
  return out;
}

export function setup(org: OrgState): void {
  addQueryGuard(org, 'SubscriberPackageVersion', ({ org: state, query }: { org: OrgState; query: Query }) => {
    const catalog = state.catalog;
    if (!catalog) return;
    const keys = equalsValues(query.where, 'InstallationKey');
    for (const id of equalsValues(query.where, 'Id')) {
      const version = findVersion(catalog, id);
      const record = version ? state.get('SubscriberPackageVersion', version.id) : undefined;
      if (!version || !record) continue;
      const seen = queriesSeen.get(state) ?? new Map<string, number>();
      queriesSeen.set(state, seen);
      seen.set(version.id, (seen.get(version.id) ?? 0) + 1);
      if (stillMissing(state, version)) continue;
      // A key-protected version answers only a query that carries its key (InstallationKey is filter-only).
      if (version.installationKey !== undefined) {
        if (keys.length === 0) throw installKeyRequired();
        if (keys[0] !== version.installationKey) throw installKeyInvalid();
      }
      // These are per-subscriber values, not changes to the org: set on the row without counting a write.
      // The presented key is stored only so that the query's `InstallationKey = '…'` filter matches the row.
      record.InstallValidationStatus = installValidationStatus(state, catalog, version);
      record.InstallationKey = keys[0] ?? null;
    }
  });
  // A version not yet copied to this instance is not there: the query finds no row.
  addRowFilter(org, 'SubscriberPackageVersion', ({ org: state, record }) => {
    const version = state.catalog ? findVersion(state.catalog, String(record.Id)) : undefined;
    return !version || !stillMissing(state, version);
  });
}
