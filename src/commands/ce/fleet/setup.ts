import { join, resolve } from 'node:path';
import { Messages } from '@salesforce/core';
import { type FleetSummary } from '../../../core/fleet-report.js';
import { CeCommand } from '../../../support/ce-command.js';
import { commandLine } from '../../../core/stops.js';
import { completeFleetRun, fleetFlags, resumeFlag, startFleetRun } from '../../../support/fleet-command.js';
import {
  type FleetPlan,
  FleetSetupRun,
  checkSetupInputs,
  fleetPlanLines,
  setupChecks,
} from '../../../support/fleet-setup.js';
import * as flags from '../../../support/flags.js';
import { type SetupRunFlags, setupRunFlags } from '../../../support/setup-options.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'fleet.setup');

export type FleetSetupResult = FleetSummary & { dryRun: boolean; plan: FleetPlan[]; outDir: string; files: string[] };

/** What every org of the run is set up with; kept in the run's folder for --resume (never the installation key). */
type Settings = { config?: string; setup: Omit<SetupRunFlags, 'installation-key'> };

export default class FleetSetup extends CeCommand<FleetSetupResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly flags = {
    ...fleetFlags,
    resume: resumeFlag([
      'only',
      'skip',
      'test-email',
      'course',
      'export',
      'wait-connect',
      'group-wait',
      'poll-interval',
    ]),
    ...setupRunFlags,
    'dry-run': flags.dryRun,
    yes: flags.yes,
  };

  public async run(): Promise<FleetSetupResult> {
    const { flags: f } = await this.parse(FleetSetup);
    const { 'installation-key': installationKey, ...given } = f;
    // What every org is set up with, kept for --resume: setup's own flags as given (never the key), paths made whole.
    const setup = Object.fromEntries(
      Object.keys(setupRunFlags)
        .filter((name) => name !== 'installation-key')
        .map((name) => [name, given[name as keyof typeof given]])
    ) as Settings['setup'];
    if (setup.export) setup.export = resolve(setup.export);
    const start = await startFleetRun<Settings>('setup', f, { setup }, new Date(), (entries, dir) =>
      checkSetupInputs(entries, { ...setup, 'installation-key': installationKey }, dir)
    );
    const { folder, entries, finished } = start;
    // A resumed run does what the first one was asked; --force (which a refusal's fix names) and the key may be given anew.
    const stored = folder.meta.settings.setup;
    const run: SetupRunFlags = { ...stored, force: stored.force || f.force, 'installation-key': installationKey };
    const fleet = new FleetSetupRun(
      folder,
      run,
      { concurrency: f.concurrency, maxFailures: f['max-failures'], maxApiCallsPerOrg: f['max-api-calls-per-org'] },
      f.yes,
      {
        log: (line) => this.log(line),
        ...(!this.jsonEnabled() && process.stdin.isTTY ? { ask: (message) => this.confirm({ message }) } : {}),
      }
    );
    const left = entries.filter((e) => !finished.has(e.org));
    const dryRun = f['dry-run'];
    this.log(messages.getMessage('start', [left.length, entries.length, folder.dir]));

    // Every org planned (reads only), the fleet's plan shown and confirmed once, then every org set up.
    const planned = await fleet.plan(left);
    const { plans } = planned;
    this.log(fleetPlanLines(plans).join('\n') || messages.getMessage('nothingToChange'));
    let rows = planned.rows;
    if (!dryRun) {
      await fleet.confirm(plans);
      rows = await fleet.apply(left, planned.rows, plans);
    }

    const end = completeFleetRun(start, rows, {
      // An org's own report is its row: the setup result with every step.
      describe: (row) =>
        row.result ? { checks: setupChecks(row.result), report: folder.orgFile(row.org, 'row.json') } : { checks: [] },
      listed: (entry) => ({
        org: entry.org,
        config: entry.configPath,
        ...((entry.export ?? run.export) ? { export: entry.export ?? run.export } : {}),
        ...((entry.testEmail ?? run['test-email']) ? { testEmail: entry.testEmail ?? run['test-email'] } : {}),
      }),
      extra: (o) => ({ writes: String(o.writes) }),
    });
    const { summary, files } = end;
    this.table({ overflow: 'wrap', data: end.table });
    this.log(
      messages.getMessage(dryRun ? 'doneDry' : 'done', [
        summary.counts.ok,
        summary.counts.total,
        summary.writes,
        summary.apiCalls,
        files.find((p) => p.endsWith('fleet.html')) ?? folder.dir,
      ])
    );
    if (end.failed.length > 0 && !dryRun) {
      const retry = ['--orgs', join(folder.dir, 'failed-orgs.csv'), ...retryArgs(run)];
      this.log(messages.getMessage('retry', [commandLine('ce-connect', 'ce:fleet:setup', retry)]));
    }
    if (!summary.ok) this.failCheck();
    return { ...summary, dryRun, plan: plans, outDir: folder.dir, files };
  }
}

/** The run's own setup flags, for the command that retries its failed orgs (each org's export and email are in the list). */
function retryArgs(run: SetupRunFlags): string[] {
  return Object.entries(run).flatMap(([name, value]) =>
    ['installation-key', 'export', 'test-email'].includes(name) || value === undefined || value === false
      ? []
      : value === true
        ? [`--${name}`]
        : [`--${name}`, String(value)]
  );
}
