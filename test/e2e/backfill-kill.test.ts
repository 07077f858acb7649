import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { JobStep } from '../../src/org/backfill-journal.js';
import { startCli } from '../helpers/cli.js';
import { type SimSession, startSimSession } from '../helpers/simulator.js';

jest.setTimeout(300_000);

const OBJECT = 'northpass__Enrollment__c';
// Two Bulk jobs at --max-job-mb 1 (a row is about 95 bytes of upload CSV): kills meet a job done and one not.
const ROWS = 16_000;
const JOBS = [1, 2];

const STEPS: JobStep[] = ['created', 'uploaded', 'closed', 'done'];

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether the journal shows the target: any journal for 'planning', else job n at that step or a later one. */
function reached(journal: string, target: [number, JobStep] | 'planning'): boolean {
  if (target === 'planning') return true;
  let jobs: Array<{ n: number; step: JobStep }>;
  try {
    jobs = (JSON.parse(readFileSync(journal, 'utf8')) as { jobs?: Array<{ n: number; step: JobStep }> }).jobs ?? [];
  } catch {
    return false;
  }
  const job = jobs.find((j) => j.n === target[0]);
  return job !== undefined && STEPS.indexOf(job.step) >= STEPS.indexOf(target[1]);
}

/** Until no request has reached the simulated org for 250 ms (at most 10 s). */
async function quiet(session: SimSession): Promise<void> {
  for (let seen = -1, i = 0; i < 40 && seen !== session.sim.requests.length; i++) {
    seen = session.sim.requests.length;
    await pause(250);
  }
}

/** mulberry32: the kill points are random but the same on every run of the test. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// A process, because the point is the OS killing it: a backfill killed (SIGKILL: no clean-up of any kind) at random points, planning, uploading, closing, waiting,
// downloading, and run again with the same command until it ends by itself: every planned row must reach the org
// exactly once with the export's values, and every input row must land in exactly one outcome file.
describe('backfill run, killed again and again', () => {
  let session: SimSession;
  beforeAll(async () => {
    session = await startSimSession({ scenario: 'ready' });
  });
  afterAll(() => session.stop());

  it('ends with every row in the org once and in one outcome file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ce-backfill-kill-'));
    const header =
      'northpass__External_Id__c,northpass__Learner_Email__c,northpass__Progress_Percentage__c,northpass__Last_Synced_At__c';
    const rows = Array.from(
      { length: ROWS },
      (_, i) =>
        `np-kill-${String(i).padStart(5, '0')},learner${i}@acme.example,${i % 101},2025-12-0${(i % 9) + 1}T08:00:00Z`
    );
    writeFileSync(join(dir, 'export.csv'), [header, ...rows].join('\n') + '\n');
    const out = join(dir, 'run');
    // Slow Bulk API calls, so that kills land inside every step; several jobs, so that some are done and some not.
    session.sim.faults.add('* /jobs/ingest latency=120');
    const args = [
      'backfill',
      'run',
      '-o',
      session.alias,
      '--export',
      join(dir, 'export.csv'),
      '--out-dir',
      out,
      '--max-job-mb',
      '1',
      '--poll-interval',
      '1',
      '--yes',
      '--json',
    ];
    const random = rng(20251120);
    const journal = join(out, 'journal.json');
    // Kill points by state, not by time: during planning, then inside each step of each job in turn (a kill lands a
    // random moment after the journal shows the step, so in the middle of the next request).
    const targets: Array<[job: number, step: JobStep] | 'planning'> = [
      'planning',
      ...JOBS.flatMap((job) => STEPS.map((step): [number, JobStep] => [job, step])),
    ];
    let exitCode: number | null = null;
    let kills = 0;
    for (let attempt = 0; attempt < 40 && exitCode !== 0; attempt++) {
      const { child, ended } = startCli(args, { env: session.env });
      const running = (): boolean => child.exitCode === null && child.signalCode === null;
      const target = targets[attempt];
      if (target) {
        while (running() && !reached(journal, target)) await pause(10);
        await pause(random() * 150);
        if (running()) {
          kills++;
          child.kill('SIGKILL');
        }
      }
      ({ exitCode } = await ended);
      // A held request may still reach the org after its client is gone: let the org go quiet first.
      if (exitCode !== 0) await quiet(session);
    }
    session.sim.faults.clear();
    expect(exitCode).toBe(0);
    expect(kills).toBeGreaterThan(3);
    // Several jobs were made, so kills met some jobs done and some not.
    const jobsCreated = session.sim.requests.filter((r) => r.method === 'POST' && /\/jobs\/ingest\/?$/.test(r.path));
    expect(jobsCreated.length).toBeGreaterThanOrEqual(JOBS.length);

    const inOrg = session.sim.org.all(OBJECT).filter((r) => String(r.northpass__External_Id__c).startsWith('np-kill-'));
    expect(inOrg).toHaveLength(ROWS);
    expect(new Set(inOrg.map((r) => r.northpass__External_Id__c)).size).toBe(ROWS);
    const sample = inOrg.find((r) => r.northpass__External_Id__c === 'np-kill-00123');
    expect(sample).toMatchObject({ northpass__Learner_Email__c: 'learner123@acme.example' });

    const summary = JSON.parse(readFileSync(join(out, 'run-summary.json'), 'utf8')) as {
      input: number;
      upsert: { created: number; updated: number; failed: number; unprocessed: number; existingNewer: number };
    };
    expect(summary.input).toBe(ROWS);
    expect(summary.upsert).toMatchObject({ created: ROWS, failed: 0, unprocessed: 0 });
    // Every input row in exactly one outcome file.
    const outcomeFiles = [
      'upserted.csv',
      'existing-newer.csv',
      'failed.csv',
      'unprocessed.csv',
      'skipped.csv',
      'rejected.csv',
    ];
    const ids = outcomeFiles
      .filter((name) => readdirSync(out).includes(name))
      .flatMap((name) =>
        (parse(readFileSync(join(out, name)), { columns: true, bom: true }) as Array<Record<string, string>>).map(
          (r) => r.northpass__External_Id__c
        )
      );
    expect(ids.sort()).toEqual(rows.map((r) => r.split(',')[0]).sort());
  });
});
