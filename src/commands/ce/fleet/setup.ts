import { Messages } from '@salesforce/core';
import { type FleetSummary } from '../../../core/fleet-report.js';
import { type FleetRow } from '../../../org/fleet.js';
import { type SetupResult } from '../../../org/setup-runner.js';
import { CeCommand } from '../../../support/ce-command.js';
import {
  finishFleetRun,
  fleetEntries,
  fleetFlags,
  fleetSummary,
  openFleetRun,
} from '../../../support/fleet-command.js';
import { type FleetPlan, FleetSetupRun, fleetPlanLines, setupChecks } from '../../../support/fleet-setup.js';
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
    fleet.checkInputs(entries);
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
}
