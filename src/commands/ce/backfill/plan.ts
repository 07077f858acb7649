import { Org } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { type BackfillSummary } from '../../../core/backfill-planner.js';
import { type ExistingStats, existingFromFile, planBackfill } from '../../../org/backfill-plan.js';
import { existingFromOrg, fieldCheckFor } from '../../../org/backfill-org.js';
import { CeCommand } from '../../../support/ce-command.js';
import { backfillColumnFlags, printSummary, resolveBackfillOptions } from '../../../support/backfill-flags.js';
import * as flags from '../../../support/flags.js';

export type BackfillPlanResult = {
  outDir: string;
  since: string;
  summary: BackfillSummary;
  existing: ExistingStats;
  apiCalls?: number;
};

export default class BackfillPlan extends CeCommand<BackfillPlanResult> {
  public static readonly summary = 'Split a CE export into the rows Salesforce still needs and the rows it does not.';
  public static readonly description =
    'Compares every row of the CE enrollment export with what Salesforce holds (an existing-records CSV, or the org itself through one Bulk API 2.0 query job) and writes to-upsert-001.csv, … (at most 50,000 rows each, ready for the Data Import Wizard), skipped.csv, rejected.csv and summary.json. Every input row lands in exactly one file. Nothing is written to the org.';
  public static readonly examples = [
    '<%= config.bin %> <%= command.id %> --export enrollments.csv --existing salesforce.csv --out-dir backfill',
    '<%= config.bin %> <%= command.id %> --export enrollments.csv -o prod --out-dir backfill --since 2025-11-20',
  ];
  public static readonly flags = {
    export: Flags.string({ summary: 'The CSV exported from CE.', required: true }),
    existing: Flags.string({
      summary: 'A CSV of the records Salesforce already holds (External ID column, and the timestamp column if any).',
      exactlyOne: ['existing', 'target-org'],
    }),
    'target-org': Flags.string({
      char: 'o',
      summary: 'Read the existing records from this org (alias or username) instead of --existing.',
      exactlyOne: ['existing', 'target-org'],
    }),
    'out-dir': Flags.string({
      summary: 'Folder for the outcome files (new, empty, or an earlier plan).',
      required: true,
    }),
    ...backfillColumnFlags,
    config: flags.config,
  };

  public async run(): Promise<BackfillPlanResult> {
    const { flags: f } = await this.parse(BackfillPlan);
    const { config } = this.loadConfig(f.config);
    const columns = resolveBackfillOptions(f, config);
    let apiCalls: (() => number) | undefined;
    let loadExisting = existingFromFile(f.existing ?? '', columns.externalIdColumn, columns.timestampColumn);
    let rowCheckFor;
    if (f['target-org']) {
      const session = await this.openOrg(await Org.create({ aliasOrUsername: f['target-org'] }));
      const check = await fieldCheckFor(session.conn, config);
      rowCheckFor = check;
      loadExisting = existingFromOrg(session.conn, config);
      apiCalls = (): number => session.calls.count;
    }
    this.spinner.start('Planning the backfill');
    const plan = await planBackfill({
      exportPath: f.export,
      outDir: f['out-dir'],
      ...columns,
      loadExisting,
      rowCheckFor,
      onProgress: (p) => {
        this.spinner.status = `${p.phase} ${p.rows > 0 ? `${p.rows.toLocaleString('en-US')} rows` : ''}`;
      },
    });
    this.spinner.stop('done');
    printSummary(this, plan.summary, plan.outDir);
    return {
      outDir: plan.outDir,
      since: new Date(columns.since).toISOString(),
      summary: plan.summary,
      existing: plan.existing,
      ...(apiCalls ? { apiCalls: apiCalls() } : {}),
    };
  }
}
