import { jest } from '@jest/globals';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT, runCli } from '../helpers/cli.js';
import { sfEnv, sfLogin } from '../helpers/simulator.js';

jest.setTimeout(120_000);

const SIMULATOR = ['--import', 'tsx', join(PROJECT_ROOT, 'simulator', 'main.ts')];

type Started = {
  instanceUrl: string;
  accessToken: string;
  username: string;
  orgs: Array<{ key: string; instanceUrl: string; accessToken: string; username: string }>;
};

/** Starts `npm run simulator`'s entry point (through tsx, as npm does) and resolves with its one JSON line. */
function start(args: string[]): Promise<{ child: ChildProcessWithoutNullStreams; ready: Started }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...SIMULATOR, ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve({ child, ready: JSON.parse(line) as Started });
    });
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('close', (code) => reject(new Error(`simulator start exited ${code}: ${err}`)));
  });
}

const exited = (child: ChildProcessWithoutNullStreams): Promise<number | null> =>
  new Promise((resolve) => child.on('close', (code) => resolve(code)));

describe('npm run simulator', () => {
  it('prints one JSON line, serves an sf login and a command, logs every request, injects CLI faults and stops on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ce-sim-start-'));
    const log = join(dir, 'requests.jsonl');
    const { child, ready } = await start([
      '--scenario',
      'outdated',
      '--request-log',
      log,
      '--fault',
      'GET /tooling/query 503x1',
    ]);
    try {
      expect(ready.instanceUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(ready.username).toBe('admin@acme.example');
      const home = mkdtempSync(join(tmpdir(), 'ce-sim-home-'));
      // The login's own Tooling query (SandboxProcess) takes the one 503 and is retried.
      await sfLogin(ready.instanceUrl, ready.accessToken, 'sim', sfEnv(home));
      const { exitCode, json } = await runCli(['packages', 'check', '-o', 'sim', '--json'], { env: sfEnv(home) });
      expect(exitCode).toBe(1);
      expect((json?.result as { fix: string }).fix).toBe('ce-connect packages install -o sim');

      const control = await fetch(`${ready.instanceUrl}/__sim/requests`);
      const requests = (await control.json()) as Array<{ path: string; status: number }>;
      expect(requests.some((r) => r.path.startsWith('/__sim'))).toBe(false);

      const lines = readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines).toHaveLength(requests.length);
      expect(lines[0]).toEqual(
        expect.objectContaining({
          method: 'GET',
          path: '/services/oauth2/userinfo',
          status: 200,
          write: false,
          api: 'auth',
        })
      );
      expect(lines.filter((l) => l.api === 'tooling').map((l) => l.status)).toEqual([503, 200, 200]);
      expect(lines.every((l) => l.write === false)).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited(child)).toBe(0);
  });

  it('answers unsupported SOQL with MALFORMED_QUERY and unknown objects with INVALID_TYPE, and serves --org beside it', async () => {
    const { child, ready } = await start(['--scenario', 'ready', '--org', 'devhub=devhub']);
    try {
      const ask = async (soql: string, org: { instanceUrl: string; accessToken: string } = ready) => {
        const res = await fetch(`${org.instanceUrl}/services/data/v62.0/query?q=${encodeURIComponent(soql)}`, {
          headers: { Authorization: `Bearer ${org.accessToken}` },
        });
        return { status: res.status, body: (await res.json()) as Array<{ errorCode: string }> };
      };
      expect(ready.orgs.map((o) => [o.key, o.username])).toEqual([
        ['ready', 'admin@acme.example'],
        ['devhub', 'admin@acme.example.devhub'],
      ]);
      const devhub = ready.orgs[1];
      expect(devhub.instanceUrl).not.toBe(ready.instanceUrl);
      expect((await ask('SELECT Id FROM ScratchOrgInfo LIMIT 1', devhub)).status).toBe(200);
      expect((await ask('SELECT Id FROM ScratchOrgInfo LIMIT 1')).body[0].errorCode).toBe('INVALID_TYPE');
      const grouped = await ask('SELECT LastName, COUNT(Id) FROM Contact GROUP BY LastName');
      expect(grouped.status).toBe(400);
      expect(grouped.body[0].errorCode).toBe('MALFORMED_QUERY');
      expect((await ask('SELECT Id FROM Widget__c')).body[0].errorCode).toBe('INVALID_TYPE');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited(child)).toBe(0);
  });

  it('exits 2 and names the shipped scenarios for an unknown scenario', async () => {
    const child = spawn(process.execPath, [...SIMULATOR, '--scenario', 'no-such-org'], { cwd: PROJECT_ROOT });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    expect(await exited(child)).toBe(2);
    expect(stderr).toContain('fresh, outdated, ready');
  });
});
