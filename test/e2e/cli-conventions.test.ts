import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  });

  it('treats an org name sf does not know as bad usage (exit 2) with the login command', async () => {
    const { exitCode, json } = await runCli(['packages', 'check', '-o', 'no-such-alias', '--json']);
    expect(exitCode).toBe(2);
    expect(json?.actions?.join(' ')).toContain('sf org login web');
  });
});
