import { jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT, runCli } from '../helpers/cli.js';
import { type SimSession, startSimSession } from '../helpers/simulator.js';

jest.setTimeout(180_000);

const SF = join(PROJECT_ROOT, 'node_modules', '@salesforce', 'cli', 'bin', 'run.js');

type Run = { exitCode: number; stdout: string; stderr: string };

function sf(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SF, ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', NODE_ENV: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ exitCode: code ?? -1, stdout, stderr }));
  });
}

// The sf front door: this checkout linked into the project's own pinned sf CLI, in the session's throw-away HOME.
// Processes, because what is tested is sf finding, loading and running the plugin.
describe('sf ce, after sf plugins link', () => {
  let session: SimSession;

  beforeAll(async () => {
    session = await startSimSession({ scenario: 'outdated' });
    const link = await sf(['plugins', 'link', PROJECT_ROOT, '--no-install'], session.env);
    expect(link.exitCode).toBe(0);
  });
  afterAll(() => session.stop());

  it('lists every command of the ce topic', async () => {
    // Read at run time: the manifest is a build output, and the type check runs beside the build.
    const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'oclif.manifest.json'), 'utf8')) as {
      commands: Record<string, unknown>;
    };
    const help = await sf(['ce', '--help'], session.env);
    expect(help.exitCode).toBe(0);
    const ids = Object.keys(manifest.commands);
    expect(ids.length).toBeGreaterThan(15);
    for (const id of ids.filter((x) => x.split(':').length === 2)) {
      expect(help.stdout).toContain(id.replace(':', ' '));
    }
  });

  it('gives the same result and exit code as npx ce-connect for packages check, naming commands as sf ce', async () => {
    const viaSf = await sf(['ce', 'packages', 'check', '-o', session.alias, '--json'], session.env);
    const viaBin = await runCli(['packages', 'check', '-o', session.alias, '--json'], { env: session.env });
    expect(viaSf.exitCode).toBe(1);
    expect(viaBin.exitCode).toBe(1);
    const fromSf = JSON.stringify(JSON.parse(viaSf.stdout).result);
    const fromBin = JSON.stringify(viaBin.json?.result);
    expect(fromBin).toContain(`"fix":"ce-connect packages install -o ${session.alias}"`);
    expect(fromSf).not.toContain('ce-connect packages');
    expect(fromSf).toBe(fromBin.replaceAll('ce-connect packages', 'sf ce packages'));

    const human = await sf(['ce', 'packages', 'check', '-o', session.alias], session.env);
    expect(human.exitCode).toBe(1);
    expect(human.stdout).toContain('sf ce packages install -o');
    expect(human.stdout).not.toContain('ce-connect packages');
  });

  it('names the sf ce command in an error and its actions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ce-config-'));
    const config = join(dir, 'ce-connect.json');
    writeFileSync(config, '{ "packages": ');
    const run = await sf(['ce', 'layouts', 'apply', '-o', session.alias, '--config', config, '--dry-run'], session.env);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('then run `sf ce config check`');
    expect(run.stderr).not.toContain('ce-connect config');
  });
});
