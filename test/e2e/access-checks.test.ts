import { jest } from '@jest/globals';
import type { Connection } from '@salesforce/core';
import type { CeConfig } from '../../src/core/config.js';
import { checkConnection } from '../../src/org/connect-guide.js';
import { checkIntegrationUser } from '../../src/org/integration-user.js';
import { applyPermissionSetAssignments, checkPermissionSetAssignments } from '../../src/org/permset-assignments.js';
import type { Simulator } from '../../simulator/server.js';
import { connectToSimulator } from '../helpers/org-connection.js';

jest.setTimeout(60_000);

describe('the checklist items and setup functions about access', () => {
  let sim: Simulator;
  let conn: Connection;
  let config: CeConfig;

  beforeAll(async () => {
    ({ sim, conn, config } = await connectToSimulator('ready'));
  });
  afterAll(async () => sim?.stop());

  const statuses = (items: Array<{ id: string; status: string }>) =>
    Object.fromEntries(items.map((i) => [i.id, i.status]));

  it('passes every access item on the ready org', async () => {
    sim.reset('ready');
    expect(Object.values(statuses(await checkIntegrationUser(conn, config)))).toEqual(Array(7).fill('pass'));
    expect(await checkPermissionSetAssignments(conn, config)).toEqual([
      expect.objectContaining({ id: 'permsets.assignments', status: 'pass' }),
    ]);
    expect(await checkConnection(conn, config)).toEqual([
      expect.objectContaining({
        id: 'connection.oauth-login',
        status: 'pass',
        evidence: expect.stringContaining('2025-12-02'),
      }),
    ]);
    expect(sim.requests.filter((r) => r.write)).toHaveLength(0);
  });

  it('fails them on the outdated org, and the apply function plans without writing on dryRun', async () => {
    sim.reset('outdated');
    const audit = statuses(await checkIntegrationUser(conn, config));
    expect(audit['integration-user.admin-permissions']).toBe('fail');
    const [assignments] = await checkPermissionSetAssignments(conn, config);
    expect(assignments).toMatchObject({ status: 'fail', fix: 'ce-connect permsets apply -o <org>' });
    expect((await checkConnection(conn, config))[0].status).toBe('fail');

    const dry = await applyPermissionSetAssignments(conn, config, { dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, writes: 0 });
    expect(dry.plan).toHaveLength(3);
    expect(sim.requests.filter((r) => r.write)).toHaveLength(0);
    const events: string[] = [];
    const applied = await applyPermissionSetAssignments(conn, config, {
      dryRun: false,
      onProgress: (e) => events.push(`${e.phase} ${e.done}/${e.total}`),
    });
    expect(applied).toMatchObject({ writes: 1, counts: expect.objectContaining({ added: 3 }) });
    expect(events).toEqual(['insert 3/3']);
    expect((await checkPermissionSetAssignments(conn, config))[0].status).toBe('pass');
  });
});
