import { pushLog, schedulePush } from '../../simulator/ce-sync.js';
import { SimError } from '../../simulator/errors.js';
import { loadScenario } from '../../simulator/scenario.js';
import { addQueryGuard } from '../../simulator/soql.js';
import type { Scenario } from '../../simulator/types.js';
import SyncVerify, { type SyncVerifyResult } from '../../src/commands/ce/sync/verify.js';
import { startCli } from '../helpers/cli.js';
import { type Envelope, resultOf } from '../helpers/command.js';
import { type SimSession, startSimSession } from '../helpers/simulator.js';

const ENROLLMENT = 'northpass__Enrollment__c';

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

/** Schedules a CE push `afterMs` (simulated time) after the first poll for enrollments. */
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

  const verify = (args: string[]) => session.run(SyncVerify, args);

  it('finds a record CE pushes after a delay, linked to its Contact, within the call budget', async () => {
    pushAfterFirstPoll(session, 200_000, {
      email: 'omar.haddad@acme.example',
      courseName: 'Admin Essentials',
      progress: 10,
    });
    const run = await verify(['--email', 'Omar.Haddad@acme.example', '--timeout', '30m', '--json']);
    expect(run.exitCode).toBe(0);
    const r = resultOf(run);
    expect(r.status).toBe('found');
    expect(r.record).toMatchObject({ email: 'omar.haddad@acme.example', courseName: 'Admin Essentials', progress: 10 });
    expect(r.linkage).toMatchObject({ state: 'linked' });
    expect(r.record?.contactId).toBe(pushLog(session.sim.org)[0].linkedTo);
    // CE pushes 200 s after the first poll; the poll after it comes within the next interval or two.
    expect(r.foundAfterMs).toBeGreaterThanOrEqual(200_000);
    expect(r.foundAfterMs).toBeLessThan(400_000);
    // It is the first planned poll at or after those 200 s (the simulated clock keeps every poll on its time).
    const due = r.plan.offsetsMs.find((offset) => offset >= 200_000) ?? NaN;
    expect(r.polls).toBe(r.plan.offsetsMs.indexOf(due) + 1);
    expect(r.foundAfterMs).toBeGreaterThanOrEqual(due);
    expect(r.sinceSource).toBe('org clock');
    // Every request the command made, from the simulator's own log: org query + polls, no Contact lookup.
    expect(session.sim.requests.length).toBe(r.totalApiCalls);
    expect(session.sim.requests.length).toBe(1 + r.polls);
    expect(session.sim.requests.length).toBeLessThanOrEqual(60);
    expect(session.sim.requests.filter((q) => q.write)).toHaveLength(0);
  });

  it('times out with exit 1 on the planned 30-minute schedule: at most 58 polls, every call within 60', async () => {
    const run = await verify(['--email', 'maria.garcia@globex.example', '--timeout', '30m', '--json']);
    expect(run.exitCode).toBe(1);
    expect(run.json?.status).toBe(1);
    const r = resultOf(run);
    expect(r.status).toBe('timeout');
    expect(r.plan).toMatchObject({ polls: 58, worstCaseCalls: 60, maxApiCalls: 60 });
    // On the simulated clock no poll is ever overdue, so none is dropped: the whole plan is polled.
    expect(r.polls).toBe(58);
    expect(r.elapsedMs).toBeGreaterThanOrEqual(30 * 60_000);
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

  it('respects a short timeout: a 6-second wait polls 4 times and ends after 6 s of the org’s clock', async () => {
    const orgStarted = session.sim.org.now().getTime();
    const run = await verify(['--email', 'nobody@nowhere.example', '--timeout', '6s', '--json']);
    const took = session.sim.org.now().getTime() - orgStarted;
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe('');
    const r = resultOf(run);
    expect(r.polls).toBe(4);
    expect(r.plan.offsetsMs).toEqual([0, 2000, 4000, 6000]);
    expect(session.sim.requests).toHaveLength(5);
    expect(r.elapsedMs).toBeGreaterThanOrEqual(6000);
    expect(took).toBeGreaterThanOrEqual(6000);
    expect(took).toBeLessThan(30_000);
  });

  it('reports a record with no matching Contact as unlinked, with the reason, in one more call', async () => {
    pushAfterFirstPoll(session, 200, { email: 'new.learner@initech.example', courseId: 'crs-101', progress: 0 });
    const run = await verify(['--email', 'new.learner@initech.example', '--course', 'crs-101', '--json']);
    expect(run.exitCode).toBe(0);
    const r = resultOf(run);
    expect(r.status).toBe('found');
    expect(r.record?.contactId).toBeNull();
    expect(r.linkage).toMatchObject({ state: 'unlinked', cause: 'no-contact' });
    expect(r.linkage?.reason).toBe('in Unlinked Enrollments: no Contact has the email new.learner@initech.example');
    expect(session.sim.requests).toHaveLength(1 + r.polls + 1);
    expect(r.totalApiCalls).toBeLessThanOrEqual(60);
  });

  it('reports a record whose email several Contacts share as unlinked, naming them', async () => {
    session.sim.reset(withDuplicateContacts());
    session.sim.org.advance(2000);
    pushAfterFirstPoll(session, 200, { email: 'pat.jones@globex.example', courseName: 'Admin Essentials' });
    const run = await verify(['--email', 'pat.jones@globex.example', '--json']);
    expect(run.exitCode).toBe(0);
    const r = resultOf(run);
    expect(r.linkage).toMatchObject({ state: 'unlinked', cause: 'several-contacts' });
    const unlinked = r.linkage?.state === 'unlinked' ? r.linkage : undefined;
    expect(unlinked?.contacts).toHaveLength(2);
    expect(r.linkage?.reason).toMatch(/2 Contacts share the email pat\.jones@globex\.example/);
  });

  it('ignores a record for another course', async () => {
    pushAfterFirstPoll(session, 100, { email: 'omar.haddad@acme.example', courseName: 'Reporting Deep Dive' });
    const run = await verify([
      '--email',
      'omar.haddad@acme.example',
      '--course',
      'Admin Essentials',
      '--timeout',
      '5m',
      '--json',
    ]);
    expect(run.exitCode).toBe(1);
    expect(resultOf(run).status).toBe('timeout');
    expect(pushLog(session.sim.org)[0].status).toBe('pushed');
  });

  it('counts a failed poll against the budget and keeps polling as planned', async () => {
    let failed = false;
    addQueryGuard(session.sim.org, ENROLLMENT, () => {
      if (failed) return;
      failed = true;
      throw new SimError(503, 'SERVER_UNAVAILABLE', 'Service temporarily unavailable');
    });
    const run = await verify(['--email', 'nobody@nowhere.example', '--timeout', '30m', '--json']);
    expect(run.exitCode).toBe(1);
    const r = resultOf(run);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toContain('Service temporarily unavailable');
    // No hidden retries: the simulator saw exactly the calls the command counted.
    expect(session.sim.requests).toHaveLength(1 + r.polls);
    expect(r.totalApiCalls).toBe(1 + r.polls);
    expect(r.polls).toBe(r.plan.polls);
    expect(session.sim.requests.filter((q) => q.status === 503)).toHaveLength(1);
  });

  it('fails at once, exit 1, when the org has no Enrollment object to poll', async () => {
    session.sim.reset('fresh');
    const { exitCode, json } = await verify(['--email', 'a@b.example', '--json']);
    expect(exitCode).toBe(1);
    expect(json?.name).toBe('SyncVerifyQueryFailed');
    expect(json?.actions?.[0]).toContain('ce-connect packages check -o sim');
    expect(session.sim.requests).toHaveLength(2);
  });

  it('shows the schedule, a line per poll and the likely causes to a person (not under --json)', async () => {
    // In process, output is not a terminal (test/helpers/command.ts): this run shows what a log (CI) gets.
    const { exitCode, stdout, stderr } = await verify(['--email', 'nobody@nowhere.example', '--timeout', '10m']);
    expect(exitCode).toBe(1);
    expect(stdout).toMatch(/Schedule: 58 polls over 10m 00s \(a poll now, then every 4s growing to every 2\ds\)/);
    expect(stderr).toMatch(/^poll 1: .* elapsed of 10m 00s \(deadline \d\d:\d\d:\d\d UTC\), next in /m);
    expect(stdout).toContain('No enrollment of nobody@nowhere.example arrived within 10m 00s');
    expect(stdout).toContain('1. The CE connection is not authorized');
    expect(stdout).toContain('Check: ce-connect connect-guide -o sim');
  });

  it.each([['abc'], ['25h']])('refuses --timeout %s with exit 2 before any API call', async (value) => {
    const { exitCode, json } = await verify(['--email', 'a@b.example', '--timeout', value, '--json']);
    expect(exitCode).toBe(2);
    expect(json?.name).toBe('BadDuration');
    expect(json?.message).toContain('--timeout');
    expect(session.sim.requests).toHaveLength(0);
  });

  // A real process: Ctrl-C is a signal to the CLI's process, and the exit code 130 is that process's.
  it('stops cleanly on Ctrl-C: exit 130, with what it saw', async () => {
    const cli = startCli(
      [
        'sync',
        'verify',
        '-o',
        'sim',
        '--email',
        'maria.garcia@globex.example',
        // Real time here: polls at 0 s and 3.5 s, so the Ctrl-C lands between the first two; should it be lost,
        // the command still ends by itself.
        '--timeout',
        '10m',
        '--json',
      ],
      { env: session.env }
    );
    const closed = cli.ended.then((run) => run.exitCode);
    let exited = false;
    void closed.then(() => (exited = true));
    try {
      // Interrupt once the first poll has been answered: the org query and the poll are in the request log.
      const deadline = Date.now() + 30_000;
      while (session.sim.requests.length < 2 && !exited && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(session.sim.requests.length).toBeGreaterThanOrEqual(2);
      cli.child.kill('SIGINT');
      let timer: NodeJS.Timeout | undefined;
      const hung = new Promise<'hung'>((r) => (timer = setTimeout(() => r('hung'), 20_000)));
      const code = await Promise.race([closed, hung]);
      clearTimeout(timer);
      if (code !== 130) process.stderr.write(`${cli.output()}\n${JSON.stringify(session.sim.requests)}\n`);
      expect(code).toBe(130);
      const { stdout } = await cli.ended;
      const envelope = JSON.parse(stdout) as Envelope<SyncVerifyResult>;
      expect(envelope.status).toBe(130);
      expect(envelope.result?.status).toBe('interrupted');
      expect(envelope.result?.polls).toBe(1);
      expect(envelope.result?.olderRecord?.email).toBe('maria.garcia@globex.example');
      expect(session.sim.requests).toHaveLength(2);
    } finally {
      if (!exited) cli.child.kill('SIGKILL');
    }
  }, 60_000);
});
