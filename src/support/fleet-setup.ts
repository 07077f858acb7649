import { join } from 'node:path';
import { Messages } from '@salesforce/core';
import type { CheckStatus } from '../core/checklist.js';
import { FLEET_DEFAULTS } from '../core/defaults.js';
import { inputError, operationError } from '../core/errors.js';
import type { FleetCheck } from '../core/fleet-report.js';
import { FLEET_TEXTS } from '../core/messages.js';
import { SETUP_STEPS, setupArgvWith } from '../core/setup-steps.js';
import { commandLine } from '../core/stops.js';
import { type FleetEntry, type FleetFailure, type FleetRow, runFleet } from '../org/fleet.js';
import { type SetupOptions, type SetupResult, type StepStatus, runSetup } from '../org/setup-runner.js';
import { fleetLine } from './fleet-command.js';
import { type FleetFolder, orgFolderName } from './fleet-output.js';
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

/** The setup flags an org runs with, as arguments (never the installation key). */
function setupArgs(run: SetupRunFlags): string[] {
  const args: string[] = [];
  for (const [name, value] of Object.entries(run)) {
    if (name === 'installation-key' || name === 'test-email' || name === 'export') continue;
    if (value === true) args.push(`--${name}`);
    else if (value !== undefined && value !== false) args.push(`--${name}`, String(value));
  }
  return args;
}

/**
 * One org's setup options: its backups and backfill files in its own folder of the run, and, for every stop, the
 * single-org setup command that continues that org exactly (its config, export, test email and the run's flags).
 */
function orgOptions(dir: string, entry: FleetEntry, run: SetupRunFlags): ReturnType<typeof setupRunOptions> {
  const paths = { backupDir: join(dir, 'backups'), outDir: join(dir, 'backfill') };
  const exportFile = entry.export ?? run.export;
  const testEmail = entry.testEmail ?? run['test-email'];
  const argv = [
    '-o',
    entry.org,
    '--config',
    entry.configPath,
    ...setupArgs(run),
    ...(exportFile ? ['--export', exportFile] : []),
    ...(testEmail ? ['--test-email', testEmail] : []),
    '--backup-dir',
    paths.backupDir,
    '--out-dir',
    paths.outDir,
  ];
  const made = setupRunOptions(
    run,
    {
      alias: entry.org,
      configPath: entry.configPath,
      ...paths,
      testEmail: entry.testEmail,
      exportFile: entry.export,
      continueCommand: commandLine('ce-connect', 'ce:setup', argv),
    },
    { dryRun: true, confirm: () => Promise.resolve() }
  );
  made.options.rerunWith = (change) => commandLine('ce-connect', 'ce:setup', setupArgvWith(argv, change));
  return made;
}

/** Every org's setup inputs, checked before anything is made or opened: a bad step name or duration is exit 2. */
export function checkSetupInputs(entries: FleetEntry[], run: SetupRunFlags, dir: string): void {
  for (const entry of entries) orgOptions(join(dir, 'orgs', orgFolderName(entry.org)), entry, run);
}

/**
 * `fleet setup` in two passes over the orgs: every org planned (reads only), the fleet's plan confirmed once for
 * its production orgs, then every org set up as its confirmed plan says.
 */
export class FleetSetupRun {
  private pending: Promise<unknown> = Promise.resolve();
  /** Each org's options, made once for both passes. */
  private readonly options = new Map<string, SetupOptions>();

  public constructor(
    private readonly folder: FleetFolder<unknown>,
    private readonly run: SetupRunFlags,
    private readonly limits: FleetLimits,
    private readonly yes: boolean,
    private readonly io: FleetSetupIo
  ) {}

  /** Plans every org; a dry run keeps no org as finished, so the same folder can be resumed to apply the plan. */
  public async plan(entries: FleetEntry[]): Promise<{ rows: Array<FleetRow<SetupResult>>; plans: FleetPlan[] }> {
    const rows = await this.runOrgs(entries, { dryRun: true, save: false, asked: new Set() });
    return { rows, plans: rows.filter((r) => r.status === 'ok' && r.result).map(planOf) };
  }

  /**
   * The one confirmation of a fleet run: every production org with changes planned needs a yes, from --yes or
   * from the person at the terminal; without either nothing is written (exit 2), and the run's folder holds the
   * plan for `--resume`.
   */
  public async confirm(plans: FleetPlan[]): Promise<void> {
    const production = plans.filter((p) => p.kind === 'production' && p.lines.length > 0);
    if (production.length === 0 || this.yes) return;
    const names = production.map((p) => p.org).join(', ');
    if (this.io.ask) {
      if (await this.io.ask(messages.getMessage('confirm', [production.length, names]))) return;
      throw inputError(FLEET_TEXTS, 'FleetNotConfirmed', [], { actionTokens: [[this.folder.dir]] });
    }
    throw inputError(FLEET_TEXTS, 'FleetConfirmationRequired', [production.length, names], {
      actionTokens: [[this.folder.dir]],
      data: { plan: production },
    });
  }

  /**
   * Sets up the orgs whose plans were confirmed, each row counting both passes' calls and time (the cap of
   * --max-api-calls-per-org covers both). The orgs that failed their planning are finished too; one never started
   * (--max-failures) is left for --resume.
   */
  public async apply(
    entries: FleetEntry[],
    planned: Array<FleetRow<SetupResult>>,
    plans: FleetPlan[]
  ): Promise<Array<FleetRow<SetupResult>>> {
    const confirmed = new Map(plans.map((p) => [p.org, p]));
    const planning = new Map(planned.map((r) => [r.org, r]));
    const ready = entries.filter((e) => confirmed.has(e.org));
    const applied = await this.runOrgs(ready, { dryRun: false, save: true, confirmed, asked: new Set() }, (org) =>
      planning.get(org)
    );
    const failedPlanning = planned.filter((r) => !confirmed.has(r.org));
    for (const row of failedPlanning.filter((r) => r.status !== 'not-run')) this.folder.saveRow(row);
    return [...failedPlanning, ...applied];
  }

  private optionsOf(entry: FleetEntry): SetupOptions {
    const made = this.options.get(entry.org) ?? orgOptions(this.folder.orgPath(entry.org), entry, this.run).options;
    this.options.set(entry.org, made);
    return made;
  }

  private runOrgs(
    entries: FleetEntry[],
    phase: Phase,
    earlier: (org: string) => FleetRow<SetupResult> | undefined = () => undefined
  ): Promise<Array<FleetRow<SetupResult>>> {
    return runFleet<SetupResult>({
      entries,
      ...this.limits,
      plannedCalls: phase.dryRun ? FLEET_DEFAULTS.plannedCalls.setupPlan : FLEET_DEFAULTS.plannedCalls.setup,
      retryBudgetMs: setupBudgetMs(this.run),
      spent: (org) => earlier(org)?.apiCalls ?? 0,
      work: async ({ entry, conn, facts }, progress) => {
        const options: SetupOptions = {
          ...this.optionsOf(entry),
          dryRun: phase.dryRun,
          confirm: (lines) => this.confirmOrg(entry.org, facts.kind, lines, phase),
          onEvent: (event) => {
            if (event.kind !== 'finish' || phase.dryRun) return;
            const step = event.step;
            progress(
              messages.getMessage('step', [
                title(step.id),
                step.status,
                (step.durationMs / 1000).toFixed(1),
                step.writes,
              ])
            );
          },
        };
        const result = await runSetup(conn, entry.config, facts, options);
        const failure = setupFailure(result);
        const ok = !failure && !result.declined && (phase.dryRun || result.ok);
        return { ok, writes: result.writes, result, ...(failure ? { failure } : {}) };
      },
      onEvent: (event) => {
        if (event.kind === 'finish') {
          const before = earlier(event.row.org);
          // One row per org for the whole run: the planning pass's calls and time count too.
          if (before) {
            event.row.apiCalls += before.apiCalls;
            event.row.durationMs += before.durationMs;
          }
          if (phase.save) this.folder.saveRow(event.row);
        }
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
    const again = this.options.get(org)?.continueCommand ?? `ce-connect setup -o ${org}`;
    if (first) {
      if (phase.confirmed?.get(org)?.lines.join('\n') === lines.join('\n')) return;
      throw operationError(FLEET_TEXTS, 'FleetPlanChanged', [org], { actionTokens: [[again]] });
    }
    // Only a person at a terminal gets here: without one, --yes was needed to get this far.
    const ask = this.io.ask;
    const question = messages.getMessage('confirmAfterInstall', [org, lines.join('\n  - ')]);
    if (ask && (await this.oneAtATime(() => ask(question)))) return;
    throw inputError(FLEET_TEXTS, 'OrgNotConfirmed', [org], { name: 'NotConfirmed', actionTokens: [[again]] });
  }

  /** Questions to the person at the terminal, one at a time, however many orgs ask at once. */
  private oneAtATime(ask: () => Promise<boolean>): Promise<boolean> {
    const answer = this.pending.then(ask, ask);
    this.pending = answer.catch(() => undefined);
    return answer;
  }
}
