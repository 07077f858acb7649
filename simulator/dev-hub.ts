// A simulated Dev Hub: the ScratchOrgInfo and ActiveScratchOrg objects, the allocations it enforces, and scratch
// orgs made as further orgs of the same simulator.
//
// The flow follows what @salesforce/core's scratchOrgCreate sends (node_modules/@salesforce/core/lib/org/
// scratchOrgCreate.js, scratchOrgInfoApi.js, authInfo.js):
//   1. `SELECT Id FROM ScratchOrgInfo limit 1` answers rows (the Dev Hub check of AuthInfo.determineIfDevHub and
//      Org.determineIfDevHubOrg; an org without these objects answers INVALID_TYPE, "not a Dev Hub");
//   2. POST sobjects/ScratchOrgInfo with the definition's fields in upper camel case (OrgName, Edition, Features
//      "API;…", DurationDays, ConnectedAppConsumerKey, ConnectedAppCallbackUrl); settings are not sent;
//   3. GET sobjects/ScratchOrgInfo/<id> every second until Status is Active or Error;
//   4. the auth-code exchange at <LoginUrl>/services/oauth2/token (SignupInstance ending in "s" makes core use
//      LoginUrl rather than https://<instance>.salesforce.com), then the settings deploy to the new org;
//   5. Org.delete(): `SELECT Id FROM ActiveScratchOrg WHERE SignupUsername='…'` and DELETE sobjects/ActiveScratchOrg/<id>.
// Objects: https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_scratchorginfo.htm,
// https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_activescratchorg.htm
import { randomBytes } from 'node:crypto';
import { SimError } from './errors.js';
import { formatDateTime, type OrgState } from './org-state.js';
import { loadScenario } from './scenario.js';
import type { DevHubSettings, FieldDef, ObjectDef, Scenario, ScenarioConnectedApp, SObjectRecord } from './types.js';

/**
 * ScratchOrgInfo.Edition values (the definition file's `edition`). The partner editions are made only by a Dev Hub
 * that is a partner business org ("Supported Scratch Org Editions for Partners", Second-Generation Managed
 * Packaging Developer Guide, https://developer.salesforce.com/docs/atlas.en-us.pkg2_dev.meta/pkg2_dev/isv_partner_scratch_org_editions.htm).
 */
export const SCRATCH_EDITIONS = [
  'Developer',
  'Enterprise',
  'Group',
  'Professional',
  'Partner Developer',
  'Partner Enterprise',
  'Partner Group',
  'Partner Professional',
];

/** Status values (sfdx-core's ScratchOrgInfo type; resume treats New and Creating as still running). */
const RUNNING = ['New', 'Creating'];

const str = (name: string, extra: Partial<FieldDef> = {}): FieldDef => ({
  name,
  type: 'string',
  length: 255,
  ...extra,
});
const ro = { readOnly: true };

// Key prefixes 2SR and 2AS are those of real ScratchOrgInfo and ActiveScratchOrg Ids (an assumption: no table of
// this simulator's sources lists them).
export const DEV_HUB_OBJECTS: ObjectDef[] = [
  {
    name: 'ScratchOrgInfo',
    keyPrefix: '2SR',
    api: 'data',
    fields: [
      str('Name', { readOnly: true, autoNumber: '{00000000}' }),
      { name: 'AdminEmail', type: 'email', length: 80 },
      str('AuthCode', ro),
      { name: 'ConnectedAppCallbackUrl', type: 'textarea', length: 2000, required: true, createOnly: true },
      str('ConnectedAppConsumerKey', { length: 120, required: true, createOnly: true }),
      str('Country', { length: 3 }),
      str('DeletedBy', { ...ro, length: 15 }),
      { name: 'DeletedDate', type: 'date', readOnly: true },
      { name: 'Description', type: 'textarea', length: 2000 },
      { name: 'DurationDays', type: 'int' },
      { name: 'Edition', type: 'picklist', picklistValues: SCRATCH_EDITIONS },
      str('ErrorCode', { ...ro, length: 8 }),
      { name: 'ExpirationDate', type: 'date', readOnly: true },
      { name: 'Features', type: 'textarea', length: 10000 },
      { name: 'HasSampleData', type: 'boolean', defaultValue: false },
      str('Language'),
      { name: 'LastLoginDate', type: 'date', readOnly: true },
      { name: 'LoginUrl', type: 'url', readOnly: true, length: 1024 },
      str('Namespace', { length: 15 }),
      str('OrgName'),
      str('Package2AncestorIds', { length: 1000 }),
      str('Release'),
      str('ScratchOrg', { ...ro, length: 15 }),
      { name: 'SignupEmail', type: 'email', readOnly: true, length: 80 },
      str('SignupInstance', ro),
      str('SignupUsername', { ...ro, length: 80 }),
      str('Snapshot'),
      str('SourceOrg', { length: 18 }),
      str('Status', ro),
      str('Username', { length: 80 }),
    ],
  },
  {
    name: 'ActiveScratchOrg',
    keyPrefix: '2AS',
    api: 'data',
    createable: false,
    fields: [
      str('Name', { readOnly: true, autoNumber: 'ASO-{0000}' }),
      { name: 'Description', type: 'textarea', length: 2000 },
      str('Edition', ro),
      { name: 'ExpirationDate', type: 'date', readOnly: true },
      { name: 'Features', type: 'textarea', length: 10000, readOnly: true },
      { name: 'HasSampleData', type: 'boolean', defaultValue: false },
      { name: 'LastLoginDate', type: 'date', readOnly: true },
      str('Namespace', ro),
      str('OrgName', ro),
      str('ScratchOrg', { ...ro, length: 15 }),
      {
        name: 'ScratchOrgInfoId',
        type: 'reference',
        referenceTo: ['ScratchOrgInfo'],
        relationshipName: 'ScratchOrgInfo',
        readOnly: true,
      },
      str('SignupUsername', { ...ro, length: 80 }),
    ],
  },
];

/**
 * The Dev Hub's setting (DevHubSettings.enableScratchOrgManagementPref, the "Enable Dev Hub" switch of Setup >
 * Dev Hub), as the Metadata API retrieves it:
 * https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_devhubsettings.htm
 */
const DEV_HUB_SETTINGS = `<?xml version="1.0" encoding="UTF-8"?>
<DevHubSettings xmlns="http://soap.sforce.com/2006/04/metadata">
    <enableScratchOrgManagementPref>true</enableScratchOrgManagementPref>
</DevHubSettings>
`;

const DAY_MS = 24 * 60 * 60 * 1000;

export function devHubOf(org: OrgState): DevHubSettings | undefined {
  return org.flags.devHub as DevHubSettings | undefined;
}

/** Signup requests that count against ActiveScratchOrgs: running ones and those whose org is active. */
export function activeSignups(org: OrgState): number {
  return org.find('ScratchOrgInfo', (r) => [...RUNNING, 'Active'].includes(String(r.Status))).length;
}

/**
 * Signup requests of the last 24 hours (by the org's clock), whatever became of them: DailyScratchOrgs. That a
 * signup counts against the daily allocation even when its org was deleted (or failed after it was made) is what
 * https://github.com/forcedotcom/cli/issues/202 reports ("this will also count against the daily creation limit");
 * that the window rolls (the last 24 hours rather than the calendar day) is an assumption.
 */
export function dailySignups(org: OrgState): number {
  const since = org.now().getTime() - DAY_MS;
  return org
    .all('ScratchOrgInfo', { includeDeleted: true })
    .filter((r) => Date.parse(String(r.CreatedDate).replace('+0000', 'Z')) > since).length;
}

function limitExceeded(kind: 'active' | 'daily'): SimError {
  // The errorCode and both texts as the sf CLI prints them when a Dev Hub refuses a signup
  // (https://github.com/forcedotcom/cli/issues/202, https://github.com/forcedotcom/sfdx-circleci/issues/12; the
  // code LIMIT_EXCEEDED as scripts match it, for example in public CI helpers). The HTTP status is an assumption.
  const text =
    kind === 'active'
      ? 'The signup request failed because this organization has reached its active scratch org limit'
      : 'The signup request failed because this organization has reached its daily scratch org signup limit';
  return new SimError(400, 'LIMIT_EXCEEDED', text);
}

function scratchUsername(): string {
  // New scratch org admins are named test-<random>@example.com (usernames as sf prints them, for example in
  // https://github.com/forcedotcom/cli/issues/191).
  return `test-${randomBytes(6).toString('hex').slice(0, 12)}@example.com`;
}

/** Makes the org a Dev Hub: its objects, its setting, and the rules of signup and deletion. */
export function setupDevHub(org: OrgState, settings: DevHubSettings): void {
  for (const def of DEV_HUB_OBJECTS) org.defineObject(def);
  org.flags.devHub = settings;
  org.putMetadata('Settings', 'DevHub', DEV_HUB_SETTINGS);

  org.addRule('ScratchOrgInfo', 'beforeInsert', ({ org: hub, record, userId }) => {
    if (!record.Edition && !record.Snapshot && !record.SourceOrg) {
      // An assumption: the definition's edition is required (Scratch Org Definition Configuration Values), and the
      // API is taken to refuse its absence as it refuses other missing required fields.
      return {
        errorCode: 'REQUIRED_FIELD_MISSING',
        message: 'Required fields are missing: [Edition]',
        fields: ['Edition'],
      };
    }
    const days = record.DurationDays === null ? 7 : Number(record.DurationDays);
    if (!Number.isInteger(days) || days < 1 || days > 30) {
      // `--duration-days` is 1 to 30 (sf org create scratch); the wording of the API's refusal is an assumption.
      return {
        errorCode: 'FIELD_INTEGRITY_EXCEPTION',
        message: `Requested Duration In Days: value outside of valid range on numeric field: ${String(record.DurationDays)}`,
        fields: ['DurationDays'],
      };
    }
    if (String(record.Edition ?? '').startsWith('Partner ') && !settings.partnerBusinessOrg) {
      // The guide's words for a partner edition asked of a Dev Hub that is not a partner business org (page cited
      // at SCRATCH_EDITIONS). That the request is refused at once, and its error code, are assumptions.
      return {
        errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY',
        message:
          "You don't have permission to create Partner Edition organizations. To enable this functionality, please log a case in the Partner Community.",
        fields: ['Edition'],
      };
    }
    if (activeSignups(hub) >= settings.activeScratchOrgs) return limitExceeded('active').toBody();
    if (dailySignups(hub) >= settings.dailyScratchOrgs) return limitExceeded('daily').toBody();
    const creator = userId ? hub.get('User', userId) : undefined;
    record.DurationDays = days;
    record.Status = 'New';
    record.SignupUsername = typeof record.Username === 'string' ? record.Username.toLowerCase() : scratchUsername();
    record.SignupEmail = record.AdminEmail ?? creator?.Email ?? null;
    record.ExpirationDate = formatDateTime(new Date(hub.now().getTime() + days * DAY_MS)).slice(0, 10);
    return undefined;
  });

  // "Deleting the request (ScratchOrgInfo) also deletes the active scratch org." (Salesforce DX Developer Guide,
  // "Manage Scratch Orgs from the Dev Hub Org"). A request still running (New or Creating) may be deleted too, and
  // then no org is made (readSignup finds no request to bring to Active): an assumption, as the guide speaks only of
  // requests whose org exists.
  org.addRule('ScratchOrgInfo', 'afterDelete', ({ org: hub, record }) => {
    for (const active of hub.find('ActiveScratchOrg', (a) => a.ScratchOrgInfoId === record.Id)) {
      hub.delete('ActiveScratchOrg', active.Id, { system: true });
    }
  });

  // Deleting the active scratch org frees its allocation; its request stays, marked Deleted (same guide: "The
  // details of a scratch org request include whether it's active, expired, or deleted"). The org itself goes away.
  org.addRule('ActiveScratchOrg', 'afterDelete', ({ org: hub, record, userId }) => {
    const info = hub.get('ScratchOrgInfo', String(record.ScratchOrgInfoId));
    if (info) {
      hub.update(
        'ScratchOrgInfo',
        info.Id,
        {
          Status: 'Deleted',
          DeletedDate: formatDateTime(hub.now()).slice(0, 10),
          DeletedBy: userId?.slice(0, 15) ?? null,
        },
        { system: true }
      );
    }
    const key = scratchKeys.get(hub)?.get(String(record.ScratchOrg));
    if (key && hub.host) void hub.host.deleteOrg(key);
  });
}

/** The simulator keys of the scratch orgs a hub made, by their 15-character org Id. */
const scratchKeys = new WeakMap<OrgState, Map<string, string>>();
const reads = new WeakMap<OrgState, Map<string, number>>();
const activating = new WeakMap<OrgState, Map<string, Promise<void>>>();

function mapOf<V>(store: WeakMap<OrgState, Map<string, V>>, org: OrgState): Map<string, V> {
  let map = store.get(org);
  if (!map) {
    map = new Map();
    store.set(org, map);
  }
  return map;
}

/** Organization.OrganizationType of a scratch org of this edition (Group Edition reports "Team Edition"). */
function organizationType(edition: string): string {
  const base = edition.replace(/^Partner /, '');
  // An assumption for partner editions: they report their base edition.
  return base === 'Group' ? 'Team Edition' : `${base} Edition`;
}

/** The scenario a new scratch org is built from: the template, with the signup's edition, name and admin. */
function scratchScenario(hub: OrgState, settings: DevHubSettings, info: SObjectRecord, instance: string): Scenario {
  const template = loadScenario(settings.scratchOrgScenario ?? 'scratch');
  const username = String(info.SignupUsername);
  const admin = template.users.find((u) => u.username === template.admin);
  return {
    ...template,
    name: template.name,
    org: {
      ...template.org,
      id: undefined,
      name: String(info.OrgName ?? 'Company'),
      edition: organizationType(String(info.Edition ?? 'Developer')),
      isSandbox: true,
      trialExpirationDate: String(info.ExpirationDate),
      instance,
      namespacePrefix: (info.Namespace as string | null) ?? null,
      now: hub.now().toISOString(),
    },
    admin: username,
    users: template.users.map((u) =>
      u === admin ? { ...u, username, email: String(info.SignupEmail ?? username) } : u
    ),
    assignments: template.assignments?.map((a) => (a.user === template.admin ? { ...a, user: username } : a)),
    connectedApps: [...(template.connectedApps ?? []), ...signupApp(hub, info, username)],
  };
}

/**
 * The Dev Hub's own connected app that the signup names (ConnectedAppConsumerKey), trusted by the new org for its
 * admin: a Dev Hub authorized with the JWT flow needs a connected app to create scratch orgs (Salesforce DX
 * Developer Guide, "Authorize an Org Using the JWT Flow"), and @salesforce/core then logs in to the new org with the
 * Dev Hub's key and client id (scratchOrgInfoApi.buildOAuth2Options), which works only if the new org accepts that
 * app for its admin without anyone approving it. How Salesforce arranges that is not documented; this is the
 * assumption that matches what core does.
 */
function signupApp(hub: OrgState, info: SObjectRecord, username: string): ScenarioConnectedApp[] {
  const apps = (hub.flags.connectedApps ?? []) as ScenarioConnectedApp[];
  const app = apps.find((a) => a.consumerKey === info.ConnectedAppConsumerKey);
  return app ? [{ ...app, approvedUsers: [username] }] : [];
}

/** Brings the signup to Active: a new org on its own port, its ActiveScratchOrg, and the one-time auth code. */
async function activate(hub: OrgState, settings: DevHubSettings, info: SObjectRecord): Promise<void> {
  if (settings.signupErrorCode) {
    hub.update('ScratchOrgInfo', info.Id, { Status: 'Error', ErrorCode: settings.signupErrorCode }, { system: true });
    return;
  }
  if (!hub.host)
    throw new SimError(500, 'UNKNOWN_EXCEPTION', 'This Dev Hub is not served: it cannot make scratch orgs.');
  const keys = mapOf(scratchKeys, hub);
  // A Falcon-style instance name (ending in "S"): sfdx-core then logs in at LoginUrl, the new org's own URL.
  const instance = `SIM${100 + keys.size}S`;
  const scratch = await hub.host.createOrg({
    scenario: scratchScenario(hub, settings, info, instance),
    key: `${hub.host.key}-scratch-${keys.size + 1}`,
  });
  scratch.org.flags.features = String(info.Features ?? '')
    .split(/[;,]/)
    .map((f) => f.trim())
    .filter(Boolean);
  const scratchOrg = scratch.org.orgId.slice(0, 15);
  keys.set(scratchOrg, scratch.key);
  hub.insert(
    'ActiveScratchOrg',
    {
      ScratchOrg: scratchOrg,
      ScratchOrgInfoId: info.Id,
      SignupUsername: info.SignupUsername,
      Edition: info.Edition,
      ExpirationDate: info.ExpirationDate,
      Features: info.Features,
      Namespace: info.Namespace,
      OrgName: info.OrgName,
      HasSampleData: info.HasSampleData,
    },
    { system: true }
  );
  hub.update(
    'ScratchOrgInfo',
    info.Id,
    {
      Status: 'Active',
      ScratchOrg: scratchOrg,
      LoginUrl: scratch.instanceUrl,
      SignupInstance: instance,
      Username: scratch.username,
      AuthCode: scratch.newAuthCode(scratch.username, {
        clientId: String(info.ConnectedAppConsumerKey),
        redirectUri: String(info.ConnectedAppCallbackUrl),
      }),
    },
    { system: true }
  );
}

/**
 * A status read of a signup request: the first `readsUntilActive` reads (default 2) answer New, then Creating;
 * the next makes the scratch org and answers Active (or Error). Progress counts reads, not time, as package
 * installs do here; a real signup takes a minute or more.
 */
export async function readSignup(hub: OrgState, id: string): Promise<void> {
  const settings = devHubOf(hub);
  const info = hub.get('ScratchOrgInfo', id);
  if (!settings || !info || !RUNNING.includes(String(info.Status))) return;
  const pending = mapOf(activating, hub);
  const inFlight = pending.get(info.Id);
  if (inFlight) return inFlight;
  const seen = mapOf(reads, hub);
  const n = (seen.get(info.Id) ?? 0) + 1;
  seen.set(info.Id, n);
  if (n <= (settings.readsUntilActive ?? 2)) {
    if (n > 1 && info.Status === 'New') hub.update('ScratchOrgInfo', info.Id, { Status: 'Creating' }, { system: true });
    return;
  }
  const done = activate(hub, settings, info).finally(() => pending.delete(info.Id));
  pending.set(info.Id, done);
  return done;
}
