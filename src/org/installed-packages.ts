import type { Connection } from '@salesforce/core';
import { type OperationError, operationError } from '../core/errors.js';
import type { InstalledPackage } from '../core/package-status.js';
import { ERRORS } from '../core/messages.js';

/** The outcome of listing installed packages: the list, or why the org refused it. */
export type InstalledPackages =
  { readable: true; packages: InstalledPackage[] } | { readable: false; reason: string; missingPermission: string };

type Row = {
  SubscriberPackageId: string;
  SubscriberPackage: { Name: string; NamespacePrefix: string | null } | null;
  SubscriberPackageVersion: {
    Id: string;
    Name: string;
    MajorVersion: number;
    MinorVersion: number;
    PatchVersion: number;
    BuildNumber: number;
  } | null;
};

// The field list `sf package installed list` uses (plugin-packaging), trimmed to what the tool reads.
const SOQL =
  'SELECT Id, SubscriberPackageId, SubscriberPackage.NamespacePrefix, SubscriberPackage.Name, ' +
  'SubscriberPackageVersion.Id, SubscriberPackageVersion.Name, SubscriberPackageVersion.MajorVersion, ' +
  'SubscriberPackageVersion.MinorVersion, SubscriberPackageVersion.PatchVersion, SubscriberPackageVersion.BuildNumber ' +
  'FROM InstalledSubscriberPackage ORDER BY SubscriberPackageId';

/** The permission without which the Tooling API hides InstalledSubscriberPackage (user permission InstallPackaging). */
export const LIST_PACKAGES_PERMISSION = 'Download AppExchange Packages';

/**
 * Lists installed packages with one Tooling query. A user without "Download AppExchange Packages" gets
 * INVALID_TYPE ("sObject type 'InstalledSubscriberPackage' is not supported", the known `sf package installed
 * list` failure); that is returned as unreadable, with the permission to ask for, instead of thrown.
 */
export async function readInstalledPackages(conn: Connection): Promise<InstalledPackages> {
  try {
    const result = await conn.tooling.query<Row>(SOQL, { autoFetch: true });
    const packages = result.records
      .filter((r) => r.SubscriberPackageVersion !== null)
      .map((r) => {
        const v = r.SubscriberPackageVersion as NonNullable<Row['SubscriberPackageVersion']>;
        return {
          packageId: r.SubscriberPackageId,
          name: r.SubscriberPackage?.Name ?? v.Name,
          namespace: r.SubscriberPackage?.NamespacePrefix ?? null,
          versionId: v.Id,
          versionName: v.Name,
          version: { major: v.MajorVersion, minor: v.MinorVersion, patch: v.PatchVersion, build: v.BuildNumber },
        };
      });
    return { readable: true, packages };
  } catch (error) {
    const e = error as { errorCode?: string; name?: string; message?: string };
    const code = e.errorCode ?? e.name;
    if (code === 'INVALID_TYPE' && /InstalledSubscriberPackage/.test(e.message ?? '')) {
      return { readable: false, reason: e.message ?? String(error), missingPermission: LIST_PACKAGES_PERMISSION };
    }
    throw error;
  }
}

/**
 * The one error for an org that refuses the package list, raised by the check and by the install alike: a refusal
 * means a missing permission, never "nothing installed".
 */
export function packagesNotReadable(
  alias: string,
  listing: Extract<InstalledPackages, { readable: false }>,
  data?: unknown
): OperationError {
  return operationError(ERRORS, 'PackagesNotReadable', [alias, listing.reason, listing.missingPermission], {
    actionTokens: [[alias, listing.missingPermission], []],
    data,
  });
}
