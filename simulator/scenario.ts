// Scenarios: JSON descriptions of an org (format in README.md). buildOrg turns one into an OrgState.
import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { insertObjectPermissions, insertTabSettings } from './access.js';
import { applyPackageVersion, loadCatalog, seedCatalog, type Catalog } from './catalog.js';
import { scheduleFromScenario } from './ce-sync.js';
import { setupDevHub } from './dev-hub.js';
import { OrgState } from './org-state.js';
import { ORG_SETUPS } from './rules/index.js';
import { markRecalculating } from './rules/permission-set-groups.js';
import { settingsXml } from './mdapi/settings.js';
import { STANDARD_OBJECTS } from './standard-objects.js';
import type {
  GroupRecalculation,
  GroupStatus,
  Scenario,
  ScenarioObjectPermissions,
  ScenarioOrg,
  SObjectRecord,
} from './types.js';

export const SCENARIO_DIR = fileURLToPath(new URL('scenarios', import.meta.url));

/** A scenario plus where it was read from (layout files are relative to it). */
export type LoadedScenario = Scenario & { name: string; baseDir: string };

export type RawScenario = Partial<Scenario> & { extends?: string };

/** The names of the shipped scenarios. */
export const SHIPPED_SCENARIOS = [
  'fresh',
  'outdated',
  'ready',
  'ce-sync',
  'pages',
  'all-users',
  'post-upgrade',
  'devhub',
  'scratch',
];

/** Finds a scenario by name (simulator/scenarios/<name>.json) or by file path. */
export function scenarioPath(nameOrFile: string, relativeTo = SCENARIO_DIR): string {
  if (nameOrFile.endsWith('.json') || nameOrFile.includes('/') || nameOrFile.includes('\\')) {
    return isAbsolute(nameOrFile) ? nameOrFile : resolve(nameOrFile);
  }
  const inDir = join(relativeTo, `${nameOrFile}.json`);
  if (existsSync(inDir)) return inDir;
  return join(SCENARIO_DIR, `${nameOrFile}.json`);
}

/**
 * Reads a scenario. `extends: "<name>"` starts from another scenario: top-level keys replace the base's, except
 * `records`, which is merged per object. File paths in `layouts` and `metadata` stay relative to the file that names them.
 */
export function loadScenario(nameOrFile: string, relativeTo?: string): LoadedScenario {
  const file = scenarioPath(nameOrFile, relativeTo);
  if (!existsSync(file)) {
    throw new Error(
      `No scenario "${nameOrFile}": expected ${file}. Shipped scenarios: ${SHIPPED_SCENARIOS.join(', ')}.`
    );
  }
  const raw = JSON.parse(readFileSync(file, 'utf8')) as RawScenario;
  const name = file.replace(/^.*[\\/]/, '').replace(/\.json$/, '');
  return resolveScenario(raw, dirname(file), name, file);
}

/**
 * A scenario written in place (an entry of another scenario's `orgs`, or an object a test builds): its `extends`
 * and file paths are read from `baseDir`.
 */
export function resolveScenario(raw: RawScenario, baseDir: string, name: string, where = name): LoadedScenario {
  const own: RawScenario = { ...raw };
  if (own.layouts) own.layouts = own.layouts.map((l) => ({ ...l, file: resolve(baseDir, l.file) }));
  if (own.metadata) own.metadata = own.metadata.map((m) => ({ ...m, file: resolve(baseDir, m.file) }));
  let merged: RawScenario = own;
  if (raw.extends) {
    const base = loadScenario(raw.extends, baseDir);
    merged = { ...base, ...own, records: { ...(base.records ?? {}), ...(own.records ?? {}) } };
  }
  delete merged.extends;
  const scenario = { ...merged, name, baseDir } as LoadedScenario;
  if (!scenario.org || !scenario.admin || !scenario.profiles || !scenario.users) {
    throw new Error(`Scenario ${where} needs org, admin, profiles and users.`);
  }
  return scenario;
}

/** The scenario of one entry of `orgs`: the named scenario with the entry's own keys replacing its. */
export function scenarioOfOrg(entry: ScenarioOrg, parent: Scenario): LoadedScenario {
  const baseDir = (parent as Partial<LoadedScenario>).baseDir ?? SCENARIO_DIR;
  const own: RawScenario = { ...entry, extends: entry.scenario };
  for (const field of ['key', 'scenario', 'usernameSuffix']) delete (own as Record<string, unknown>)[field];
  return resolveScenario(own, baseDir, entry.key, `${parent.name ?? 'scenario'} orgs[${entry.key}]`);
}

/**
 * The scenario with a suffix on every username (`admin@acme.example` → `admin@acme.example.eu`), the way a sandbox
 * copy renames its users, so two orgs made from one scenario keep Salesforce's globally unique usernames.
 */
export function withUsernameSuffix<S extends Scenario>(scenario: S, suffix: string): S {
  if (!suffix) return scenario;
  const rename = (username: string): string => `${username}${suffix}`;
  const refs = (values: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(values).map(([k, v]) => [
        k,
        typeof v === 'string' && v.startsWith('@user:') ? `@user:${rename(v.slice(6))}` : v,
      ])
    );
  const scheduled = (scenario as { scheduled?: Array<Record<string, unknown>> }).scheduled;
  return {
    ...scenario,
    admin: rename(scenario.admin),
    users: scenario.users.map((u) => ({ ...u, username: rename(u.username), email: u.email ?? u.username })),
    assignments: scenario.assignments?.map((a) => ({ ...a, user: rename(a.user) })),
    records:
      scenario.records &&
      Object.fromEntries(Object.entries(scenario.records).map(([object, rows]) => [object, rows.map(refs)])),
    ...(scheduled && {
      scheduled: scheduled.map((p) => (typeof p.asUser === 'string' ? { ...p, asUser: rename(p.asUser) } : p)),
    }),
  };
}

const perms = (p: Record<string, boolean> | undefined): Record<string, boolean> =>
  Object.fromEntries(Object.entries(p ?? {}).map(([k, v]) => [`Permissions${k}`, v]));

/** Splits `ns__Name` into its namespace and name, the way managed names are referenced. */
function splitManaged(name: string): { namespace: string | null; name: string } {
  const match = /^([a-zA-Z0-9]+)__(.+)$/.exec(name);
  return match && !match[2].endsWith('__c') ? { namespace: match[1], name: match[2] } : { namespace: null, name };
}

export type BuildOptions = {
  catalog?: Catalog;
  /** The org's Id (00D…) instead of the scenario's. */
  orgId?: string;
  /** The three characters every record Id of this org carries after its key prefix. */
  idTag?: string;
};

/** Builds a fresh org from a scenario. */
export function buildOrg(scenario: Scenario, options: BuildOptions = {}): OrgState {
  const org = new OrgState({ now: scenario.org.now, idTag: options.idTag });
  for (const def of STANDARD_OBJECTS) org.defineObject(def);
  for (const setup of ORG_SETUPS) setup(org);
  if (scenario.devHub) setupDevHub(org, scenario.devHub);
  org.flags.connectedApps = (scenario.connectedApps ?? []).map((app) => ({
    ...app,
    approvedUsers: app.approvedUsers ?? [scenario.admin],
  }));
  const catalog = options.catalog ?? loadCatalog();
  org.catalog = catalog;
  org.apiUsage = scenario.org.apiUsage ?? 0;
  const sys = { system: true };

  const orgRow = org.insert(
    'Organization',
    {
      ...((options.orgId ?? scenario.org.id) ? { Id: options.orgId ?? scenario.org.id } : {}),
      Name: scenario.org.name,
      InstanceName: scenario.org.instance,
      IsSandbox: scenario.org.isSandbox,
      TrialExpirationDate: scenario.org.trialExpirationDate ?? null,
      NamespacePrefix: scenario.org.namespacePrefix ?? null,
      OrganizationType: scenario.org.edition,
    },
    sys
  );
  org.orgId = orgRow.Id;
  org.facts = scenario.org;
  seedCatalog(org, catalog);

  const licenses = new Map<string, string>();
  for (const lic of scenario.userLicenses ?? [{ name: 'Salesforce', total: 100 }]) {
    const row = org.insert(
      'UserLicense',
      {
        Name: lic.name,
        MasterLabel: lic.name,
        Status: lic.status ?? 'Active',
        TotalLicenses: lic.total,
        UsedLicenses: 0,
      },
      sys
    );
    licenses.set(lic.name, row.Id);
  }
  const profiles = new Map<string, { profile: SObjectRecord; permissionSet: SObjectRecord }>();
  for (const p of scenario.profiles) {
    const licenseId = licenses.get(p.userLicense);
    if (!licenseId) throw new Error(`Scenario profile "${p.name}" names unknown licence "${p.userLicense}".`);
    const profile = org.insert(
      'Profile',
      { Name: p.name, UserLicenseId: licenseId, UserType: p.userType ?? 'Standard', ...perms(p.permissions) },
      sys
    );
    // Every profile owns a permission set carrying its permissions (PermissionSet.IsOwnedByProfile).
    const permissionSet = org.insert(
      'PermissionSet',
      {
        Name: `X${profile.Id.slice(0, 15)}`,
        Label: p.name,
        IsOwnedByProfile: true,
        ProfileId: profile.Id,
        // A cloned profile is a custom one (Profile metadata `custom`), and so is its permission set.
        IsCustom: p.custom ?? false,
        LicenseId: licenseId,
        Type: 'Profile',
        ...perms(p.permissions),
      },
      sys
    );
    insertObjectPermissions(org, permissionSet.Id, p.objectPermissions);
    insertTabSettings(org, permissionSet.Id, p.tabs);
    profiles.set(p.name, { profile, permissionSet });
  }

  for (const versionId of scenario.installedPackages ?? []) {
    applyPackageVersion(org, catalog, versionId, { securityType: scenario.installSecurityType ?? 'None' });
  }

  for (const ps of scenario.permissionSets ?? []) {
    const permissionSet = org.insert(
      'PermissionSet',
      {
        Name: ps.name,
        Label: ps.label,
        NamespacePrefix: ps.namespace ?? null,
        IsOwnedByProfile: false,
        IsCustom: true,
        Type: 'Regular',
        LicenseId: ps.license ? licenses.get(ps.license) : null,
        ...perms(ps.permissions),
      },
      sys
    );
    insertObjectPermissions(org, permissionSet.Id, ps.objectPermissions);
    insertTabSettings(org, permissionSet.Id, ps.tabs);
  }
  const findPermissionSet = (ref: string): SObjectRecord => {
    const { namespace, name } = splitManaged(ref);
    const found =
      org.findOne(
        'PermissionSet',
        (r) => r.Name === name && (r.NamespacePrefix ?? null) === namespace && r.IsOwnedByProfile !== true
      ) ?? org.findOne('PermissionSet', (r) => r.Label === ref && r.IsOwnedByProfile !== true);
    if (!found) throw new Error(`Scenario names unknown permission set "${ref}".`);
    return found;
  };
  const groups = new Map<string, { group: SObjectRecord; aggregate: SObjectRecord }>();
  const groupStates: Array<{ id: string; status?: GroupStatus; recalculation?: GroupRecalculation }> = [];
  for (const g of scenario.permissionSetGroups ?? []) {
    const group = org.insert(
      'PermissionSetGroup',
      {
        DeveloperName: g.developerName,
        MasterLabel: g.label,
        NamespacePrefix: g.namespace ?? null,
        Status: 'Updated',
      },
      sys
    );
    // The scenario's own assignments to the group are made first; its status (and recalculation) come after.
    groupStates.push({ id: group.Id, status: g.status, recalculation: g.recalculation });
    const members = g.permissionSets.map(findPermissionSet);
    for (const member of members)
      org.insert('PermissionSetGroupComponent', { PermissionSetGroupId: group.Id, PermissionSetId: member.Id }, sys);
    // A group is backed by an aggregate permission set holding the union of its members' permissions.
    const union: Record<string, boolean> = {};
    for (const member of members)
      for (const [k, v] of Object.entries(member)) if (k.startsWith('Permissions') && v === true) union[k] = true;
    const aggregate = org.insert(
      'PermissionSet',
      {
        Name: `${g.developerName}_aggregate`,
        Label: g.label,
        IsOwnedByProfile: false,
        IsCustom: false,
        Type: 'Group',
        PermissionSetGroupId: group.Id,
        ...union,
      },
      sys
    );
    // The aggregate also carries the union of the members' object access.
    const objectAccess: ScenarioObjectPermissions = {};
    for (const member of members) {
      for (const row of org.find('ObjectPermissions', (o) => o.ParentId === member.Id)) {
        const access = (objectAccess[String(row.SobjectType)] ??= []);
        if (row.PermissionsRead === true && !access.includes('read')) access.push('read');
        if (row.PermissionsCreate === true && !access.includes('create')) access.push('create');
        if (row.PermissionsEdit === true && !access.includes('edit')) access.push('edit');
        if (row.PermissionsDelete === true && !access.includes('delete')) access.push('delete');
      }
    }
    insertObjectPermissions(org, aggregate.Id, objectAccess);
    groups.set(g.developerName, { group, aggregate });
  }

  for (const u of scenario.users) {
    const p = profiles.get(u.profile);
    if (!p) throw new Error(`Scenario user ${u.username} names unknown profile "${u.profile}".`);
    const user = org.insert(
      'User',
      {
        Username: u.username,
        FirstName: u.firstName ?? null,
        LastName: u.lastName,
        Email: u.email ?? u.username,
        Alias: (u.firstName?.[0] ?? '') + u.lastName.slice(0, 4).toLowerCase(),
        IsActive: u.isActive ?? true,
        UserType: u.userType ?? 'Standard',
        ProfileId: p.profile.Id,
        LastLoginDate: u.lastLoginDate ?? null,
        Department: u.department ?? null,
        Title: u.title ?? null,
      },
      sys
    );
    org.insert('PermissionSetAssignment', { AssigneeId: user.Id, PermissionSetId: p.permissionSet.Id }, sys);
    const lic = org.get('UserLicense', String(p.profile.UserLicenseId));
    if (lic && user.IsActive) org.update('UserLicense', lic.Id, { UsedLicenses: Number(lic.UsedLicenses) + 1 }, sys);
  }
  if (!org.userByUsername(scenario.admin)) throw new Error(`Scenario admin ${scenario.admin} is not among its users.`);

  for (const a of scenario.assignments ?? []) {
    const user = org.userByUsername(a.user);
    if (!user) throw new Error(`Scenario assignment names unknown user ${a.user}.`);
    if (a.permissionSetGroup) {
      const g = groups.get(a.permissionSetGroup);
      if (!g) throw new Error(`Scenario assignment names unknown permission set group ${a.permissionSetGroup}.`);
      org.insert(
        'PermissionSetAssignment',
        {
          AssigneeId: user.Id,
          PermissionSetId: g.aggregate.Id,
          PermissionSetGroupId: g.group.Id,
          ExpirationDate: a.expires ?? null,
        },
        sys
      );
    } else if (a.permissionSet) {
      org.insert(
        'PermissionSetAssignment',
        {
          AssigneeId: user.Id,
          PermissionSetId: findPermissionSet(a.permissionSet).Id,
          ExpirationDate: a.expires ?? null,
        },
        sys
      );
    }
  }

  for (const state of groupStates) {
    if (state.status) org.update('PermissionSetGroup', state.id, { Status: state.status }, sys);
    if (state.recalculation) markRecalculating(org, state.id, state.recalculation);
  }

  for (const layout of scenario.layouts ?? []) {
    const baseDir = (scenario as Partial<LoadedScenario>).baseDir ?? SCENARIO_DIR;
    org.putMetadata('Layout', layout.fullName, readFileSync(resolve(baseDir, layout.file), 'utf8'));
  }
  for (const component of scenario.metadata ?? []) {
    const baseDir = (scenario as Partial<LoadedScenario>).baseDir ?? SCENARIO_DIR;
    org.putMetadata(component.type, component.fullName, readFileSync(resolve(baseDir, component.file), 'utf8'));
  }
  for (const [name, values] of Object.entries(scenario.settings ?? {})) {
    org.putMetadata('Settings', name, settingsXml(name, values));
  }
  org.lightningComponents.push(...(scenario.lightningComponents ?? []));

  const keys = new Map<string, string>();
  const resolveRefs = (values: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(values)
        .filter(([k]) => k !== '$key')
        .map(([k, v]) => {
          if (typeof v !== 'string' || !v.startsWith('@')) return [k, v];
          if (v.startsWith('@user:')) return [k, org.userByUsername(v.slice(6))?.Id ?? v];
          const id = keys.get(v.slice(1));
          if (!id) throw new Error(`Scenario record field ${k} refers to unknown key ${v}.`);
          return [k, id];
        })
    );
  for (const [objectName, rows] of Object.entries(scenario.records ?? {})) {
    for (const row of rows) {
      const record = org.insert(objectName, resolveRefs(row), sys);
      if (typeof row.$key === 'string') keys.set(row.$key, record.Id);
    }
  }
  scheduleFromScenario(org, scenario as { scheduled?: unknown });
  org.changeCount = 0;
  return org;
}
