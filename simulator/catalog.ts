// The AppExchange versions the simulated org can see and what installing each one adds to an org. The data
// lives in catalog/ce-packages.json; installing (from a scenario now, from PackageInstallRequest later) applies
// a version's contents with applyPackageVersion.
// Objects follow the Tooling API's SubscriberPackage / SubscriberPackageVersion / InstalledSubscriberPackage
// (https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/tooling_api_objects_installedsubscriberpackage.htm).
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { OrgState } from './org-state.js';
import { type SecurityType, insertObjectPermissions, insertTabSettings, profilesGrantedOnInstall } from './access.js';
import { groupsWithNamespace, markRecalculating } from './rules/permission-set-groups.js';
import type {
  FieldDef,
  ScenarioObjectPermissions,
  ScenarioPermissions,
  ScenarioTabSettings,
  SObjectRecord,
} from './types.js';

export type PackageContents = {
  /** Custom objects; `tab` when the package brings a tab for the object (named like the object). */
  objects: Array<{ name: string; label?: string; labelPlural?: string; tab?: boolean; fields: FieldDef[] }>;
  permissionSets: Array<{
    name: string;
    label: string;
    permissions?: ScenarioPermissions;
    objectPermissions?: ScenarioObjectPermissions;
    tabs?: ScenarioTabSettings;
  }>;
  /** Layouts the package installs; `file` is relative to the catalog file. */
  layouts: Array<{ fullName: string; file: string }>;
};

export type CatalogPackage = {
  key: string;
  id: string;
  name: string;
  namespace: string;
  publisher?: string;
  description?: string;
};

export type InstallRequestRefusal = 'cross-reference' | 'not-yet-available' | 'locked';

export type CatalogVersion = {
  id: string;
  /** The key of its package. */
  package: string;
  name: string;
  /** major.minor.patch.build */
  version: string;
  releaseState: 'Released' | 'Beta';
  /** Key into `contents`, or the contents inline. */
  provides: string | PackageContents;
  isPasswordProtected?: boolean;
  installValidationStatus?: string;
  /** The installation key of a key-protected version (implies isPasswordProtected). */
  installationKey?: string;
  /**
   * SubscriberPackageVersion queries that find no row at all, before the ones that report PACKAGE_UNAVAILABLE: a
   * version just published that has not been copied to this org's instance yet. That such a query answers zero rows
   * rather than an error is an assumption, from reports of real orgs; the sf CLI's own wait for a version ends
   * with "The subscriber package version is not fully available." (forcedotcom/cli#1895).
   */
  missingQueries?: number;
  /** SubscriberPackageVersion queries (after the missing ones) that report PACKAGE_UNAVAILABLE. */
  unavailableQueries?: number;
  /**
   * How each new PackageInstallRequest for this version is refused, one per creation, before one is accepted:
   * the refusals that pass with time (see rules/package-versions.ts, INSTALL_REQUEST_REFUSALS).
   */
  createRefusals?: InstallRequestRefusal[];
  /** PackageInstallRequest status reads that answer IN_PROGRESS before the install finishes (default: the org's). */
  installPolls?: number;
  /** When set, every install of this version ends in ERROR with this message (the package's own failure). */
  installError?: string;
};

export type Catalog = {
  file: string;
  packages: CatalogPackage[];
  versions: CatalogVersion[];
  contents: Record<string, PackageContents>;
};

export const DEFAULT_CATALOG = fileURLToPath(new URL('catalog/ce-packages.json', import.meta.url));

export function loadCatalog(file = DEFAULT_CATALOG): Catalog {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Omit<Catalog, 'file'>;
  return { file, ...parsed };
}

export function findVersion(catalog: Catalog, versionId: string): CatalogVersion | undefined {
  return catalog.versions.find((v) => v.id === versionId || v.id.slice(0, 15) === versionId.slice(0, 15));
}

export function packageOf(catalog: Catalog, version: CatalogVersion): CatalogPackage {
  const pkg = catalog.packages.find((p) => p.key === version.package);
  if (!pkg) throw new Error(`catalog: version ${version.id} names unknown package ${version.package}`);
  return pkg;
}

export function contentsOf(catalog: Catalog, version: CatalogVersion): PackageContents {
  const contents = typeof version.provides === 'string' ? catalog.contents[version.provides] : version.provides;
  if (!contents)
    throw new Error(`catalog: version ${version.id} provides unknown contents ${String(version.provides)}`);
  return contents;
}

export function parseVersionNumber(text: string): { major: number; minor: number; patch: number; build: number } {
  const [major = 0, minor = 0, patch = 0, build = 0] = text.split('.').map(Number);
  return { major, minor, patch, build };
}

/**
 * Adds the SubscriberPackage and SubscriberPackageVersion rows every org can query (versions are global in
 * Salesforce; the Tooling API shows any version by Id).
 */
export function seedCatalog(org: OrgState, catalog: Catalog): void {
  for (const pkg of catalog.packages) {
    org.insert(
      'SubscriberPackage',
      {
        Id: pkg.id,
        Name: pkg.name,
        NamespacePrefix: pkg.namespace,
        Description: pkg.description ?? null,
        IsPackageValid: true,
      },
      { system: true }
    );
  }
  for (const version of catalog.versions) {
    const pkg = packageOf(catalog, version);
    const n = parseVersionNumber(version.version);
    org.insert(
      'SubscriberPackageVersion',
      {
        Id: version.id,
        Name: version.name,
        SubscriberPackageId: pkg.id,
        MajorVersion: n.major,
        MinorVersion: n.minor,
        PatchVersion: n.patch,
        BuildNumber: n.build,
        IsManaged: true,
        IsBeta: version.releaseState === 'Beta',
        IsDeprecated: false,
        IsPasswordProtected: version.isPasswordProtected ?? version.installationKey !== undefined,
        IsSecurityReviewed: true,
        IsOrgDependent: false,
        ReleaseState: version.releaseState,
        Package2ContainerOptions: null,
        InstallValidationStatus: version.installValidationStatus ?? 'NO_ERRORS_DETECTED',
        Description: pkg.description ?? null,
        PublisherName: pkg.publisher ?? null,
        AppExchangePackageName: pkg.name,
        AppExchangePublisherName: pkg.publisher ?? null,
        Dependencies: null,
        Profiles: null,
        RemoteSiteSettings: { settings: [] },
        CspTrustedSites: { settings: [] },
      },
      { system: true }
    );
  }
}

/** The InstalledSubscriberPackage row of a package, if it is installed. */
export function installedRow(org: OrgState, packageId: string): SObjectRecord | undefined {
  return org.findOne('InstalledSubscriberPackage', (r) => r.SubscriberPackageId === packageId);
}

/**
 * Installs (or upgrades to) a version: adds its objects and fields, its permission sets and layouts, and
 * records it in InstalledSubscriberPackage. No validation here (earlier versions, passwords, licences): the
 * caller decides whether the install is allowed. The security type decides which profiles get the new objects
 * (access.ts); an upgrade changes the package's permission sets, so the groups holding one are recalculated.
 */
export function applyPackageVersion(
  org: OrgState,
  catalog: Catalog,
  versionId: string,
  options: { securityType?: SecurityType } = {}
): SObjectRecord {
  const version = findVersion(catalog, versionId);
  if (!version) throw new Error(`catalog has no package version ${versionId}`);
  const pkg = packageOf(catalog, version);
  const contents = contentsOf(catalog, version);
  const upgrade = installedRow(org, pkg.id) !== undefined;
  // Only what the install creates is granted to profiles; an upgrade leaves the access to existing objects alone.
  const granted = profilesGrantedOnInstall(org, options.securityType ?? 'None');
  for (const object of contents.objects) {
    const existing = org.getObject(object.name);
    if (existing) {
      for (const field of object.fields) org.addField(existing.name, field);
    } else {
      for (const permissionSetId of granted) {
        insertObjectPermissions(org, permissionSetId, { [object.name]: ['read', 'create', 'edit', 'delete'] });
        if (object.tab) insertTabSettings(org, permissionSetId, { [object.name]: 'DefaultOn' });
      }
      org.defineObject({
        name: object.name,
        label: object.label,
        labelPlural: object.labelPlural,
        keyPrefix: org.nextCustomPrefix(),
        api: 'data',
        custom: true,
        namespace: pkg.namespace,
        fields: object.fields,
      });
    }
  }
  for (const ps of contents.permissionSets) {
    const exists = org.findOne('PermissionSet', (r) => r.Name === ps.name && r.NamespacePrefix === pkg.namespace);
    if (exists) continue;
    const perms = Object.fromEntries(Object.entries(ps.permissions ?? {}).map(([k, v]) => [`Permissions${k}`, v]));
    const inserted = org.insert(
      'PermissionSet',
      {
        Name: ps.name,
        Label: ps.label,
        NamespacePrefix: pkg.namespace,
        IsCustom: false,
        IsOwnedByProfile: false,
        Type: 'Regular',
        ...perms,
      },
      { system: true }
    );
    insertObjectPermissions(org, inserted.Id, ps.objectPermissions);
    insertTabSettings(org, inserted.Id, ps.tabs);
  }
  if (upgrade) for (const groupId of groupsWithNamespace(org, pkg.namespace)) markRecalculating(org, groupId);
  // Layouts are not replaced on upgrade: subscribers may have edited them (installed layouts are not upgradeable).
  for (const layout of contents.layouts) {
    if (org.getMetadata('Layout', layout.fullName)) continue;
    const xml = readFileSync(join(dirname(catalog.file), layout.file), 'utf8');
    org.putMetadata('Layout', layout.fullName, xml, { namespacePrefix: pkg.namespace, manageableState: 'installed' });
  }
  const row = installedRow(org, pkg.id);
  if (row) {
    return org.update(
      'InstalledSubscriberPackage',
      row.Id,
      { SubscriberPackageVersionId: version.id },
      { system: true }
    );
  }
  return org.insert(
    'InstalledSubscriberPackage',
    { SubscriberPackageId: pkg.id, SubscriberPackageVersionId: version.id, MinPackageVersionId: version.id },
    { system: true }
  );
}
