import type { Messages } from '@salesforce/core/messages';
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

/** A message bundle from `messages/` (sf's Messages, from @salesforce/core). */
export type MessageBundle = Pick<Messages<string>, 'getMessage' | 'getMessages'>;

export type MessageErrorOptions = {
  /** Tokens of each action, in the order of the `<key>.actions` list. */
  actionTokens?: unknown[][];
  /** The error's name when it is not the key: one name for the variants of one failure, each its own message. */
  name?: string;
  data?: unknown;
  cause?: unknown;
};

const asToken = (value: unknown): string | number | boolean | null | undefined =>
  value === null || value === undefined || ['string', 'number', 'boolean'].includes(typeof value)
    ? (value as string | number | boolean | null | undefined)
    : String(value);

function fromBundle(
  messages: MessageBundle,
  key: string,
  tokens: unknown[],
  options: MessageErrorOptions
): { message: string; actions: string[] } {
  const message = messages.getMessage(key, tokens.map(asToken));
  let actions: string[] = [];
  try {
    // sf's Messages hands a list's tokens out in order, each item taking as many as it has %s: the flattened
    // per-action tokens land each on its own action.
    actions = messages.getMessages(`${key}.actions`, (options.actionTokens ?? []).flat().map(asToken));
  } catch {
    // An error without actions has no `<key>.actions` entry.
  }
  return { message, actions };
}

/**
 * The error of `key` in a message bundle, with its actions (sf's `messages.createError`, except that the name
 * is the key as it is, so `--json` consumers see the same `name` as before, and each action has its own tokens).
 */
export function inputError(
  messages: MessageBundle,
  key: string,
  tokens: unknown[] = [],
  options: MessageErrorOptions = {}
): InputError {
  const { message, actions } = fromBundle(messages, key, tokens, options);
  return new InputError(options.name ?? key, message, { actions, data: options.data, cause: options.cause });
}

export function operationError(
  messages: MessageBundle,
  key: string,
  tokens: unknown[] = [],
  options: MessageErrorOptions = {}
): OperationError {
  const { message, actions } = fromBundle(messages, key, tokens, options);
  return new OperationError(options.name ?? key, message, { actions, data: options.data, cause: options.cause });
}
