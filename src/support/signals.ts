/** The signals that stop a command (Ctrl-C; a CI runner cancelling or timing out the job), and their exit codes. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** 128 + the signal's number, as shells report a command a signal ended. */
export const SIGNAL_EXIT_CODES: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Turns SIGINT and SIGTERM into an AbortSignal (aborted with the signal's name) for as long as a command needs to
 * finish its work after a stop: sf's own handlers exit at once, so they are set aside until `restore`. A second
 * signal ends the process at once, after `onAgain` says what that leaves behind.
 */
export function interceptSignals(handlers: { onFirst?: (name: StopSignal) => void; onAgain: () => string }): {
  signal: AbortSignal;
  restore: () => void;
} {
  const controller = new AbortController();
  const previous = STOP_SIGNALS.map((name) => [name, process.listeners(name)] as const);
  const installed = STOP_SIGNALS.map((name) => {
    const handler = (): void => {
      if (controller.signal.aborted) {
        process.stderr.write(`${handlers.onAgain()}\n`);
        process.exit(SIGNAL_EXIT_CODES[name]);
      }
      handlers.onFirst?.(name);
      controller.abort(name);
    };
    process.removeAllListeners(name);
    process.on(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: controller.signal,
    restore: () => {
      for (const [name, handler] of installed) process.removeListener(name, handler);
      for (const [name, listeners] of previous) for (const l of listeners) process.on(name, l as () => void);
    },
  };
}
