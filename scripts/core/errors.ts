/**
 * Errors meant for the admin reading them: what went wrong, why, and what fixes it.
 *
 * The exit code follows the sf conventions this tool keeps: 1 when a check or an operation failed,
 * 2 for bad usage, bad config or a bad input file. The CLI layer turns these into sf-style output
 * (`Error (2): …` plus "Try this:" actions, or the `--json` error envelope).
 */
export type ErrorOptions = {
  actions?: string[];
  data?: unknown;
  cause?: unknown;
};

export class CeError extends Error {
  public readonly exitCode: number;
  public readonly actions: string[];
  public readonly data: unknown;

  public constructor(name: string, message: string, exitCode: number, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = name;
    this.exitCode = exitCode;
    this.actions = options.actions ?? [];
    this.data = options.data;
  }
}

/** Bad input from the user: a flag, the config, a CSV or XML file. Exit code 2; nothing was written. */
export class InputError extends CeError {
  public constructor(name: string, message: string, options: ErrorOptions = {}) {
    super(name, message, 2, options);
  }
}

/** An operation against the org failed, or a check found a gap. Exit code 1. */
export class OperationError extends CeError {
  public constructor(name: string, message: string, options: ErrorOptions = {}) {
    super(name, message, 1, options);
  }
}
