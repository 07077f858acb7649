// sObject Collections: create, update, delete and retrieve up to 200 records in one request, with allOrNone.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections.htm
import { SimError } from '../errors.js';
import type { OrgState } from '../org-state.js';
import type { Route, SimRequest } from '../types.js';
import { rest } from './paths.js';
import { recordBody } from './sobjects.js';

type Outcome = {
  id: string | null;
  success: boolean;
  errors: Array<{ statusCode: string; message: string; fields: string[] }>;
};

const MAX_RECORDS = 200;

function failure(error: unknown, id: string | null = null): Outcome {
  if (!(error instanceof SimError)) throw error;
  return {
    id,
    success: false,
    errors: [{ statusCode: error.errorCode, message: error.message, fields: error.fields ?? [] }],
  };
}

const ROLLED_BACK = {
  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
  fields: [],
};

class RollBack extends Error {}

/**
 * Applies op to each item. With allOrNone, the first failure undoes every change of the request and the other
 * items report ALL_OR_NONE_OPERATION_ROLLED_BACK; without it, each item succeeds or fails on its own.
 */
function collection<T>(
  org: OrgState,
  items: T[],
  allOrNone: boolean,
  op: (item: T) => string,
  idOf: (item: T) => string | null
): Outcome[] {
  if (items.length > MAX_RECORDS) {
    throw new SimError(
      400,
      'EXCEEDED_ID_LIMIT',
      `record limit reached. cannot submit more than ${MAX_RECORDS} records into this call`
    );
  }
  const results: Outcome[] = [];
  const runAll = (): void => {
    for (const item of items) {
      try {
        results.push({ id: op(item), success: true, errors: [] });
      } catch (error) {
        results.push(failure(error, idOf(item)));
      }
    }
    if (allOrNone && results.some((r) => !r.success)) throw new RollBack();
  };
  if (!allOrNone) {
    runAll();
    return results;
  }
  try {
    org.transaction(runAll);
    return results;
  } catch (error) {
    if (!(error instanceof RollBack)) throw error;
    return results.map((r) => (r.success ? { id: null, success: false, errors: [ROLLED_BACK] } : { ...r, id: null }));
  }
}

type Body = { allOrNone?: boolean; records?: Array<Record<string, unknown>> };

function parseBody(req: SimRequest): Required<Body> {
  const body = req.json as Body | undefined;
  if (!body || !Array.isArray(body.records))
    throw new SimError(400, 'JSON_PARSER_ERROR', 'The request body needs a records array');
  return { allOrNone: body.allOrNone === true, records: body.records };
}

function typeOf(record: Record<string, unknown>): string {
  const type = (record.attributes as { type?: string } | undefined)?.type;
  if (!type) throw new SimError(400, 'INVALID_TYPE', 'Must send a concrete entity type.');
  return type;
}

function fieldsOf(record: Record<string, unknown>): Record<string, unknown> {
  const { attributes: _attributes, ...rest } = record;
  void _attributes;
  return rest;
}

export const routes: Route[] = [
  {
    method: 'POST',
    pattern: rest('/composite/sobjects/?'),
    api: 'rest',
    handle(req, _m, org) {
      const { allOrNone, records } = parseBody(req);
      const body = collection(
        org,
        records,
        allOrNone,
        (r) => org.insert(org.requireObject(typeOf(r), 'data').name, fieldsOf(r), { userId: req.userId }).Id,
        () => null
      );
      return { status: 200, body };
    },
  },
  {
    method: 'PATCH',
    pattern: rest('/composite/sobjects/?'),
    api: 'rest',
    handle(req, _m, org) {
      const { allOrNone, records } = parseBody(req);
      const body = collection(
        org,
        records,
        allOrNone,
        (r) => {
          // Field names are case-insensitive in the REST API, and jsforce sends the record Id as `id`.
          const values = fieldsOf(r);
          const idKey = Object.keys(values).find((k) => k.toLowerCase() === 'id');
          const Id = idKey === undefined ? undefined : values[idKey];
          if (idKey !== undefined) delete values[idKey];
          if (typeof Id !== 'string') throw new SimError(400, 'MISSING_ARGUMENT', 'Id not specified in an update call');
          return org.update(org.requireObject(typeOf(r), 'data').name, Id, values, { userId: req.userId }).Id;
        },
        (r) => {
          const id = r.Id ?? r.id;
          return typeof id === 'string' ? id : null;
        }
      );
      return { status: 200, body };
    },
  },
  {
    method: 'DELETE',
    pattern: rest('/composite/sobjects/?'),
    api: 'rest',
    handle(req, _m, org) {
      const ids = (req.query.get('ids') ?? '').split(',').filter(Boolean);
      const allOrNone = req.query.get('allOrNone') === 'true';
      const body = collection(
        org,
        ids,
        allOrNone,
        (id) => {
          const found = org.getById(id);
          if (!found) throw new SimError(404, 'ENTITY_IS_DELETED', 'entity is deleted');
          org.delete(found.object.name, id, { userId: req.userId });
          return found.record.Id;
        },
        (id) => id
      );
      return { status: 200, body };
    },
  },
  {
    method: 'GET',
    pattern: rest('/composite/sobjects/([A-Za-z0-9_]+)/?'),
    api: 'rest',
    handle(req, m, org) {
      const object = org.requireObject(m[1], 'data');
      const ids = (req.query.get('ids') ?? '').split(',').filter(Boolean);
      const fields = (req.query.get('fields') ?? '').split(',').filter(Boolean);
      if (fields.length === 0) throw new SimError(400, 'MISSING_ARGUMENT', 'fields parameter is required');
      return {
        status: 200,
        body: ids.map((id) => {
          const record = org.get(object.name, id);
          return record ? recordBody(object, record, req, 'data', fields) : null;
        }),
      };
    },
  },
];
