import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { PROJECT_ROOT, runCli } from '../helpers/cli.js';

jest.setTimeout(60_000);

describe('ce-connect CLI conventions', () => {
  it('lists its commands in --help', async () => {
    const { exitCode, stdout } = await runCli(['--help']);
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/config/);
  });

  it('prints its version', async () => {
    const { exitCode, stdout } = await runCli(['--version']);
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/^ce-connect\/\d+\.\d+\.\d+/);
  });

  it('config check passes on the shipped config with a {status, result, warnings} envelope', async () => {
    const { exitCode, json } = await runCli(['config', 'check', '--json']);
    expect(exitCode).toBe(0);
    expect(json?.status).toBe(0);
    expect(Object.keys(json ?? {}).sort()).toEqual(['result', 'status', 'warnings']);
    expect((json?.result as { valid: boolean }).valid).toBe(true);
  });

  it('config check exits 2 and names the JSON path of a bad value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ce-config-'));
    const config = JSON.parse(readFileSync(join(PROJECT_ROOT, 'config', 'ce-connect.json'), 'utf8'));
    config.packages[1].minimumVersion = 'one';
    const file = join(dir, 'broken.json');
    writeFileSync(file, JSON.stringify(config));
    const { exitCode, json } = await runCli(['config', 'check', '--config', file, '--json']);
    expect(exitCode).toBe(2);
    expect(json?.status).toBe(2);
    expect(json?.message).toContain('/packages/1/minimumVersion');
    expect(json?.actions?.length).toBeGreaterThan(0);
  });

  it('exits 2 on an unknown flag', async () => {
    const { exitCode, stderr } = await runCli(['config', 'check', '--no-such-flag']);
    expect(exitCode).toBe(2);
    expect(stderr).toContain('--no-such-flag');
  });

  it('exits 2 when the config file does not exist', async () => {
    const { exitCode, json } = await runCli(['config', 'check', '--config', '/nonexistent/ce.json', '--json']);
    expect(exitCode).toBe(2);
    expect(json?.message).toContain('/nonexistent/ce.json');
    // The envelope is for people and scripts: no stack trace, no library internals.
    expect(json).not.toHaveProperty('stack');
    expect(json).not.toHaveProperty('cause');
  });

  it('treats an org name sf does not know as bad usage (exit 2) with the login command', async () => {
    const { exitCode, json } = await runCli(['packages', 'check', '-o', 'no-such-alias', '--json']);
    expect(exitCode).toBe(2);
    expect(json?.actions?.join(' ')).toContain('sf org login web');
  });

  it('loads one copy of each module: an org-layer error is the class the commands check for (built lib/)', () => {
    // The same files the CLI runs, in a plain Node process (no jest module registry in between).
    const script = `
      import { SfError } from '@salesforce/core';
      import { CeError, InputError } from './lib/core/errors.js';
      import { readBackup } from './lib/org/layout-backup.js';
      try {
        readBackup('/nonexistent-backup');
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
    const { exitCode, json } = await runCli([
      'backfill',
      'plan',
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

  it('shows the bare bin without the ce topic in help, and accepts the topic too', async () => {
    const help = await runCli(['packages', 'check', '--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('$ ce-connect packages check -o prod');
    expect(help.stdout).not.toContain('ce-connect ce ');
    const withTopic = await runCli(['ce', 'config', 'check', '--json']);
    expect(withTopic.exitCode).toBe(0);
  });
});
