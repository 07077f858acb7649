import type { CeConfig, EnrollmentSpec } from './config.js';
import { type InstalledPackage, findInstalled } from './package-status.js';
import { compareReleases, parseVersion } from './versions.js';

/** The describe facts discovery reads (REST describe `childRelationships[]` and `fields[]`). */
export type ChildRelationshipInfo = { childSObject: string; field: string; relationshipName: string | null };
export type FieldInfo = {
  name: string;
  label: string;
  type: string;
  externalId?: boolean;
  unique?: boolean;
  custom?: boolean;
  referenceTo?: string[];
  relationshipName?: string | null;
};

export type DiscoveredPackage = {
  key: string;
  name: string;
  namespace: string | null;
  installed: string | null;
  /** The 04t id of the installed version. */
  versionId: string | null;
};

export type DiscoveredEnrollment = {
  object: string;
  label?: string;
  contactField: string;
  relationshipName: string | null;
  externalIdField: string | null;
  externalIdCandidates: string[];
  timestampField: string | null;
  timestampCandidates: string[];
  emailField: string | null;
  courseNameField: string | null;
  courseIdField: string | null;
  progressField: string | null;
  enrollmentDateField: string | null;
  attemptField: string | null;
};

export type DiscoveredPermissionSet = { label: string; name: string; namespace: string | null; id: string };

export type Discovery = {
  packages: DiscoveredPackage[];
  /** Set when the org refused to list installed packages (for example a missing permission). */
  packagesUnreadable?: string;
  enrollment: DiscoveredEnrollment | null;
  /** Custom child objects of Contact from the CE namespaces, when none is clearly the Enrollment object. */
  enrollmentCandidates: string[];
  permissionSet: DiscoveredPermissionSet | null;
  contactLayouts: string[];
};

export function discoverPackages(config: CeConfig, installed: InstalledPackage[]): DiscoveredPackage[] {
  return config.packages.map((spec) => {
    const found = findInstalled(spec, installed);
    return {
      key: spec.key,
      name: found?.name ?? spec.name,
      namespace: found?.namespace ?? null,
      installed: found
        ? `${found.version.major}.${found.version.minor}.${found.version.patch}.${found.version.build}`
        : null,
      versionId: found?.versionId ?? null,
    };
  });
}

/** The namespaces to look for CE objects in: the installed CE packages', else the config's guesses. */
export function ceNamespaces(config: CeConfig, packages: DiscoveredPackage[]): string[] {
  const found = packages.map((p) => p.namespace).filter((ns): ns is string => !!ns);
  return [...new Set(found.length > 0 ? found : config.packages.map((p) => p.namespace))];
}

const inNamespace = (name: string, namespaces: string[]): boolean =>
  namespaces.some((ns) => name.toLowerCase().startsWith(`${ns.toLowerCase()}__`));

/**
 * Picks the Enrollment relationship among Contact's child relationships: custom objects of a CE namespace whose
 * name mentions Enrollment; the config's object breaks a tie. Returns the candidates when none is certain.
 */
export function pickEnrollmentRelationship(
  relationships: ChildRelationshipInfo[],
  namespaces: string[],
  configured?: string
): { chosen: ChildRelationshipInfo | null; candidates: string[] } {
  const custom = relationships.filter((r) => r.childSObject.endsWith('__c') && inNamespace(r.childSObject, namespaces));
  const candidates = [...new Set(custom.map((r) => r.childSObject))];
  const named = custom.filter((r) => /enrol+ment/i.test(r.childSObject));
  const pool = named.length > 0 ? named : custom;
  if (pool.length === 1) return { chosen: pool[0], candidates };
  const configuredMatch = pool.filter((r) => r.childSObject.toLowerCase() === configured?.toLowerCase());
  if (configuredMatch.length === 1) return { chosen: configuredMatch[0], candidates };
  return { chosen: null, candidates };
}

/** Exactly one field matching, else the configured one if the object has it, else null. */
function pickOne(fields: FieldInfo[], test: (f: FieldInfo) => boolean, configured?: string): string | null {
  const matches = fields.filter(test);
  if (matches.length === 1) return matches[0].name;
  const keep = matches.find((f) => f.name.toLowerCase() === configured?.toLowerCase());
  return keep?.name ?? null;
}

const isCustom = (f: FieldInfo): boolean => f.custom ?? f.name.endsWith('__c');

/** Date-time fields the package writes (custom ones; system audit fields are Salesforce's, not CE's). */
export function timestampCandidates(fields: FieldInfo[]): string[] {
  return fields.filter((f) => f.type === 'datetime' && isCustom(f)).map((f) => f.name);
}

/**
 * The field CE stamps on every write, used by the package to reject older updates: a custom date-time whose
 * name says sync, update or modification; else the configured one if it is a candidate; else the only candidate.
 */
export function pickTimestampField(fields: FieldInfo[], configured?: string): string | null {
  const candidates = fields.filter((f) => f.type === 'datetime' && isCustom(f));
  const syncLike = candidates.filter((f) => /sync|updated|modified/i.test(`${f.name} ${f.label}`));
  if (syncLike.length === 1) return syncLike[0].name;
  const keep = candidates.find((f) => f.name.toLowerCase() === configured?.toLowerCase());
  if (keep) return keep.name;
  return candidates.length === 1 ? candidates[0].name : null;
}

export function describeEnrollment(
  relationship: ChildRelationshipInfo,
  fields: FieldInfo[],
  configured: EnrollmentSpec,
  label?: string
): DiscoveredEnrollment {
  const custom = fields.filter(isCustom);
  const externalIds = custom.filter((f) => f.externalId);
  const externalIdField =
    externalIds.length === 1
      ? externalIds[0].name
      : pickOne(externalIds, (f) => /external/i.test(f.name) && (f.unique ?? false), configured.externalIdField);
  return {
    object: relationship.childSObject,
    label,
    contactField: relationship.field,
    relationshipName: relationship.relationshipName,
    externalIdField,
    externalIdCandidates: externalIds.map((f) => f.name),
    timestampField: pickTimestampField(fields, configured.timestampField),
    timestampCandidates: timestampCandidates(fields),
    emailField: pickOne(custom, (f) => f.type === 'email', configured.emailField),
    courseNameField: pickOne(custom, (f) => /course/i.test(f.name) && /name/i.test(f.name), configured.courseNameField),
    courseIdField: pickOne(
      custom,
      (f) => /course/i.test(f.name) && /_id__c$/i.test(f.name) && f.type !== 'reference',
      configured.courseIdField
    ),
    progressField: pickOne(
      custom,
      (f) => /progress|percent/i.test(f.name) && ['percent', 'double', 'int'].includes(f.type),
      configured.progressField
    ),
    enrollmentDateField: pickOne(
      custom,
      (f) => /enrol+ment_?date/i.test(f.name) && (f.type === 'date' || f.type === 'datetime'),
      configured.enrollmentDateField
    ),
    attemptField: pickOne(custom, (f) => /attempt/i.test(f.name), configured.attemptField),
  };
}

/** Prefers the permission set of a CE namespace among those with the configured label. */
export function pickPermissionSet(
  rows: Array<{ Id: string; Name: string; Label: string; NamespacePrefix: string | null }>,
  namespaces: string[]
): DiscoveredPermissionSet | null {
  const ce = rows.filter((r) => r.NamespacePrefix && namespaces.includes(r.NamespacePrefix));
  const pool = ce.length > 0 ? ce : rows;
  if (pool.length !== 1) return null;
  const row = pool[0];
  return { label: row.Label, name: row.Name, namespace: row.NamespacePrefix, id: row.Id };
}

/** Layout names with the managed namespace on the layout half, the form retrieve and deploy need. */
export function contactLayoutNames(rows: Array<{ Name: string; NamespacePrefix: string | null }>): string[] {
  return rows.map((r) => `Contact-${r.NamespacePrefix ? `${r.NamespacePrefix}__` : ''}${r.Name}`).sort();
}

export type ConfigChange = { path: string; from: unknown; to: unknown };

export type ConfigPatch = {
  changes: ConfigChange[];
  /** Entries of `unverified` that the org confirmed. */
  confirmed: string[];
  /** The new `unverified` list. */
  unverified: string[];
};

/**
 * What discovery changes in the config: values the org contradicts are replaced, values it confirms leave the
 * `unverified` list. A required version's 04t id is confirmed only when that very version is installed.
 */
export function computeConfigPatch(config: CeConfig, discovery: Discovery): ConfigPatch {
  const changes: ConfigChange[] = [];
  const confirmed = new Set<string>();
  const set = (path: string, from: unknown, to: unknown): void => {
    if (to !== from) changes.push({ path, from, to });
  };
  config.packages.forEach((spec, i) => {
    const found = discovery.packages.find((p) => p.key === spec.key);
    if (!found || found.installed === null) return;
    if (found.namespace) {
      set(`/packages/${i}/namespace`, spec.namespace, found.namespace);
      confirmed.add(`/packages/${i}/namespace`);
    }
    const installed = parseVersion(found.installed);
    if (found.versionId && compareReleases(installed, parseVersion(spec.minimumVersion)) === 0) {
      set(`/packages/${i}/versionId`, spec.versionId, found.versionId);
      confirmed.add(`/packages/${i}/versionId`);
    }
  });
  const e = discovery.enrollment;
  if (e) {
    const fields: Array<[keyof EnrollmentSpec, string | null]> = [
      ['object', e.object],
      ['contactField', e.contactField],
      ['relationshipName', e.relationshipName],
      ['externalIdField', e.externalIdField],
      ['timestampField', e.timestampField],
      ['emailField', e.emailField],
      ['courseNameField', e.courseNameField],
      ['courseIdField', e.courseIdField],
      ['progressField', e.progressField],
      ['enrollmentDateField', e.enrollmentDateField],
      ['attemptField', e.attemptField],
    ];
    for (const [key, value] of fields) {
      // Only keys the config already has are replaced, so the edit stays in place; new keys are reported.
      if (value !== null && config.enrollment[key] !== undefined)
        set(`/enrollment/${key}`, config.enrollment[key], value);
    }
    if (e.externalIdField && e.timestampField && e.emailField) confirmed.add('/enrollment');
  }
  if (discovery.permissionSet?.namespace) {
    set('/permissionSet/namespace', config.permissionSet.namespace, discovery.permissionSet.namespace);
    confirmed.add('/permissionSet/namespace');
    // The API name the User Access Policy grants by; replaced only where the config already has the key.
    if (config.permissionSet.name !== undefined) {
      set('/permissionSet/name', config.permissionSet.name, discovery.permissionSet.name);
      confirmed.add('/permissionSet/name');
    }
  }
  const before = config.unverified ?? [];
  const stillUnverified = before.filter((path) => !confirmed.has(path));
  const confirmedListed = before.filter((path) => confirmed.has(path));
  if (stillUnverified.length !== before.length)
    changes.push({ path: '/unverified', from: before, to: stillUnverified });
  return { changes, confirmed: confirmedListed, unverified: stillUnverified };
}
