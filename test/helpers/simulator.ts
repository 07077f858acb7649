// Starts a simulated org in the test process and logs the real `sf` CLI into it, the way an admin would
// (`sf org login access-token`), in a throw-away HOME. One login per test file is enough: reset the org with
// `session.sim.reset(scenario)` between tests; the access token survives resets.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Simulator, startSimulator } from '../../simulator/server.js';
import type { Scenario } from '../../simulator/types.js';
import { type CliOptions, type CliResult, PROJECT_ROOT, runCli } from './cli.js';

const SF = join(PROJECT_ROOT, 'node_modules', '@salesforce', 'cli', 'bin', 'run.js');

export type SimSession = {
  sim: Simulator;
  /** HOME and the sf switches for child processes that use this login. */
  env: NodeJS.ProcessEnv;
  home: string;
  /** The sf alias of the admin login. */
  alias: string;
  /** Runs ce-connect with this login; adds `-o <alias>` unless args already name a target org. */
  run(args: string[], options?: CliOptions): Promise<CliResult>;
  /** Logs another scenario user in under an alias (for least-privilege tests). */
  loginAs(username: string, alias: string): Promise<void>;
  stop(): Promise<void>;
};

export type SimSessionOptions = {
  scenario?: string | Scenario;
  requestLog?: string;
  /** HOME for the sf login; a new temporary folder by default. */
  home?: string;
  alias?: string;
};

export function sfEnv(home: string): NodeJS.ProcessEnv {
  return {
    HOME: home,
    USERPROFILE: home,
    SF_DISABLE_TELEMETRY: 'true',
    SF_DISABLE_AUTOUPDATE: 'true',
    SF_SKIP_NEW_VERSION_CHECK: 'true',
    SF_DISABLE_LOG_FILE: 'true',
    SF_USE_PROGRESS_BAR: 'false',
  };
}

/** `sf org login access-token` with the token in SF_ACCESS_TOKEN, as the sf docs describe for scripts. */
export function sfLogin(
  instanceUrl: string,
  accessToken: string,
  alias: string,
  env: NodeJS.ProcessEnv
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [SF, 'org', 'login', 'access-token', '--instance-url', instanceUrl, '--alias', alias, '--no-prompt', '--json'],
      { env: { ...process.env, ...env, SF_ACCESS_TOKEN: accessToken }, stdio: ['ignore', 'pipe', 'pipe'] }
    );
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`sf org login failed (${code}): ${output}`))
    );
  });
}

export async function startSimSession(options: SimSessionOptions = {}): Promise<SimSession> {
  const sim = await startSimulator({ scenario: options.scenario ?? 'ready', requestLog: options.requestLog });
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'ce-connect-sim-home-'));
  const env = sfEnv(home);
  const alias = options.alias ?? 'sim';
  try {
    await sfLogin(sim.instanceUrl, sim.accessToken, alias, env);
  } catch (error) {
    await sim.stop();
    throw error;
  }
  // The login's own requests are not part of any test's budget.
  sim.requests.length = 0;
  return {
    sim,
    env,
    home,
    alias,
    run(args, runOptions = {}) {
      const named = args.some((a) => a === '-o' || a === '--target-org' || a.startsWith('--target-org='));
      return runCli(named ? args : [...args, '-o', alias], { ...runOptions, env: { ...env, ...runOptions.env } });
    },
    async loginAs(username, otherAlias) {
      await sfLogin(sim.instanceUrl, sim.tokenFor(username), otherAlias, env);
      sim.requests.length = 0;
    },
    stop: () => sim.stop(),
  };
}
