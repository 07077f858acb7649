import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BackfillPlan from '../../src/commands/ce/backfill/plan.js';
import { resultOf, runCommand } from '../helpers/command.js';

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
    // The plan runs in this process now: another live process (jest's parent) stands for a plan still running,
    // and this process's own leftover is not touched either.
    const running = join(dir, `.plan.${process.ppid}.ghijkl`);
    const own = join(dir, `.plan.${process.pid}.mnopqr`);
    mkdirSync(dead);
    mkdirSync(running);
    mkdirSync(own);
    writeFileSync(join(dead, 'upsert-001.csv'), 'learner data');
    const { exitCode } = await runCommand(BackfillPlan, [
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
    expect(existsSync(own)).toBe(true);
  });

  it('writes the outcome files and prints the summary as --json', async () => {
    const dir = workspace(EXPORT);
    const out = join(dir, 'plan');
    const planned = await runCommand(BackfillPlan, [
      '--export',
      join(dir, 'export.csv'),
      '--existing',
      join(dir, 'existing.csv'),
      '--out-dir',
      out,
      '--json',
    ]);
    expect(planned.exitCode).toBe(0);
    const result = resultOf(planned);
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
    const planned = await runCommand(BackfillPlan, [
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
    expect(planned.exitCode).toBe(0);
    expect(resultOf(planned).summary).toMatchObject({
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
    const { exitCode, json } = await runCommand(BackfillPlan, [
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
    const neither = await runCommand(BackfillPlan, ['--export', join(dir, 'export.csv'), '--out-dir', join(dir, 'o')]);
    expect(neither.exitCode).toBe(2);
    expect(neither.stderr).toMatch(/existing|target-org/);
    const missing = await runCommand(BackfillPlan, [
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
