import type { ApiSurface, OrgState } from '../org-state.js';
import type { Route, SimRequest, SimResponse } from '../types.js';

// Path patterns shared by route modules. Any API version is accepted: /services/data/vNN.N/.
const VERSION = String.raw`/services/data/v\d+\.\d+`;

/** A REST data API path: rest('/query/?') matches /services/data/v62.0/query and /query/. */
export function rest(suffix: string): RegExp {
  return new RegExp(`^${VERSION}${suffix}$`);
}

/** A Tooling API path: tooling('/query/?') matches /services/data/v62.0/tooling/query. */
export function tooling(suffix: string): RegExp {
  return new RegExp(`^${VERSION}/tooling${suffix}$`);
}

/**
 * The same resource under the data API and the Tooling API: two routes (logged as `rest` and `tooling`), the
 * handler told which one was called.
 */
export function dataAndTooling(
  method: string,
  suffix: string,
  handle: (
    req: SimRequest,
    match: RegExpExecArray,
    org: OrgState,
    api: ApiSurface
  ) => SimResponse | Promise<SimResponse>
): Route[] {
  return [
    { method, pattern: rest(suffix), api: 'rest', handle: (req, m, org) => handle(req, m, org, 'data') },
    { method, pattern: tooling(suffix), api: 'tooling', handle: (req, m, org) => handle(req, m, org, 'tooling') },
  ];
}
