// A backfill of the size a real catch-up has: 120,000 rows in one Bulk API 2.0 job, upserted by External ID, with
// the simulated org matching each row through its External ID index rather than a scan of every record.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import BackfillRun from '../../src/commands/ce/backfill/run.js';
import { resultOf } from '../helpers/command.js';
import { type SimSession, startSimSession } from '../helpers/simulator.js';

const OBJECT = 'northpass__Enrollment__c';
const ROWS = 120_000;
// A fifth of the rows are already in the org with an older copy: they are updated, the rest created.
const EXISTING = 24_000;

// Seconds on a quiet machine; the margin is for a loaded CI runner, not a target.
jest.setTimeout(180_000);

describe('backfill run at volume', () => {
  let session: SimSession;
  beforeAll(async () => {
    session = await startSimSession({ scenario: 'ready' });
  });
  afterAll(async () => session?.stop());

  it('upserts 120,000 rows, each once, and accounts for every row in the summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ce-backfill-volume-'));
    const header =
      'northpass__External_Id__c,northpass__Learner_Email__c,northpass__Progress_Percentage__c,northpass__Last_Synced_At__c';
    const id = (i: number): string => `np-vol-${String(i).padStart(6, '0')}`;
    const rows = Array.from(
      { length: ROWS },
      (_, i) => `${id(i)},learner${i}@acme.example,${i % 101},2025-12-02T08:00:00Z`
    );
    writeFileSync(join(dir, 'export.csv'), [header, ...rows].join('\n') + '\n');
    for (let i = 0; i < EXISTING; i++) {
      session.sim.org.insert(
        OBJECT,
        {
          northpass__External_Id__c: id(i * 5),
          northpass__Learner_Email__c: 'old@acme.example',
          northpass__Last_Synced_At__c: '2025-11-01T08:00:00.000+0000',
        },
        { system: true }
      );
    }
    const out = join(dir, 'run');
    const run = await session.run(BackfillRun, [
      '--export',
      join(dir, 'export.csv'),
      '--out-dir',
      out,
      '--yes',
      '--json',
    ]);
    expect(run.exitCode).toBe(0);
    const result = resultOf(run);
    expect(result.jobs).toHaveLength(1);

    const inOrg = session.sim.org.all(OBJECT).filter((r) => String(r.northpass__External_Id__c).startsWith('np-vol-'));
    expect(inOrg).toHaveLength(ROWS);
    expect(new Set(inOrg.map((r) => r.northpass__External_Id__c)).size).toBe(ROWS);
    expect(inOrg.find((r) => r.northpass__External_Id__c === id(5))).toMatchObject({
      northpass__Learner_Email__c: 'learner5@acme.example',
    });
    const summary = JSON.parse(readFileSync(join(out, 'run-summary.json'), 'utf8')) as {
      input: number;
      upsert: { created: number; updated: number; failed: number; unprocessed: number };
    };
    expect(summary.input).toBe(ROWS);
    expect(summary.upsert).toMatchObject({ created: ROWS - EXISTING, updated: EXISTING, failed: 0, unprocessed: 0 });
  });
});
