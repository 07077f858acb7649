import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CeConfig } from '../src/core/config.js';
import { fixIntegrationUserAsConfigured } from '../simulator/admin-playbook.js';
import { type Simulator, startSimulator } from '../simulator/server.js';
import { sfEnv, sfLogin } from '../test/helpers/simulator.js';
import type { CommandRun } from './setup-report.js';

/**
 * One side of `npm run bench:setup`: a simulated org started fresh from the scenario, with the integration user
 * already fixed the way the admin does it in Setup (so every setup step can pass), and the real `sf` CLI logged
 * into it in a throw-away HOME. Every command run through it is timed and charged the API requests the
 * simulator logged while it ran; the login handshake is not charged to anyone.
 */
export const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
export const CE_CONNECT = join(ROOT, 'bin', 'run.js');
export const SF = join(ROOT, 'node_modules', '@salesforce', 'cli', 'bin', 'run.js');
export const ALIAS = 'sim';

export type Output = { exitCode: number; stdout: string; stderr: string; json?: unknown };

export type BenchSide = {
  sim: Simulator;
  /** Scratch folder of this side (a project for sf, backups, backfill files). */
  dir: string;
  runs: CommandRun[];
  /** Runs `node <script> ...args -o sim --json` in `dir`, records it, and returns its output. */
  exec(step: string, script: string, args: string[], display: string): Promise<Output>;
  /** Times work done between commands (a scripted file edit); it makes no API calls, and the log proves it. */
  local<T>(step: string, display: string, work: () => T): T;
  /** Runs a command whose requests are not charged to the side (the end-state check). */
  uncounted(script: string, args: string[]): Promise<Output>;
  stop(): Promise<void>;
};

/** Runs `node <script> ...args` to its end, its output kept (and its stdout read as JSON when it is). */
export function spawnNode(script: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Output> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', NODE_NO_WARNINGS: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolvePromise({ exitCode: code ?? 1, stdout, stderr, json });
    });
  });
}

export async function openSide(scenario: string, config: CeConfig): Promise<BenchSide> {
  const sim = await startSimulator({ scenario });
  const dir = mkdtempSync(join(tmpdir(), 'ce-bench-setup-'));
  const home = join(dir, 'home');
  const env = sfEnv(home);
  const runs: CommandRun[] = [];
  try {
    fixIntegrationUserAsConfigured(sim.org, config);
    // The admin's own project: sf's project commands need one, and this keeps them away from the repository.
    writeFileSync(
      join(dir, 'sfdx-project.json'),
      JSON.stringify({ packageDirectories: [{ path: 'force-app', default: true }], sourceApiVersion: '65.0' })
    );
    // ce-connect reads the config of the project it runs in, as an admin's project holds one.
    mkdirSync(join(dir, 'config'));
    writeFileSync(join(dir, 'config', 'ce-connect.json'), JSON.stringify(config, null, 2));
    await sfLogin(sim.instanceUrl, sim.accessToken, ALIAS, env);
  } catch (error) {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  sim.requests.length = 0;

  const charge = (step: string, command: string, started: bigint, from: number, exitCode: number): CommandRun => {
    const requests = sim.requests.slice(from);
    const run: CommandRun = {
      step,
      command,
      exitCode,
      ms: Number(process.hrtime.bigint() - started) / 1e6,
      apiCalls: requests.length,
      writes: requests.filter((r) => r.write).length,
      byApi: {},
    };
    for (const request of requests) run.byApi[request.api] = (run.byApi[request.api] ?? 0) + 1;
    runs.push(run);
    return run;
  };

  return {
    sim,
    dir,
    runs,
    async exec(step, script, args, display) {
      const from = sim.requests.length;
      const started = process.hrtime.bigint();
      const output = await spawnNode(script, [...args, '-o', ALIAS, '--json'], dir, env);
      charge(step, display, started, from, output.exitCode);
      return output;
    },
    local(step, display, work) {
      const from = sim.requests.length;
      const started = process.hrtime.bigint();
      const value = work();
      charge(step, display, started, from, 0);
      return value;
    },
    async uncounted(script, args) {
      const from = sim.requests.length;
      const output = await spawnNode(script, [...args, '-o', ALIAS, '--json'], dir, env);
      sim.requests.length = from;
      return output;
    },
    async stop() {
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
