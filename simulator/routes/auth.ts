// The requests @salesforce/core's AuthInfo.create makes after `sf org login access-token` (recorded in the
// project's toolchain notes): userinfo, then User by id, a ScratchOrgInfo probe (answered by the generic query
// route: rows on a Dev Hub, INVALID_TYPE elsewhere, which makes the org "not a Dev Hub"), the version list and
// the Organization query. And the OAuth token endpoint, where a new scratch org's auth code is exchanged.
import { SimError } from '../errors.js';
import type { OrgState } from '../org-state.js';
import type { Route, SimRequest, SimResponse } from '../types.js';

/** The API versions this simulated org offers. */
export const API_VERSIONS = Array.from({ length: 65 - 31 + 1 }, (_v, i) => `${31 + i}.0`);

const versionList = () =>
  API_VERSIONS.map((version) => ({
    label: `Simulated ${version}`,
    url: `/services/data/v${version}`,
    version,
  }));

/**
 * An OAuth error as the token endpoint answers it: HTTP 400 with `error` and `error_description`
 * (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_flow_errors.htm; RFC 6749 §5.2).
 */
function oauthError(error: string, description: string): SimResponse {
  return { status: 400, body: { error, error_description: description } };
}

/** The token response of the web server flow (RFC 6749 §5.1 with Salesforce's id and instance_url). */
function tokenResponse(org: OrgState, username: string, accessToken: string, refreshToken?: string): SimResponse {
  const host = org.host;
  const user = org.userByUsername(username);
  if (!host || !user) return oauthError('invalid_grant', 'authentication failure');
  return {
    status: 200,
    body: {
      access_token: accessToken,
      ...(refreshToken && { refresh_token: refreshToken }),
      signature: Buffer.from(`${user.Id}:${Date.now()}`).toString('base64'),
      scope: 'refresh_token web api',
      instance_url: host.instanceUrl,
      id: `${host.instanceUrl}/id/${org.orgId}/${user.Id}`,
      token_type: 'Bearer',
      issued_at: String(Date.now()),
    },
  };
}

/**
 * POST /services/oauth2/token, form-encoded, as jsforce's OAuth2.requestToken and refreshToken send it:
 * `authorization_code` (code, client_id, redirect_uri; a code works once, for the client and callback it was
 * issued to) and `refresh_token`. Token requests need no session and do not count as API calls.
 * https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm
 */
function token(req: SimRequest, org: OrgState): SimResponse {
  const form = new URLSearchParams(req.text);
  const host = org.host;
  if (!host) return oauthError('invalid_grant', 'authentication failure');
  const grant = form.get('grant_type');
  if (grant === 'authorization_code') {
    const issued = host.redeemAuthCode(form.get('code') ?? '');
    if (!issued) return oauthError('invalid_grant', 'expired authorization code');
    if (form.get('client_id') !== issued.clientId) return oauthError('invalid_client_id', 'client identifier invalid');
    if (form.get('redirect_uri') !== issued.redirectUri) {
      return oauthError('redirect_uri_mismatch', 'redirect_uri must match configuration');
    }
    return tokenResponse(org, issued.username, host.newSession(issued.username), host.newRefreshToken(issued.username));
  }
  if (grant === 'refresh_token') {
    const refreshed = host.refreshSession(form.get('refresh_token') ?? '');
    if (!refreshed) return oauthError('invalid_grant', 'expired access/refresh token');
    return tokenResponse(org, refreshed.username, refreshed.accessToken);
  }
  return oauthError('unsupported_grant_type', 'grant type not supported');
}

export const routes: Route[] = [
  {
    method: 'POST',
    pattern: /^\/services\/oauth2\/token\/?$/,
    api: 'auth',
    public: true,
    handle: (req, _m, org) => token(req, org),
  },
  {
    // https://help.salesforce.com/s/articleView?id=sf.remoteaccess_using_userinfo_endpoint.htm
    method: 'GET',
    pattern: /^\/services\/oauth2\/userinfo\/?$/,
    api: 'auth',
    handle(req, _m, org) {
      const user = req.userId ? org.get('User', req.userId) : undefined;
      if (!user) throw new SimError(403, 'Forbidden', 'Bad_OAuth_Token');
      return {
        status: 200,
        body: {
          sub: `http://127.0.0.1/id/${org.orgId}/${user.Id}`,
          user_id: user.Id,
          organization_id: org.orgId,
          preferred_username: user.Username,
          nickname: user.Alias,
          name: user.Name,
          email: user.Email,
          email_verified: true,
          given_name: user.FirstName,
          family_name: user.LastName,
          active: user.IsActive,
          user_type: 'STANDARD',
          language: 'en_US',
          locale: 'en_US',
          utcOffset: 0,
          is_app_installed: true,
        },
      };
    },
  },
  {
    // The version list needs no session and does not count against API limits:
    // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_versions.htm
    method: 'GET',
    pattern: /^\/services\/data\/?$/,
    api: 'rest',
    public: true,
    handle: () => ({ status: 200, body: versionList() }),
  },
  {
    // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_discoveryresource.htm
    method: 'GET',
    pattern: /^\/services\/data\/v(\d+\.\d+)\/?$/,
    api: 'rest',
    handle(_req, m) {
      const base = `/services/data/v${m[1]}`;
      const names = ['sobjects', 'query', 'queryAll', 'tooling', 'limits', 'composite', 'jobs'];
      return { status: 200, body: Object.fromEntries(names.map((n) => [n, `${base}/${n}`])) };
    },
  },
];
