// The requests @salesforce/core's AuthInfo.create makes after `sf org login access-token` (recorded in the
// project's toolchain notes): userinfo, then User by id, a ScratchOrgInfo probe (answered by the generic query
// route: rows on a Dev Hub, INVALID_TYPE elsewhere, which makes the org "not a Dev Hub"), the version list and
// the Organization query. And the OAuth token endpoint, where a new scratch org's auth code is exchanged and where
// `sf org login jwt` (and a JWT-authorized Dev Hub's new scratch org) presents its signed assertion.
import { createPublicKey, verify } from 'node:crypto';
import { SimError } from '../errors.js';
import type { OrgState } from '../org-state.js';
import type { Route, ScenarioConnectedApp, SimRequest, SimResponse } from '../types.js';

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
 * issued to), `refresh_token`, and the JWT bearer grant. Token requests need no session and do not count as API
 * calls. https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm
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
  if (grant === JWT_BEARER) return jwtBearer(form.get('assertion') ?? '', org);
  return oauthError('unsupported_grant_type', 'grant type not supported');
}

/** RFC 7523 §2.1: the grant type of a JWT used as an authorization grant. */
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** The login hosts a JWT's audience may name besides the org's own URL ("OAuth 2.0 JWT Bearer Flow", below). */
const PRODUCTION_LOGIN = 'https://login.salesforce.com';
const SANDBOX_LOGIN = 'https://test.salesforce.com';

/**
 * The JWT bearer flow ("OAuth 2.0 JWT Bearer Flow for Server-to-Server Integration",
 * https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm): the assertion is a JWT signed
 * with RS256 by the private key of a connected app's certificate, whose claims are `iss` (the app's consumer key),
 * `sub` (the username), `aud` (the authorization server: https://login.salesforce.com, https://test.salesforce.com
 * for a sandbox, or the org's own login URL) and `exp`. Salesforce answers with an access token and no refresh
 * token (a new assertion is the way to a new session). @salesforce/core builds this assertion in
 * AuthInfo.tryJwtAuth (node_modules/@salesforce/core/lib/org/authInfo.js): `sf org login jwt` for the Dev Hub, and
 * for the scratch orgs of a JWT-authorized Dev Hub (scratchOrgInfoApi.buildOAuth2Options signs with the hub's key
 * and client id, first with the new org's LoginUrl as both login URL and audience).
 *
 * Checked here as a real org would, structurally: the three parts, RS256, the signature against the app's
 * certificate, each claim. The error texts are the token endpoint's (OAuth flow errors page above, and
 * "client identifier invalid", "user hasn't approved this consumer" and "audience is invalid" as sf prints them);
 * "invalid assertion" for a bad signature or a malformed token, and "expired assertion" for a past `exp`, are
 * assumptions. `exp` is checked only for being in the future: core sends milliseconds where RFC 7519 has seconds,
 * and real orgs accept it, so no upper bound is enforced.
 */
function jwtBearer(assertion: string, org: OrgState): SimResponse {
  const parts = assertion.split('.');
  const decode = (part: string | undefined): Record<string, unknown> | undefined => {
    try {
      const value = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as unknown;
      return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  };
  const header = decode(parts[0]);
  const claims = decode(parts[1]);
  if (parts.length !== 3 || !header || !claims || header.alg !== 'RS256') {
    return oauthError('invalid_grant', 'invalid assertion');
  }
  const apps = (org.flags.connectedApps ?? []) as ScenarioConnectedApp[];
  const app = apps.find((a) => a.consumerKey === claims.iss);
  if (!app) return oauthError('invalid_client_id', 'client identifier invalid');
  const signed = verify(
    'RSA-SHA256',
    Buffer.from(`${parts[0]}.${parts[1]}`),
    createPublicKey(app.certificate),
    Buffer.from(parts[2], 'base64url')
  );
  if (!signed) return oauthError('invalid_grant', 'invalid assertion');
  const audience = typeof claims.aud === 'string' ? originOf(claims.aud) : undefined;
  const own = org.host ? originOf(org.host.instanceUrl) : undefined;
  const loginHost = org.facts?.isSandbox ? SANDBOX_LOGIN : PRODUCTION_LOGIN;
  if (!audience || (audience !== own && audience !== loginHost)) {
    return oauthError('invalid_grant', 'audience is invalid');
  }
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= org.now().getTime()) {
    return oauthError('invalid_grant', 'expired assertion');
  }
  const username = typeof claims.sub === 'string' ? claims.sub : '';
  const user = org.userByUsername(username);
  const approved = (app.approvedUsers ?? []).some((u) => u.toLowerCase() === username.toLowerCase());
  if (!user || user.IsActive === false || !approved) {
    return oauthError('invalid_grant', "user hasn't approved this consumer");
  }
  return tokenResponse(
    org,
    String(user.Username),
    (org.host as NonNullable<OrgState['host']>).newSession(String(user.Username))
  );
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
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
