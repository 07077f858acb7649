import { loadScenario } from '../../simulator/scenario.js';
import type { Scenario } from '../../simulator/types.js';
import EnrollmentsRelink from '../../src/commands/ce/enrollments/relink.js';
import EnrollmentsUnlinked from '../../src/commands/ce/enrollments/unlinked.js';
import { resultOf } from '../helpers/command.js';
import { type SimSession, startSimSession } from '../helpers/simulator.js';

const ENROLLMENT = 'northpass__Enrollment__c';
const CONTACT_FIELD = 'northpass__Contact__c';

const enrollment = (
  externalId: string,
  email: string | null,
  course = 'Admin Essentials'
): Record<string, unknown> => ({
  northpass__External_Id__c: externalId,
  northpass__Learner_Email__c: email,
  northpass__Course_Name__c: course,
  northpass__Progress_Percentage__c: 0,
  northpass__Last_Synced_At__c: '2026-11-21T10:00:00Z',
});

/**
 * The ready org plus unlinked enrollments: two for Omar (one Contact; emails differ in case), one for Pat (two
 * Contacts share the email), one for an email no Contact has, one without an email. Ready's three enrollments
 * are already linked.
 */
function unlinkedScenario(): Scenario {
  const base = loadScenario('ready');
  return {
    ...base,
    records: {
      ...base.records,
      Contact: [
        ...(base.records?.Contact ?? []),
        { $key: 'c-pat1', FirstName: 'Pat', LastName: 'Jones', Email: 'pat.jones@globex.example' },
        { $key: 'c-pat2', FirstName: 'Patricia', LastName: 'Jones', Email: 'PAT.JONES@globex.example' },
      ],
      [ENROLLMENT]: [
        ...(base.records?.[ENROLLMENT] ?? []),
        enrollment('u-omar-1', 'OMAR.HADDAD@acme.example'),
        enrollment('u-omar-2', 'omar.haddad@acme.example', 'Reporting Deep Dive'),
        enrollment('u-pat', 'pat.jones@globex.example'),
        enrollment('u-nobody', 'nobody@nowhere.example'),
        enrollment('u-blank', null),
      ],
    },
  };
}

/** `n` unlinked enrollments, each with its own learner and a Contact for that learner. */
function manyScenario(n: number): Scenario {
  const base = loadScenario('ready');
  const email = (i: number): string => `learner.${String(i).padStart(4, '0')}@customer-${i % 37}.example`;
  return {
    ...base,
    records: {
      ...base.records,
      Contact: [
        ...(base.records?.Contact ?? []),
        ...Array.from({ length: n }, (_, i) => ({ LastName: `Learner ${i}`, Email: email(i) })),
      ],
      [ENROLLMENT]: Array.from({ length: n }, (_, i) => enrollment(`m-${i}`, email(i).toUpperCase())),
    },
  };
}

describe('enrollments unlinked and relink against the simulated org', () => {
  let session: SimSession;

  beforeAll(async () => {
    session = await startSimSession({ scenario: 'ready' });
  });
  afterAll(async () => session?.stop());
  beforeEach(() => session.sim.reset(unlinkedScenario()));

  const byExternalId = (id: string): Record<string, unknown> =>
    session.sim.org.findOne(ENROLLMENT, (r) => r.northpass__External_Id__c === id) as Record<string, unknown>;
  const contactByEmail = (email: string): string[] =>
    session.sim.org.find('Contact', (c) => String(c.Email).toLowerCase() === email).map((c) => c.Id);

  it('lists unlinked enrollments by email with the Contacts that match, writing nothing', async () => {
    const listed = await session.run(EnrollmentsUnlinked, ['--json']);
    expect(listed.exitCode).toBe(0);
    const r = resultOf(listed);
    expect(r.groups.map((g) => [g.email, g.decision, g.enrollments.length, g.contacts.length])).toEqual([
      ['omar.haddad@acme.example', 'link', 2, 1],
      ['pat.jones@globex.example', 'ambiguous', 1, 2],
      ['nobody@nowhere.example', 'unmatched', 1, 0],
      ['', 'no-email', 1, 0],
    ]);
    expect(r.counts).toMatchObject({ enrollments: 5, link: 2, ambiguous: 1, unmatched: 1, 'no-email': 1 });
    // The org query, the unlinked enrollments, one batch of emails.
    expect(session.sim.requests).toHaveLength(3);
    expect(session.sim.requests.filter((q) => q.write)).toHaveLength(0);
  });

  it('links exactly the unambiguous ones, in one collection request, and leaves the rest alone', async () => {
    const pat = contactByEmail('pat.jones@globex.example');
    const relinked = await session.run(EnrollmentsRelink, ['--yes', '--json']);
    expect(relinked.exitCode).toBe(0);
    const r = resultOf(relinked);
    const omar = contactByEmail('omar.haddad@acme.example')[0];
    expect(byExternalId('u-omar-1')[CONTACT_FIELD]).toBe(omar);
    expect(byExternalId('u-omar-2')[CONTACT_FIELD]).toBe(omar);
    for (const id of ['u-pat', 'u-nobody', 'u-blank']) expect(byExternalId(id)[CONTACT_FIELD]).toBeNull();
    // Already linked records are not touched.
    expect(byExternalId('np-enr-1001')[CONTACT_FIELD]).toBe(contactByEmail('maria.garcia@globex.example')[0]);
    expect(r.writes).toBe(1);
    expect(r.counts).toMatchObject({ linked: 2, ambiguous: 1, unmatched: 1, 'no-email': 1, failed: 0 });
    expect(r.outcomes.find((o) => o.outcome === 'ambiguous')?.candidates?.sort()).toEqual(pat.sort());
    expect(r.plan).toEqual([`link 2 enrollments of omar.haddad@acme.example to Contact Omar Haddad (${omar})`]);
    const writes = session.sim.requests.filter((q) => q.write);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({ method: 'PATCH' });
    expect(writes[0].path).toMatch(/\/composite\/sobjects$/);
  });

  it('writes nothing on a second run', async () => {
    await session.run(EnrollmentsRelink, ['--yes', '--json']);
    session.sim.requests.length = 0;
    const relinked = await session.run(EnrollmentsRelink, ['--yes', '--json']);
    expect(relinked.exitCode).toBe(0);
    const r = resultOf(relinked);
    expect(r.writes).toBe(0);
    expect(r.plan).toEqual([]);
    expect(r.counts).toMatchObject({ linked: 0, ambiguous: 1, unmatched: 1, 'no-email': 1 });
    expect(session.sim.requests.filter((q) => q.write)).toHaveLength(0);
  });

  it('writes nothing on --dry-run, and shows what it would link', async () => {
    const relinked = await session.run(EnrollmentsRelink, ['--dry-run', '--json']);
    expect(relinked.exitCode).toBe(0);
    const r = resultOf(relinked);
    expect(r.dryRun).toBe(true);
    expect(r.writes).toBe(0);
    expect(r.outcomes.filter((o) => o.outcome === 'would-link')).toHaveLength(2);
    expect(byExternalId('u-omar-1')[CONTACT_FIELD]).toBeNull();
    expect(session.sim.requests.filter((q) => q.write)).toHaveLength(0);
  });

  it('needs a yes to write to production: exit 2 with the plan, nothing written', async () => {
    const { exitCode, json } = await session.run(EnrollmentsRelink, ['--json']);
    expect(exitCode).toBe(2);
    expect(json?.name).toBe('ConfirmationRequired');
    expect((json?.data as { plan: string[] }).plan).toHaveLength(1);
    expect(session.sim.requests.filter((q) => q.write)).toHaveLength(0);
  });

  it('reports a record the org refuses, links the others, and exits 1', async () => {
    const refused = byExternalId('u-omar-2').Id as string;
    session.sim.org.addRule(ENROLLMENT, 'beforeUpdate', ({ record }) =>
      record.Id === refused
        ? { errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Enrollment is locked' }
        : undefined
    );
    const relinked = await session.run(EnrollmentsRelink, ['--yes', '--json']);
    expect(relinked.exitCode).toBe(1);
    const r = resultOf(relinked);
    expect(r.counts).toMatchObject({ linked: 1, failed: 1 });
    expect(r.outcomes.find((o) => o.id === refused)).toMatchObject({
      outcome: 'failed',
      error: 'FIELD_CUSTOM_VALIDATION_EXCEPTION: Enrollment is locked',
    });
    expect(byExternalId('u-omar-1')[CONTACT_FIELD]).not.toBeNull();
    expect(byExternalId('u-omar-2')[CONTACT_FIELD]).toBeNull();
  });

  it('batches 450 records into collections of 200 and their emails into short IN queries', async () => {
    session.sim.reset(manyScenario(450));
    const relinked = await session.run(EnrollmentsRelink, ['--yes', '--json']);
    expect(relinked.exitCode).toBe(0);
    const r = resultOf(relinked);
    expect(r.counts).toMatchObject({ linked: 450, enrollments: 450 });
    expect(r.writes).toBe(3);
    const writes = session.sim.requests.filter((q) => q.write);
    expect(writes.map((q) => q.method)).toEqual(['PATCH', 'PATCH', 'PATCH']);
    const contactQueries = session.sim.requests.filter((q) => q.path.endsWith('/query')).length - 2;
    expect(contactQueries).toBeGreaterThanOrEqual(2); // 450 emails do not fit one 8,000-character query
    expect(contactQueries).toBeLessThanOrEqual(5);
    expect(session.sim.org.find(ENROLLMENT, (e) => e[CONTACT_FIELD] === null)).toHaveLength(0);
  });
});
