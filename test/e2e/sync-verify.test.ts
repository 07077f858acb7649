import { jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pushLog, schedulePush } from '../../simulator/ce-sync.js';
import { SimError } from '../../simulator/errors.js';
import { loadScenario } from '../../simulator/scenario.js';
import { addQueryGuard } from '../../simulator/soql.js';
import type { Scenario } from '../../simulator/types.js';
import { PROJECT_ROOT } from '../helpers/cli.js';
import { type SimSession, startSimSession } from '../helpers/simulator.js';

jest.setTimeout(90_000);

const ENROLLMENT = 'northpass__Enrollment__c';
/** Runs a 30-minute schedule in 30m / 600 = 3 s (the schedule, and so the number of calls, stay the same). */
const FAST = { CE_CONNECT_TIME_SCALE: '600' };

type VerifyResult = {
  status: 'found' | 'timeout' | 'interrupted';
  polls: number;
  apiCalls: number;
  totalApiCalls: number;
  sinceSource: string;
  plan: { polls: number; worstCaseCalls: number; maxApiCalls: number; schedule: string };
  record?: { id: string; email: string; courseName: string; progress: number; contactId: string | null };
  foundAfterMs?: number;
  linkage?: { state: string; cause?: string; reason: string; contacts?: Array<{ id: string }> };
  olderRecord?: { id: string; email: string };
  causes?: Array<{ cause: string; check: string }>;
  errors: string[];
};

/** The ready org plus two Contacts sharing one email. */
function withDuplicateContacts(): Scenario {
  const base = loadScenario('ready');
  const contacts = [
    ...(base.records?.Contact ?? []),
    { FirstName: 'Pat', LastName: 'Jones', Email: 'pat.jones@globex.example' },
    { FirstName: 'Patricia', LastName: 'Jones', Email: 'Pat.Jones@globex.example' },
  ];
  return { ...base, records: { ...base.records, Contact: contacts } };
}

/** Schedules a CE push `afterMs` after the first poll for enrollments, so the CLI's start-up time does not matter. */
function pushAfterFirstPoll(session: SimSession, afterMs: number, push: Parameters<typeof schedulePush>[1]): void {
  let scheduled = false;
  addQueryGuard(session.sim.org, ENROLLMENT, ({ org }) => {
    if (scheduled) return;
    scheduled = true;
    schedulePush(org, { ...push, afterMs });
  });
}

describe('sync verify against the simulated org', () => {
  let session: SimSession;

  beforeAll(async () => {
    session = await startSimSession({ scenario: 'ready' });
  });
  afterAll(async () => session?.stop());
  beforeEach(() => {
    session.sim.reset('ready');
    // The reset writes every record now, and the Date header each command takes "since" from has whole seconds:
    // two seconds on, the org's clock puts the scenario's records clearly before any "since".
    session.sim.org.advance(2000);
  });

  it('finds a record CE pushes after a delay, linked to its Contact, within the call budget', async () => {
    pushAfterFirstPoll(session, 1000, {
      email: 'omar.haddad@acme.example',
      courseName: 'Admin Essentials',
      progress: 10,
    });
    const { exitCode, json } = await session.run(
      ['sync', 'verify', '--email', 'Omar.Haddad@acme.example', '--timeout', '30m', '--json'],
      { env: { CE_CONNECT_TIME_SCALE: '200' } } // 30 minutes in 9 s
    );
    expect(exitCode).toBe(0);
    const r = json?.result as VerifyResult;
    expect(r.status).toBe('found');
    expect(r.record).toMatchObject({ email: 'omar.haddad@acme.example', courseName: 'Admin Essentials', progress: 10 });
    expect(r.linkage).toMatchObject({ state: 'linked' });
    expect(r.record?.contactId).toBe(pushLog(session.sim.org)[0].linkedTo);
    // 1 s of real time is 200 s of schedule time; the poll after it comes within the next interval or two.
    expect(r.foundAfterMs).toBeGreaterThanOrEqual(200_000);
    expect(r.foundAfterMs).toBeLessThan(400_000);
    expect(r.sinceSource).toBe('org clock');
    // Every request the command made, from the simulator's own log: org query + polls, no Contact lookup.
    expect(session.sim.requests.length).toBe(r.totalApiCalls);
    expect(session.sim.requests.length).toBe(1 + r.polls);
    expect(session.sim.requests.length).toBeLessThanOrEqual(60);
    expect(session.sim.requests.filter((q) => q.write)).toHaveLength(0);
  });

  it('times out with exit 1 on the planned 30-minute schedule: at most 58 polls, every call within 60', async () => {
    const { exitCode, json } = await session.run(
      ['sync', 'verify', '--email', 'maria.garcia@globex.example', '--timeout', '30m', '--json'],
      { env: FAST }
    );
    expect(exitCode).toBe(1);
    expect(json?.status).toBe(1);
    const r = json?.result as VerifyResult;
    expect(r.status).toBe('timeout');
    expect(r.plan).toMatchObject({ polls: 58, worstCaseCalls: 60, maxApiCalls: 60 });
    // At 600x a poll's round trip can outlast an early interval; such overdue polls are dropped, never bunched.
    expect(r.polls).toBeLessThanOrEqual(58);
    expect(r.polls).toBeGreaterThanOrEqual(20);
    expect(session.sim.requests).toHaveLength(1 + r.polls);
    expect(session.sim.requests.every((q) => q.method === 'GET' && q.path.endsWith('/query'))).toBe(true);
    // Maria's enrollment is older than the start: seen, reported, not taken for the test enrollment.
    expect(r.olderRecord?.email).toBe('maria.garcia@globex.example');
    expect(r.causes?.map((c) => c.check)).toEqual([
      'ce-connect connect-guide -o sim',
      'ce-connect integration-user check -o sim',
      'ce-connect packages check -o sim',
    ]);
  });

  it('respects a short timeout without scaling: a 6-second wait polls 4 times and ends after about 6 s', async () => {
    const started = Date.now();
    const { exitCode, json, stderr } = await session.run([
      'sync',
      'verify',
      '--email',
      'nobody@nowhere.example',
      '--timeout',
      '6s',
      '--json',
    ]);
    const took = Date.now() - started;
    expect(exitCode).toBe(1);
    expect(stderr).toBe('');
    const r = json?.result as VerifyResult;
    expect(r.polls).toBe(4);
    expect(session.sim.requests).toHaveLength(5);
    expect(took).toBeGreaterThanOrEqual(6000);
    expect(took).toBeLessThan(30_000);
  });

  it('reports a record with no matching Contact as unlinked, with the reason, in one more call', async () => {
    pushAfterFirstPoll(session, 200, { email: 'new.learner@initech.example', courseId: 'crs-101', progress: 0 });
    const { exitCode, json } = await session.run(
      ['sync', 'verify', '--email', 'new.learner@initech.example', '--course', 'crs-101', '--json'],
      { env: FAST }
    );
    expect(exitCode).toBe(0);
    const r = json?.result as VerifyResult;
    expect(r.status).toBe('found');
    expect(r.record?.contactId).toBeNull();
    expect(r.linkage).toMatchObject({ state: 'unlinked', cause: 'no-contact' });
    expect(r.linkage?.reason).toBe('in Unlinked Enrollments: no Contact has the email new.learner@initech.example');
    expect(session.sim.requests).toHaveLength(1 + r.polls + 1);
    expect(r.totalApiCalls).toBeLessThanOrEqual(60);
  });

  it('reports a record whose email several Contacts share as unlinked, naming them', async () => {
    session.sim.reset(withDuplicateContacts());
    pushAfterFirstPoll(session, 200, { email: 'pat.jones@globex.example', courseName: 'Admin Essentials' });
    const { exitCode, json } = await session.run(['sync', 'verify', '--email', 'pat.jones@globex.example', '--json'], {
      env: FAST,
    });
    expect(exitCode).toBe(0);
    const r = json?.result as VerifyResult;
    expect(r.linkage).toMatchObject({ state: 'unlinked', cause: 'several-contacts' });
    expect(r.linkage?.contacts).toHaveLength(2);
    expect(r.linkage?.reason).toMatch(/2 Contacts share the email pat\.jones@globex\.example/);
  });

  it('ignores a record for another course', async () => {
    pushAfterFirstPoll(session, 100, { email: 'omar.haddad@acme.example', courseName: 'Reporting Deep Dive' });
    const { exitCode, json } = await session.run(
      [
        'sync',
        'verify',
        '--email',
        'omar.haddad@acme.example',
        '--course',
        'Admin Essentials',
        '--timeout',
        '5m',
        '--json',
      ],
      { env: FAST }
    );
    expect(exitCode).toBe(1);
    expect((json?.result as VerifyResult).status).toBe('timeout');
    expect(pushLog(session.sim.org)[0].status).toBe('pushed');
  });

  it('counts a failed poll against the budget and keeps polling as planned', async () => {
    let failed = false;
    addQueryGuard(session.sim.org, ENROLLMENT, () => {
      if (failed) return;
      failed = true;
      throw new SimError(503, 'SERVER_UNAVAILABLE', 'Service temporarily unavailable');
    });
    const { exitCode, json } = await session.run(
      ['sync', 'verify', '--email', 'nobody@nowhere.example', '--timeout', '30m', '--json'],
      { env: FAST }
    );
    expect(exitCode).toBe(1);
    const r = json?.result as VerifyResult;
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toContain('Service temporarily unavailable');
    // No hidden retries: the simulator saw exactly the calls the command counted.
    expect(session.sim.requests).toHaveLength(1 + r.polls);
    expect(r.totalApiCalls).toBe(1 + r.polls);
    expect(session.sim.requests.filter((q) => q.status === 503)).toHaveLength(1);
  });

  it('fails at once, exit 1, when the org has no Enrollment object to poll', async () => {
    session.sim.reset('fresh');
    const { exitCode, json } = await session.run(['sync', 'verify', '--email', 'a@b.example', '--json'], { env: FAST });
    expect(exitCode).toBe(1);
    expect(json?.name).toBe('SyncVerifyQueryFailed');
    expect(json?.actions?.[0]).toContain('ce-connect packages check -o sim');
    expect(session.sim.requests).toHaveLength(2);
  });

  it('shows the schedule, a line per poll and the likely causes to a person (not under --json)', async () => {
    const { exitCode, stdout, stderr } = await session.run(
      ['sync', 'verify', '--email', 'nobody@nowhere.example', '--timeout', '10m'],
      { env: FAST }
    );
    expect(exitCode).toBe(1);
    expect(stdout).toMatch(/Schedule: 58 polls over 10m 00s \(a poll now, then every 4s growing to every 2\ds\)/);
    expect(stderr).toMatch(/^poll 1: .* elapsed of 10m 00s \(deadline \d\d:\d\d:\d\d UTC\), next in /m);
    expect(stdout).toContain('No enrollment of nobody@nowhere.example arrived within 10m 00s');
    expect(stdout).toContain('1. The CE connection is not authorized');
    expect(stdout).toContain('Check: ce-connect connect-guide -o sim');
  });

  it.each([['abc'], ['25h']])('refuses --timeout %s with exit 2 before any API call', async (value) => {
    const { exitCode, json } = await session.run([
      'sync',
      'verify',
      '--email',
      'a@b.example',
      '--timeout',
      value,
      '--json',
    ]);
    expect(exitCode).toBe(2);
    expect(json?.name).toBe('BadDuration');
    expect(json?.message).toContain('--timeout');
    expect(session.sim.requests).toHaveLength(0);
  });

  it('stops cleanly on Ctrl-C: exit 130, with what it saw', async () => {
    const child = spawn(
      process.execPath,
      [
        join(PROJECT_ROOT, 'bin', 'run.js'),
        'sync',
        'verify',
        '-o',
        'sim',
        '--email',
        'maria.garcia@globex.example',
        '--json',
      ],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, ...session.env, FORCE_COLOR: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      }
    );
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    // Interrupt once the first poll has been answered.
    const deadline = Date.now() + 30_000;
    while (session.sim.requests.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (code !== 130) process.stderr.write(`${stdout}\n${JSON.stringify(session.sim.requests)}\n`);
    expect(code).toBe(130);
    const envelope = JSON.parse(stdout) as { status: number; result: VerifyResult };
    expect(envelope.status).toBe(130);
    expect(envelope.result.status).toBe('interrupted');
    expect(envelope.result.polls).toBe(1);
    expect(envelope.result.olderRecord?.email).toBe('maria.garcia@globex.example');
    expect(session.sim.requests).toHaveLength(2);
  });
});
