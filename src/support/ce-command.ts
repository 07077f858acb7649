import type { Connection, Org } from '@salesforce/core';
import type { Config } from '@oclif/core';
import type { TableOptions } from '@oclif/table';
import { SfCommand } from '@salesforce/sf-plugins-core';
import type { CeConfig } from '../core/config.js';
import { inputError } from '../core/errors.js';
import { type ApiCallCounter, countApiCalls } from '../org/api-calls.js';
import { type OrgFacts, readOrgFacts } from '../org/org-facts.js';
import { loadConfig } from './config-file.js';
import { StageSpinner } from './progress.js';
import { ERRORS } from '../core/messages.js';

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
    super.table({ overflow: 'wrap', maxWidth: process.stdout.columns ? '100%' : 120, ...options });
  }

  protected loadConfig(flag: string | undefined): { path: string; config: CeConfig } {
    return loadConfig(flag);
  }

  protected async openOrg(org: Org): Promise<OrgSession> {
    const conn = org.getConnection();
    const calls = countApiCalls(conn);
    const facts = await readOrgFacts(conn);
    return { conn, facts, calls };
  }

  /**
   * Writes to a production org need a yes: from --yes, or from a prompt when a person is at the terminal.
   * Without either (CI, --json, piped input) the command stops before any write, with exit code 2.
   */
  protected async confirmProductionWrite(session: OrgSession, plan: string[], yes: boolean): Promise<void> {
    if (session.facts.kind !== 'production' || yes || plan.length === 0) return;
    const summary = `${session.facts.name} (${session.facts.instanceUrl}) is a production org. Planned changes:\n${plan
      .map((line) => `  - ${line}`)
      .join('\n')}`;
    if (!this.jsonEnabled() && process.stdin.isTTY) {
      this.log(summary);
      if (await this.confirm({ message: 'Apply these changes to production?' })) return;
      throw inputError(ERRORS, 'NotConfirmed');
    }
    throw inputError(ERRORS, 'ConfirmationRequired', [summary], { data: { plan } });
  }

  /**
   * An org name that `sf` does not know is a usage error (exit 2) with the login command that fixes it, not an
   * operation failure.
   */
  public async catch(error: Error & { exitCode?: number; actions?: string[] }): Promise<never> {
    const usage = (actions: string[]): void => {
      error.exitCode = 2;
      (error as unknown as { oclif: { exit: number } }).oclif = { exit: 2 };
      error.actions = actions;
    };
    if (error.name === 'NotADevHubError') {
      usage([
        'Pass the Dev Hub with -v (`sf org list` marks it), or enable Dev Hub in that org: Setup > Dev Hub > Enable Dev Hub.',
      ]);
    } else if (error.name === 'NamedOrgNotFoundError' || error.name === 'NoDefaultEnvError') {
      usage([
        'Log in first: `sf org login web --alias <alias>` (add `--instance-url https://test.salesforce.com` for a sandbox), then pass that alias with -o (or -v for a Dev Hub).',
        'List the orgs you are logged in to: `sf org list`.',
      ]);
    }
    return super.catch(error);
  }

  /** Marks a finished check as failed: the result is still printed (and is the `--json` result), exit code 1. */
  protected failCheck(): void {
    process.exitCode = 1;
  }
}
