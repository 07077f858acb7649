import { jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { PROJECT_ROOT } from '../helpers/cli.js';
import { type SimSession, startSimSession } from '../helpers/simulator.js';

jest.setTimeout(120_000);

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

type RunJson = {
  summary: {
    input: number;
    toUpsert: number;
    skipped: Record<string, number>;
    rejected: number;
    upsert: { created: number; updated: number; existingNewer: number; failed: number; unprocessed: number };
  };
  planSummary: { toUpsert: number };
  resumed: boolean;
  writes: number;
  plan: string[];
  jobs: Array<{ jobId: string; step: string; rows: number }>;
  apiCalls: number;
  droppedColumns: string[];
};

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
    session.run([
      'backfill',
      'run',
      '--export',
      join(dir, 'export.csv'),
      '--out-dir',
      join(dir, out),
      '--poll-interval-ms',
      '20',
      '--yes',
      '--json',
      ...extra,
    ]);

  /** CE keeps syncing while the backfill runs: once the plan has read the org, np-enr-1003 gets newer there. */
  function ceSyncsDuringTheRun(): () => void {
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
    const { exitCode, json, stderr } = await run('run1');
    stop();
    expect({ exitCode, stderr: exitCode === 0 ? '' : stderr }).toEqual({ exitCode: 0, stderr: '' });
    const result = json?.result as RunJson;
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
    const summary = JSON.parse(readFileSync(join(out, 'run-summary.json'), 'utf8'));
    expect(summary.upsert).toEqual(result.summary.upsert);
  });

  it('uploads nothing when run again on the same export', async () => {
    const first = await run('first');
    expect(first.exitCode).toBe(0);
    session.sim.requests.length = 0;
    const again = await run('again');
    expect(again.exitCode).toBe(0);
    const result = again.json?.result as RunJson;
    expect(result.summary.toUpsert).toBe(0);
    expect(result.writes).toBe(0);
    expect(bulkCalls('POST', /\/jobs\/ingest$/)).toBe(0);
    expect(session.sim.requests.filter((r) => r.write)).toHaveLength(0);
  });

  it('shows the plan and writes nothing with --dry-run, and needs --yes for a production org', async () => {
    const dry = await run('dry', ['--dry-run']);
    expect(dry.exitCode).toBe(0);
    expect((dry.json?.result as RunJson).plan).toEqual([
      expect.stringMatching(
        /^upsert 5 northpass__Enrollment__c records on northpass__External_Id__c from upload-001\.csv/
      ),
    ]);
    const noYes = await session.run([
      'backfill',
      'run',
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
    expect((withYes.json?.result as RunJson).summary.upsert).toMatchObject({ created: 3, updated: 2 });
  });

  it('splits the upload into several jobs when one would be too large', async () => {
    const { exitCode, json } = await run('split', ['--max-job-bytes', '150']);
    expect(exitCode).toBe(0);
    const result = json?.result as RunJson;
    expect(result.jobs.length).toBeGreaterThan(1);
    expect(result.jobs.reduce((n, j) => n + j.rows, 0)).toBe(5);
    expect(bulkCalls('POST', /\/jobs\/ingest$/)).toBe(result.jobs.length);
    expect(result.summary.upsert.created + result.summary.upsert.updated).toBe(5);
  });

  it('resumes after the results could not be downloaded, without uploading again', async () => {
    // The daily API limit runs out just as the results are due (403, not retried).
    session.sim.faults.add('GET /successfulResults REQUEST_LIMIT_EXCEEDED');
    const broken = await run('resume1');
    expect(broken.exitCode).toBe(1);
    const journal = JSON.parse(readFileSync(join(dir, 'resume1', 'journal.json'), 'utf8'));
    expect(journal.jobs[0].step).toBe('closed');
    session.sim.faults.clear();
    const resumed = await session.run([
      'backfill',
      'run',
      '--resume',
      join(dir, 'resume1'),
      '--poll-interval-ms',
      '20',
      '--yes',
      '--json',
    ]);
    expect(resumed.exitCode).toBe(0);
    const result = resumed.json?.result as RunJson;
    expect(result.resumed).toBe(true);
    expect(result.summary.upsert).toMatchObject({ created: 3, updated: 2, failed: 0, unprocessed: 0 });
    expect(bulkCalls('POST', /\/jobs\/ingest$/)).toBe(1);
    expect(bulkCalls('PUT', /\/batches$/)).toBe(1);
    expect(enrollments()).toHaveLength(6);
  });

  it('resumes after the CLI is killed while the job is being closed, without uploading again', async () => {
    session.sim.faults.add('PATCH /jobs/ingest/ latency=2500x1');
    const out = join(dir, 'killed');
    const child = spawn(
      process.execPath,
      [
        join(PROJECT_ROOT, 'bin', 'run.js'),
        'backfill',
        'run',
        '-o',
        session.alias,
        '--export',
        join(dir, 'export.csv'),
        '--out-dir',
        out,
        '--poll-interval-ms',
        '20',
        '--yes',
        '--json',
      ],
      { env: { ...process.env, ...session.env }, stdio: 'ignore' }
    );
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    // Kill it once the journal says the data is uploaded (the close request is then held by the latency fault).
    for (let i = 0; i < 600; i++) {
      const path = join(out, 'journal.json');
      if (existsSync(path) && /"step": "uploaded"/.test(readFileSync(path, 'utf8'))) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill('SIGKILL');
    await exited;
    expect(JSON.parse(readFileSync(join(out, 'journal.json'), 'utf8')).jobs[0].step).toBe('uploaded');
    await new Promise((r) => setTimeout(r, 3000)); // the held close request still reaches the org
    session.sim.faults.clear();
    const resumed = await session.run([
      'backfill',
      'run',
      '--resume',
      out,
      '--poll-interval-ms',
      '20',
      '--yes',
      '--json',
    ]);
    expect(resumed.exitCode).toBe(0);
    expect((resumed.json?.result as RunJson).summary.upsert).toMatchObject({ created: 3, updated: 2 });
    expect(bulkCalls('POST', /\/jobs\/ingest$/)).toBe(1);
    expect(bulkCalls('PUT', /\/batches$/)).toBe(1);
    expect(enrollments()).toHaveLength(6);
    expect(readdirSync(out)).toEqual(expect.arrayContaining(['run-summary.json', 'upserted.csv', 'journal.json']));
  });

  it('recovers a job whose upload was cut short and whose abort was cut short too: every row reaches the org once', async () => {
    const out = join(dir, 'twice-killed');
    const journal = (): { jobs: Array<{ step: string; jobId?: string; abandoned: string[] }> } =>
      JSON.parse(readFileSync(join(out, 'journal.json'), 'utf8'));
    const start = (args: string[]) => {
      const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'run.js'), 'backfill', 'run', ...args], {
        env: { ...process.env, ...session.env },
        stdio: 'ignore',
      });
      return { child, exited: new Promise<void>((resolve) => child.on('close', () => resolve())) };
    };
    const until = async (ok: () => boolean): Promise<void> => {
      for (let i = 0; i < 800 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
    };
    const common = ['-o', session.alias, '--poll-interval-ms', '20', '--yes', '--json'];

    // 1. Killed while its upload is held in flight: the journal says `created`, the job is Open.
    session.sim.faults.add('PUT /jobs/ingest/.+/batches latency=2500x1');
    const first = start(['--export', join(dir, 'export.csv'), '--out-dir', out, ...common]);
    await until(() => existsSync(join(out, 'journal.json')) && journal().jobs[0].step === 'created');
    await new Promise((r) => setTimeout(r, 300));
    first.child.kill('SIGKILL');
    await first.exited;
    expect(journal().jobs[0].step).toBe('created');
    const firstJob = journal().jobs[0].jobId as string;
    await new Promise((r) => setTimeout(r, 3000)); // the held upload still reaches the org

    // 2. The resume aborts that Open job, and is killed while the abort is held: the job ends Aborted, but the
    //    journal still says `created`.
    session.sim.faults.clear();
    session.sim.faults.add('PATCH /jobs/ingest/ latency=2500x1');
    const requestsBefore = session.sim.requests.length;
    const second = start(['--resume', out, ...common]);
    await until(() =>
      session.sim.requests.slice(requestsBefore).some((r) => r.method === 'GET' && r.path.includes(firstJob))
    );
    await new Promise((r) => setTimeout(r, 500));
    second.child.kill('SIGKILL');
    await second.exited;
    await new Promise((r) => setTimeout(r, 3000)); // the held abort still reaches the org
    session.sim.faults.clear();
    expect(journal().jobs[0]).toMatchObject({ step: 'created', jobId: firstJob });

    // 3. The next resume sees an Aborted job that never ran, and sends its whole file in a new job.
    const third = await session.run([
      'backfill',
      'run',
      '--resume',
      out,
      '--poll-interval-ms',
      '20',
      '--yes',
      '--json',
    ]);
    expect(third.exitCode).toBe(0);
    const result = third.json?.result as RunJson;
    expect(result.summary.upsert).toMatchObject({ created: 3, updated: 2, failed: 0, unprocessed: 0 });
    expect(journal().jobs[0].abandoned).toEqual([firstJob]);
    expect(bulkCalls('POST', /\/jobs\/ingest$/)).toBe(2);
    expect(enrollments()).toHaveLength(6);
    const ids = enrollments().map((r) => r.northpass__External_Id__c);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('retries a 503 on the Bulk upload in the same job, and a rerun of the same command continues the run', async () => {
    session.sim.faults.add('PUT /jobs/ingest/.+/batches 503x1');
    const first = await run('retried');
    expect(first.exitCode).toBe(0);
    expect((first.json?.result as RunJson).summary.upsert).toMatchObject({ created: 3, updated: 2, unprocessed: 0 });
    expect(bulkCalls('POST', /\/jobs\/ingest$/)).toBe(1);
    expect(
      session.sim.requests.filter((r) => r.method === 'PUT' && /batches$/.test(r.path)).map((r) => r.status)
    ).toEqual([503, 201]);
    // The identical command again: the folder holds this export's finished run, so it continues it (nothing left).
    const again = await run('retried');
    expect(again.exitCode).toBe(0);
    expect((again.json?.result as RunJson).resumed).toBe(true);
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
    const resume = `ce-connect backfill run --resume ${out} -o sim`;
    expect(actions.at(-1)).toContain(resume);
    session.sim.faults.clear();
    const continued = await session.run([...resume.split(' ').slice(1), '--poll-interval-ms', '20', '--yes', '--json']);
    expect(continued.exitCode).toBe(0);
    expect((continued.json?.result as RunJson).summary.upsert).toMatchObject({
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
    const { exitCode, json } = await session.run([
      'backfill',
      'plan',
      '--export',
      join(dir, 'export.csv'),
      '--out-dir',
      join(dir, 'plan'),
      '--json',
    ]);
    expect(exitCode).toBe(0);
    const result = json?.result as { summary: RunJson['summary']; apiCalls: number; existing: { records: number } };
    expect(result.summary).toMatchObject({ input: 11, toUpsert: 5, rejected: 3 });
    expect(result.existing.records).toBe(3);
    expect(bulkCalls('POST', /\/jobs\/query$/)).toBe(1);
    expect(session.sim.requests.filter((r) => r.write)).toHaveLength(0);
  });
});
