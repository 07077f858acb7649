import { jest } from '@jest/globals';
import { AuthInfo, Connection } from '@salesforce/core';
import { type CeConfig } from '../../src/core/config.js';
import { IdIndex } from '../../src/core/id-index.js';
import { existingFromOrg } from '../../src/org/backfill-org.js';
import {
  closeJob,
  createUpsertJob,
  downloadResults,
  jobInfo,
  uploadFile,
  waitForJob,
} from '../../src/org/bulk2-ingest.js';
import { type SimSession, startSimSession } from '../helpers/simulator.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../helpers/cli.js';

jest.setTimeout(60_000);

const OBJECT = 'northpass__Enrollment__c';
const EXT = 'northpass__External_Id__c';
const TS = 'northpass__Last_Synced_At__c';

describe('simulated org: Bulk API 2.0', () => {
  let session: SimSession;
  let conn: Connection;
  let base: string;
  let auth: Record<string, string>;

  beforeAll(async () => {
    session = await startSimSession({ scenario: 'ready' });
    const authInfo = await AuthInfo.create({
      accessTokenOptions: {
        accessToken: session.sim.accessToken,
        instanceUrl: session.sim.instanceUrl,
        loginUrl: session.sim.instanceUrl,
      },
    });
    conn = await Connection.create({ authInfo });
    base = `${session.sim.instanceUrl}/services/data/v62.0`;
    auth = { Authorization: `Bearer ${session.sim.accessToken}`, 'Content-Type': 'application/json' };
  });
  afterAll(async () => {
    await session?.stop();
  });
  beforeEach(() => {
    session.sim.reset('ready');
    session.sim.requests.length = 0;
  });

  const post = async (path: string, body: unknown): Promise<{ status: number; json: unknown }> => {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
    return { status: res.status, json: await res.json() };
  };

  it('refuses an upsert job without a valid External ID field', async () => {
    const missing = await post('/jobs/ingest', { object: OBJECT, operation: 'upsert' });
    expect(missing.status).toBe(400);
    expect(missing.json).toEqual([expect.objectContaining({ errorCode: 'INVALIDJOB' })]);
    const notExternal = await post('/jobs/ingest', {
      object: OBJECT,
      operation: 'upsert',
      externalIdFieldName: 'northpass__Course_Name__c',
    });
    expect(notExternal.status).toBe(400);
    expect(JSON.stringify(notExternal.json)).toContain('does not match an External ID');
    const badObject = await post('/jobs/ingest', { object: 'Nope__c', operation: 'insert' });
    expect(badObject.status).toBe(400);
  });

  it('runs an upsert job through its states, one per poll, and applies the old-timestamp rule per row', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ce-bulk2-'));
    const file = join(dir, 'upload.csv');
    writeFileSync(
      file,
      [
        `${EXT},${TS},northpass__Progress_Percentage__c`,
        'np-enr-1001,2025-12-01T00:00:00.000Z,90', // newer than 2025-10-01: updated
        'np-enr-1003,2025-12-01T00:00:00.000Z,10', // older than 2026-01-20: refused
        'np-enr-9000,2025-12-01T00:00:00.000Z,5', // new: created
        'np-enr-9001,2025-12-01T00:00:00.000Z,lots', // not a number: failed
      ].join('\n')
    );
    const id = await createUpsertJob(conn, OBJECT, EXT);
    expect((await jobInfo(conn, id)).state).toBe('Open');
    await uploadFile(conn, id, file);
    await closeJob(conn, id);
    const states: string[] = [];
    const done = await waitForJob(conn, id, {
      pollIntervalMs: 1,
      timeoutMs: 10_000,
      resumeHint: '',
      onPoll: (i) => states.push(i.state),
    });
    expect(states).toEqual(['InProgress', 'JobComplete']);
    expect(done).toMatchObject({ numberRecordsProcessed: 4, numberRecordsFailed: 2 });
    const ok = await downloadResults(conn, id, 'successful');
    // Every header and value quoted, as real result files are.
    expect(ok.split('\n')[0]).toBe(`"sf__Id","sf__Created","${EXT}","${TS}","northpass__Progress_Percentage__c"`);
    expect(ok).toMatch(/,"false","np-enr-1001",/);
    expect(ok).toMatch(/,"true","np-enr-9000",/);
    const failed = await downloadResults(conn, id, 'failed');
    expect(failed).toContain('FIELD_CUSTOM_VALIDATION_EXCEPTION:Cannot update record due to old timestamp');
    expect(failed).toMatch(/np-enr-9001/);
    expect((await downloadResults(conn, id, 'unprocessed')).trim()).toBe(
      `"${EXT}","${TS}","northpass__Progress_Percentage__c"`
    );
    // A second upload to the same job is refused: Bulk API 2.0 takes one upload per job.
    const again = await fetch(`${base}/jobs/ingest/${id}/batches`, {
      method: 'PUT',
      headers: { ...auth, 'Content-Type': 'text/csv' },
      body: 'x\n',
    });
    expect(again.status).toBe(409);
  });

  it('fails a whole job whose header names no field, leaving every row unprocessed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ce-bulk2-'));
    const file = join(dir, 'upload.csv');
    writeFileSync(file, `${EXT},Learner Name\nnp-x,Ann\n`);
    const id = await createUpsertJob(conn, OBJECT, EXT);
    await uploadFile(conn, id, file);
    await closeJob(conn, id);
    const done = await waitForJob(conn, id, { pollIntervalMs: 1, timeoutMs: 10_000, resumeHint: '' });
    expect(done.state).toBe('Failed');
    expect(done.errorMessage).toContain('Learner Name');
    expect(await downloadResults(conn, id, 'unprocessed')).toBe(`"${EXT}","Learner Name"\n"np-x","Ann"\n`);
  });

  it('pages query job results with maxRecords and Sforce-Locator until "null"', async () => {
    for (let i = 0; i < 7; i++) {
      session.sim.org.insert(OBJECT, { [EXT]: `np-page-${i}`, [TS]: '2025-12-01T00:00:00Z' }, { system: true });
    }
    session.sim.requests.length = 0;
    const config = JSON.parse(readFileSync(join(PROJECT_ROOT, 'config', 'ce-connect.json'), 'utf8')) as CeConfig;
    const index = new IdIndex();
    const stats = await existingFromOrg(conn, config, { pollIntervalMs: 1, maxRecords: 3 })(index);
    expect(stats).toMatchObject({ records: 10, withTimestamp: 10, pages: 4 });
    const key = Buffer.from('np-enr-1003');
    expect(index.existingTs[index.find(key, 0, key.length)]).toBe(Date.parse('2026-01-20T11:45:00Z'));
    const results = session.sim.requests.filter((r) => /\/results$/.test(r.path));
    expect(results).toHaveLength(4);
    expect(session.sim.requests.filter((r) => r.method === 'POST')).toHaveLength(1);

    const early = await post('/jobs/query', { operation: 'query', query: `SELECT ${EXT} FROM ${OBJECT}` });
    const jobId = (early.json as { id: string }).id;
    const notReady = await fetch(`${base}/jobs/query/${jobId}/results`, { headers: auth });
    expect(notReady.status).toBe(412);
    const bad = await post('/jobs/query', { operation: 'query', query: `SELECT Nope__c FROM ${OBJECT}` });
    expect(bad.status).toBe(400);
  });
});
