import { Messages } from '@salesforce/core';
import { type ChecklistReport, renderHtml } from '../../../core/checklist.js';
import { FLEET_DEFAULTS } from '../../../core/defaults.js';
import { type FleetSummary, checksOfItems } from '../../../core/fleet-report.js';
import { runChecklist } from '../../../org/checklist-run.js';
import { type FleetRow, runFleet } from '../../../org/fleet.js';
import { CeCommand } from '../../../support/ce-command.js';
import {
  finishFleetRun,
  fleetEntries,
  fleetFlags,
  fleetLine,
  fleetSummary,
  openFleetRun,
} from '../../../support/fleet-command.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'fleet.checklist');

export type FleetChecklistResult = FleetSummary & { outDir: string; files: string[] };

type Settings = { config?: string };

const counts = (row: FleetRow<ChecklistReport>): string => {
  const s = row.result?.summary;
  return s ? messages.getMessage('counts', [s.pass, s.warn, s.fail]) : row.status;
};

export default class FleetChecklist extends CeCommand<FleetChecklistResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly flags = fleetFlags;

  public async run(): Promise<FleetChecklistResult> {
    const { flags: f } = await this.parse(FleetChecklist);
    const { folder, finished } = await openFleetRun<Settings>(
      'checklist',
      f,
      { ...(f.config ? { config: f.config } : {}) },
      new Date()
    );
    const entries = fleetEntries(folder.meta.orgs, folder.meta.settings.config);
    const left = entries.filter((e) => !finished.has(e.org));
    this.log(messages.getMessage('start', [left.length, entries.length, folder.dir]));
    const rows = await runFleet<ChecklistReport>({
      entries: left,
      concurrency: f.concurrency,
      maxFailures: f['max-failures'],
      maxApiCallsPerOrg: f['max-api-calls-per-org'],
      plannedCalls: FLEET_DEFAULTS.plannedCalls.checklist,
      work: async ({ entry, conn, facts }) => {
        const report = await runChecklist(conn, entry.config, facts, {
          alias: entry.org,
          configPath: entry.configPath,
        });
        return { ok: report.summary.ok, writes: 0, result: report };
      },
      onEvent: (event) => {
        if (event.kind === 'finish') folder.saveRow(event.row);
        const line = fleetLine(event, counts);
        if (line) this.log(line);
      },
    });
    const all = new Map([
      ...(finished as Map<string, FleetRow<ChecklistReport>>),
      ...rows.map((r) => [r.org, r] as const),
    ]);
    const users = new Map(entries.map((e) => [e.org, { integrationUsername: e.config.integrationUser.username }]));
    const summary = fleetSummary(
      folder,
      all,
      users,
      (row) => {
        if (!row.result) return { checks: [] };
        const report = { ...row.result, apiCalls: row.apiCalls };
        return {
          checks: checksOfItems(report.sections.flatMap((s) => s.items)),
          report: folder.writeOrgReport(row.org, 'checklist.html', renderHtml(report)),
        };
      },
      new Date()
    );
    const { files, failed, table } = finishFleetRun(folder, summary, all, (o) => ({
      items: o.checks.length > 0 ? counts(all.get(o.org) as FleetRow<ChecklistReport>) : '',
    }));
    this.table({ overflow: 'wrap', data: table });
    this.log(
      messages.getMessage('done', [
        summary.counts.ok,
        summary.counts.total,
        summary.apiCalls,
        files.find((p) => p.endsWith('fleet.html')) ?? folder.dir,
      ])
    );
    if (failed.length > 0) this.log(messages.getMessage('retry', [folder.dir]));
    if (!summary.ok) this.failCheck();
    return { ...summary, outDir: folder.dir, files };
  }
}
