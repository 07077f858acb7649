import { join } from 'node:path';
import { Messages } from '@salesforce/core';
import { FLEET_DEFAULTS } from '../../../core/defaults.js';
import { inputError, operationError } from '../../../core/errors.js';
import { type FleetSummary } from '../../../core/fleet-report.js';
import { FLEET_TEXTS } from '../../../core/messages.js';
import { type FleetPlan, fleetPlanLines, setupChecks, setupFailure } from '../../../support/fleet-setup.js';
import { SETUP_STEPS } from '../../../core/setup-steps.js';
import { type FleetEntry, type FleetRow, runFleet } from '../../../org/fleet.js';
import { type SetupResult, runSetup } from '../../../org/setup-runner.js';
import { CeCommand } from '../../../support/ce-command.js';
import {
  finishFleetRun,
  fleetEntries,
  fleetFlags,
  fleetLine,
  fleetSummary,
  openFleetRun,
} from '../../../support/fleet-command.js';
import { type FleetFolder } from '../../../support/fleet-output.js';
import * as flags from '../../../support/flags.js';
import { type SetupRunFlags, setupBudgetMs, setupRunFlags, setupRunOptions } from '../../../support/setup-options.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'fleet.setup');

export type FleetSetupResult = FleetSummary & { dryRun: boolean; plan: FleetPlan[]; outDir: string; files: string[] };

/** What every org of the run is set up with; kept in the run's folder for --resume (never the installation key). */
type Settings = { config?: string; setup: Omit<SetupRunFlags, 'installation-key'> };

/**
 * A pass over the orgs: planning (reads only) or applying. `asked` notes the orgs whose setup has asked for its
 * plan's confirmation once; `confirmed` holds the plans the admin said yes to.
 */
type Phase = {
  dryRun: boolean;
  save: boolean;
  asked: Set<string>;
  confirmed?: Map<string, FleetPlan>;
  yes?: boolean;
};

const title = (id: string): string => SETUP_STEPS.find((s) => s.id === id)?.title ?? id;

export default class FleetSetup extends CeCommand<FleetSetupResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly flags = {
    ...fleetFlags,
    ...setupRunFlags,
    'dry-run': flags.dryRun,
    yes: flags.yes,
  };

  public async run(): Promise<FleetSetupResult> {
    const { flags: f } = await this.parse(FleetSetup);
    const { 'installation-key': installationKey, ...setupFlags } = f;
    const { folder, finished } = await openFleetRun<Settings>(
      'setup',
      f,
      {
        ...(f.config ? { config: f.config } : {}),
        setup: {
          only: setupFlags.only,
          skip: setupFlags.skip,
          'test-email': setupFlags['test-email'],
          course: setupFlags.course,
          'sync-timeout': setupFlags['sync-timeout'],
          export: setupFlags.export,
          'wait-connect': setupFlags['wait-connect'],
          'package-wait': setupFlags['package-wait'],
          'group-wait': setupFlags['group-wait'],
          force: setupFlags.force,
          'poll-interval': setupFlags['poll-interval'],
        },
      },
      new Date()
    );
    // A resumed run does what the first one was asked; --force (which a refusal's fix names) and the key may be given anew.
    const stored = folder.meta.settings.setup;
    const run: SetupRunFlags = { ...stored, force: stored.force || f.force, 'installation-key': installationKey };
    const entries = fleetEntries(folder.meta.orgs, folder.meta.settings.config);
    // Every org's inputs are checked before any org is opened: a bad step name or duration is exit 2.
    for (const entry of entries) this.optionsFor(folder, entry, run, true);
    const left = entries.filter((e) => !finished.has(e.org));
    const dryRun = f['dry-run'];
    this.log(messages.getMessage('start', [left.length, entries.length, folder.dir]));

    // 1. Plan every org (reads only), then show the fleet's plan and ask once for the production orgs.
    // A dry run keeps no org as finished: the same folder can be resumed to apply the plan.
    const planned = await this.runOrgs(folder, left, run, f, { dryRun: true, save: false, asked: new Set() });
    const plans = planned.filter((r) => r.status === 'ok' && r.result).map((r) => planOf(r));
    this.log(fleetPlanLines(plans).join('\n') || messages.getMessage('nothingToChange'));
    let rows = planned;
    if (!dryRun) {
      await this.confirmFleet(plans, f.yes);
      const confirmed = new Map(plans.map((p) => [p.org, p]));
      const ready = left.filter((e) => confirmed.has(e.org));
      // 2. Apply, each org's production plan only as it was confirmed.
      const applied = await this.runOrgs(folder, ready, run, f, {
        dryRun: false,
        save: true,
        confirmed,
        asked: new Set(),
        yes: f.yes,
      });
      const failedPlanning = planned.filter((r) => !confirmed.has(r.org));
      // An org that failed its planning is finished; one never started (--max-failures) is left for --resume.
      for (const row of failedPlanning.filter((r) => r.status !== 'not-run')) folder.saveRow(row);
      rows = [...failedPlanning, ...applied];
    }

    const all = new Map<string, FleetRow<SetupResult>>([
      ...(finished as Map<string, FleetRow<SetupResult>>),
      ...rows.map((r) => [r.org, r] as const),
    ]);
    const users = new Map(entries.map((e) => [e.org, { integrationUsername: e.config.integrationUser.username }]));
    const summary = fleetSummary(
      folder,
      all,
      users,
      (row) =>
        row.result
          ? {
              checks: setupChecks(row.result),
              report: folder.writeOrgReport(row.org, 'setup.json', `${JSON.stringify(row.result, null, 2)}\n`),
            }
          : { checks: [] },
      new Date()
    );
    const { files, failed, table } = finishFleetRun(folder, summary, all, (o) => ({ writes: String(o.writes) }));
    this.table({ overflow: 'wrap', data: table });
    this.log(
      messages.getMessage(dryRun ? 'doneDry' : 'done', [
        summary.counts.ok,
        summary.counts.total,
        summary.writes,
        summary.apiCalls,
        files.find((p) => p.endsWith('fleet.html')) ?? folder.dir,
      ])
    );
    if (failed.length > 0 && !dryRun) this.log(messages.getMessage('retry', [folder.dir]));
    if (!summary.ok) this.failCheck();
    return { ...summary, dryRun, plan: plans, outDir: folder.dir, files };
  }

  /** One org's setup options, its backups and backfill files in its own folder of the run. */
  private optionsFor(
    folder: FleetFolder<Settings>,
    entry: FleetEntry,
    run: SetupRunFlags,
    dryRun: boolean,
    calls: { confirm?: (plan: string[]) => Promise<void>; progress?: (message: string) => void } = {}
  ): ReturnType<typeof setupRunOptions> {
    const dir = folder.orgDir(entry.org);
    return setupRunOptions(
      run,
      {
        alias: entry.org,
        configPath: entry.configPath,
        backupDir: join(dir, 'backups'),
        outDir: join(dir, 'backfill'),
        testEmail: entry.testEmail,
        exportFile: entry.export,
        continueCommand: `ce-connect fleet setup --resume ${folder.dir}`,
      },
      {
        dryRun,
        confirm: calls.confirm ?? (() => Promise.resolve()),
        onEvent: (event) => {
          if (event.kind === 'finish' && calls.progress) {
            const s = event.step;
            calls.progress(
              messages.getMessage('step', [title(s.id), s.status, (s.durationMs / 1000).toFixed(1), s.writes])
            );
          }
        },
      }
    );
  }

  private runOrgs(
    folder: FleetFolder<Settings>,
    entries: FleetEntry[],
    run: SetupRunFlags,
    f: { concurrency: number; 'max-failures'?: number; 'max-api-calls-per-org'?: number },
    phase: Phase
  ): Promise<Array<FleetRow<SetupResult>>> {
    return runFleet<SetupResult>({
      entries,
      concurrency: f.concurrency,
      maxFailures: f['max-failures'],
      maxApiCallsPerOrg: f['max-api-calls-per-org'],
      plannedCalls: phase.dryRun ? FLEET_DEFAULTS.plannedCalls.setupPlan : FLEET_DEFAULTS.plannedCalls.setup,
      retryBudgetMs: setupBudgetMs(run),
      work: async ({ entry, conn, facts }, progress) => {
        const { options } = this.optionsFor(folder, entry, run, phase.dryRun, {
          progress: phase.dryRun ? undefined : progress,
          confirm: (lines) => this.confirmOrg(entry.org, facts.kind, lines, phase),
        });
        const result = await runSetup(conn, entry.config, facts, options);
        const failure = setupFailure(result);
        const ok = !failure && !result.declined && (phase.dryRun || result.ok);
        return { ok, writes: result.writes, result, ...(failure ? { failure } : {}) };
      },
      onEvent: (event) => {
        if (event.kind === 'finish' && phase.save) folder.saveRow(event.row);
        const line = fleetLine(event, (row) =>
          messages.getMessage(phase.dryRun ? 'planned' : 'applied', [row.result?.writes ?? 0])
        );
        if (line) this.log(line);
      },
    });
  }

  /**
   * The one confirmation of a fleet run: every production org with changes planned needs a yes, from --yes or
   * from the person at the terminal; without either nothing is written (exit 2).
   */
  private async confirmFleet(plans: FleetPlan[], yes: boolean): Promise<void> {
    const production = plans.filter((p) => p.kind === 'production' && p.lines.length > 0);
    if (production.length === 0 || yes) return;
    const names = production.map((p) => p.org).join(', ');
    if (!this.jsonEnabled() && process.stdin.isTTY) {
      if (await this.confirm({ message: messages.getMessage('confirm', [production.length, names]) })) return;
      throw inputError(FLEET_TEXTS, 'FleetNotConfirmed');
    }
    throw inputError(FLEET_TEXTS, 'FleetConfirmationRequired', [production.length, names], {
      data: { plan: production },
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
    if (phase.dryRun || kind !== 'production' || lines.length === 0 || phase.yes) return;
    if (first) {
      if (phase.confirmed?.get(org)?.lines.join('\n') === lines.join('\n')) return;
      throw operationError(FLEET_TEXTS, 'FleetPlanChanged', [org], { actionTokens: [[]] });
    }
    // Only a person at a terminal gets here: without one, --yes was needed to get this far.
    const question = messages.getMessage('confirmAfterInstall', [org, lines.join('\n  - ')]);
    if (await this.confirmQueue(() => this.confirm({ message: question }))) return;
    throw inputError(FLEET_TEXTS, 'FleetNotConfirmed', [], { name: 'NotConfirmed' });
  }

  private pending: Promise<unknown> = Promise.resolve();

  /** Questions to the person at the terminal, one at a time, however many orgs ask at once. */
  private confirmQueue(ask: () => Promise<boolean>): Promise<boolean> {
    const answer = this.pending.then(ask, ask);
    this.pending = answer.catch(() => undefined);
    return answer;
  }
}

/** An org's setup plan, as the fleet shows and confirms it. */
function planOf(row: FleetRow<SetupResult>): FleetPlan {
  const result = row.result as SetupResult;
  return {
    org: row.org,
    kind: row.kind ?? 'unknown',
    name: row.name ?? row.org,
    lines: result.steps.flatMap((s) => s.plan.map((line) => `${s.title}: ${line}`)),
  };
}
