import { join } from 'node:path';
import { Messages } from '@salesforce/core';
import type { CheckStatus } from '../core/checklist.js';
import { FLEET_DEFAULTS } from '../core/defaults.js';
import { inputError, operationError } from '../core/errors.js';
import type { FleetCheck } from '../core/fleet-report.js';
import { FLEET_TEXTS } from '../core/messages.js';
import { SETUP_STEPS } from '../core/setup-steps.js';
import { type FleetEntry, type FleetFailure, type FleetRow, runFleet } from '../org/fleet.js';
import { type SetupResult, type StepStatus, runSetup } from '../org/setup-runner.js';
import { fleetLine } from './fleet-command.js';
import type { FleetFolder } from './fleet-output.js';
import { type SetupRunFlags, setupBudgetMs, setupRunOptions } from './setup-options.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'fleet.setup');

/** One org's setup plan, as the fleet shows it and asks for it once. */
export type FleetPlan = { org: string; name: string; kind: string; lines: string[] };

/** The fleet's plan, org by org: what each would change, or that it changes nothing. */
export function fleetPlanLines(plans: FleetPlan[]): string[] {
  return plans.map((p) =>
    p.lines.length === 0
      ? `${p.org} (${p.name}, ${p.kind}): nothing to change`
      : `${p.org} (${p.name}, ${p.kind}):\n${p.lines.map((line) => `  - ${line}`).join('\n')}`
  );
}

const STATUS: Record<StepStatus, CheckStatus> = {
  done: 'pass',
  ok: 'pass',
  manual: 'warn',
  failed: 'fail',
  planned: 'skip',
  skipped: 'skip',
  'not-run': 'skip',
};

/** An org's setup steps as the fleet's grid and CSV show them. */
export function setupChecks(result: SetupResult): FleetCheck[] {
  return result.steps.map((s) => ({
    id: s.id,
    title: s.title,
    status: STATUS[s.status],
    evidence: s.status === 'planned' ? s.plan.join('; ') || 'nothing to change' : s.summary || s.status,
    ...(s.fix ? { fix: s.fix } : {}),
  }));
}

/** The step that stopped an org's setup, with its fix; a declined plan is one too. */
export function setupFailure(result: SetupResult): FleetFailure | undefined {
  const failed = result.steps.find((s) => s.status === 'failed');
  if (failed)
    return {
      name: failed.id,
      message: `${failed.title}: ${failed.summary}`,
      ...(failed.fix ? { fix: failed.fix } : {}),
    };
  const declined = result.steps.find((s) => s.status === 'not-run');
  if (result.declined && declined) {
    return { name: 'NotConfirmed', message: declined.summary, ...(declined.fix ? { fix: declined.fix } : {}) };
  }
  return undefined;
}

const title = (id: string): string => SETUP_STEPS.find((step) => step.id === id)?.title ?? id;

/** An org's setup plan, as the fleet shows and confirms it. */
function planOf(row: FleetRow<SetupResult>): FleetPlan {
  const result = row.result as SetupResult;
  return {
    org: row.org,
    kind: row.kind ?? 'unknown',
    name: row.name ?? row.org,
    lines: result.steps.flatMap((step) => step.plan.map((line) => `${step.title}: ${line}`)),
  };
}

/**
 * A pass over the orgs: planning (reads only) or applying. `asked` notes the orgs whose setup has asked for its
 * plan's confirmation once; `confirmed` holds the plans the admin said yes to.
 */
type Phase = { dryRun: boolean; save: boolean; asked: Set<string>; confirmed?: Map<string, FleetPlan> };

export type FleetSetupIo = {
  log(line: string): void;
  /** Asks the person at the terminal; absent when nobody is there (--json, CI, a pipe). */
  ask?: (question: string) => Promise<boolean>;
};

export type FleetLimits = { concurrency: number; maxFailures?: number; maxApiCallsPerOrg?: number };

/**
 * `fleet setup` in two passes over the orgs: every org planned (reads only), the fleet's plan confirmed once for
 * its production orgs, then every org set up as its confirmed plan says.
 */
export class FleetSetupRun {
  private pending: Promise<unknown> = Promise.resolve();

  public constructor(
    private readonly folder: FleetFolder<unknown>,
    private readonly run: SetupRunFlags,
    private readonly limits: FleetLimits,
    private readonly yes: boolean,
    private readonly io: FleetSetupIo
  ) {}

  /** Every org's inputs, checked before any org is opened: a bad step name or duration is exit 2. */
  public checkInputs(entries: FleetEntry[]): void {
    for (const entry of entries) this.optionsFor(entry, true);
  }

  /** Plans every org; a dry run keeps no org as finished, so the same folder can be resumed to apply the plan. */
  public async plan(entries: FleetEntry[]): Promise<{ rows: Array<FleetRow<SetupResult>>; plans: FleetPlan[] }> {
    const rows = await this.runOrgs(entries, { dryRun: true, save: false, asked: new Set() });
    return { rows, plans: rows.filter((r) => r.status === 'ok' && r.result).map(planOf) };
  }

  /**
   * The one confirmation of a fleet run: every production org with changes planned needs a yes, from --yes or
   * from the person at the terminal; without either nothing is written (exit 2).
   */
  public async confirm(plans: FleetPlan[]): Promise<void> {
    const production = plans.filter((p) => p.kind === 'production' && p.lines.length > 0);
    if (production.length === 0 || this.yes) return;
    const names = production.map((p) => p.org).join(', ');
    if (this.io.ask) {
      if (await this.io.ask(messages.getMessage('confirm', [production.length, names]))) return;
      throw inputError(FLEET_TEXTS, 'FleetNotConfirmed');
    }
    throw inputError(FLEET_TEXTS, 'FleetConfirmationRequired', [production.length, names], {
      data: { plan: production },
    });
  }

  /**
   * Sets up the orgs whose plans were confirmed. The orgs that failed their planning are finished too; one never
   * started (--max-failures) is left for --resume.
   */
  public async apply(
    entries: FleetEntry[],
    planned: Array<FleetRow<SetupResult>>,
    plans: FleetPlan[]
  ): Promise<Array<FleetRow<SetupResult>>> {
    const confirmed = new Map(plans.map((p) => [p.org, p]));
    const ready = entries.filter((e) => confirmed.has(e.org));
    const applied = await this.runOrgs(ready, { dryRun: false, save: true, confirmed, asked: new Set() });
    const failedPlanning = planned.filter((r) => !confirmed.has(r.org));
    for (const row of failedPlanning.filter((r) => r.status !== 'not-run')) this.folder.saveRow(row);
    return [...failedPlanning, ...applied];
  }

  /** One org's setup options, its backups and backfill files in its own folder of the run. */
  private optionsFor(
    entry: FleetEntry,
    dryRun: boolean,
    calls: { confirm?: (plan: string[]) => Promise<void>; progress?: (message: string) => void } = {}
  ): ReturnType<typeof setupRunOptions> {
    const dir = this.folder.orgDir(entry.org);
    return setupRunOptions(
      this.run,
      {
        alias: entry.org,
        configPath: entry.configPath,
        backupDir: join(dir, 'backups'),
        outDir: join(dir, 'backfill'),
        testEmail: entry.testEmail,
        exportFile: entry.export,
        continueCommand: `ce-connect fleet setup --resume ${this.folder.dir}`,
      },
      {
        dryRun,
        confirm: calls.confirm ?? (() => Promise.resolve()),
        onEvent: (event) => {
          if (event.kind !== 'finish' || !calls.progress) return;
          const step = event.step;
          calls.progress(
            messages.getMessage('step', [title(step.id), step.status, (step.durationMs / 1000).toFixed(1), step.writes])
          );
        },
      }
    );
  }

  private runOrgs(entries: FleetEntry[], phase: Phase): Promise<Array<FleetRow<SetupResult>>> {
    return runFleet<SetupResult>({
      entries,
      ...this.limits,
      plannedCalls: phase.dryRun ? FLEET_DEFAULTS.plannedCalls.setupPlan : FLEET_DEFAULTS.plannedCalls.setup,
      retryBudgetMs: setupBudgetMs(this.run),
      work: async ({ entry, conn, facts }, progress) => {
        const { options } = this.optionsFor(entry, phase.dryRun, {
          progress: phase.dryRun ? undefined : progress,
          confirm: (lines) => this.confirmOrg(entry.org, facts.kind, lines, phase),
        });
        const result = await runSetup(conn, entry.config, facts, options);
        const failure = setupFailure(result);
        const ok = !failure && !result.declined && (phase.dryRun || result.ok);
        return { ok, writes: result.writes, result, ...(failure ? { failure } : {}) };
      },
      onEvent: (event) => {
        if (event.kind === 'finish' && phase.save) this.folder.saveRow(event.row);
        const line = fleetLine(event, (row) =>
          messages.getMessage(phase.dryRun ? 'planned' : 'applied', [row.result?.writes ?? 0])
        );
        if (line) this.io.log(line);
      },
    });
  }

  /**
   * A production org's plan is applied only as it was confirmed; one that changed since (someone else wrote to the
   * org) stops that org. The plan made once the packages are installed is asked for on its own, as setup does.
   */
  private async confirmOrg(org: string, kind: string, lines: string[], phase: Phase): Promise<void> {
    // setup asks first for its whole plan, then, once the packages are installed, for what they let it plan.
    const first = !phase.asked.has(org);
    phase.asked.add(org);
    if (phase.dryRun || kind !== 'production' || lines.length === 0 || this.yes) return;
    if (first) {
      if (phase.confirmed?.get(org)?.lines.join('\n') === lines.join('\n')) return;
      throw operationError(FLEET_TEXTS, 'FleetPlanChanged', [org], { actionTokens: [[]] });
    }
    // Only a person at a terminal gets here: without one, --yes was needed to get this far.
    const ask = this.io.ask;
    const question = messages.getMessage('confirmAfterInstall', [org, lines.join('\n  - ')]);
    if (ask && (await this.oneAtATime(() => ask(question)))) return;
    throw inputError(FLEET_TEXTS, 'FleetNotConfirmed', [], { name: 'NotConfirmed' });
  }

  /** Questions to the person at the terminal, one at a time, however many orgs ask at once. */
  private oneAtATime(ask: () => Promise<boolean>): Promise<boolean> {
    const answer = this.pending.then(ask, ask);
    this.pending = answer.catch(() => undefined);
    return answer;
  }
}
