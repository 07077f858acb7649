// SOQL query, queryAll and queryMore for the data and Tooling APIs:
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_queryall.htm
// https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/intro_rest_resources.htm
import { SimError } from '../errors.js';
import type { OrgState } from '../org-state.js';
import { type OutputRecord, malformed, runQuery } from '../soql.js';
import type { Route, SimRequest, SimResponse } from '../types.js';
import { dataAndTooling } from './paths.js';

type Cursor = { records: OutputRecord[]; totalSize: number; tooling: boolean };

const cursors = new WeakMap<OrgState, Map<string, Cursor>>();
let locatorCounter = 0;

/** Rows per page: 2000 unless Sforce-Query-Options asks for a batchSize between 200 and 2000. */
function batchSize(req: SimRequest): number {
  const header = req.headers['sforce-query-options'];
  const match = /batchSize\s*=\s*(\d+)/i.exec(Array.isArray(header) ? header[0] : (header ?? ''));
  if (!match) return 2000;
  return Math.min(2000, Math.max(200, Number(match[1])));
}

function page(req: SimRequest, org: OrgState, cursorId: string, cursor: Cursor, start: number): SimResponse {
  const size = batchSize(req);
  const records = cursor.records.slice(start, start + size);
  const end = start + records.length;
  const done = end >= cursor.records.length;
  const body: Record<string, unknown> = { totalSize: cursor.totalSize, done, records };
  if (!done) {
    const base = `/services/data/v${req.apiVersion ?? '62.0'}${cursor.tooling ? '/tooling' : ''}/query`;
    body.nextRecordsUrl = `${base}/${cursorId}-${end}`;
  } else {
    cursors.get(org)?.delete(cursorId);
  }
  if (cursor.tooling) {
    body.size = cursor.totalSize;
    body.queryLocator = done ? null : `${cursorId}-${end}`;
    body.entityTypeName = records[0]?.attributes.type ?? null;
  }
  return { status: 200, body };
}

function runAndPage(req: SimRequest, org: OrgState, tooling: boolean, includeDeleted: boolean): SimResponse {
  const soql = req.query.get('q');
  if (!soql) throw malformed('A query string is required: ?q=SELECT ...');
  if (req.query.get('columns') === 'true') {
    throw malformed(
      '?columns=true (the query-column metadata of `sf data query`) is not supported by the simulated org'
    );
  }
  const outcome = runQuery(org, soql, {
    api: tooling ? 'tooling' : 'data',
    includeDeleted,
    userId: req.userId,
    apiVersion: req.apiVersion,
  });
  locatorCounter += 1;
  const cursorId = `01gSm${String(locatorCounter).padStart(10, '0')}`;
  const cursor: Cursor = { records: outcome.records, totalSize: outcome.totalSize, tooling };
  const byOrg = cursors.get(org) ?? new Map<string, Cursor>();
  cursors.set(org, byOrg);
  byOrg.set(cursorId, cursor);
  return page(req, org, cursorId, cursor, 0);
}

export const routes: Route[] = [
  ...dataAndTooling('GET', '/query/?', (req, _m, org, api) => runAndPage(req, org, api === 'tooling', false)),
  ...dataAndTooling('GET', '/queryAll/?', (req, _m, org, api) => runAndPage(req, org, api === 'tooling', true)),
  ...dataAndTooling('GET', '/query(?:All)?/(01g[A-Za-z0-9]+)-(\\d+)/?', (req, m, org) => {
    const cursor = cursors.get(org)?.get(m[1]);
    if (!cursor) throw new SimError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    return page(req, org, m[1], cursor, Number(m[2]));
  }),
];
