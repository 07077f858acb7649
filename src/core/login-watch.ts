/**
 * Watching the integration user's login history for CE's OAuth login. Pure: the org layer runs the queries
 * and the clock; this module decides which rows are new OAuth logins and how often to look.
 */

export type LoginRow = {
  id: string;
  loginTime: string;
  application: string | null;
  loginType: string | null;
  loginSubType: string | null;
  status: string | null;
  sourceIp: string | null;
};

/**
 * OAuth 2.0 logins: LoginType 'Remote Access 2.0' (◐) or an Oauth* LoginSubType (OauthWebServer,
 * OauthRefreshToken, …; reference §4). Application and Status are not filterable in SOQL, so this runs here.
 */
export function isOAuthLogin(row: LoginRow): boolean {
  return row.loginType === 'Remote Access 2.0' || /^oauth/i.test(row.loginSubType ?? '');
}

/** OAuth logins not seen before (by Id), oldest first. */
export function newOAuthLogins(rows: LoginRow[], seen: ReadonlySet<string>): LoginRow[] {
  return rows
    .filter((r) => !seen.has(r.id) && isOAuthLogin(r))
    .sort((a, b) => Date.parse(a.loginTime.replace('+0000', 'Z')) - Date.parse(b.loginTime.replace('+0000', 'Z')));
}

export function succeeded(row: LoginRow): boolean {
  return (row.status ?? '').toLowerCase() === 'success';
}

/**
 * How often to look: every intervalSeconds, but never more than maxPolls queries over the whole wait, so a
 * long wait stretches the interval instead of spending more API calls.
 */
export function pollPlan(
  waitMinutes: number,
  intervalSeconds: number,
  maxPolls: number
): { waitMs: number; intervalMs: number; maxPolls: number } {
  const waitMs = Math.round(waitMinutes * 60_000);
  const intervalMs = Math.max(intervalSeconds * 1000, Math.ceil(waitMs / Math.max(1, maxPolls - 1)));
  return { waitMs, intervalMs, maxPolls: Math.min(maxPolls, Math.floor(waitMs / intervalMs) + 1) };
}

/** Why no login showed up, most likely first. */
export function likelyCauses(username: string, failures: LoginRow[]): string[] {
  const causes = failures.map(
    (f) =>
      `CE tried at ${f.loginTime} from ${f.sourceIp ?? 'an unknown address'} but the login failed: ${f.status ?? 'no status'}.`
  );
  return [
    ...causes,
    'Nobody has clicked Authorize in CE yet, or the authorization is still on the Salesforce login page.',
    `Someone logged in as a different user than ${username} (check your own login history).`,
    'The "This is a sandbox instance" switch or the instance URL does not match this org, so the login went to another org.',
    'The CE connector app is blocked in this org (Setup > Connected Apps OAuth Usage, or an app access policy).',
  ];
}
