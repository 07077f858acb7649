import { pushEnrollment, pushLog, schedulePush } from '../../simulator/ce-sync.js';
import { buildOrg, loadScenario } from '../../simulator/scenario.js';
import { startSimulator } from '../../simulator/server.js';

const ENROLLMENT = 'northpass__Enrollment__c';

describe('the simulated org playing CE', () => {
  it('pushes the ce-sync scenario: one unlinked at once, then linked by email, then unlinked for want of a Contact', () => {
    const org = buildOrg(loadScenario('ce-sync'));
    const before = org.all(ENROLLMENT).length;
    org.advance(0);
    expect(pushLog(org).map((e) => e.status)).toEqual(['pushed', 'scheduled', 'scheduled']);
    org.advance(20_000);
    expect(pushLog(org).map((e) => e.status)).toEqual(['pushed', 'pushed', 'scheduled']);
    org.advance(20_000);
    const omar = org.findOne('Contact', (c) => c.Email === 'omar.haddad@acme.example')?.Id;
    const byKey = (k: string) => org.findOne(ENROLLMENT, (r) => r.northpass__External_Id__c === k);
    expect(org.all(ENROLLMENT)).toHaveLength(before + 3);
    expect(byKey('np-enr-2001')?.northpass__Contact__c).toBeNull();
    expect(byKey('np-enr-2002')?.northpass__Contact__c).toBe(omar);
    expect(byKey('np-enr-2003')?.northpass__Contact__c).toBeNull();
    // CE writes as the integration user.
    const ce = org.userByUsername('ce-integration@acme.example')?.Id;
    expect(byKey('np-enr-2002')?.CreatedById).toBe(ce);
  });

  it('leaves a record unlinked when several Contacts share the email', () => {
    const org = buildOrg(loadScenario('ready'));
    org.insert('Contact', { LastName: 'Twin', Email: 'Omar.Haddad@acme.example' }, { system: true });
    const { record, linkedTo } = pushEnrollment(org, { email: 'omar.haddad@acme.example' });
    expect(linkedTo).toBeNull();
    expect(record.northpass__Contact__c).toBeNull();
  });

  it('updates the record with the same External ID instead of adding one (an upsert)', () => {
    const org = buildOrg(loadScenario('ready'));
    const count = org.all(ENROLLMENT).length;
    const { record } = pushEnrollment(org, {
      email: 'maria.garcia@globex.example',
      externalId: 'np-enr-1001',
      progress: 100,
    });
    expect(org.all(ENROLLMENT)).toHaveLength(count);
    expect(record.northpass__External_Id__c).toBe('np-enr-1001');
    expect(record.northpass__Progress_Percentage__c).toBe(100);
    expect(record.northpass__Last_Synced_At__c).not.toBe('2025-10-01T09:31:00.000+0000');
  });

  it('records a failed push when the org has no Enrollment object', () => {
    const org = buildOrg(loadScenario('fresh'));
    schedulePush(org, { email: 'a@b.example', afterMs: 10 });
    org.advance(10);
    expect(pushLog(org)[0]).toMatchObject({ status: 'failed', error: expect.stringContaining('INVALID_TYPE') });
  });

  it('takes pushes over the control API, unlogged', async () => {
    const sim = await startSimulator({ scenario: 'ready' });
    try {
      const res = await fetch(`${sim.instanceUrl}/__sim/ce/enrollments`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ afterMs: 5000, email: 'ana.silva@acme.example', courseName: 'X' }),
      });
      expect(res.status).toBe(201);
      sim.org.advance(5000);
      const list = (await (await fetch(`${sim.instanceUrl}/__sim/ce/enrollments`)).json()) as Array<{ status: string }>;
      expect(list.map((e) => e.status)).toEqual(['pushed']);
      const bad = await fetch(`${sim.instanceUrl}/__sim/ce/enrollments`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ afterMs: 5 }),
      });
      expect(bad.status).toBe(400);
      expect(sim.requests).toHaveLength(0);
    } finally {
      await sim.stop();
    }
  });
});
