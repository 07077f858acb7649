// The requests @salesforce/core's AuthInfo.create makes after `sf org login access-token` (recorded in the
// project's toolchain notes): userinfo, then User by id, a ScratchOrgInfo probe (answered by the generic query
// route with INVALID_TYPE, which makes the org "not a Dev Hub"), the version list and the Organization query.
import { SimError } from '../errors.js';
import type { Route } from '../types.js';

/** The API versions this simulated org offers. */
export const API_VERSIONS = Array.from({ length: 65 - 31 + 1 }, (_v, i) => `${31 + i}.0`);

const versionList = () =>
  API_VERSIONS.map((version) => ({
    label: `Simulated ${version}`,
    url: `/services/data/v${version}`,
    version,
  }));

export const routes: Route[] = [
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
