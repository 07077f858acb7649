// Bulk API 2.0: ingest jobs (create, upload CSV, UploadComplete, state, results) and query jobs (create, state,
// results in pages with Sforce-Locator). Sources, in the order the flow uses them:
// https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/create_job.htm
// https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/upload_job_data.htm
// https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/close_job.htm
// https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/get_job_info.htm
// https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/get_job_successful_results.htm
// https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/get_job_failed_results.htm
// https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/get_job_unprocessed_results.htm
// https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_create_job.htm
// https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_get_job_results.htm
// (also ../shared/reference/salesforce-api.md §7 and toolchain.md, "Observed protocol").
//
// Jobs move on as they are polled, one state per GET of the job: UploadComplete → InProgress → JobComplete, so
// clients must really poll. The records are written when the job reaches JobComplete, through the same OrgState
// insert/update as the REST API, so validation and rules (the Northpass old-timestamp rule) apply per row.
// CSV is parsed with csv-parse, deliberately not with the tool's own scanner, so the two check each other.
import { parse } from 'csv-parse/sync';
import { SimError } from '../errors.js';
import { type OrgState, formatDateTime, to18 } from '../org-state.js';
import { runQuery } from '../soql.js';
import type { Route, SimRequest, SimResponse, SObjectRecord } from '../types.js';
import { rest } from './paths.js';

type IngestState = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
type Operation = 'insert' | 'update' | 'upsert' | 'delete' | 'hardDelete';

type IngestJob = {
  id: string;
  object: string;
  operation: Operation;
  externalIdFieldName?: string;
  lineEnding: 'LF' | 'CRLF';
  state: IngestState;
  createdById?: string;
  createdDate: string;
  apiVersion: string;
  /** The uploaded CSV; Bulk API 2.0 takes one upload per job. */
  data?: string;
  header: string[];
  successful: string[][];
  failed: string[][];
  unprocessed: string[][];
  errorMessage?: string;
};

type QueryJob = {
  id: string;
  operation: 'query' | 'queryAll';
  query: string;
  object: string;
  state: 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
  createdById?: string;
  createdDate: string;
  apiVersion: string;
  columns: string[];
  rows: string[][];
};

type Store = { ingest: Map<string, IngestJob>; query: Map<string, QueryJob>; counter: number };

const stores = new WeakMap<OrgState, Store>();
const OPERATIONS: Operation[] = ['insert', 'update', 'upsert', 'delete', 'hardDelete'];
// A job's data may be at most 150 MB after base64 encoding, about 100 MB of raw CSV (upload_job_data.htm).
const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;

function store(org: OrgState): Store {
  let s = stores.get(org);
  if (!s) {
    s = { ingest: new Map(), query: new Map(), counter: 0 };
    stores.set(org, s);
  }
  return s;
}

/** Job ids start with 750 (AsyncApexJob's key prefix), as in every example of the Bulk API 2.0 guide. */
function newJobId(org: OrgState): string {
  const s = store(org);
  s.counter += 1;
  return to18(`750Sm${String(s.counter).padStart(10, '0')}`);
}

function bad(errorCode: string, message: string, status = 400): SimError {
  return new SimError(status, errorCode, message);
}

/** Bulk API 2.0 CSV: every value quoted when needed (query results quote every value). */
function csvLine(values: string[], quoteAll = false): string {
  return values.map((v) => (quoteAll || /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',');
}

// Ingest result files quote every header and value ("sf__Id","sf__Created","Name" / "001…","true","Acme"), as
// real responses recorded in public projects' test fixtures show (the guide does not print one); query results
// quote only where CSV needs it.
function csvBody(header: string[], rows: string[][], eol: string, quoteAll = false): string {
  return [header, ...rows].map((row) => csvLine(row, quoteAll)).join(eol) + eol;
}

function ingestInfo(job: IngestJob, apiVersion: string): Record<string, unknown> {
  const processed = job.successful.length + job.failed.length;
  return {
    id: job.id,
    operation: job.operation,
    object: job.object,
    createdById: job.createdById ?? null,
    createdDate: job.createdDate,
    systemModstamp: job.createdDate,
    state: job.state,
    ...(job.externalIdFieldName ? { externalIdFieldName: job.externalIdFieldName } : {}),
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: Number(job.apiVersion),
    jobType: 'V2Ingest',
    contentUrl: `services/data/v${apiVersion}/jobs/ingest/${job.id}/batches`,
    lineEnding: job.lineEnding,
    columnDelimiter: 'COMMA',
    numberRecordsProcessed: processed,
    numberRecordsFailed: job.failed.length,
    retries: 0,
    totalProcessingTime: 0,
    apiActiveProcessingTime: 0,
    apexProcessingTime: 0,
    ...(job.errorMessage ? { errorMessage: job.errorMessage } : {}),
  };
}

function requireIngest(org: OrgState, id: string): IngestJob {
  const job = store(org).ingest.get(id);
  // Unknown job ids answer 404 NOT_FOUND, like other REST resources.
  if (!job) throw new SimError(404, 'NOT_FOUND', 'The requested resource does not exist');
  return job;
}

function createIngest(req: SimRequest, org: OrgState): SimResponse {
  const body = (req.json ?? {}) as Record<string, unknown>;
  const operation = body.operation as Operation;
  if (!OPERATIONS.includes(operation)) {
    throw bad('INVALIDJOB', `InvalidJob : Invalid operation: ${String(body.operation)}`);
  }
  const object = org.getObject(String(body.object ?? ''));
  if (!object || object.api === 'tooling') {
    throw bad('INVALIDJOB', `InvalidJob : Invalid object: ${String(body.object)}`);
  }
  if (body.contentType !== undefined && body.contentType !== 'CSV') {
    throw bad('INVALIDJOB', 'InvalidJob : Bulk API 2.0 only supports CSV content');
  }
  if (body.columnDelimiter !== undefined && body.columnDelimiter !== 'COMMA') {
    throw bad('FEATURENOTENABLED', 'The simulated org only reads COMMA-delimited CSV');
  }
  let externalIdFieldName: string | undefined;
  if (operation === 'upsert') {
    // externalIdFieldName is required for upsert and must name an External ID field (or Id) of the object.
    const name = body.externalIdFieldName;
    if (typeof name !== 'string' || name === '') {
      throw bad('INVALIDJOB', 'InvalidJob : External ID field is required for upsert');
    }
    const field = org.field(object.name, name);
    if (!field || (!field.externalId && field.type !== 'id')) {
      throw bad(
        'INVALIDJOB',
        `InvalidJob : Field name provided, ${name} does not match an External ID for ${object.name}`
      );
    }
    externalIdFieldName = field.name;
  }
  const job: IngestJob = {
    id: newJobId(org),
    object: object.name,
    operation,
    externalIdFieldName,
    lineEnding: body.lineEnding === 'CRLF' ? 'CRLF' : 'LF',
    state: 'Open',
    createdById: req.userId,
    createdDate: formatDateTime(org.now()),
    apiVersion: req.apiVersion ?? '62.0',
    header: [],
    successful: [],
    failed: [],
    unprocessed: [],
  };
  store(org).ingest.set(job.id, job);
  return { status: 200, body: ingestInfo(job, req.apiVersion ?? job.apiVersion), write: false };
}

function upload(req: SimRequest, org: OrgState, id: string): SimResponse {
  const job = requireIngest(org, id);
  if (job.state !== 'Open') {
    throw bad('INVALIDJOBSTATE', `Job ${job.id} is not open for data upload (state ${job.state})`, 409);
  }
  if (job.data !== undefined) {
    throw bad('INVALIDJOBSTATE', `Data was already uploaded to job ${job.id}; create another job for more data`, 409);
  }
  if (req.rawBody.length > MAX_UPLOAD_BYTES) {
    throw bad('EXCEEDED_QUOTA', 'The upload is larger than 100 MB of CSV (150 MB after base64)', 413);
  }
  job.data = req.text;
  return { status: 201, write: false };
}

function changeState(req: SimRequest, org: OrgState, id: string): SimResponse {
  const job = requireIngest(org, id);
  const wanted = (req.json as { state?: string } | undefined)?.state;
  if (wanted === 'UploadComplete') {
    if (job.state !== 'Open') throw bad('INVALIDJOBSTATE', `Job ${job.id} is ${job.state}, not Open`, 409);
    job.state = 'UploadComplete';
  } else if (wanted === 'Aborted') {
    if (!['Open', 'UploadComplete', 'InProgress'].includes(job.state)) {
      throw bad('INVALIDJOBSTATE', `Job ${job.id} is ${job.state} and cannot be aborted`, 409);
    }
    job.state = 'Aborted';
    job.unprocessed = parseRows(job).rows;
  } else {
    throw bad('INVALIDJOBSTATE', `Cannot change the state of job ${job.id} to ${String(wanted)}`);
  }
  return { status: 200, body: ingestInfo(job, req.apiVersion ?? job.apiVersion), write: false };
}

function parseRows(job: IngestJob): { header: string[]; rows: string[][] } {
  if (!job.data) return { header: job.header, rows: [] };
  const [header, ...rows] = parse(job.data, { relax_column_count: true, bom: true }) as string[][];
  job.header = header ?? [];
  return { header: job.header, rows };
}

/** The error column of failedResults: STATUS_CODE:message:fields --, as Salesforce writes it. */
function errorText(error: unknown): string {
  if (error instanceof SimError) return `${error.errorCode}:${error.message}:${(error.fields ?? []).join(',')} --`;
  return `UNKNOWN_EXCEPTION:${(error as Error).message}: --`;
}

/** Runs the job's rows against the org; called once, when the job reaches JobComplete. */
function process(org: OrgState, job: IngestJob): void {
  const { header, rows } = parseRows(job);
  const known = header.map((name) => org.field(job.object, name)?.name);
  const unknown = header.filter((_n, i) => known[i] === undefined);
  if (header.length === 0 || unknown.length > 0) {
    // A header naming no field fails the whole job, and every row stays unprocessed.
    job.state = 'Failed';
    job.errorMessage = `InvalidBatch : Field name not found : ${unknown[0] ?? '(empty header)'}`;
    job.unprocessed = rows;
    return;
  }
  const extAt = job.externalIdFieldName ? known.indexOf(job.externalIdFieldName) : -1;
  if (job.operation === 'upsert' && extAt < 0) {
    job.state = 'Failed';
    job.errorMessage = `InvalidBatch : Field name not found : ${job.externalIdFieldName}`;
    job.unprocessed = rows;
    return;
  }
  const extCounts = new Map<string, number>();
  if (extAt >= 0)
    for (const row of rows)
      extCounts.set((row[extAt] ?? '').toLowerCase(), (extCounts.get((row[extAt] ?? '').toLowerCase()) ?? 0) + 1);
  // The External ID is an indexed field in Salesforce; here one map per job keeps a large upsert linear.
  let byKey: Map<string, SObjectRecord[]> | undefined;
  for (const row of rows) {
    // Empty cells leave a field as it is; #N/A sets it to null.
    const values: Record<string, unknown> = {};
    known.forEach((name, i) => {
      const cell = row[i] ?? '';
      if (name && cell !== '') values[name] = cell === '#N/A' ? null : cell;
    });
    try {
      if (row.length !== header.length)
        throw new SimError(400, 'INVALID_FIELD', 'Record has the wrong number of columns');
      let id = '';
      let created = false;
      if (job.operation === 'insert') {
        id = org.insert(job.object, values, { userId: job.createdById }).Id;
        created = true;
      } else if (job.operation === 'update' || job.operation === 'delete' || job.operation === 'hardDelete') {
        const target = String(values.Id ?? '');
        delete values.Id;
        if (job.operation === 'update') org.update(job.object, target, values, { userId: job.createdById });
        else org.delete(job.object, target, { userId: job.createdById });
        id = to18(target);
      } else {
        const field = job.externalIdFieldName as string;
        const key = String(row[extAt] ?? '');
        if (key === '') throw new SimError(400, 'MISSING_ARGUMENT', `${field} not specified`, [field]);
        // A key twice in one job is refused for both rows: the API cannot tell which should win.
        if ((extCounts.get(key.toLowerCase()) ?? 0) > 1) {
          throw new SimError(400, 'DUPLICATE_EXTERNAL_ID', `Duplicate external id specified: ${key}`, [field]);
        }
        const matches = (byKey ??= indexByField(org, job.object, field)).get(key.toLowerCase()) ?? [];
        if (matches.length > 1) {
          throw new SimError(300, 'DUPLICATE_EXTERNAL_ID', `More than one record found for external id field ${field}`);
        }
        if (matches.length === 1) {
          id = org.update(job.object, matches[0].Id, values, { userId: job.createdById }).Id;
        } else {
          const inserted = org.insert(job.object, values, { userId: job.createdById });
          byKey.set(key.toLowerCase(), [inserted]);
          id = inserted.Id;
          created = true;
        }
      }
      job.successful.push([id, String(created), ...row]);
    } catch (error) {
      job.failed.push(['', errorText(error), ...row]);
    }
  }
  job.state = 'JobComplete';
}

/** The object's records by the lower-cased value of one field (External IDs match case-insensitively). */
function indexByField(org: OrgState, object: string, field: string): Map<string, SObjectRecord[]> {
  const index = new Map<string, SObjectRecord[]>();
  for (const record of org.all(object)) {
    const key = String(record[field] ?? '').toLowerCase();
    if (key !== '') index.set(key, [...(index.get(key) ?? []), record]);
  }
  return index;
}

function pollIngest(req: SimRequest, org: OrgState, id: string): SimResponse {
  const job = requireIngest(org, id);
  const before = org.changeCount;
  if (job.state === 'UploadComplete') job.state = 'InProgress';
  else if (job.state === 'InProgress') process(org, job);
  return { status: 200, body: ingestInfo(job, req.apiVersion ?? job.apiVersion), write: org.changeCount > before };
}

function results(org: OrgState, id: string, kind: 'successful' | 'failed' | 'unprocessed'): SimResponse {
  const job = requireIngest(org, id);
  if (!['JobComplete', 'Failed', 'Aborted'].includes(job.state)) {
    throw bad('INVALIDJOBSTATE', `Job ${job.id} has not finished (state ${job.state})`, 409);
  }
  const eol = job.lineEnding === 'CRLF' ? '\r\n' : '\n';
  const header = job.header.length > 0 ? job.header : parseRows(job).header;
  const body =
    kind === 'successful'
      ? csvBody(['sf__Id', 'sf__Created', ...header], job.successful, eol, true)
      : kind === 'failed'
        ? csvBody(['sf__Id', 'sf__Error', ...header], job.failed, eol, true)
        : csvBody(header, job.unprocessed, eol, true);
  return { status: 200, body, contentType: 'text/csv', write: false };
}

// ---- query jobs ---------------------------------------------------------------------------------------------

function requireQuery(org: OrgState, id: string): QueryJob {
  const job = store(org).query.get(id);
  if (!job) throw new SimError(404, 'NOT_FOUND', 'The requested resource does not exist');
  return job;
}

function queryInfo(job: QueryJob): Record<string, unknown> {
  return {
    id: job.id,
    operation: job.operation,
    object: job.object,
    createdById: job.createdById ?? null,
    createdDate: job.createdDate,
    systemModstamp: job.createdDate,
    state: job.state,
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: Number(job.apiVersion),
    jobType: 'V2Query',
    lineEnding: 'LF',
    columnDelimiter: 'COMMA',
    numberRecordsProcessed: job.state === 'JobComplete' ? job.rows.length : 0,
    retries: 0,
    totalProcessingTime: 0,
  };
}

/** A value as Bulk API 2.0 query CSV writes it: date-times in UTC with Z, null as an empty field. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/.test(value)) {
    return value.replace('+0000', 'Z');
  }
  return String(value);
}

function pathValue(record: Record<string, unknown>, path: string): unknown {
  let value: unknown = record;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return null;
    const key = Object.keys(value).find((k) => k.toLowerCase() === part.toLowerCase());
    value = key === undefined ? null : (value as Record<string, unknown>)[key];
  }
  return value;
}

function createQuery(req: SimRequest, org: OrgState): SimResponse {
  const body = (req.json ?? {}) as { operation?: string; query?: string };
  if (body.operation !== 'query' && body.operation !== 'queryAll') {
    throw bad('API_ERROR', `Invalid operation: ${String(body.operation)}; use query or queryAll`);
  }
  if (typeof body.query !== 'string' || body.query.trim() === '') throw bad('API_ERROR', 'query is required');
  const soql = body.query;
  // The query is checked when the job is created (bad SOQL fails the create call) and run as it completes.
  runQuery(org, soql, { api: 'data', includeDeleted: body.operation === 'queryAll', userId: req.userId });
  const select = /^\s*select\s+([\s\S]+?)\s+from\s+(\w+)/i.exec(soql);
  if (!select || /\(\s*select/i.test(soql)) {
    throw bad('INVALIDJOB', 'Bulk API 2.0 query jobs take a plain SELECT without subqueries');
  }
  const job: QueryJob = {
    id: newJobId(org),
    operation: body.operation,
    query: soql,
    object: select[2],
    state: 'UploadComplete',
    createdById: req.userId,
    createdDate: formatDateTime(org.now()),
    apiVersion: req.apiVersion ?? '62.0',
    columns: select[1].split(',').map((c) => c.trim()),
    rows: [],
  };
  store(org).query.set(job.id, job);
  return { status: 200, body: queryInfo(job) };
}

function pollQuery(org: OrgState, id: string): SimResponse {
  const job = requireQuery(org, id);
  if (job.state === 'UploadComplete') {
    job.state = 'InProgress';
  } else if (job.state === 'InProgress') {
    const outcome = runQuery(org, job.query, {
      api: 'data',
      includeDeleted: job.operation === 'queryAll',
      userId: job.createdById,
    });
    job.rows = outcome.records.map((record) => job.columns.map((column) => cell(pathValue(record, column))));
    job.state = 'JobComplete';
  }
  return { status: 200, body: queryInfo(job) };
}

function queryResults(req: SimRequest, org: OrgState, id: string): SimResponse {
  const job = requireQuery(org, id);
  if (job.state !== 'JobComplete') {
    throw bad(
      'JOB_NOT_COMPLETE',
      `can only download query results of successfully completed bulk job with status: JOB_COMPLETE. Current status: ${job.state}`,
      412
    );
  }
  const maxRecords = Math.max(1, Number(req.query.get('maxRecords') ?? 50_000) || 50_000);
  const locator = req.query.get('locator');
  // Locators are opaque strings; this one is the base64 of the first row of the set.
  const start = locator ? Number(Buffer.from(locator, 'base64').toString('utf8')) : 0;
  if (!Number.isInteger(start) || start < 0 || start > job.rows.length) {
    throw bad('INVALID_LOCATOR', `Invalid locator: ${locator}`);
  }
  const end = Math.min(job.rows.length, start + maxRecords);
  const next = end < job.rows.length ? Buffer.from(String(end)).toString('base64') : 'null';
  return {
    status: 200,
    contentType: 'text/csv',
    headers: { 'Sforce-Locator': next, 'Sforce-NumberOfRecords': String(end - start) },
    body: csvBody(job.columns, job.rows.slice(start, end), '\n', true),
  };
}

const JOB = '/jobs/ingest/(750[A-Za-z0-9]{12,15})';
const QUERY_JOB = '/jobs/query/(750[A-Za-z0-9]{12,15})';

export const routes: Route[] = [
  { method: 'POST', pattern: rest('/jobs/ingest/?'), api: 'bulk2', handle: (req, _m, org) => createIngest(req, org) },
  { method: 'PUT', pattern: rest(`${JOB}/batches/?`), api: 'bulk2', handle: (req, m, org) => upload(req, org, m[1]) },
  { method: 'PATCH', pattern: rest(`${JOB}/?`), api: 'bulk2', handle: (req, m, org) => changeState(req, org, m[1]) },
  { method: 'GET', pattern: rest(`${JOB}/?`), api: 'bulk2', handle: (req, m, org) => pollIngest(req, org, m[1]) },
  {
    method: 'GET',
    pattern: rest(`${JOB}/successfulResults/?`),
    api: 'bulk2',
    handle: (_req, m, org) => results(org, m[1], 'successful'),
  },
  {
    method: 'GET',
    pattern: rest(`${JOB}/failedResults/?`),
    api: 'bulk2',
    handle: (_req, m, org) => results(org, m[1], 'failed'),
  },
  {
    method: 'GET',
    pattern: rest(`${JOB}/unprocessedrecords/?`),
    api: 'bulk2',
    handle: (_req, m, org) => results(org, m[1], 'unprocessed'),
  },
  {
    method: 'DELETE',
    pattern: rest(`${JOB}/?`),
    api: 'bulk2',
    handle: (_req, m, org) => {
      requireIngest(org, m[1]);
      store(org).ingest.delete(m[1]);
      return { status: 204, write: false };
    },
  },
  { method: 'POST', pattern: rest('/jobs/query/?'), api: 'bulk2', handle: (req, _m, org) => createQuery(req, org) },
  { method: 'GET', pattern: rest(`${QUERY_JOB}/?`), api: 'bulk2', handle: (_req, m, org) => pollQuery(org, m[1]) },
  {
    method: 'GET',
    pattern: rest(`${QUERY_JOB}/results/?`),
    api: 'bulk2',
    handle: (req, m, org) => queryResults(req, org, m[1]),
  },
  {
    method: 'PATCH',
    pattern: rest(`${QUERY_JOB}/?`),
    api: 'bulk2',
    handle: (req, m, org) => {
      const job = requireQuery(org, m[1]);
      if ((req.json as { state?: string } | undefined)?.state !== 'Aborted') {
        throw bad('INVALIDJOBSTATE', 'A query job can only be changed to Aborted');
      }
      job.state = 'Aborted';
      return { status: 200, body: queryInfo(job) };
    },
  },
];
