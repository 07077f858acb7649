// SOQL over the simulated org's records. The query is parsed with @jetstreamapp/soql-parser-js; this module
// evaluates the subset the tool uses and answers everything else with MALFORMED_QUERY, so a query the
// simulator cannot answer faithfully fails loudly instead of returning a wrong result.
// Semantics follow the SOQL and SOSL Reference:
// https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select.htm
//
// This file is the evaluator's front: query guards and row filters, parsing, and runQuery; the parts are in soql/
// (where.ts: the WHERE parser, evaluate.ts: field paths, SELECT, WHERE and ORDER BY, literals.ts: values).
import { type Query, parseQuery } from '@jetstreamapp/soql-parser-js';
import type { ApiSurface, OrgState } from './org-state.js';
import { type QueryOptions, type QueryOutcome, malformed } from './soql/common.js';
import { Context } from './soql/evaluate.js';
import { tokenize } from './soql/where.js';
import type { SObjectRecord } from './types.js';

export { type OutputRecord, type QueryOptions, type QueryOutcome, malformed } from './soql/common.js';

/**
 * A check run before a query on one object, for objects with query restrictions (for example
 * SubscriberPackageVersion must be filtered by Id). Throw a SimError to refuse the query.
 */
export type QueryGuard = (ctx: { org: OrgState; query: Query; userId?: string; api: ApiSurface }) => void;

const guards = new WeakMap<OrgState, Map<string, QueryGuard[]>>();

export function addQueryGuard(org: OrgState, objectName: string, guard: QueryGuard): void {
  const byObject = guards.get(org) ?? new Map<string, QueryGuard[]>();
  guards.set(org, byObject);
  const key = objectName.toLowerCase();
  byObject.set(key, [...(byObject.get(key) ?? []), guard]);
}

/**
 * Row-level visibility of one object: a record the running user may not see is left out of the result, as
 * Salesforce does for objects whose sharing depends on a permission (OauthToken, LoginHistory).
 */
export type RowFilter = (ctx: { org: OrgState; record: SObjectRecord; userId?: string }) => boolean;

const rowFilters = new WeakMap<OrgState, Map<string, RowFilter[]>>();

export function addRowFilter(org: OrgState, objectName: string, filter: RowFilter): void {
  const byObject = rowFilters.get(org) ?? new Map<string, RowFilter[]>();
  rowFilters.set(org, byObject);
  const key = objectName.toLowerCase();
  byObject.set(key, [...(byObject.get(key) ?? []), filter]);
}

export function parseSoql(soql: string): Query {
  try {
    return parseQuery(soql);
  } catch (error) {
    throw malformed(`\n${soql}\nERROR at Row:1\n${(error as Error).message.split('\n')[0]}`);
  }
}

/** True when the WHERE clause restricts Id with = or IN at its top level (AND-ed with anything else). */
export function filtersById(query: Query): boolean {
  const tokens = tokenize(query.where);
  if (tokens.some((t) => t.kind === 'OR' || t.kind === 'NOT')) {
    return false;
  }
  return tokens.some(
    (t) =>
      t.kind === 'cond' &&
      'field' in t.cond &&
      t.cond.field.toLowerCase() === 'id' &&
      (t.cond.operator === '=' || t.cond.operator === 'IN')
  );
}

export function runQuery(org: OrgState, soql: string, options: QueryOptions): QueryOutcome {
  const query = parseSoql(soql);
  if (!query.sObject) throw malformed('A FROM clause is required');
  const object = org.requireObject(query.sObject, options.api);
  if (object.queryable === false) throw malformed(`entity type ${object.name} does not support query`);
  for (const guard of guards.get(org)?.get(object.name.toLowerCase()) ?? []) {
    guard({ org, query, userId: options.userId, api: options.api });
  }
  const ctx = new Context(org, options, query.sObjectAlias);
  const filters = rowFilters.get(org)?.get(object.name.toLowerCase()) ?? [];
  const visible =
    filters.length === 0
      ? undefined
      : (record: SObjectRecord) => filters.every((f) => f({ org, record, userId: options.userId }));
  return ctx.run(object, query, visible);
}
