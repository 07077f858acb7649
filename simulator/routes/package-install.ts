// Tooling PackageInstallRequest: create a request for a 04t, then read it until Status is SUCCESS or ERROR.
// https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/tooling_api_objects_packageinstallrequest.htm
// Request and poll shapes as the sf CLI and @salesforce/packaging send them (reference/toolchain.md Q7):
// POST …/tooling/sobjects/PackageInstallRequest → {id, success, errors}; GET …/PackageInstallRequest/<0Hf id>
// with Status IN_PROGRESS | SUCCESS | ERROR | UNKNOWN and, on ERROR, Errors = {errors: [{message}]}.
//
// Progress is counted in status reads, not wall time, so tests stay fast: a request answers IN_PROGRESS for
// the version's `installPolls` reads (else `org.flags.packageInstallPolls`, else 3), then finishes.
import { type Catalog, type CatalogVersion, applyPackageVersion, findVersion, packageOf } from '../catalog.js';
import type { SecurityType } from '../access.js';
import { SimError } from '../errors.js';
import type { OrgState } from '../org-state.js';
import {
  compareCatalogVersions,
  installKeyInvalid,
  installKeyRequired,
  installedVersionOf,
  INSTALL_REQUEST_REFUSALS,
  stillUnavailable,
} from '../rules/package-versions.js';
import type { Route, SObjectRecord, SimRequest } from '../types.js';
import { tooling } from './paths.js';

export const DEFAULT_INSTALL_POLLS = 3;

const SECURITY_TYPES = ['Custom', 'Full', 'None'];

type Pending = {
  versionId: string;
  securityType: SecurityType;
  reads: number;
  readsToFinish: number;
  /** Set when the request is bound to fail, decided at creation from what the org looked like then. */
  failure?: string;
};

const pending = new WeakMap<OrgState, Map<string, Pending>>();
const refusalsSeen = new WeakMap<OrgState, Map<string, number>>();

function catalogOf(org: OrgState): Catalog {
  if (!org.catalog) throw new SimError(500, 'UNKNOWN_EXCEPTION', 'The simulated org has no package catalog');
  return org.catalog;
}

function body(req: SimRequest): Record<string, unknown> {
  if (req.json === null || typeof req.json !== 'object' || Array.isArray(req.json)) {
    throw new SimError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object');
  }
  return req.json as Record<string, unknown>;
}

function installPolls(org: OrgState, version: CatalogVersion): number {
  const configured = version.installPolls ?? org.flags.packageInstallPolls;
  return typeof configured === 'number' && configured >= 0 ? configured : DEFAULT_INSTALL_POLLS;
}

/** Why the install will fail, or undefined when it will succeed. Checked when the request is created. */
function failureOf(org: OrgState, catalog: Catalog, version: CatalogVersion): string | undefined {
  const pkg = packageOf(catalog, version);
  if (stillUnavailable(org, version)) {
    return `PACKAGE_UNAVAILABLE: ${pkg.name} ${version.version} is not available in this org's instance yet. Try again later.`;
  }
  const installed = installedVersionOf(org, catalog, version);
  if (installed && compareCatalogVersions(version, installed) < 0) {
    // Salesforce refuses downgrades; the code is the InstallValidationStatus value of the same case.
    return `CANNOT_INSTALL_EARLIER_VERSION: ${pkg.name} ${installed.version} is installed; version ${version.version} is earlier and cannot be installed.`;
  }
  return version.installError;
}

function create(req: SimRequest, org: OrgState): { status: number; body: unknown } {
  const catalog = catalogOf(org);
  const values = body(req);
  const key = String(values.SubscriberPackageVersionKey ?? '');
  if (!key) {
    throw new SimError(400, 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [SubscriberPackageVersionKey]', [
      'SubscriberPackageVersionKey',
    ]);
  }
  const version = findVersion(catalog, key);
  if (!version || !key.startsWith('04t')) {
    throw new SimError(
      400,
      'INVALID_ID_FIELD',
      `The subscriber package version ${key} is invalid, no subscriber package version record found.`,
      ['SubscriberPackageVersionKey']
    );
  }
  // Refusals that pass with time, one per creation, as the version's catalog entry lists them.
  const refused = refusalsSeen.get(org) ?? new Map<string, number>();
  refusalsSeen.set(org, refused);
  const refusalsSoFar = refused.get(version.id) ?? 0;
  const refusal = version.createRefusals?.[refusalsSoFar];
  if (refusal) {
    refused.set(version.id, refusalsSoFar + 1);
    throw INSTALL_REQUEST_REFUSALS[refusal]();
  }
  const password = typeof values.Password === 'string' && values.Password !== '' ? values.Password : undefined;
  if (version.installationKey !== undefined) {
    if (password === undefined) throw installKeyRequired();
    if (password !== version.installationKey) throw installKeyInvalid();
  } else if (password !== undefined) {
    // A key sent for a version without one is refused (forcedotcom/cli#1167).
    throw new SimError(
      400,
      'FIELD_INTEGRITY_EXCEPTION',
      'Can’t install package. This package doesn’t require an installation key. Install the package without specifying an installation key.: Password',
      ['Password']
    );
  }
  // The API takes the security type in any case: the sf CLI sends "none"/"full" (plugin-packaging install.ts).
  const security = SECURITY_TYPES.find((t) => t.toLowerCase() === String(values.SecurityType ?? 'None').toLowerCase());
  // The key is never stored or echoed back. Status and Errors are read-only for the caller.
  const inserted = org.insert(
    'PackageInstallRequest',
    {
      ...values,
      SubscriberPackageVersionKey: version.id,
      SecurityType: security ?? values.SecurityType,
      Password: null,
    },
    { userId: req.userId }
  );
  const record = org.update('PackageInstallRequest', inserted.Id, { Status: 'IN_PROGRESS' }, { system: true });
  const requests = pending.get(org) ?? new Map<string, Pending>();
  pending.set(org, requests);
  requests.set(record.Id, {
    versionId: version.id,
    securityType: (security ?? 'None') as SecurityType,
    reads: 0,
    readsToFinish: installPolls(org, version),
    failure: failureOf(org, catalog, version),
  });
  return { status: 201, body: { id: record.Id, success: true, errors: [] } };
}

/** Advances a running request by one status read; finishes it when its reads are used up. */
function advance(org: OrgState, record: SObjectRecord): SObjectRecord {
  const state = pending.get(org)?.get(record.Id);
  if (!state || record.Status !== 'IN_PROGRESS') return record;
  state.reads += 1;
  if (state.reads <= state.readsToFinish) return record;
  pending.get(org)?.delete(record.Id);
  const failure = state.failure;
  if (failure) {
    return org.update(
      'PackageInstallRequest',
      record.Id,
      { Status: 'ERROR', Errors: { errors: [{ message: failure }] } },
      { system: true }
    );
  }
  applyPackageVersion(org, catalogOf(org), state.versionId, { securityType: state.securityType });
  return org.update('PackageInstallRequest', record.Id, { Status: 'SUCCESS' }, { system: true });
}

function requestBody(req: SimRequest, record: SObjectRecord): Record<string, unknown> {
  const base = `/services/data/v${req.apiVersion ?? '62.0'}/tooling/sobjects/PackageInstallRequest`;
  return {
    attributes: { type: 'PackageInstallRequest', url: `${base}/${record.Id}` },
    Id: record.Id,
    SubscriberPackageVersionKey: record.SubscriberPackageVersionKey,
    SecurityType: record.SecurityType ?? null,
    EnableRss: record.EnableRss ?? false,
    NameConflictResolution: record.NameConflictResolution ?? null,
    UpgradeType: record.UpgradeType ?? null,
    ApexCompileType: record.ApexCompileType ?? null,
    PackageInstallSource: record.PackageInstallSource ?? null,
    SkipHandlers: record.SkipHandlers ?? null,
    ProfileMappings: null,
    Password: null,
    Status: record.Status,
    Errors: record.Errors ?? null,
    CreatedDate: record.CreatedDate,
    CreatedById: record.CreatedById,
    LastModifiedDate: record.LastModifiedDate,
    LastModifiedById: record.LastModifiedById,
    SystemModstamp: record.SystemModstamp,
    IsDeleted: false,
  };
}

const PATH = '/sobjects/PackageInstallRequest';

export const routes: Route[] = [
  { method: 'POST', pattern: tooling(`${PATH}/?`), api: 'tooling', handle: (req, _m, org) => create(req, org) },
  {
    method: 'GET',
    pattern: tooling(`${PATH}/([a-zA-Z0-9]{15,18})/?`),
    api: 'tooling',
    handle(req, m, org) {
      const record = org.get('PackageInstallRequest', m[1]);
      if (!record) throw new SimError(404, 'NOT_FOUND', 'The requested resource does not exist');
      // Finishing an install is the org's own background work, not a write by the caller: the status read
      // is logged as a read.
      return { status: 200, body: requestBody(req, advance(org, record)), write: false };
    },
  },
];
