// sObject resources of the data and Tooling APIs: global describe, describe, create, retrieve, update, upsert
// by External ID and delete.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_describeGlobal.htm
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_retrieve.htm
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_upsert.htm
import { SimError } from '../errors.js';
import type { ApiSurface, OrgState } from '../org-state.js';
import type { FieldDef, ObjectDef, Route, SObjectRecord, SimRequest } from '../types.js';
import { dataAndTooling } from './paths.js';

const SOAP_TYPES: Record<string, string> = {
  id: 'tns:ID',
  reference: 'tns:ID',
  boolean: 'xsd:boolean',
  int: 'xsd:int',
  double: 'xsd:double',
  percent: 'xsd:double',
  currency: 'xsd:double',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
  anyType: 'xsd:anyType',
};

function base(req: SimRequest, api: ApiSurface): string {
  return `/services/data/v${req.apiVersion ?? '62.0'}${api === 'tooling' ? '/tooling' : ''}/sobjects`;
}

export function describeField(field: FieldDef): Record<string, unknown> {
  const writable = !field.readOnly;
  return {
    name: field.name,
    label: field.label ?? field.name,
    type: field.type,
    soapType: SOAP_TYPES[field.type] ?? 'xsd:string',
    length: field.length ?? 0,
    precision: field.type === 'double' || field.type === 'percent' ? 18 : 0,
    scale: field.type === 'double' || field.type === 'percent' ? 2 : 0,
    digits: field.type === 'int' ? 9 : 0,
    custom: field.name.endsWith('__c'),
    externalId: field.externalId ?? false,
    unique: field.unique ?? false,
    idLookup: field.type === 'id' || (field.externalId ?? false),
    nillable: field.nillable ?? (!field.required && field.type !== 'boolean' && field.type !== 'id'),
    defaultedOnCreate: field.defaultValue !== undefined || field.type === 'id' || field.autoNumber !== undefined,
    createable: writable,
    updateable: writable && !field.createOnly,
    calculated: false,
    autoNumber: field.autoNumber !== undefined,
    filterable: field.filterable ?? true,
    sortable: field.type !== 'anyType' && field.type !== 'textarea',
    groupable: field.type !== 'anyType',
    referenceTo: field.referenceTo ?? [],
    relationshipName: field.relationshipName ?? null,
    picklistValues: (field.picklistValues ?? []).map((value) => ({
      value,
      label: value,
      active: true,
      defaultValue: false,
    })),
    restrictedPicklist: field.picklistValues !== undefined,
    deprecatedAndHidden: false,
  };
}

export function describeObject(
  org: OrgState,
  object: ObjectDef,
  req: SimRequest,
  api: ApiSurface
): Record<string, unknown> {
  const url = `${base(req, api)}/${object.name}`;
  return {
    ...summary(object, req, api),
    fields: object.fields.map(describeField),
    childRelationships: org.childRelationships(object.name),
    recordTypeInfos: [],
    supportedScopes: [{ label: 'All', name: 'everything' }],
    urls: { sobject: url, describe: `${url}/describe`, rowTemplate: `${url}/{ID}` },
  };
}

function summary(object: ObjectDef, req: SimRequest, api: ApiSurface): Record<string, unknown> {
  const url = `${base(req, api)}/${object.name}`;
  return {
    name: object.name,
    label: object.label ?? object.name,
    labelPlural: object.labelPlural ?? object.name,
    keyPrefix: object.keyPrefix,
    custom: object.custom ?? false,
    customSetting: false,
    createable: object.createable ?? true,
    updateable: object.updateable ?? true,
    deletable: object.deletable ?? true,
    queryable: object.queryable ?? true,
    retrieveable: true,
    searchable: object.api !== 'tooling',
    layoutable: object.api !== 'tooling',
    triggerable: object.custom ?? false,
    deprecatedAndHidden: false,
    urls: { sobject: url, describe: `${url}/describe`, rowTemplate: `${url}/{ID}` },
  };
}

/** A record in the REST shape, optionally limited to some fields (?fields=A,B). */
export function recordBody(
  object: ObjectDef,
  record: SObjectRecord,
  req: SimRequest,
  api: ApiSurface,
  fields?: string[]
): Record<string, unknown> {
  const names = fields && fields.length > 0 ? fields : object.fields.map((f) => f.name);
  const out: Record<string, unknown> = {
    attributes: { type: object.name, url: `${base(req, api)}/${object.name}/${record.Id}` },
  };
  for (const name of names) {
    const field = object.fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
    if (!field) throw new SimError(400, 'INVALID_FIELD', `No such column '${name}' on sobject of type ${object.name}`);
    out[field.name] = record[field.name] ?? null;
  }
  return out;
}

function bodyObject(req: SimRequest): Record<string, unknown> {
  if (req.json === undefined || req.json === null || typeof req.json !== 'object' || Array.isArray(req.json)) {
    throw new SimError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object');
  }
  return req.json as Record<string, unknown>;
}

function getRecord(org: OrgState, object: ObjectDef, id: string): SObjectRecord {
  const record = org.get(object.name, id);
  if (!record) throw new SimError(404, 'NOT_FOUND', 'The requested resource does not exist');
  return record;
}

const TYPE = '/sobjects/([A-Za-z0-9_]+)';

export const routes: Route[] = [
  ...dataAndTooling('GET', '/sobjects/?', (req, _m, org, api) => ({
    status: 200,
    body: {
      encoding: 'UTF-8',
      maxBatchSize: 200,
      sobjects: org.objectNames(api).map((name) => summary(org.requireObject(name), req, api)),
    },
  })),
  ...dataAndTooling('GET', `${TYPE}/describe/?`, (req, m, org, api) => ({
    status: 200,
    body: describeObject(org, org.requireObject(m[1], api), req, api),
  })),
  ...dataAndTooling('GET', `${TYPE}/?`, (req, m, org, api) => {
    const object = org.requireObject(m[1], api);
    return { status: 200, body: { objectDescribe: summary(object, req, api), recentItems: [] } };
  }),
  ...dataAndTooling('POST', `${TYPE}/?`, (req, m, org, api) => {
    const object = org.requireObject(m[1], api);
    const record = org.insert(object.name, bodyObject(req), { userId: req.userId });
    return { status: 201, body: { id: record.Id, success: true, errors: [] } };
  }),
  ...dataAndTooling('GET', `${TYPE}/([a-zA-Z0-9]{15,18})/?`, (req, m, org, api) => {
    const object = org.requireObject(m[1], api);
    const fields = req.query
      .get('fields')
      ?.split(',')
      .map((f) => f.trim())
      .filter(Boolean);
    return { status: 200, body: recordBody(object, getRecord(org, object, m[2]), req, api, fields) };
  }),
  ...dataAndTooling('PATCH', `${TYPE}/([a-zA-Z0-9]{15,18})/?`, (req, m, org, api) => {
    const object = org.requireObject(m[1], api);
    org.update(object.name, m[2], bodyObject(req), { userId: req.userId });
    return { status: 204 };
  }),
  ...dataAndTooling('DELETE', `${TYPE}/([a-zA-Z0-9]{15,18})/?`, (_req, m, org, api) => {
    const object = org.requireObject(m[1], api);
    org.delete(object.name, m[2]);
    return { status: 204 };
  }),
  // Upsert by External ID: 201 when created, 200 when an existing record was updated (API 46.0 and later).
  ...dataAndTooling('PATCH', `${TYPE}/([A-Za-z0-9_]+)/([^/]+)/?`, (req, m, org, api) => {
    const object = org.requireObject(m[1], api);
    const field = org.requireField(object.name, m[2]);
    if (!field.externalId && field.type !== 'id') {
      throw new SimError(400, 'NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${m[2]}`);
    }
    const value = decodeURIComponent(m[3]);
    const values = bodyObject(req);
    const matches = org.find(object.name, (r) => String(r[field.name] ?? '').toLowerCase() === value.toLowerCase());
    if (matches.length > 1) {
      throw new SimError(300, 'MULTIPLE_CHOICES', `More than one record found for external id field ${field.name}`);
    }
    if (matches.length === 1) {
      org.update(object.name, matches[0].Id, values, { userId: req.userId });
      return { status: 200, body: { id: matches[0].Id, success: true, errors: [], created: false } };
    }
    const record = org.insert(object.name, { ...values, [field.name]: value }, { userId: req.userId });
    return { status: 201, body: { id: record.Id, success: true, errors: [], created: true } };
  }),
];
