// Shared types of the simulated org. Route modules, org-state rules and scenario loaders code against these.
import type { FaultSpec } from './faults.js';
import type { OrgState } from './org-state.js';

/** Which Salesforce API a request belongs to; the request log and fault rules use it. */
export type ApiKind = 'auth' | 'rest' | 'tooling' | 'soap' | 'bulk2' | 'control';

export type SimRequest = {
  method: string;
  /** Path with leading slashes collapsed to one, without the query string. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** Raw body bytes (empty for GET). */
  rawBody: Buffer;
  /** The body as text (UTF-8). */
  text: string;
  /** The body parsed as JSON when the request said it was JSON and it parsed; otherwise undefined. */
  json?: unknown;
  /** The user the access token belongs to (set by the server after the session check; undefined on control routes). */
  userId?: string;
  /** The REST API version in the path (for example "62.0"), when there is one. */
  apiVersion?: string;
};

export type SimResponse = {
  status: number;
  /** Objects and arrays are sent as JSON; strings and Buffers as they are. */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  /** True when handling the request changed the org's state (the request log's `write`). */
  write?: boolean;
};

export type Route = {
  method: string;
  /** Matched against SimRequest.path. */
  pattern: RegExp;
  api: ApiKind;
  /** Answered without a session (for example the API version list). */
  public?: boolean;
  handle(req: SimRequest, match: RegExpExecArray, org: OrgState): SimResponse | Promise<SimResponse>;
};

/** One line of the request log. */
export type RequestRecord = {
  /** The key of the org the request addressed (each org of a simulator has its own instance URL). */
  org?: string;
  /** Arrival order across every org of the simulator. */
  seq?: number;
  method: string;
  path: string;
  status: number;
  write: boolean;
  api: ApiKind;
  /** The Metadata API operation of a SOAP request; the grant type of an OAuth token request. */
  operation?: string;
  /** Milliseconds since the epoch, from the real clock. */
  at?: number;
};

// ---- schema -------------------------------------------------------------------------------------------------

/** Field types as describe reports them (REST describe `type`). */
export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'email'
  | 'phone'
  | 'url'
  | 'picklist'
  | 'boolean'
  | 'int'
  | 'double'
  | 'percent'
  | 'currency'
  | 'date'
  | 'datetime'
  | 'reference'
  | 'anyType';

export type FieldDef = {
  name: string;
  type: FieldType;
  label?: string;
  externalId?: boolean;
  /** Defaults to true except for Id and boolean fields. */
  nillable?: boolean;
  /** Required on insert (nillable false and no default); defaults to false. */
  required?: boolean;
  unique?: boolean;
  length?: number;
  referenceTo?: string[];
  /** The parent-side relationship name, used in SOQL paths (`Contact__r.Email`). */
  relationshipName?: string;
  /** The child relationship this lookup creates on the parent (`Enrollments__r`): describe `childRelationships`, subqueries. */
  childRelationshipName?: string;
  /** Not settable through the API (system fields such as CreatedDate, formula-like fields). */
  readOnly?: boolean;
  /** Set on insert but not on update. */
  createOnly?: boolean;
  picklistValues?: string[];
  /** Auto-number display format such as `E-{000000}`: read-only, filled on insert. */
  autoNumber?: string;
  defaultValue?: unknown;
  /** Filtering on this field is refused (for example LoginHistory.Status). */
  filterable?: boolean;
};

/** The APIs an object is visible through: the data REST API, the Tooling API, or both. */
export type ObjectApi = 'data' | 'tooling' | 'both';

export type ObjectDef = {
  name: string;
  label?: string;
  labelPlural?: string;
  keyPrefix: string;
  api: ObjectApi;
  custom?: boolean;
  /** Set for objects that came from a managed package. */
  namespace?: string;
  /** false for objects that cannot be created/updated/deleted through the API. */
  createable?: boolean;
  updateable?: boolean;
  deletable?: boolean;
  queryable?: boolean;
  fields: FieldDef[];
};

export type SObjectRecord = Record<string, unknown> & { Id: string };

/** A Salesforce error as REST returns it: `[{"message","errorCode","fields"}]`. */
export type SfErrorBody = { message: string; errorCode: string; fields?: string[] };

export type RuleEvent =
  'beforeInsert' | 'beforeUpdate' | 'beforeDelete' | 'afterInsert' | 'afterUpdate' | 'afterDelete';

export type RuleContext = {
  org: OrgState;
  event: RuleEvent;
  object: string;
  /** The record after the change (insert/update) or the record being deleted. */
  record: SObjectRecord;
  /** The record before the change (update/delete). */
  previous?: SObjectRecord;
  /** The fields the caller sent (insert/update). */
  changes: Record<string, unknown>;
  /** The user making the change, when known. */
  userId?: string;
};

/** A rule returns an error to reject the change, or nothing to accept it. Rules may also modify `record` (before*). */
export type Rule = (ctx: RuleContext) => SfErrorBody | undefined | void;

// ---- scenarios ------------------------------------------------------------------------------------------------

export type ScenarioPermissions = Record<string, boolean>;

/** Tab visibility of a profile or permission set, by tab API name: `{"ns__Enrollment__c": "DefaultOn"}`. */
export type ScenarioTabSettings = Record<string, 'DefaultOn' | 'DefaultOff'>;

/** PermissionSetGroup.Status values. */
export type GroupStatus = 'Updated' | 'Outdated' | 'Updating' | 'Failed';

export type GroupRecalculation = { reads?: number; outcome?: GroupStatus };

/** Object access of a profile or permission set: `{"Contact": ["read"], "X__c": ["read", "create", "edit"]}`. */
export type ScenarioObjectPermissions = Record<string, Array<'read' | 'create' | 'edit' | 'delete'>>;

export type ScenarioUser = {
  username: string;
  firstName?: string;
  lastName: string;
  email?: string;
  profile: string;
  isActive?: boolean;
  userType?: string;
  lastLoginDate?: string;
  department?: string;
  title?: string;
};

export type Scenario = {
  name?: string;
  description?: string;
  org: {
    name: string;
    edition: string;
    isSandbox: boolean;
    trialExpirationDate?: string | null;
    myDomain: string;
    instance: string;
    namespacePrefix?: string | null;
    /** The fixed Id of the org (00D…); generated when absent. */
    id?: string;
    /** The API usage the Sforce-Limit-Info header starts from. */
    apiUsage?: number;
    /** The clock's start (ISO date-time); the real clock when absent. */
    now?: string;
  };
  /** The user the simulator's access token belongs to. */
  admin: string;
  userLicenses?: Array<{ name: string; total: number; status?: string }>;
  profiles: Array<{
    name: string;
    userLicense: string;
    userType?: string;
    /** A cloned (custom) profile; standard profiles are not. */
    custom?: boolean;
    permissions?: ScenarioPermissions;
    objectPermissions?: ScenarioObjectPermissions;
    tabs?: ScenarioTabSettings;
  }>;
  users: ScenarioUser[];
  permissionSets?: Array<{
    name: string;
    label: string;
    namespace?: string | null;
    license?: string | null;
    permissions?: ScenarioPermissions;
    objectPermissions?: ScenarioObjectPermissions;
    tabs?: ScenarioTabSettings;
  }>;
  permissionSetGroups?: Array<{
    developerName: string;
    label: string;
    namespace?: string | null;
    permissionSets: string[];
    /** The group's Status when the org is built (default Updated). */
    status?: GroupStatus;
    /** A recalculation under way: the status stays for `reads` reads of the group, then becomes `outcome`. */
    recalculation?: GroupRecalculation;
  }>;
  /** The SecurityType the installed packages were installed with: None (admins only, the default) or Full. */
  installSecurityType?: 'None' | 'Full' | 'Custom';
  /** Org settings by Settings component name, e.g. `{"UserManagement": {"userAccessPoliciesEnabled": true}}`. */
  settings?: Record<string, Record<string, string | number | boolean>>;
  /** Permission set (by `Name`, `ns__Name` for managed ones, or label) or group assignments. */
  assignments?: Array<{ user: string; permissionSet?: string; permissionSetGroup?: string; expires?: string }>;
  /** Package versions (04t ids from the catalog) installed in this org. */
  installedPackages?: string[];
  /** Unmanaged Contact layouts: fullName plus the file (relative to the scenario file) that holds the XML. */
  layouts?: Array<{ fullName: string; file: string }>;
  /** Other Metadata API components (FlexiPage, CustomObject, CustomApplication): type, fullName and XML file. */
  metadata?: Array<{ type: string; fullName: string; file: string }>;
  /** Custom Lightning components deployed in the org that pages may place, with their design attributes. */
  lightningComponents?: LightningComponent[];
  /** The org is a Dev Hub: it creates scratch orgs (ScratchOrgInfo, ActiveScratchOrg) within these allocations. */
  devHub?: DevHubSettings;
  /**
   * Connected apps whose JWT bearer logins the org accepts (`sf org login jwt`): each app's consumer key and the
   * certificate (or its public key), as PEM, that verifies the assertions it signs.
   */
  connectedApps?: ScenarioConnectedApp[];
  /** Further orgs served by the same simulator, each on its own instance URL. */
  orgs?: ScenarioOrg[];
  /** Faults the org starts with (and gets again at each reset): specs such as "GET /query 503x1", or fault objects. */
  faults?: Array<string | FaultSpec>;
  /**
   * Records by object. A record may carry `"$key": "k"`; a string value `"@k"` elsewhere is replaced by the Id
   * of that record, and `"@user:<username>"` by a user's Id.
   */
  records?: Record<string, Array<Record<string, unknown>>>;
};

/**
 * A connected app of the org (Setup > App Manager) with "Use digital signatures": the certificate uploaded to it,
 * and the users it is pre-authorized for ("Admin approved users are pre-authorized", through their profile or a
 * permission set); by default the scenario's admin.
 */
export type ScenarioConnectedApp = {
  name: string;
  consumerKey: string;
  /** PEM: the X.509 certificate uploaded to the app, or its public key. */
  certificate: string;
  approvedUsers?: string[];
};

/**
 * A Dev Hub (a scenario's `devHub`): the scratch org allocations the hub enforces and how its scratch orgs are made.
 * Which editions get which allocations is Salesforce's table ("Supported Scratch Org Editions and Allocations",
 * Salesforce DX Developer Guide); a scenario states its own numbers.
 */
export type DevHubSettings = {
  /** ActiveScratchOrgs: scratch orgs (and signup requests still running) the hub may have at once. */
  activeScratchOrgs: number;
  /** DailyScratchOrgs: signup requests per rolling 24 hours, whatever became of them. */
  dailyScratchOrgs: number;
  /** The scenario a new scratch org starts from (default `scratch`), before the definition's edition and name. */
  scratchOrgScenario?: string;
  /** Status reads of a new ScratchOrgInfo that answer New/Creating before it is Active (default 2). */
  readsUntilActive?: number;
  /** Every signup ends in Status Error with this ErrorCode (for example `C-9999`) instead of a scratch org. */
  signupErrorCode?: string;
  /** The hub is a partner business org, the only kind that makes partner edition scratch orgs (default false). */
  partnerBusinessOrg?: boolean;
};

/**
 * Another org the same simulator serves from the start: a scenario by name or file (`scenario`) with any top-level
 * keys of its own replacing that scenario's (as `extends` does), under `key`. Usernames are unique across orgs, as
 * in Salesforce: `usernameSuffix` (default `.<key>` when a username is taken) is appended to every username.
 */
export type ScenarioOrg = Partial<Scenario> & { key: string; scenario: string; usernameSuffix?: string };

/**
 * A custom Lightning component the org holds: its name, namespace (`c` when none) and design attributes; for a
 * deployed bundle also whether it is exposed to the builders, its targets and the record page's objects.
 */
export type LightningComponent = {
  name: string;
  namespace?: string;
  properties?: string[];
  exposed?: boolean;
  targets?: string[];
  objects?: string[];
};

// ---- the orgs of one simulator --------------------------------------------------------------------------------

/** How a new org is made: from a scenario, under a key, optionally on behalf of another org (a Dev Hub). */
export type NewOrgOptions = {
  scenario: string | Scenario;
  /** Unique within the simulator; made from the scenario's name when absent. */
  key?: string;
  /** Appended to every username of the scenario (usernames are unique across orgs, as in Salesforce). */
  usernameSuffix?: string;
  /** The org that made this one (a Dev Hub for its scratch orgs): resetting or stopping that org deletes it. */
  createdBy?: string;
  /** The org's Id (00D…); a new one when absent or when another org of the simulator has the scenario's. */
  orgId?: string;
};

/**
 * What an org's routes and rules may ask of the simulator that serves it: the org's own instance URL and
 * sessions, and the other orgs (a Dev Hub makes scratch orgs and deletes them).
 */
export interface OrgHost {
  readonly key: string;
  readonly instanceUrl: string;
  /** A new OAuth access token for a user of this org. */
  newSession(username: string): string;
  /** A one-time authorization code for a user, exchanged at /services/oauth2/token for tokens. */
  newAuthCode(username: string, grant: { clientId: string; redirectUri: string }): string;
  /** The user, client and redirect URI of an unused authorization code; the code is used up. */
  redeemAuthCode(code: string): { username: string; clientId: string; redirectUri: string } | undefined;
  /** A refresh token for a user; `refreshSession` trades it for a new access token. */
  newRefreshToken(username: string): string;
  refreshSession(refreshToken: string): { username: string; accessToken: string } | undefined;
  /** Creates another org in the same simulator (listening on its own port). */
  createOrg(options: NewOrgOptions): Promise<OrgHost & { readonly org: OrgState; readonly username: string }>;
  /** Deletes another org: its port closes and its sessions end. */
  deleteOrg(key: string): Promise<void>;
}
