import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import BackfillPlan from '../../src/commands/ce/backfill/plan.js';
import ConfigCheck from '../../src/commands/ce/config/check.js';
import PackagesCheck from '../../src/commands/ce/packages/check.js';
import { PROJECT_ROOT } from '../helpers/cli.js';
import { runCommand } from '../helpers/command.js';

describe('ce-connect CLI conventions', () => {
  // Run in process (test/helpers/command.ts); the bin's own flags and start-up are in front-doors.test.ts.
  it('config check passes on the shipped config with a {status, result, warnings} envelope', async () => {
    const { exitCode, json, result } = await runCommand(ConfigCheck, ['--json']);
    expect(exitCode).toBe(0);
    expect(json?.status).toBe(0);
    expect(Object.keys(json ?? {}).sort()).toEqual(['result', 'status', 'warnings']);
    expect(result?.valid).toBe(true);
  });

  it('config check exits 2 and names the JSON path of a bad value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ce-config-'));
    const config = JSON.parse(readFileSync(join(PROJECT_ROOT, 'config', 'ce-connect.json'), 'utf8'));
    config.packages[1].minimumVersion = 'one';
    const file = join(dir, 'broken.json');
    writeFileSync(file, JSON.stringify(config));
    const { exitCode, json } = await runCommand(ConfigCheck, ['--config', file, '--json']);
    expect(exitCode).toBe(2);
    expect(json?.status).toBe(2);
    expect(json?.message).toContain('/packages/1/minimumVersion');
    expect(json?.actions?.length).toBeGreaterThan(0);
  });

  it('exits 2 when the config file does not exist', async () => {
    const { exitCode, json } = await runCommand(ConfigCheck, ['--config', '/nonexistent/ce.json', '--json']);
    expect(exitCode).toBe(2);
    expect(json?.message).toContain('/nonexistent/ce.json');
    // The envelope is for people and scripts: no stack trace, no library internals.
    expect(json).not.toHaveProperty('stack');
    expect(json).not.toHaveProperty('cause');
  });

  it('treats an org name sf does not know as bad usage (exit 2) with the login command', async () => {
    const { exitCode, json } = await runCommand(PackagesCheck, ['-o', 'no-such-alias', '--json']);
    expect(exitCode).toBe(2);
    expect(json?.actions?.join(' ')).toContain('sf org login web');
  });

  it('loads one copy of each module: an org-layer error is the class the commands check for (built lib/)', () => {
    // The same files the CLI runs, in a plain Node process (no jest module registry in between).
    const script = `
      import { SfError } from '@salesforce/core';
      import { CeError, InputError } from './lib/core/errors.js';
      import { LAYOUTS, readBackup } from './lib/org/backup.js';
      try {
        readBackup(LAYOUTS, '/nonexistent-backup');
      } catch (error) {
        console.log(JSON.stringify({
          ce: error instanceof CeError, input: error instanceof InputError, sf: error instanceof SfError,
          name: error.name, exitCode: error.exitCode, actions: error.actions,
        }));
      }`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    const seen = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(seen).toMatchObject({ ce: true, input: true, sf: true, name: 'InvalidBackup', exitCode: 2 });
    expect((seen.actions as string[]).length).toBeGreaterThan(0);
  });

  it('renders an error raised below the command as sf does: its name, exit code 2 and its actions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ce-export-'));
    const file = join(dir, 'export.csv');
    // Latin-1 "é" (0xE9) in what must be UTF-8: the core CSV scanner refuses it.
    writeFileSync(file, Buffer.concat([Buffer.from('External_Id,Email\nx1,'), Buffer.from([0xe9]), Buffer.from('\n')]));
    const { exitCode, json } = await runCommand(BackfillPlan, [
      '--export',
      file,
      '--existing',
      file,
      '--out-dir',
      join(dir, 'plan'),
      '--json',
    ]);
    expect(exitCode).toBe(2);
    expect(json?.status).toBe(2);
    expect(json?.name).toBe('CsvNotUtf8');
    expect(json?.message).toContain('byte offset');
    expect(json?.message).toContain('That is on line 2.');
    expect(json?.actions?.join(' ')).toContain('CSV UTF-8');
  });
});
