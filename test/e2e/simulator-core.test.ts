import { jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../helpers/cli.js';
import { type SimSession, startSimSession } from '../helpers/simulator.js';

jest.setTimeout(60_000);

describe('the simulated org behind @salesforce/core and the sf CLI', () => {
  let session: SimSession;

  beforeAll(async () => {
    session = await startSimSession({ scenario: 'ready' });
  });
  afterAll(async () => session?.stop());
  beforeEach(() => session.sim.reset('ready'));

  it('serves Org.create/getConnection for the alias that sf org login access-token stored', async () => {
    // In a child process with the login's HOME: @salesforce/core finds its auth files from the OS home
    // directory, which a jest sandbox cannot redirect.
    const script = `
      const { Org } = require('@salesforce/core');
      Org.create({ aliasOrUsername: 'sim' })
        .then((org) => org.getConnection().query('SELECT Name FROM Organization')
          .then((r) => console.log(JSON.stringify({ username: org.getUsername(), name: r.records[0].Name }))))
        .catch((e) => { console.error(e); process.exit(1); });`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...session.env },
    });
    expect(JSON.parse(stdout.trim().split('\n').pop() as string)).toEqual({
      username: 'admin@acme.example',
      name: 'Acme Corp',
    });
    // The stored instance URL ends in "/", so the CLI sends //services/...; the log shows collapsed paths.
    expect(session.sim.requests.every((r) => r.path.startsWith('/services/'))).toBe(true);
  });

  it('answers with Sforce-Limit-Info and refuses a bad session with INVALID_SESSION_ID', async () => {
    const ok = await fetch(`${session.sim.instanceUrl}/services/data/v62.0/limits`, {
      headers: { Authorization: `Bearer ${session.sim.accessToken}` },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/15000$/);
    const bad = await fetch(`${session.sim.instanceUrl}/services/data/v62.0/limits`, {
      headers: { Authorization: 'Bearer nope' },
    });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
  });

  it('creates, updates, deletes and counts writes in the request log', async () => {
    // Plain HTTP here: an in-process AuthInfo.create would persist auth files under the OS home directory,
    // which a jest sandbox cannot redirect (the CLI tests go through @salesforce/core in child processes).
    const base = `${session.sim.instanceUrl}/services/data/v62.0`;
    const headers = { Authorization: `Bearer ${session.sim.accessToken}`, 'Content-Type': 'application/json' };
    const created = (await (
      await fetch(`${base}/sobjects/Contact`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ LastName: 'Okafor', Email: 'ngozi@acme.example' }),
      })
    ).json()) as { id: string; success: boolean };
    expect(created.success).toBe(true);
    const patched = await fetch(`${base}/sobjects/Contact/${created.id}`, {
      method: 'PATCH',
      headers,
      body: JSON.stringify({ Title: 'Trainer' }),
    });
    expect(patched.status).toBe(204);
    const found = (await (
      await fetch(`${base}/query?q=${encodeURIComponent(`SELECT Title FROM Contact WHERE Id = '${created.id}'`)}`, {
        headers,
      })
    ).json()) as { records: Array<{ Title: string }> };
    expect(found.records[0].Title).toBe('Trainer');
    expect((await fetch(`${base}/sobjects/Contact/${created.id}`, { method: 'DELETE', headers })).status).toBe(204);
    const writes = session.sim.requests.filter((r) => r.write).map((r) => r.method);
    expect(writes).toEqual(['POST', 'PATCH', 'DELETE']);
  });

  it('rolls a whole collection back with allOrNone', async () => {
    const res = await fetch(`${session.sim.instanceUrl}/services/data/v62.0/composite/sobjects`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${session.sim.accessToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        allOrNone: true,
        records: [
          { attributes: { type: 'Contact' }, LastName: 'Good' },
          { attributes: { type: 'Contact' }, FirstName: 'No last name' },
        ],
      }),
    });
    const body = (await res.json()) as Array<{ success: boolean; errors: Array<{ statusCode: string }> }>;
    expect(body.map((r) => r.errors[0]?.statusCode)).toEqual([
      'ALL_OR_NONE_OPERATION_ROLLED_BACK',
      'REQUIRED_FIELD_MISSING',
    ]);
    expect(session.sim.org.find('Contact', (c) => c.LastName === 'Good')).toHaveLength(0);
  });

  it('pages query results at 2000 rows, or at the batch size asked for, through nextRecordsUrl', async () => {
    for (let i = 0; i < 2100; i++) session.sim.org.insert('Contact', { LastName: `Bulk${i}` });
    const headers = { Authorization: `Bearer ${session.sim.accessToken}` };
    const base = session.sim.instanceUrl;
    const first = (await (
      await fetch(
        `${base}/services/data/v62.0/query?q=${encodeURIComponent("SELECT Id FROM Contact WHERE LastName LIKE 'Bulk%'")}`,
        { headers }
      )
    ).json()) as { totalSize: number; done: boolean; records: unknown[]; nextRecordsUrl: string };
    expect([first.totalSize, first.done, first.records.length]).toEqual([2100, false, 2000]);
    const second = (await (await fetch(`${base}${first.nextRecordsUrl}`, { headers })).json()) as {
      done: boolean;
      records: unknown[];
    };
    expect([second.done, second.records.length]).toEqual([true, 100]);
    const small = (await (
      await fetch(`${base}/services/data/v62.0/query?q=${encodeURIComponent('SELECT Id FROM Contact')}`, {
        headers: { ...headers, 'Sforce-Query-Options': 'batchSize=500' },
      })
    ).json()) as { records: unknown[] };
    expect(small.records).toHaveLength(500);
  });

  it('takes faults and resets over the control API, without logging control requests', async () => {
    const base = session.sim.instanceUrl;
    const added = await fetch(`${base}/__sim/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ spec: 'GET /limits INVALID_SESSION_IDx1' }),
    });
    expect(added.status).toBe(200);
    const headers = { Authorization: `Bearer ${session.sim.accessToken}` };
    expect((await fetch(`${base}/services/data/v62.0/limits`, { headers })).status).toBe(401);
    expect((await fetch(`${base}/services/data/v62.0/limits`, { headers })).status).toBe(200);
    session.sim.org.insert('Contact', { LastName: 'Temporary' });
    const reset = await fetch(`${base}/__sim/reset`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ scenario: 'fresh' }),
    });
    expect(reset.status).toBe(200);
    expect(session.sim.org.find('Contact', (c) => c.LastName === 'Temporary')).toHaveLength(0);
    expect(session.sim.org.find('InstalledSubscriberPackage', () => true)).toHaveLength(0);
    const log = (await (await fetch(`${base}/__sim/requests`)).json()) as unknown[];
    expect(log).toEqual([]);
  });
});
