// Runs a ce-connect command in the test process, the way the sf plugins test theirs: `Command.run(argv, config)`
// with the oclif Config loaded once per test file. What the admin would see is captured as the CLI produces it:
// stdout and stderr, the `--json` envelope and the exit code (sf sets process.exitCode; a thrown error carries
// its own). No process is spawned, so a test costs its requests, not a Node start-up.
import { format } from 'node:util';
import { Config } from '@oclif/core';
import { Lifecycle } from '@salesforce/core';
import { SfCommand } from '@salesforce/sf-plugins-core';
import { PROJECT_ROOT } from './cli.js';

/** The `--json` envelope sf prints: `result` on success, the error's fields on failure. */
export type Envelope<R> = {
  status: number;
  result?: R;
  warnings?: string[];
  name?: string;
  message?: string;
  actions?: string[];
  data?: unknown;
  exitCode?: number;
  code?: string;
};

export type CommandOutcome<R> = {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The parsed envelope, when the command ran with `--json`. */
  json?: Envelope<R>;
  /** The command's result: from the envelope under `--json`, else the value run() returned. */
  result?: R;
  /** What the command threw (its name is not printed without `--json`). */
  error?: Error;
  /** The questions the command asked at its prompts, in order (with `answers`). */
  prompts: string[];
};

export type CommandOptions = {
  cwd?: string;
  /** Variables set for this run only (undefined unsets one). */
  env?: Record<string, string | undefined>;
  /**
   * The admin at a terminal: stdin is a TTY for this run, and each yes/no prompt (SfCommand.confirm) takes the next
   * answer. A prompt beyond the list fails the run, as a test that did not expect it should.
   */
  answers?: boolean[];
};

/** A ce-connect command class: what `Command.run` needs, and the result type its run() promises. */
export type CommandClass<R> = (new (argv: string[], config: Config) => SfCommand<R>) & {
  id?: string;
  summary?: string;
};

/** What oclif's static `Command.run(argv, config)` does, kept typed: construct, then the protected `_run`. */
function start<R>(Command: CommandClass<R>, argv: string[], config: Config): Promise<R> {
  const command = new Command(argv, config) as unknown as { _run(): Promise<R> };
  return command._run();
}

let config: Promise<Config> | undefined;

/** The project's oclif Config, loaded once per test file (jest gives every file its own module registry). */
export function cliConfig(): Promise<Config> {
  config ??= Config.load({ root: PROJECT_ROOT });
  return config;
}

/** oclif sets a command's id when it loads the class from its manifest; a class imported directly has none. */
async function ensureId<R>(Command: CommandClass<R>): Promise<void> {
  if (Command.id) return;
  const matches = (await cliConfig()).commands.filter((c) => c.summary === Command.summary);
  if (matches.length !== 1) throw new Error(`No single command in the manifest has the summary "${Command.summary}"`);
  Command.id = matches[0].id;
}

function withEnv(env: CommandOptions['env']): () => void {
  const saved = Object.entries(env ?? {}).map(([key, value]) => {
    const before = process.env[key];
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
    return [key, before] as const;
  });
  return () => {
    for (const [key, before] of saved.reverse()) {
      if (before === undefined) delete process.env[key];
      else process.env[key] = before;
    }
  };
}

type Write = typeof process.stdout.write;

function notATerminal(stream: object): () => void {
  const own = Object.getOwnPropertyDescriptor(stream, 'isTTY');
  Object.defineProperty(stream, 'isTTY', { value: false, configurable: true, writable: true });
  return () => {
    if (own) Object.defineProperty(stream, 'isTTY', own);
    else delete (stream as { isTTY?: boolean }).isTTY;
  };
}

/**
 * Collects what is written to stdout and stderr until the returned function is called: through the streams
 * (spinners) and through console.log/error, which oclif's ux uses (and which jest would otherwise decorate).
 */
function capture(): { out: () => string; err: () => string; restore: () => void } {
  let out = '';
  let err = '';
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  const { log, error, warn, info } = console;
  // Output goes to a string, not a terminal: commands print as they do in a CI log, whatever runs jest.
  const restoreTty = [process.stdout, process.stderr, process.stdin].map(notATerminal);
  const collect =
    (append: (text: string) => void): Write =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      append(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      const callback = rest.find((r): r is () => void => typeof r === 'function');
      callback?.();
      return true;
    };
  process.stdout.write = collect((t) => (out += t));
  process.stderr.write = collect((t) => (err += t));
  const toOut = (...args: unknown[]): void => void (out += `${format(...args)}\n`);
  const toErr = (...args: unknown[]): void => void (err += `${format(...args)}\n`);
  Object.assign(console, { log: toOut, info: toOut, error: toErr, warn: toErr });
  return {
    out: () => out,
    err: () => err,
    restore: () => {
      process.stdout.write = stdout;
      process.stderr.write = stderr;
      Object.assign(console, { log, error, warn, info });
      for (const restore of restoreTty) restore();
    },
  };
}

/** Answers SfCommand's prompts from a list, with stdin a terminal (commands prompt only then). */
function answering(answers: boolean[], asked: string[]): () => void {
  const tty = Object.getOwnPropertyDescriptor(process.stdin, 'isTTY');
  Object.defineProperty(process.stdin, 'isTTY', { value: true, configurable: true, writable: true });
  const prototype = SfCommand.prototype as unknown as { confirm: (options: { message: string }) => Promise<boolean> };
  const confirm = Object.getOwnPropertyDescriptor(prototype, 'confirm') as PropertyDescriptor;
  const queue = answers.slice();
  prototype.confirm = ({ message }): Promise<boolean> => {
    asked.push(message);
    const answer = queue.shift();
    if (answer === undefined) return Promise.reject(new Error(`Unexpected prompt: ${message}`));
    return Promise.resolve(answer);
  };
  return () => {
    Object.defineProperty(prototype, 'confirm', confirm);
    if (tty) Object.defineProperty(process.stdin, 'isTTY', tty);
    else delete (process.stdin as { isTTY?: boolean }).isTTY;
  };
}

/** Runs one command in process and reports it as the CLI would have. */
export async function runCommand<R>(
  Command: CommandClass<R>,
  argv: string[],
  options: CommandOptions = {}
): Promise<CommandOutcome<R>> {
  const loaded = await cliConfig();
  await ensureId(Command);
  // Each command instance subscribes to core's warnings; the previous run's must not collect this one's.
  Lifecycle.getInstance().removeAllListeners('warning');
  const restoreEnv = withEnv({ FORCE_COLOR: '0', NO_COLOR: '1', ...options.env });
  const cwd = process.cwd();
  if (options.cwd) process.chdir(options.cwd);
  const previousExitCode = process.exitCode;
  process.exitCode = undefined;
  const io = capture();
  const prompts: string[] = [];
  const restorePrompts = options.answers ? answering(options.answers, prompts) : (): void => undefined;
  // SfCommand adds a process listener per signal at each run (a process has one run); many runs in one test
  // process would pile them up, so each run's are removed after it.
  const signals = ['SIGINT', 'SIGTERM', 'SIGBREAK', 'SIGHUP'] as const;
  const listenersBefore = new Map(signals.map((name) => [name, new Set(process.listeners(name))]));
  let exitCode: number;
  let returned: R | undefined;
  let thrown: Error | undefined;
  try {
    returned = await start(Command, argv, loaded);
    exitCode = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    thrown = error as Error;
    const e = error as { exitCode?: number; oclif?: { exit?: number }; skipOclifErrorHandling?: boolean };
    // sf has printed its own error already; anything else is printed the way oclif's handler would.
    if (!e.skipOclifErrorHandling) process.stderr.write(`${String((error as Error).message ?? error)}\n`);
    exitCode =
      typeof process.exitCode === 'number' && process.exitCode !== 0
        ? process.exitCode
        : (e.oclif?.exit ?? e.exitCode ?? 1);
  } finally {
    for (const name of signals) {
      const before = listenersBefore.get(name) as Set<NodeJS.SignalsListener>;
      for (const listener of process.listeners(name)) if (!before.has(listener)) process.removeListener(name, listener);
    }
    restorePrompts();
    io.restore();
    process.exitCode = previousExitCode;
    if (options.cwd) process.chdir(cwd);
    restoreEnv();
  }
  const stdout = io.out();
  let json: Envelope<R> | undefined;
  if (argv.includes('--json')) {
    try {
      json = JSON.parse(stdout) as Envelope<R>;
    } catch {
      json = undefined;
    }
  }
  return { exitCode, stdout, stderr: io.err(), json, result: json ? json.result : returned, error: thrown, prompts };
}

/** The command's result, or a failure that shows what the command said instead. */
export function resultOf<R>(outcome: CommandOutcome<R>): R {
  if (outcome.result === undefined) {
    const said = outcome.json?.message ?? (outcome.stderr || outcome.stdout).slice(0, 2000);
    throw new Error(`The command gave no result (exit ${outcome.exitCode}): ${said}`);
  }
  return outcome.result;
}
