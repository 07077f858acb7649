import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Fault } from '../../simulator/faults.js';
import BackfillPlan from '../../src/commands/ce/backfill/plan.js';
import BackfillRun from '../../src/commands/ce/backfill/run.js';
import { runBackfill } from '../../src/org/backfill-run.js';
import { useClock } from '../../src/org/clock.js';
import { resolveBackfillOptions } from '../../src/support/backfill-flags.js';
import { type CliProcess, startCli } from '../helpers/cli.js';
import { resultOf } from '../helpers/command.js';
import { connectToSimulator } from '../helpers/org-connection.js';
import { type SimSession, simulatedClock, startSimSession } from '../helpers/simulator.js';

const OBJECT = 'northpass__Enrollment__c';
const HEADER = [
  'northpass__External_Id__c',
  'northpass__Learner_Email__c',
  'northpass__Course_Name__c',
  'northpass__Progress_Percentage__c',
  'Learner Name',
  'northpass__Last_Synced_At__c',
].join(',');

// Against the `ready` scenario, which holds np-enr-1001 (synced 2025-10-01), np-enr-1002 (2025-12-02) and
// np-enr-1003 (2026-01-20).
const EXPORT = [
  HEADER,
  'np-enr-1001,maria.garcia@globex.example,Admin Essentials,100,Maria,2025-12-01 09:00:00', // newer: update
  'np-enr-1002,tom.nguyen@globex.example,Admin Essentials,40,Tom,2025-12-01T00:00:00Z', // older: skipped
  'np-enr-1003,ana.silva@acme.example,"Reports, Advanced",80,Ana,2026-01-25T10:00:00+01:00', // newer at plan time
  'np-enr-2001,li.wei@acme.example,Flows,10,Li,2025-11-20', // new, exactly at the cutoff
  'np-enr-2002,raj.patel@acme.example,"=HYPERLINK(""x"")",20,Raj,2025-12-03T08:00:00Z', // new
  'np-enr-2003,jane.doe@acme.example,Flows,30,Jane,2025-12-04T08:00:00Z', // new (older duplicate below)
  'np-enr-2003,jane.doe@acme.example,Flows,25,Jane,2025-12-01T08:00:00Z', // duplicate
  'np-enr-0999,old@acme.example,Flows,5,Old,2025-11-19T23:59:59Z', // before the cutoff
  'np-enr-2004,not-an-email,Flows,5,Bad,2025-12-05T00:00:00Z', // rejected: not an email
  'np-enr-2005,x@acme.example,Flows,lots,Bad,2025-12-05T00:00:00Z', // rejected: not a number
  ',nobody@acme.example,Flows,5,None,2025-12-05T00:00:00Z', // rejected: no External ID
].join('\r\n');

/** Checks ok() every 25 ms until it holds, for at most timeoutMs; fails naming what it waited for. */
async function until(what: string, ok: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`Gave up after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('ce-connect backfill run (against the simulated org)', () => {
  let session: SimSession;
  let dir: string;

  beforeAll(async () => {
    session = await startSimSession({ scenario: 'ready' });
  });
  afterAll(async () => {
    await session?.stop();
  });
  beforeEach(() => {
    session.sim.reset('ready');
    session.sim.faults.clear();
    session.sim.requests.length = 0;
    dir = mkdtempSync(join(tmpdir(), 'ce-backfill-run-'));
    writeFileSync(join(dir, 'export.csv'), EXPORT);
  });

  const enrollments = (): Array<Record<string, unknown>> => session.sim.org.all(OBJECT);
  const bulkCalls = (method: string, pattern: RegExp): number =>
    session.sim.requests.filter((r) => r.method === method && pattern.test(r.path)).length;
  const run = (out: string, extra: string[] = []) =>
    session.run(BackfillRun, [
      '--export',
      join(dir, 'export.csv'),
      '--out-dir',
      join(dir, out),
      '--yes',
      '--json',
      ...extra,
    ]);
  const resume = (out: string) => session.run(BackfillRun, ['--resume', out, '--yes', '--json']);
  /** Requests of the simulator's log that match. */
  const logged = (method: string, pattern: RegExp): boolean =>
    session.sim.requests.some((r) => r.method === method && pattern.test(r.path));
  /**
   * The real CLI in a child process, with this file's login: for the tests that SIGKILL it, which only a process
   * can be. Its clock is real, so a poll waits --poll-interval seconds; the tests kill it before it polls.
   */
  const startRun = (args: string[]): CliProcess =>
    startCli(['backfill', 'run', '-o', session.alias, '--poll-interval', '1', '--yes', '--json', ...args], {
      env: session.env,
    });
  /**
   * Kills the CLI once the simulator holds the request the latency fault matched (the fault has been hit). The
   * simulator runs in this process: the 25 ms poll is due before the timer that releases the request, so the
   * kill always lands while the request is held.
   */
  const killWhileHeld = async (cli: CliProcess, held: Fault, what: string): Promise<void> => {
    try {
      await until(what, () => held.hits > 0 || cli.child.exitCode !== null);
    } finally {
      cli.child.kill('SIGKILL');
    }
    const { signal } = await cli.ended;
    if (held.hits === 0) throw new Error(`The CLI ended before ${what} was held: ${cli.output()}`);
    expect(signal).toBe('SIGKILL');
  };

  /** CE keeps syncing while the backfill runs: once the plan has read the org, np-enr-1003 gets newer there. */
  function ceSyncsDuringTheRun(): () => void {
    // In one process the run could go from the plan's read to its upload within one tick of the timer below:
    // the ingest job's creation is held a little, so the sync always lands between the two.
    session.sim.faults.add('POST /jobs/ingest$ latency=20x1');
    const timer = setInterval(() => {
      if (session.sim.requests.some((r) => /\/jobs\/query\/.+\/results/.test(r.path))) {
        const record = session.sim.org.findOne(OBJECT, (r) => r.northpass__External_Id__c === 'np-enr-1003');
        if (record) {
          session.sim.org.update(
            OBJECT,
            record.Id,
            { northpass__Last_Synced_At__c: '2026-02-01T00:00:00Z' },
            { system: true }
          );
        }
        clearInterval(timer);
      }
    }, 2);
    return () => clearInterval(timer);
  }

  it('upserts exactly the planned rows and counts old-timestamp refusals as expected, not failures', async () => {
    const stop = ceSyncsDuringTheRun();
    const ran = await run('run1');
    stop();
    const { exitCode, stderr } = ran;
    expect({ exitCode, stderr: exitCode === 0 ? '' : stderr }).toEqual({ exitCode: 0, stderr: '' });
    const result = resultOf(ran);
    expect(result.summary).toMatchObject({
      input: 11,
      toUpsert: 5,
      skipped: { existingUpToDate: 1, beforeCutoff: 1, duplicateInFile: 1 },
      rejected: 3,
      upsert: { created: 3, updated: 1, existingNewer: 1, failed: 0, unprocessed: 0 },
    });
    expect(result.droppedColumns).toEqual(['Learner Name']);
    // One query job for the existing records, one ingest job: create, upload, close; no REST query paging.
    expect(bulkCalls('POST', /\/jobs\/query$/)).toBe(1);
    expect(bulkCalls('POST', /\/jobs\/ingest$/)).toBe(1);
    expect(bulkCalls('PUT', /\/batches$/)).toBe(1);
    expect(bulkCalls('PATCH', /\/jobs\/ingest\/[^/]+$/)).toBe(1);
    expect(session.sim.requests.filter((r) => /\/query\/01g/.test(r.path))).toHaveLength(0);
    expect(result.apiCalls).toBeGreaterThanOrEqual(session.sim.requests.length - 1);

    const records = enrollments();
    expect(records).toHaveLength(3 + 3);
    const byId = new Map(records.map((r) => [r.northpass__External_Id__c, r]));
    expect(byId.get('np-enr-1001')?.northpass__Progress_Percentage__c).toBe(100);
    expect(byId.get('np-enr-1001')?.northpass__Last_Synced_At__c).toBe('2025-12-01T09:00:00.000+0000');
    expect(byId.get('np-enr-2003')?.northpass__Progress_Percentage__c).toBe(30);
    expect(byId.get('np-enr-2002')?.northpass__Course_Name__c).toBe('=HYPERLINK("x")');
    expect(byId.has('np-enr-0999')).toBe(false);
    expect(byId.has('np-enr-2004')).toBe(false);

    // Every input row is in exactly one outcome file.
    const out = join(dir, 'run1');
    const rows = (name: string): string[][] =>
      (parse(readFileSync(join(out, name)), { bom: true }) as string[][]).slice(1);
    const ids = [
      ...rows('upserted.csv').map((r) => r[2]),
      ...rows('existing-newer.csv').map((r) => r[2]),
      ...rows('failed.csv').map((r) => r[2]),
      ...rows('unprocessed.csv').map((r) => r[0]),
      ...rows('skipped.csv').map((r) => r[0]),
      ...rows('rejected.csv').map((r) => r[0]),
    ];
    expect(ids).toHaveLength(11);
    expect(rows('existing-newer.csv').map((r) => [r[2], r[1]])).toEqual([
      ['np-enr-1003', expect.stringContaining('Cannot update record due to old timestamp')],
    ]);
    expect(rows('upserted.csv').find((r) => r[2] === 'np-enr-2002')?.[4]).toBe(`'=HYPERLINK("x")`);
    const summary = JSON.parse(readFileSync(join(out, 'run-summary.json'), 'utf8')) as { upsert: unknown };
    expect(summary.upsert).toEqual(result.summary?.upsert);
  });

  it('uploads nothing when run again on the same export', async () => {
    const first = await run('first');
    expect(first.exitCode).toBe(0);
    session.sim.requests.length = 0;
    const again = await run('again');
    expect(again.exitCode).toBe(0);
    const result = resultOf(again);
    expect(result.summary?.toUpsert).toBe(0);
    expect(result.writes).toBe(0);
    expect(bulkCalls('POST', /\/jobs\/ingest$/)).toBe(0);
    expect(session.sim.requests.filter((r) => r.write)).toHaveLength(0);
    // The same command into the same folder: a finished run with no job shows that run again.
    const third = await run('again');
    expect(third.exitCode).toBe(0);
    expect(resultOf(third).summary?.toUpsert).toBe(0);
    expect(session.sim.requests.filter((r) => r.write)).toHaveLength(0);
  });

  it('shows the plan and writes nothing with --dry-run, and needs --yes for a production org', async () => {
    const dry = await run('dry', ['--dry-run']);
    expect(dry.exitCode).toBe(0);
    expect(resultOf(dry).plan).toEqual([
      expect.stringMatching(
        /^upsert 5 northpass__Enrollment__c records on northpass__External_Id__c from upload-001\.csv/
      ),
    ]);
    const noYes = await session.run(BackfillRun, [
      '--export',
      join(dir, 'export.csv'),
      '--out-dir',
      join(dir, 'no-yes'),
      '--json',
    ]);
    expect(noYes.exitCode).toBe(2);
    expect(noYes.json?.message).toMatch(/production/);
    expect(bulkCalls('POST', /\/jobs\/ingest$/)).toBe(0);
    expect(session.sim.requests.filter((r) => r.write)).toHaveLength(0);
    expect(enrollments()).toHaveLength(3);
    // The action says to run the same command again with --yes, and that works: it continues the planned run.
    expect(noYes.json?.actions?.join(' ')).toMatch(/--yes/);
    const withYes = await run('no-yes');
    expect(withYes.exitCode).toBe(0);
    expect(resultOf(withYes).summary?.upsert).toMatchObject({ created: 3, updated: 2 });
  });

  // The command's smallest job is 1 MB (--max-job-mb); jobs of 150 bytes are asked of the org layer directly.
  it('splits the upload into several jobs when one would be too large', async () => {
    const { sim, conn, config } = await connectToSimulator('ready');
    const restoreClock = useClock(simulatedClock(sim));
    try {
      const result = await runBackfill({
        conn,
        config,
        outDir: join(dir, 'split'),
        exportPath: join(dir, 'export.csv'),
        resume: false,
        ...resolveBackfillOptions({}, config),
        dryRun: false,
        pollIntervalMs: 5000,
        timeoutMs: 60 * 60_000,
        maxJobBytes: 150,
        confirm: async () => undefined,
      });
      expect(result.jobs.length).toBeGreaterThan(1);
      expect(result.jobs.reduce((n, j) => n + j.rows, 0)).toBe(5);
      expect(sim.requests.filter((r) => r.method === 'POST' && /\/jobs\/ingest$/.test(r.path))).toHaveLength(
        result.jobs.length
      );
      // What made the command exit 0: no row failed or went unprocessed.
      expect(result.summary?.upsert).toMatchObject({ failed: 0, unprocessed: 0 });
      expect((result.summary?.upsert.created ?? 0) + (result.summary?.upsert.updated ?? 0)).toBe(5);
    } finally {
      restoreClock();
      await sim.stop();
    }
  });

  it('resumes after the results could not be downloaded, without uploading again', async () => {
    // The daily API limit runs out just as the results are due (403, not retried).
    session.sim.faults.add('GET /successfulResults REQUEST_LIMIT_EXCEEDED');
    const broken = await run('resume1');
    expect(broken.exitCode).toBe(1);
    const journal = JSON.parse(readFileSync(join(dir, 'resume1', 'journal.json'), 'utf8')) as {
      jobs: Array<{ step: string }>;
    };
    expect(journal.jobs[0].step).toBe('closed');
    session.sim.faults.clear();
    const resumed = await resume(join(dir, 'resume1'));
    expect(resumed.exitCode).toBe(0);
    const result = resultOf(resumed);
    expect(result.resumed).toBe(true);
    expect(result.summary?.upsert).toMatchObject({ created: 3, updated: 2, failed: 0, unprocessed: 0 });
    expect(bulkCalls('POST', /\/jobs\/ingest$/)).toBe(1);
    expect(bulkCalls('PUT', /\/batches$/)).toBe(1);
    expect(enrollments()).toHaveLength(6);
  });

  // A real process: the test SIGKILLs the CLI while the org holds its request.
  it('resumes after the CLI is killed while the job is being closed, without uploading again', async () => {
    const held = session.sim.faults.add('PATCH /jobs/ingest/ latency=300x1');
    const out = join(dir, 'killed');
    // Killed while the close request is held by the latency fault: the journal then says the data is uploaded.
    await killWhileHeld(startRun(['--export', join(dir, 'export.csv'), '--out-dir', out]), held, 'the close request');
    const journal = JSON.parse(readFileSync(join(out, 'journal.json'), 'utf8')) as {
      jobs: Array<{ step: string; jobId: string }>;
    };
    expect(journal.jobs[0].step).toBe('uploaded');
    // The held close request still reaches the org.
    const jobPath = new RegExp(`/jobs/ingest/${journal.jobs[0].jobId}$`);
    await until('the held close request to reach the org', () => logged('PATCH', jobPath));
    session.sim.faults.clear();
    const resumed = await resume(out);
    expect(resumed.exitCode).toBe(0);
    expect(resultOf(resumed).summary?.upsert).toMatchObject({ created: 3, updated: 2 });
    expect(bulkCalls('POST', /\/jobs\/ingest$/)).toBe(1);
    expect(bulkCalls('PUT', /\/batches$/)).toBe(1);
    expect(enrollments()).toHaveLength(6);
    expect(readdirSync(out)).toEqual(expect.arrayContaining(['run-summary.json', 'upserted.csv', 'journal.json']));
  }, 60_000);

  // Real processes: the test SIGKILLs the CLI twice while the org holds its requests.
  it('recovers a job whose upload was cut short and whose abort was cut short too: every row reaches the org once', async () => {
    const out = join(dir, 'twice-killed');
    type Journal = { jobs: Array<{ step: string; jobId?: string; abandoned: string[] }> };
    const journal = (): Journal => JSON.parse(readFileSync(join(out, 'journal.json'), 'utf8')) as Journal;

    // 1. Killed while its upload is held in flight: the journal says `created`, the job is Open.
    const upload = session.sim.faults.add('PUT /jobs/ingest/.+/batches latency=300x1');
    await killWhileHeld(startRun(['--export', join(dir, 'export.csv'), '--out-dir', out]), upload, 'the upload');
    expect(journal().jobs[0].step).toBe('created');
    const firstJob = journal().jobs[0].jobId as string;
    // The held upload still reaches the org.
    await until('the held upload to reach the org', () =>
      logged('PUT', new RegExp(`/jobs/ingest/${firstJob}/batches$`))
    );

    // 2. The resume aborts that Open job, and is killed while the abort is held: the job ends Aborted, but the
    //    journal still says `created`.
    session.sim.faults.clear();
    const abort = session.sim.faults.add('PATCH /jobs/ingest/ latency=300x1');
    await killWhileHeld(startRun(['--resume', out]), abort, 'the abort');
    expect(session.sim.requests.some((r) => r.method === 'GET' && r.path.endsWith(firstJob))).toBe(true);
    await until('the held abort to reach the org', () => logged('PATCH', new RegExp(`/jobs/ingest/${firstJob}$`)));
    session.sim.faults.clear();
    expect(journal().jobs[0]).toMatchObject({ step: 'created', jobId: firstJob });

    // 3. The next resume sees an Aborted job that never ran, and sends its whole file in a new job.
    const third = await resume(out);
    expect(third.exitCode).toBe(0);
    expect(resultOf(third).summary?.upsert).toMatchObject({ created: 3, updated: 2, failed: 0, unprocessed: 0 });
    expect(journal().jobs[0].abandoned).toEqual([firstJob]);
    expect(bulkCalls('POST', /\/jobs\/ingest$/)).toBe(2);
    expect(enrollments()).toHaveLength(6);
    const ids = enrollments().map((r) => r.northpass__External_Id__c);
    expect(new Set(ids).size).toBe(ids.length);
  }, 60_000);

  it('retries a 503 on the Bulk upload in the same job, and a rerun of the same command continues the run', async () => {
    session.sim.faults.add('PUT /jobs/ingest/.+/batches 503x1');
    const first = await run('retried');
    expect(first.exitCode).toBe(0);
    expect(resultOf(first).summary?.upsert).toMatchObject({ created: 3, updated: 2, unprocessed: 0 });
    expect(bulkCalls('POST', /\/jobs\/ingest$/)).toBe(1);
    expect(
      session.sim.requests.filter((r) => r.method === 'PUT' && /batches$/.test(r.path)).map((r) => r.status)
    ).toEqual([503, 201]);
    // The identical command again: the folder holds this export's finished run, so it continues it (nothing left).
    const again = await run('retried');
    expect(again.exitCode).toBe(0);
    expect(resultOf(again).resumed).toBe(true);
    expect(bulkCalls('POST', /\/jobs\/ingest$/)).toBe(1);
    expect(enrollments()).toHaveLength(6);
  });

  it.each([
    ['REQUEST_LIMIT_EXCEEDED', 'ApiLimitExceeded', /API Requests, Last 24 Hours/],
    ['INVALID_SESSION_ID', 'SessionExpired', /sf org login web --alias sim --instance-url http:\/\/127\.0\.0\.1:\d+/],
    ['reset', 'ConnectionLost', /Check the network/],
  ])('a stop by %s names its way on, exit 1, and that way continues the run', async (fault, name, action) => {
    const out = join(dir, `stopped-${fault}`);
    session.sim.faults.add(`POST /jobs/ingest$ ${fault}x1`);
    const stopped = await run(`stopped-${fault}`);
    expect(stopped.exitCode).toBe(1);
    expect(stopped.json?.name).toBe(name);
    expect(stopped.json?.message).toContain('Everything done before the stop is kept');
    const actions = stopped.json?.actions ?? [];
    expect(actions.join('\n')).toMatch(action);
    const wayOn = `ce-connect backfill run --resume ${out} -o sim`;
    expect(actions.at(-1)).toContain(wayOn);
    session.sim.faults.clear();
    // The way on, as printed, after its command words.
    const continued = await session.run(BackfillRun, [...wayOn.split(' ').slice(3), '--yes', '--json']);
    expect(continued.exitCode).toBe(0);
    expect(resultOf(continued).summary?.upsert).toMatchObject({
      created: 3,
      updated: 2,
      unprocessed: 0,
    });
    expect(enrollments()).toHaveLength(6);
  });

  it('a limit hit while reading the Enrollment object is a stop with its way on, not a missing object', async () => {
    session.sim.faults.add('GET /describe REQUEST_LIMIT_EXCEEDEDx1');
    const stopped = await run('describe-limit');
    expect(stopped.exitCode).toBe(1);
    expect(stopped.json?.name).toBe('ApiLimitExceeded');
    // Nothing was planned yet: the same command is the way on.
    expect(stopped.json?.actions?.at(-1)).toContain('ce-connect backfill run --export');
  });

  it('plans against the org with one Bulk API query job (plan -o)', async () => {
    const planned = await session.run(BackfillPlan, [
      '--export',
      join(dir, 'export.csv'),
      '--out-dir',
      join(dir, 'plan'),
      '--json',
    ]);
    expect(planned.exitCode).toBe(0);
    const result = resultOf(planned);
    expect(result.summary).toMatchObject({ input: 11, toUpsert: 5, rejected: 3 });
    expect(result.existing.records).toBe(3);
    expect(bulkCalls('POST', /\/jobs\/query$/)).toBe(1);
    expect(session.sim.requests.filter((r) => r.write)).toHaveLength(0);
  });
});
