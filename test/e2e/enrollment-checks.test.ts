import { jest } from '@jest/globals';
import type { Connection } from '@salesforce/core';
import type { CeConfig } from '../../src/core/config.js';
import { checkRecentEnrollments, checkUnlinked } from '../../src/org/enrollment-checks.js';
import { pushEnrollment } from '../../simulator/ce-sync.js';
import type { Simulator } from '../../simulator/server.js';
import { connectToSimulator } from '../helpers/org-connection.js';

jest.setTimeout(60_000);

describe('the checklist items about the sync', () => {
  let sim: Simulator;
  let conn: Connection;
  let config: CeConfig;

  beforeAll(async () => {
    ({ sim, conn, config } = await connectToSimulator('ready'));
  });
  afterAll(async () => sim?.stop());
  beforeEach(() => sim.reset('ready'));

  it('warns when the newest enrollment is older than the window, and says when the last sync was', async () => {
    const [item] = await checkRecentEnrollments(conn, config, { days: 7 });
    expect(item).toMatchObject({ id: 'sync.recent', status: 'warn' });
    expect(item.evidence).toMatch(/^Last sync: 2026-01-20T11:45:00\.000\+0000 \(\d+h \d\dm ago\)/);
    expect(item.fix).toContain('ce-connect sync verify');
  });

  it('passes once CE has pushed something recently (by the org clock)', async () => {
    pushEnrollment(sim.org, { email: 'ana.silva@acme.example', courseName: 'Admin Essentials' });
    const [item] = await checkRecentEnrollments(conn, config, { days: 7 });
    expect(item.status).toBe('pass');
    expect(item.fix).toBeUndefined();
  });

  it('counts unlinked enrollments', async () => {
    expect((await checkUnlinked(conn, config))[0]).toMatchObject({ id: 'sync.unlinked', status: 'pass' });
    pushEnrollment(sim.org, { email: 'nobody@nowhere.example' });
    pushEnrollment(sim.org, { email: 'ana.silva@acme.example', link: 'none' });
    const [item] = await checkUnlinked(conn, config);
    expect(item).toMatchObject({ status: 'warn', evidence: '2 enrollments are in Unlinked Enrollments (no Contact).' });
    expect(item.fix).toContain('ce-connect enrollments relink');
  });

  it('skips both when the org has no Enrollment object', async () => {
    sim.reset('fresh');
    const items = [...(await checkRecentEnrollments(conn, config)), ...(await checkUnlinked(conn, config))];
    expect(items.map((i) => i.status)).toEqual(['skip', 'skip']);
    expect(items[0].fix).toContain('packages check');
  });
});
