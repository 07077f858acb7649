import { Messages } from '@salesforce/core';
import { type ChecklistReport, renderHtml } from '../../../core/checklist.js';
import { FLEET_DEFAULTS } from '../../../core/defaults.js';
import { type FleetSummary, checksOfItems } from '../../../core/fleet-report.js';
import { runChecklist } from '../../../org/checklist-run.js';
import { type FleetRow, runFleet } from '../../../org/fleet.js';
import { CeCommand } from '../../../support/ce-command.js';
import { completeFleetRun, fleetFlags, fleetLine, startFleetRun } from '../../../support/fleet-command.js';
import { policySource } from '../../../support/policy-file.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'fleet.checklist');

export type FleetChecklistResult = FleetSummary & { outDir: string; files: string[] };

type Settings = { config?: string };

/** Each org's own report, in its folder of the run. */
const REPORT = 'checklist.html';

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
    const start = await startFleetRun<Settings>('checklist', f, {}, new Date());
    const { folder, entries, finished } = start;
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
          policy: policySource(entry.configPath),
        });
        return { ok: report.summary.ok, writes: 0, result: report };
      },
      onEvent: (event) => {
        if (event.kind === 'finish') {
          // The org's outcome and its own report, kept the moment it finishes: a killed run loses neither.
          folder.saveRow(event.row);
          const report = event.row.result;
          if (report)
            folder.writeOrgReport(event.row.org, REPORT, renderHtml({ ...report, apiCalls: event.row.apiCalls }));
        }
        const line = fleetLine(event, counts);
        if (line) this.log(line);
      },
    });
    const end = completeFleetRun(start, rows, {
      describe: (row) =>
        row.result
          ? {
              checks: checksOfItems(row.result.sections.flatMap((section) => section.items)),
              report: folder.orgFile(row.org, REPORT),
            }
          : { checks: [] },
      listed: (entry) => ({ org: entry.org, config: entry.configPath }),
      extra: (o, row) => ({ items: o.checks.length > 0 && row ? counts(row) : '' }),
    });
    const { summary, files } = end;
    this.table({ overflow: 'wrap', data: end.table });
    this.log(
      messages.getMessage('done', [
        summary.counts.ok,
        summary.counts.total,
        summary.apiCalls,
        files.find((p) => p.endsWith('fleet.html')) ?? folder.dir,
      ])
    );
    if (end.failed.length > 0) this.log(messages.getMessage('retry', [folder.dir]));
    if (!summary.ok) this.failCheck();
    return { ...summary, outDir: folder.dir, files };
  }
}
