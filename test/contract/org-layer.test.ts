// Contract tests: the org layer against responses transcribed from real orgs (recordings/*.json, each naming its
// sources and what it had to assume), served over HTTP to a real @salesforce/core Connection. The simulated org
// answers what we believe Salesforce answers; these answer what Salesforce was seen to answer, so a parse that
// only fits the simulator fails here.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { CsvScanner, recordTexts } from '../../src/core/csv-scanner.js';
import { type StopKind, stopKind } from '../../src/core/stops.js';
import { countApiCalls } from '../../src/org/api-calls.js';
import { bulkQueryCsv } from '../../src/org/bulk2-query.js';
import { closeJob, createUpsertJob, downloadResults, uploadFile, waitForJob } from '../../src/org/bulk2-ingest.js';
import { useClock } from '../../src/org/clock.js';
import { readInstalledPackages } from '../../src/org/installed-packages.js';
import { listComponents } from '../../src/org/metadata.js';
import { retryReads } from '../../src/org/read-retries.js';
import { type Replay, type Recording, loadRecording, startReplay } from './replay.js';

let replay: Replay | undefined;
const restores: Array<() => void> = [];

afterEach(async () => {
  while (restores.length > 0) restores.pop()?.();
  await replay?.stop();
  replay = undefined;
});

/** The connection as a command opens it: calls counted and reads retried, both patching the real transport. */
async function open(recording: Recording): Promise<Replay> {
  replay = await startReplay(recording);
  countApiCalls(replay.conn);
  retryReads(replay.conn);
  // Polls and backoffs read the org layer's clock; a clock whose sleeps return at once keeps the recorded
  // exchanges in order without waiting the recorded seconds.
  let t = Date.parse('2021-08-31T01:31:13Z');
  restores.push(
    useClock({
      now: () => t,
      sleep: (ms) => {
        t += ms;
        return Promise.resolve();
      },
    })
  );
  return replay;
}

/** Every recorded exchange was asked for, in order, and nothing else. */
function expectWholeConversation(r: Replay): void {
  expect(r.mismatches).toEqual([]);
  expect(r.unused()).toEqual([]);
}

function rows(csv: string): string[][] {
  const out: string[][] = [];
  const scanner = new CsvScanner('recorded results', (rec) => out.push(recordTexts(rec)));
  scanner.push(Buffer.from(csv, 'utf8'));
  scanner.end();
  return out;
}

describe('InstalledSubscriberPackage (Tooling API query)', () => {
  it('reads the recorded package and version into the installed list', async () => {
    const r = await open(loadRecording('installed-packages.json'));
    const listing = await readInstalledPackages(r.conn);
    expectWholeConversation(r);
    expect(listing).toEqual({
      readable: true,
      packages: [
        {
          packageId: '033i0000000ElVOAA0',
          name: 'Assumed Package Name',
          namespace: 'pub',
          versionId: '04ti0000000GSu9AAG',
          versionName: 'Assumed Version Name',
          version: { major: 1, minor: 5, patch: 0, build: 1 },
        },
      ],
    });
  });

  it('turns the recorded INVALID_TYPE refusal into "not readable" naming the missing permission', async () => {
    const r = await open(loadRecording('installed-packages-refused.json'));
    const listing = await readInstalledPackages(r.conn);
    expectWholeConversation(r);
    expect(listing).toEqual({
      readable: false,
      reason: expect.stringContaining("sObject type 'InstalledSubscriberPackage' is not supported"),
      missingPermission: 'Download AppExchange Packages',
    });
    // A 400 is an answer, not an outage: it is asked once, never retried.
    expect(r.seen).toHaveLength(1);
  });
});

describe('Bulk API 2.0 ingest', () => {
  it('creates, uploads, closes and follows the recorded job, then reads its quoted sf__ result headers', async () => {
    const recording = loadRecording('bulk2-ingest.json') as Recording & { upload: string };
    const r = await open(recording);
    const dir = mkdtempSync(join(tmpdir(), 'ce-contract-'));
    try {
      const file = join(dir, 'upload.csv');
      writeFileSync(file, recording.upload);
      const jobId = await createUpsertJob(r.conn, 'Account', 'Id');
      expect(jobId).toBe('750xx0000000001AAA');
      await uploadFile(r.conn, jobId, file);
      await closeJob(r.conn, jobId);
      const polls: string[] = [];
      const info = await waitForJob(r.conn, jobId, {
        pollIntervalMs: 5000,
        timeoutMs: 60_000,
        onPoll: (i) => polls.push(i.state),
        resumeHint: 'ce-connect backfill run --resume <dir>',
      });
      expect(polls).toEqual(['InProgress', 'JobComplete']);
      expect(info).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 4, numberRecordsFailed: 0 });

      const successful = rows(await downloadResults(r.conn, jobId, 'successful'));
      const failed = rows(await downloadResults(r.conn, jobId, 'failed'));
      const unprocessed = rows(await downloadResults(r.conn, jobId, 'unprocessed'));
      expectWholeConversation(r);

      // The backfill's merge finds its columns by these names; the org quotes them, the scanner must not keep
      // the quotes.
      expect(successful[0]).toEqual(['sf__Id', 'sf__Created', 'Id', 'Phone']);
      expect(successful.slice(1).map((row) => row[1])).toEqual(['false', 'false', 'false', 'false']);
      expect(successful[1]).toEqual(['001xx0000000001AAA', 'false', '001xx0000000001AAA', '881-222-2391']);
      expect(failed).toEqual([['sf__Id', 'sf__Error', 'Id', 'Phone']]);
      expect(unprocessed).toEqual([['Id', 'Phone']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Bulk API 2.0 query', () => {
  it('follows Sforce-Locator from the first page to the "null" of the last and hands over every row once', async () => {
    const r = await open(loadRecording('bulk2-query.json'));
    const pages: string[] = [];
    const progress: string[] = [];
    const result = await bulkQueryCsv(
      r.conn,
      'SELECT Id,Name, Phone from Account LIMIT 5',
      (page) => pages.push(page.toString('utf8')),
      { pollIntervalMs: 2000, timeoutMs: 60_000, maxRecords: 3, onProgress: (e) => progress.push(e.state) }
    );
    expectWholeConversation(r);
    expect(result).toEqual({ jobId: '750xx0000000002AAA', pages: 2, numberRecordsProcessed: 5 });
    const data = pages.flatMap((page) => rows(page).slice(1));
    expect(data.map((row) => row[0])).toEqual([
      '001xx0000000005AAA',
      '001xx0000000001AAA',
      '001xx0000000002AAA',
      '001xx0000000003AAA',
      '001xx0000000004AAA',
    ]);
    // The recorded empty Phone ("") is an empty value, not a missing column.
    expect(rows(pages[0])[1]).toEqual(['001xx0000000005AAA', 'Boone625 Inc', '']);
  });
});

describe('Metadata API SOAP faults', () => {
  it.each([
    [
      'an expired session (sf:INVALID_SESSION_ID)',
      'metadata-fault-invalid-session.json',
      /Invalid Session ID found in SessionHeader/,
      'session',
    ],
    [
      'a used-up API allowance (sf:REQUEST_LIMIT_EXCEEDED)',
      'metadata-fault-request-limit.json',
      /TotalRequests Limit exceeded/,
      'api-limit',
    ],
  ] as Array<[string, string, RegExp, StopKind]>)(
    '%s is its stop, asked once and not retried',
    async (_what, file, said, kind) => {
      const r = await open(loadRecording(file));
      const error = await listComponents(r.conn, 'Layout').then(
        () => undefined,
        (e: unknown) => e
      );
      expectWholeConversation(r);
      expect(error).toBeDefined();
      expect(String((error as Error).message)).toMatch(said);
      expect(stopKind(error)).toBe(kind);
    }
  );
});
