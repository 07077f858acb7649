// Logins of scenario users as LoginHistory rows, now or after a delay: how a test plays the CE admin
// authorizing the connection as the integration user (an OAuth web-server flow).
// Field values follow the LoginHistory object reference and reference §4:
// https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_loginhistory.htm
import { formatDateTime, type OrgState } from './org-state.js';
import type { SObjectRecord } from './types.js';

export type LoginSpec = {
  username: string;
  /** The connected app's name (LoginHistory.Application). */
  application?: string;
  /** OAuth 2.0 logins report 'Remote Access 2.0'. */
  loginType?: string;
  loginSubType?: string;
  status?: string;
  sourceIp?: string;
};

/** Adds a LoginHistory row at the org's current time. */
export function recordLogin(org: OrgState, spec: LoginSpec): SObjectRecord {
  const user = org.userByUsername(spec.username);
  if (!user) throw new Error(`No user ${spec.username} in this org.`);
  return org.insert(
    'LoginHistory',
    {
      UserId: user.Id,
      LoginTime: formatDateTime(org.now()),
      Application: spec.application ?? 'Gainsight Northpass Data Connector',
      LoginType: spec.loginType ?? 'Remote Access 2.0',
      LoginSubType: spec.loginSubType ?? 'OauthWebServer',
      Status: spec.status ?? 'Success',
      SourceIp: spec.sourceIp ?? '34.120.8.15',
      LoginUrl: 'login.salesforce.com',
    },
    { system: true }
  );
}

/** Adds the login after delayMs (real time, or sooner through org.advance); returns a cancel function. */
export function scheduleLogin(org: OrgState, delayMs: number, spec: LoginSpec): () => void {
  return org.schedule(delayMs, () => {
    recordLogin(org, spec);
  });
}
