import { fileURLToPath } from 'node:url';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Envelope } from './command.js';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
export const SHARED = resolve(PROJECT_ROOT, '..', 'shared');

/**
 * The shared corpus of real, openly licensed page layouts (its SOURCES.md names each project). Only the corpus
 * tests walk it, and they say so in their names; without the folder they fail saying what is missing.
 */
export function realLayoutsCorpus(): string {
  const dir = join(SHARED, 'fixtures', 'real-layouts');
  if (!existsSync(dir)) {
    throw new Error(
      `The real-layouts corpus is not at ${dir}: corpus tests need the shared folder beside the project (../shared/fixtures/real-layouts).`
    );
  }
  return dir;
}
const BIN = join(PROJECT_ROOT, 'bin', 'run.js');

export type CliResult = {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The parsed `--json` envelope, when stdout held one. */
  json?: Envelope<unknown>;
};

export type CliOptions = { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number };

export type CliProcess = {
  child: ChildProcess;
  /** Resolves when the process has closed: what it printed, its exit code and the signal that ended it. */
  ended: Promise<CliResult & { signal: NodeJS.Signals | null }>;
  /** What it has printed so far, stdout then stderr. */
  output(): string;
};

/**
 * Starts the real `ce-connect` CLI in a child process, the way an admin or a CI job does: only for tests where the
 * process is the point (signals, start-up, the bin's own flags); every other test runs the command in process.
 */
export function startCli(args: string[], options: Omit<CliOptions, 'timeoutMs'> = {}): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? PROJECT_ROOT,
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const ended = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      let json: CliResult['json'];
      if (args.includes('--json')) {
        try {
          json = JSON.parse(stdout) as CliResult['json'];
        } catch {
          json = undefined;
        }
      }
      resolve({ exitCode: code ?? -1, signal, stdout, stderr, json });
    });
  });
  child.stdin.end(options.input ?? '');
  return { child, ended, output: () => `${stdout}${stderr}` };
}

/** Runs the real CLI in a child process to its end (killed after timeoutMs, 2 minutes by default). */
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const cli = startCli(args, options);
  const timer = setTimeout(() => cli.child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  try {
    return await cli.ended;
  } finally {
    clearTimeout(timer);
  }
}
