// Starts a simulated org in the test process and logs into it through @salesforce/core, as
// `sf org login access-token` does (AuthInfo saved, alias set), in the test file's throw-away HOME. One login per
// test file is enough: reset the org with `session.sim.reset(scenario)` between tests; the access token survives
// resets. Commands then run in process (`session.run`), or, where a process matters, as a child with the
// same HOME (`session.env`).
import { spawn } from 'node:child_process';
import os from 'node:os';
import { join } from 'node:path';
import { AuthInfo } from '@salesforce/core';
import { type Clock, useClock } from '../../src/org/clock.js';
import { type Simulator, startSimulator } from '../../simulator/server.js';
import type { Scenario } from '../../simulator/types.js';
import { PROJECT_ROOT } from './cli.js';
import { type CommandClass, type CommandOptions, type CommandOutcome, runCommand } from './command.js';

const SF = join(PROJECT_ROOT, 'node_modules', '@salesforce', 'cli', 'bin', 'run.js');

export type SimSession = {
  sim: Simulator;
  /** HOME and the sf switches for child processes that use this login. */
  env: NodeJS.ProcessEnv;
  home: string;
  /** The sf alias of the admin login. */
  alias: string;
  /** Runs a command in process with this login; adds `-o <alias>` unless argv already names a target org. */
  run<R>(Command: CommandClass<R>, argv: string[], options?: CommandOptions): Promise<CommandOutcome<R>>;
  /** Logs another scenario user in under an alias (for least-privilege tests). */
  loginAs(username: string, alias: string): Promise<void>;
  stop(): Promise<void>;
};

export type SimSessionOptions = {
  scenario?: string | Scenario;
  requestLog?: string;
  alias?: string;
  /**
   * The clock commands see: 'simulated' (default) makes every wait of the org layer move the simulated org's
   * clock instead of waiting, so a 20-minute poll schedule runs in milliseconds with the same requests;
   * 'real' keeps real time (for tests that act on the org while a command waits).
   */
  clock?: 'simulated' | 'real';
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

/** What `sf org login access-token` stores, done in process: the auth file and the alias. */
export async function loginInProcess(instanceUrl: string, accessToken: string, alias: string): Promise<string> {
  const authInfo = await AuthInfo.create({
    accessTokenOptions: { accessToken, instanceUrl, loginUrl: instanceUrl },
  });
  await authInfo.save();
  await authInfo.handleAliasAndDefaultSettings({ alias, setDefault: false, setDefaultDevHub: false });
  return authInfo.getUsername();
}

/**
 * The simulated orgs' clock as the tool's: a sleep moves the clock of every org of the simulator on by as much and
 * returns at once (after one turn of the event loop, so pending requests and timers run), and "now" moves with it.
 */
export function simulatedClock(sim: Simulator): Clock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    sleep: async (ms, signal) => {
      if (signal?.aborted || ms <= 0) return;
      offset += ms;
      sim.advance(ms);
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

export async function startSimSession(options: SimSessionOptions = {}): Promise<SimSession> {
  const sim = await startSimulator({ scenario: options.scenario ?? 'ready', requestLog: options.requestLog });
  const home = os.homedir();
  const alias = options.alias ?? 'sim';
  try {
    await loginInProcess(sim.instanceUrl, sim.accessToken, alias);
  } catch (error) {
    await sim.stop();
    throw error;
  }
  const restoreClock = options.clock === 'real' ? () => undefined : useClock(simulatedClock(sim));
  // The login's own requests are not part of any test's budget.
  sim.requests.length = 0;
  return {
    sim,
    env: sfEnv(home),
    home,
    alias,
    run(Command, argv, runOptions) {
      const named = argv.some((a) => a === '-o' || a === '--target-org' || a.startsWith('--target-org='));
      return runCommand(Command, named ? argv : [...argv, '-o', alias], runOptions);
    },
    async loginAs(username, otherAlias) {
      await loginInProcess(sim.instanceUrl, sim.tokenFor(username), otherAlias);
      sim.requests.length = 0;
    },
    stop: async () => {
      restoreClock();
      await sim.stop();
    },
  };
}
