import { Spinner } from '@salesforce/sf-plugins-core';

/**
 * sf's spinner at a terminal; in a log (CI, a pipe, a file) one line per stage instead. oclif's spinner has no
 * terminal to redraw there, so every status update would be appended to the line before it ("poll 2: not
 * yetVerify a test enrollment arrives..."). Here a stage prints one line when it starts (and one when it ends, when the command says how),
 * and a long wait adds at most one status line a minute, so a log stays readable and a CI runner that stops
 * silent jobs still sees the tool is alive. `--json` prints nothing, as sf's spinner does.
 */
export class StageSpinner extends Spinner {
  private stage?: string;
  private lastStatus?: string;
  private lastStatusAt = 0;

  public constructor(
    private readonly enabled: boolean,
    private readonly interactive: boolean = Boolean(process.stderr.isTTY),
    private readonly write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
    private readonly now: () => number = Date.now
  ) {
    super(enabled);
  }

  public get status(): string | undefined {
    return this.interactive ? super.status : this.lastStatus;
  }

  public set status(status: string | undefined) {
    if (this.interactive) {
      super.status = status;
      return;
    }
    if (!this.enabled || !this.stage || status === undefined || status === this.lastStatus) return;
    this.lastStatus = status;
    if (this.now() - this.lastStatusAt < 60_000) return;
    this.lastStatusAt = this.now();
    this.write(`  ${status}`);
  }

  public start(action: string, status?: string, opts?: Parameters<Spinner['start']>[2]): void {
    if (this.interactive) {
      super.start(action, status, opts);
      return;
    }
    if (!this.enabled) return;
    this.stage = action;
    this.lastStatus = status;
    this.lastStatusAt = this.now();
    this.write(status ? `${action}... ${status}` : `${action}...`);
  }

  public stop(msg?: string): void {
    if (this.interactive) {
      super.stop(msg);
      return;
    }
    if (!this.enabled || !this.stage) return;
    // The next line (a result, a table or the next stage) says how it ended; a given message is said here.
    if (msg) this.write(`${this.stage}: ${msg}`);
    this.stage = undefined;
    this.lastStatus = undefined;
  }
}
