import type { Connection, Org } from '@salesforce/core';
import type { Config } from '@oclif/core';
import type { TableOptions } from '@oclif/table';
import { SfCommand } from '@salesforce/sf-plugins-core';
import type { CeConfig } from '../core/config.js';
import { type StopKind, commandLine, stopKind, targetOrgOf } from '../core/stops.js';
import { CeError, inputError, operationError } from '../core/errors.js';
import type { ApiCallCounter } from '../org/api-calls.js';
import { type OrgFacts, readOrgFacts } from '../org/org-facts.js';
import { countedWithRetries } from '../org/read-retries.js';
import { loadConfig } from './config-file.js';
import { StageSpinner } from './progress.js';
import { ERRORS } from '../core/messages.js';
import { rewriteCommands, rewriteStrings } from '../core/front-door.js';

/** What every command that talks to an org needs: a counted connection and the org's facts. */
export type OrgSession = { conn: Connection; facts: OrgFacts; calls: ApiCallCounter };

/**
 * The shared behaviour of ce-connect commands, on top of sf's SfCommand (which already gives `--json`
 * envelopes, exit codes, spinners, tables, prompts and error rendering with actions).
 */
export abstract class CeCommand<T> extends SfCommand<T> {
  public constructor(argv: string[], config: Config) {
    super(argv, config);
    this.spinner = new StageSpinner(!this.jsonEnabled());
  }

  /**
   * sf's table, wrapped to the terminal's width; in a log (no terminal) to 120 columns, so a long detail wraps
   * in its cell instead of making a 400-character row.
   */
  public table<R extends Record<string, unknown>>(options: TableOptions<R>): void {
    const data = this.asRun(options.data);
    super.table({ overflow: 'wrap', maxWidth: process.stdout.columns ? '100%' : 120, ...options, data });
  }

  /**
   * Texts name commands as `ce-connect <command>`; run as `sf ce`, they say `sf ce <command>`, in the output,
   * the tables, the warnings, the errors and their actions, and the `--json` result.
   */
  private rewrite?: (text: string) => string;

  private asRun<V>(value: V): V {
    if (this.rewrite === undefined) {
      const bin = this.config.bin;
      const words = new Set(
        this.config.commandIDs.flatMap((id) => (id.startsWith('ce:') ? [id.split(':')[1] as string] : []))
      );
      this.rewrite = bin === 'ce-connect' ? (text) => text : (text) => rewriteCommands(text, `${bin} ce`, words);
    }
    return rewriteStrings(value, this.rewrite) as V;
  }

  public log(message?: string, ...args: unknown[]): void {
    super.log(message === undefined ? message : this.asRun(message), ...args);
  }

  public warn(input: SfCommand.Warning): SfCommand.Warning {
    return super.warn(
      typeof input === 'string'
        ? this.asRun(input)
        : { ...input, ...this.asRun({ message: input.message, actions: input.actions }) }
    );
  }

  protected loadConfig(flag: string | undefined): { path: string; config: CeConfig } {
    return loadConfig(flag);
  }

  /**
   * A counted connection whose idempotent reads are retried on 502/503/504 and dropped connections; a command
   * with a wait passes it (ms), and no retry waits past its end. After the counter, so every attempt counts.
   */
  protected async openOrg(org: Org, waitMs?: number): Promise<OrgSession> {
    const [session] = await this.openOrgWith(org, () => Promise.resolve(undefined), waitMs);
    return session;
  }

  /**
   * Opens the org and makes the command's first read side by side with the read of the org's facts: a command
   * that starts with a read waits for one round trip instead of two.
   */
  protected async openOrgWith<T>(
    org: Org,
    first: (conn: Connection) => Promise<T>,
    waitMs?: number
  ): Promise<[OrgSession, T]> {
    const conn = org.getConnection();
    const calls = countedWithRetries(conn, waitMs);
    this.instanceUrl = conn.instanceUrl;
    this.calls = calls;
    const [facts, read] = await Promise.all([readOrgFacts(conn), first(conn)]);
    return [{ conn, facts, calls }, read];
  }

  /**
   * Writes to a production org need a yes: from --yes, or from a prompt when a person is at the terminal.
   * Without either (CI, --json, piped input) the command stops before any write, with exit code 2.
   */
  protected async confirmProductionWrite(
    session: OrgSession,
    plan: string[],
    yes: boolean,
    options: { planShown?: boolean } = {}
  ): Promise<void> {
    if (session.facts.kind !== 'production' || yes || plan.length === 0) return;
    const org = `${session.facts.name} (${session.facts.instanceUrl}) is a production org.`;
    const summary = `${org} Planned changes:\n${plan.map((line) => `  - ${line}`).join('\n')}`;
    if (!this.jsonEnabled() && process.stdin.isTTY) {
      // A plan the command has just printed is not printed again above its question.
      this.log(options.planShown ? org : summary);
      if (await this.confirm({ message: 'Apply these changes to production?' })) return;
      throw inputError(ERRORS, 'NotConfirmed');
    }
    throw inputError(ERRORS, 'ConfirmationRequired', [summary], { data: { plan } });
  }

  /**
   * The exact command that continues this one after a stop (an API limit, an expired session, a lost
   * connection). Commands that keep state say where it is (backfill run: its `--resume` folder; packages
   * install: the request it follows), asked at the stop because that state may not exist yet; when it answers
   * nothing, the same command again, which continues or does nothing.
   */
  protected continueWith?: () => string | undefined;

  private instanceUrl?: string;
  private calls?: ApiCallCounter;

  /**
   * Every stop says what happened and names its way on. An org name that `sf` does not know is a usage error
   * (exit 2) with the login command that fixes it; a stop caused by the org or the network is a failed operation
   * (exit 1) with the command that continues.
   */
  public async catch(error: Error & { exitCode?: number; actions?: string[] }): Promise<never> {
    const usage = (actions: string[]): void => {
      error.exitCode = 2;
      (error as unknown as { oclif: { exit: number } }).oclif = { exit: 2 };
      error.actions = actions;
    };
    if (error.name === 'NotADevHubError') {
      usage(ERRORS.getMessages('NotADevHub.actions'));
    } else if (error.name === 'NamedOrgNotFoundError' || error.name === 'NoDefaultEnvError') {
      usage(ERRORS.getMessages('OrgNotKnown.actions'));
    } else if (/^Parsing --[\w-]+/.test(error.message ?? '')) {
      // A flag value oclif could not take (a file that does not exist, a number that is not one) is bad usage.
      usage(error.actions ?? []);
    }
    // An org-layer error that wraps a stop (a describe refused for an exhausted limit) is that stop.
    const underlying = error instanceof CeError ? error.cause : error;
    const stop = stopKind(underlying);
    const shown = stop ? this.stopped(stop, underlying as Error) : error;
    shown.message = this.asRun(shown.message);
    if (shown.actions) shown.actions = this.asRun(shown.actions);
    return super.catch(shown);
  }

  // The original error is described in the message and not kept as the cause: sf turns any TypeError in the
  // cause chain (Node's "fetch failed" is one) into exit code 10, and the cause's stack would fill --json.
  private stopped(kind: StopKind, error: Error): CeError {
    const next = this.continueWith?.() ?? commandLine('ce-connect', this.id ?? '', this.argv);
    const said = error.message || error.name;
    if (kind === 'api-limit') {
      // A SOAP fault's text repeats its code ("REQUEST_LIMIT_EXCEEDED: TotalRequests…"); the message names it once.
      const usage = this.calls?.usage;
      return operationError(
        ERRORS,
        usage ? 'StoppedApiLimitUsage' : 'StoppedApiLimit',
        [
          said.replace(/^(?:sf:)?REQUEST_LIMIT_EXCEEDED:\s*/, ''),
          ...(usage ? [usage.used.toLocaleString('en-US'), usage.limit.toLocaleString('en-US')] : []),
        ],
        { name: 'ApiLimitExceeded', actionTokens: [[], [next]], data: usage ? { apiUsage: usage } : undefined }
      );
    }
    if (kind === 'unavailable') {
      return operationError(ERRORS, 'OrgUnavailable', [said], { actionTokens: [[next]] });
    }
    if (kind === 'session') {
      const alias = targetOrgOf(this.argv) ?? '<alias>';
      const url = this.instanceUrl ? ` --instance-url ${this.instanceUrl}` : '';
      return operationError(ERRORS, 'SessionExpired', [alias, said], {
        actionTokens: [[alias, url], [next]],
      });
    }
    const cause = (error.cause as { code?: string } | undefined)?.code;
    return operationError(ERRORS, 'ConnectionLost', [cause ? `${said}: ${cause}` : said], {
      actionTokens: [[next]],
    });
  }

  /**
   * The `--json` error envelope as sf prints it, less `stack` and `cause`: kilobytes of internals (compiled module
   * paths, a library's own error) that an admin or a CI script cannot act on. With DEBUG set they stay.
   */
  public logJson(json: unknown): void {
    if (process.env.DEBUG || !json || typeof json !== 'object' || !('stack' in json)) {
      super.logJson(this.asRun(json));
      return;
    }
    super.logJson(
      this.asRun(Object.fromEntries(Object.entries(json).filter(([key]) => key !== 'stack' && key !== 'cause')))
    );
  }

  /** Marks a finished check as failed: the result is still printed (and is the `--json` result), exit code 1. */
  protected failCheck(): void {
    process.exitCode = 1;
  }
}
