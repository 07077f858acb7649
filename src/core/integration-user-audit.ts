/**
 * The least-privilege audit of the integration user CE connects as. Judged by permissions, not by profile
 * name (reference §4): a user is a System Administrator in effect if any of its profile, permission sets or
 * permission set groups grants one of the admin permissions below. Pure: the org layer reads the facts.
 */
import type { CheckStatus } from './checklist.js';

/** The permissions that make a user an administrator in effect, with their Setup labels. */
export const ADMIN_PERMISSIONS = [
  { name: 'ModifyAllData', label: 'Modify All Data' },
  { name: 'ViewAllData', label: 'View All Data' },
  { name: 'AuthorApex', label: 'Author Apex' },
  { name: 'CustomizeApplication', label: 'Customize Application' },
  { name: 'ManageUsers', label: 'Manage Users' },
] as const;

export const INTEGRATION_LICENSE = 'Salesforce Integration';
export const INTEGRATION_PROFILE = 'Minimum Access - API Only Integrations';

export type AuditUser = {
  id: string;
  username: string;
  name: string;
  isActive: boolean;
  /** null when the running user cannot see it (Profile Filtering). */
  profileName: string | null;
  licenseName: string | null;
};

/** Where a permission set assignment comes from, as the admin sees it in Setup. */
export type GrantSource = { kind: 'profile' | 'permission set' | 'permission set group'; name: string };

export type AssignedPermissionSet = {
  permissionSetId: string;
  source: GrantSource;
  /** Permission name (without the `Permissions` prefix) → granted. */
  permissions: Record<string, boolean>;
};

export type ObjectAccessRow = {
  permissionSetId: string;
  object: string;
  read: boolean;
  create: boolean;
  edit: boolean;
};

export type OauthTokenRow = { id: string; appName: string; lastUsedDate: string | null; useCount: number | null };

/** Something the running user could not read, and the permission that would let it. */
export type Unreadable = { unreadable: true; reason: string; permission: string };

export type AuditFacts = {
  username: string;
  user: AuditUser | null;
  permissionSets: AssignedPermissionSet[];
  objectAccess: ObjectAccessRow[] | Unreadable;
  tokens: OauthTokenRow[] | Unreadable;
};

export type AuditConfig = {
  objectAccess?: Array<{ object: string; access: Array<'read' | 'create' | 'edit'> }>;
  connectedApps?: string[];
  /** Tokens last used before this instant date from before the incident (config backfill.since). */
  incidentCutoff?: string;
};

export type Finding = {
  id: string;
  title: string;
  status: CheckStatus;
  reason: string;
  fix?: string;
  /** Structured evidence for `--json` (permissions and their sources, tokens, object access). */
  details?: unknown;
};

export type FlaggedToken = OauthTokenRow & { flagged: boolean; why?: string };

export function describeSource(source: GrantSource): string {
  return `${source.kind} "${source.name}"`;
}

function grantsOf(facts: AuditFacts, permission: string): GrantSource[] {
  return facts.permissionSets.filter((p) => p.permissions[permission] === true).map((p) => p.source);
}

function sourcesText(sources: GrantSource[]): string {
  return sources.map(describeSource).join(', ');
}

function removalFix(source: GrantSource, username: string): string {
  switch (source.kind) {
    case 'profile':
      return `move ${username} to the "${INTEGRATION_PROFILE}" profile (Salesforce Integration licence) or another profile without it`;
    case 'permission set':
      return `remove permission set "${source.name}" from ${username}`;
    default:
      return `remove ${username} from permission set group "${source.name}"`;
  }
}

function adminFinding(facts: AuditFacts, user: AuditUser): Finding {
  const granted = ADMIN_PERMISSIONS.map((p) => ({ ...p, sources: grantsOf(facts, p.name) })).filter(
    (p) => p.sources.length > 0
  );
  const title = 'Not a System Administrator by permissions';
  if (granted.length === 0) {
    return {
      id: 'integration-user.admin-permissions',
      title,
      status: 'pass',
      reason: `None of ${ADMIN_PERMISSIONS.map((p) => p.label).join(', ')} is granted by the profile, a permission set or a group.`,
    };
  }
  const sources = new Map<string, GrantSource>();
  for (const p of granted) for (const s of p.sources) sources.set(describeSource(s), s);
  return {
    id: 'integration-user.admin-permissions',
    title,
    status: 'fail',
    reason: granted.map((p) => `${p.label} (${p.name}) from ${sourcesText(p.sources)}`).join('; '),
    fix: `A token of this user can do anything an administrator can; take the permissions away: ${[...sources.values()]
      .map((s) => removalFix(s, user.username))
      .join('; ')}.`,
    details: granted.map((p) => ({ permission: p.name, label: p.label, sources: p.sources })),
  };
}

function apiFinding(facts: AuditFacts): Finding {
  const sources = grantsOf(facts, 'ApiEnabled');
  const title = 'API Enabled';
  if (sources.length > 0) {
    return { id: 'integration-user.api-enabled', title, status: 'pass', reason: `From ${sourcesText(sources)}.` };
  }
  return {
    id: 'integration-user.api-enabled',
    title,
    status: 'fail',
    reason: 'Neither the profile nor any permission set or group grants API Enabled, so CE cannot call the API.',
    fix: `Use the "${INTEGRATION_PROFILE}" profile (it has API Enabled), or assign a permission set with API Enabled.`,
  };
}

function licenceFinding(user: AuditUser): Finding {
  const title = 'Salesforce Integration licence and API-only profile';
  const onLicence = user.licenseName === INTEGRATION_LICENSE;
  const onProfile = user.profileName === INTEGRATION_PROFILE;
  if (onLicence && onProfile) {
    return {
      id: 'integration-user.licence',
      title,
      status: 'pass',
      reason: `${INTEGRATION_LICENSE} licence with the "${INTEGRATION_PROFILE}" profile.`,
    };
  }
  const seen = `licence ${user.licenseName ?? '(not visible)'}, profile ${user.profileName ?? '(not visible)'}`;
  return {
    id: 'integration-user.licence',
    title,
    status: 'warn',
    reason: `The user has ${seen}. The ${INTEGRATION_LICENSE} licence with the "${INTEGRATION_PROFILE}" profile is API-only (no browser login) and cannot carry administrator permissions, so a leaked token is worth less; Enterprise, Unlimited and Performance editions include 5 such licences.`,
    fix: `Create a dedicated user with the ${INTEGRATION_LICENSE} licence and the "${INTEGRATION_PROFILE}" profile, give it CE's object access with a permission set built on the "Salesforce API Integration" permission set licence, and reconnect CE as that user.`,
  };
}

type AccessWord = 'read' | 'create' | 'edit';

function objectAccessFinding(facts: AuditFacts, config: AuditConfig): Finding | undefined {
  const wanted = config.objectAccess ?? [];
  if (wanted.length === 0) return undefined;
  const title = 'Object access the CE package needs';
  if ('unreadable' in facts.objectAccess) {
    return {
      id: 'integration-user.object-access',
      title,
      status: 'warn',
      reason: `Could not read the user's object permissions: ${facts.objectAccess.reason}`,
      fix: `Run the check as a user with "${facts.objectAccess.permission}".`,
    };
  }
  // Modify All Data / View All Data override object permissions.
  const modifyAll = grantsOf(facts, 'ModifyAllData').length > 0;
  const viewAll = grantsOf(facts, 'ViewAllData').length > 0;
  const names = new Map(facts.permissionSets.map((p) => [p.permissionSetId, describeSource(p.source)]));
  const rows = facts.objectAccess;
  const results = wanted.map((w) => {
    const mine = rows.filter((r) => r.object.toLowerCase() === w.object.toLowerCase());
    const has = (a: AccessWord): boolean => modifyAll || (a === 'read' && viewAll) || mine.some((r) => r[a]);
    const missing = w.access.filter((a) => !has(a));
    const from = [...new Set(mine.map((r) => names.get(r.permissionSetId) ?? r.permissionSetId))];
    return { object: w.object, required: w.access, missing, from };
  });
  const gaps = results.filter((r) => r.missing.length > 0);
  const describe = (r: (typeof results)[number]): string =>
    `${r.object}: ${r.required.join(', ')}${r.from.length > 0 ? ` (from ${r.from.join(', ')})` : ''}`;
  if (gaps.length === 0) {
    return {
      id: 'integration-user.object-access',
      title,
      status: 'pass',
      reason: results.map(describe).join('; '),
      details: results,
    };
  }
  return {
    id: 'integration-user.object-access',
    title,
    status: 'fail',
    reason: `Missing ${gaps.map((g) => `${g.missing.join(', ')} on ${g.object}`).join('; ')}.`,
    fix: `Give the user a permission set with ${gaps
      .map((g) => `${g.missing.join('/')} on ${g.object}`)
      .join(
        ', '
      )} (for a Salesforce Integration user, one built on the "Salesforce API Integration" permission set licence).`,
    details: results,
  };
}

/** Marks tokens of apps other than the CE connector, and tokens last used before the incident. */
export function flagTokens(tokens: OauthTokenRow[], config: AuditConfig): FlaggedToken[] {
  const apps = (config.connectedApps ?? []).map((a) => a.toLowerCase());
  const cutoff = config.incidentCutoff ? Date.parse(config.incidentCutoff) : undefined;
  return tokens.map((t) => {
    const why: string[] = [];
    if (apps.length > 0 && !apps.includes(t.appName.toLowerCase())) why.push('not the CE connector');
    const used = t.lastUsedDate ? Date.parse(t.lastUsedDate.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : undefined;
    if (why.length > 0 && cutoff !== undefined && used !== undefined && used < cutoff) {
      why.push(`last used before ${config.incidentCutoff?.slice(0, 10)}, before the incident`);
    }
    return why.length > 0 ? { ...t, flagged: true, why: why.join('; ') } : { ...t, flagged: false };
  });
}

function tokenFinding(facts: AuditFacts, user: AuditUser, config: AuditConfig): Finding {
  const title = 'OAuth tokens of other apps';
  if ('unreadable' in facts.tokens) {
    return {
      id: 'integration-user.oauth-tokens',
      title,
      status: 'warn',
      reason: `Could not list the user's OAuth tokens: ${facts.tokens.reason}`,
      fix: `Run the check as a user with "${facts.tokens.permission}", or look at the user's record in Setup (OAuth Connected Apps).`,
    };
  }
  const tokens = flagTokens(facts.tokens, config);
  const describe = (t: FlaggedToken): string =>
    `${t.appName} (last used ${t.lastUsedDate?.slice(0, 10) ?? 'never'}, ${t.useCount ?? 0} uses)`;
  if ((config.connectedApps ?? []).length === 0) {
    return {
      id: 'integration-user.oauth-tokens',
      title,
      status: 'warn',
      reason: `integrationUser.connectedApps is not set, so tokens cannot be told apart: ${tokens.map(describe).join(', ') || 'no tokens'}.`,
      fix: 'List the CE connector’s app name in integrationUser.connectedApps (config/ce-connect.json).',
      details: tokens,
    };
  }
  const flagged = tokens.filter((t) => t.flagged);
  if (flagged.length === 0) {
    return {
      id: 'integration-user.oauth-tokens',
      title,
      status: 'pass',
      reason:
        tokens.length === 0
          ? 'The user has no OAuth tokens.'
          : `Only tokens of ${config.connectedApps?.join(', ')}: ${tokens.map(describe).join(', ')}.`,
      details: tokens,
    };
  }
  return {
    id: 'integration-user.oauth-tokens',
    title,
    status: 'warn',
    reason: `${flagged.length} token(s) of other apps can still act as ${user.username}: ${flagged
      .map((t) => `${describe(t)} — ${t.why}`)
      .join('; ')}.`,
    fix: `Revoke them unless you know they are needed: Setup > Apps > Connected Apps > Connected Apps OAuth Usage > the app > Revoke (or the user's record > OAuth Connected Apps > Revoke); a script can delete the OauthToken records by Id (${flagged
      .map((t) => t.id)
      .join(', ')}).`,
    details: tokens,
  };
}

/** Every finding, in a fixed order. Findings that need the user are skipped when it does not exist. */
export function auditFindings(facts: AuditFacts, config: AuditConfig): Finding[] {
  const user = facts.user;
  if (!user) {
    return [
      {
        id: 'integration-user.exists',
        title: 'User exists',
        status: 'fail',
        reason: `No user with username ${facts.username}.`,
        fix: `Create the integration user (${INTEGRATION_LICENSE} licence, "${INTEGRATION_PROFILE}" profile) or set integrationUser.username in config/ce-connect.json (or pass --user).`,
      },
    ];
  }
  const findings: Finding[] = [
    { id: 'integration-user.exists', title: 'User exists', status: 'pass', reason: `${user.name} (${user.id}).` },
    user.isActive
      ? { id: 'integration-user.active', title: 'Active', status: 'pass', reason: 'The user is active.' }
      : {
          id: 'integration-user.active',
          title: 'Active',
          status: 'fail',
          reason: 'The user is inactive: CE cannot log in as it.',
          fix: `Setup > Users > ${user.username} > Edit > tick Active (needs a free licence), or configure another user.`,
        },
    apiFinding(facts),
    adminFinding(facts, user),
    licenceFinding(user),
  ];
  const access = objectAccessFinding(facts, config);
  if (access) findings.push(access);
  findings.push(tokenFinding(facts, user, config));
  return findings;
}
