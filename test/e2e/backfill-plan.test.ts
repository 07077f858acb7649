import { jest } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

jest.setTimeout(60_000);

// The shipped config's column names (config/ce-connect.json, backfill section).
const ID = 'northpass__External_Id__c';
const TS = 'northpass__Last_Synced_At__c';

function workspace(exportText: string | Buffer, existingText = `${ID},${TS}\nE1,2025-12-10T00:00:00Z\n`): string {
  const dir = mkdtempSync(join(tmpdir(), 'ce-backfill-e2e-'));
  writeFileSync(join(dir, 'export.csv'), exportText);
  writeFileSync(join(dir, 'existing.csv'), existingText);
  return dir;
}

const EXPORT = [
  `${ID},northpass__Learner_Email__c,${TS}`,
  'N1,ann@example.com,2025-11-20T00:00:00Z',
  'E1,bob@example.com,2025-12-01T00:00:00Z',
  'B1,cy@example.com,2025-11-19',
  'N2,"=cmd|\' /C calc\'!A0",2025-12-01 08:00:00',
  'N2,dup@example.com,2025-11-30',
  ',nobody@example.com,2025-12-01',
].join('\r\n');

describe('ce-connect backfill plan (offline, --existing)', () => {
  it('removes what a killed plan of the same folder left behind, and nothing of a plan still running', async () => {
    const dir = workspace(EXPORT);
    const dead = join(dir, '.plan.2147483646.abcdef');
    const running = join(dir, `.plan.${process.pid}.ghijkl`);
    mkdirSync(dead);
    mkdirSync(running);
    writeFileSync(join(dead, 'upsert-001.csv'), 'learner data');
    const { exitCode } = await runCli([
      'backfill',
      'plan',
      '--export',
      join(dir, 'export.csv'),
      '--existing',
      join(dir, 'existing.csv'),
      '--out-dir',
      join(dir, 'plan'),
      '--json',
    ]);
    expect(exitCode).toBe(0);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(running)).toBe(true);
  });

  it('writes the outcome files and prints the summary as --json', async () => {
    const dir = workspace(EXPORT);
    const out = join(dir, 'plan');
    const { exitCode, json } = await runCli([
      'backfill',
      'plan',
      '--export',
      join(dir, 'export.csv'),
      '--existing',
      join(dir, 'existing.csv'),
      '--out-dir',
      out,
      '--json',
    ]);
    expect(exitCode).toBe(0);
    const result = json?.result as { summary: Record<string, unknown>; outDir: string; since: string };
    expect(result.since).toBe('2025-11-20T00:00:00.000Z');
    expect(result.summary).toEqual({
      input: 6,
      toUpsert: 2,
      skipped: { existingUpToDate: 1, beforeCutoff: 1, duplicateInFile: 1 },
      rejected: 1,
      files: ['to-upsert-001.csv'],
    });
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))).toEqual(result.summary);
    expect(readFileSync(join(out, 'to-upsert-001.csv'), 'utf8')).toBe(
      `${ID},northpass__Learner_Email__c,${TS}\r\nN1,ann@example.com,2025-11-20T00:00:00Z\r\nN2,"=cmd|' /C calc'!A0",2025-12-01 08:00:00\r\n`
    );
    for (const name of readdirSync(out)) expect(statSync(join(out, name)).mode & 0o777).toBe(0o600);
  });

  it('takes the column names and the cutoff from flags', async () => {
    const dir = workspace('key,changed\nA,2025-12-01\nB,2025-12-03\n', 'key\nA\n');
    const { exitCode, json } = await runCli([
      'backfill',
      'plan',
      '--export',
      join(dir, 'export.csv'),
      '--existing',
      join(dir, 'existing.csv'),
      '--out-dir',
      join(dir, 'out'),
      '--external-id-column',
      'key',
      '--timestamp-column',
      'changed',
      '--since',
      '2025-12-02T00:00:00+00:00',
      '--json',
    ]);
    expect(exitCode).toBe(0);
    expect(
      (json?.result as { summary: { toUpsert: number; skipped: { beforeCutoff: number } } }).summary
    ).toMatchObject({
      toUpsert: 1,
      skipped: { beforeCutoff: 1 },
    });
  });

  it.each([
    ['a missing column', `id,${TS}\nA,2025-12-01\n`, [], /no column named "northpass__External_Id__c"/],
    [
      'a file that is not UTF-8',
      Buffer.concat([Buffer.from(`${ID},${TS}\n`), Buffer.from([0xe9, 0x0a])]),
      [],
      /byte offset 55/,
    ],
    ['a bad --since', EXPORT, ['--since', 'last tuesday'], /--since "last tuesday"/],
  ])('exits 2 on %s and writes nothing', async (_name, exportText, extra, message) => {
    const dir = workspace(exportText);
    const { exitCode, json } = await runCli([
      'backfill',
      'plan',
      '--export',
      join(dir, 'export.csv'),
      '--existing',
      join(dir, 'existing.csv'),
      '--out-dir',
      join(dir, 'out'),
      ...extra,
      '--json',
    ]);
    expect(exitCode).toBe(2);
    expect(json?.message).toMatch(message);
    expect(readdirSync(dir).sort()).toEqual(['existing.csv', 'export.csv']);
  });

  it('exits 2 when neither --existing nor -o is given, or the export does not exist', async () => {
    const dir = workspace(EXPORT);
    const neither = await runCli([
      'backfill',
      'plan',
      '--export',
      join(dir, 'export.csv'),
      '--out-dir',
      join(dir, 'o'),
    ]);
    expect(neither.exitCode).toBe(2);
    expect(neither.stderr).toMatch(/existing|target-org/);
    const missing = await runCli([
      'backfill',
      'plan',
      '--export',
      join(dir, 'nope.csv'),
      '--existing',
      join(dir, 'existing.csv'),
      '--out-dir',
      join(dir, 'o'),
      '--json',
    ]);
    expect(missing.exitCode).toBe(2);
    expect(missing.json?.message).toContain('nope.csv');
    expect(existsSync(join(dir, 'o'))).toBe(false);
  });
});
