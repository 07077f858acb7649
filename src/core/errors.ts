import { SfError } from '@salesforce/core/sfError';

/**
 * Errors meant for the admin reading them: what went wrong, why, what state was kept, and what continues.
 *
 * They are sf's own `SfError`s, so sf-plugins-core renders them as every sf command does (`Error (2): …` with
 * "Try this:" actions, or the `--json` error envelope with `data`). Two kinds, by exit code: 1 when a check or an
 * operation failed, 2 for bad usage, bad config or a bad input file (nothing was written).
 */
export type ErrorOptions = {
  actions?: string[];
  data?: unknown;
  cause?: unknown;
};

export class CeError extends SfError {
  declare public actions: string[];

  public constructor(name: string, message: string, exitCode: number, options: ErrorOptions = {}) {
    super(message, name, options.actions ?? [], exitCode, options.cause);
    this.actions = options.actions ?? [];
    if (options.data !== undefined) this.data = options.data as SfError['data'];
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
