import { Flags } from '@salesforce/sf-plugins-core';
import { InputError } from '../../../core/errors.js';
import { type RunResult, runBackfill } from '../../../org/backfill-run.js';
import { CeCommand } from '../../../support/ce-command.js';
import { backfillColumnFlags, printSummary, resolveBackfillOptions } from '../../../support/backfill-flags.js';
import * as flags from '../../../support/flags.js';

export type BackfillRunResult = RunResult & { apiCalls: number };

export default class BackfillRun extends CeCommand<BackfillRunResult> {
  public static readonly summary = 'Upsert the enrollments Salesforce is missing, with Bulk API 2.0, resumably.';
  public static readonly description =
    'Plans the CE export against the org (as `backfill plan -o`), then upserts the planned rows on the External ID with Bulk API 2.0 jobs of at most ~100 MB, and writes where every row ended: upserted.csv, existing-newer.csv ("Cannot update record due to old timestamp": Salesforce already holds a newer copy, which is expected), failed.csv, unprocessed.csv, skipped.csv, rejected.csv and run-summary.json. A journal in the output folder lets `--resume <dir>` continue after a crash or Ctrl-C without sending a row to two jobs. Running it again on the same export uploads nothing.';
  public static readonly examples = [
    '<%= config.bin %> <%= command.id %> -o prod --export enrollments.csv --out-dir backfill-run --dry-run',
    '<%= config.bin %> <%= command.id %> -o prod --export enrollments.csv --out-dir backfill-run --yes',
    '<%= config.bin %> <%= command.id %> -o prod --resume backfill-run',
  ];
  public static readonly flags = {
    'target-org': flags.targetOrg,
    export: Flags.string({ summary: 'The CSV exported from CE (not with --resume).', exclusive: ['resume'] }),
    'out-dir': Flags.string({
      summary: 'Folder for the plan, the uploads, the journal and the results (default: backfill-<date-time>).',
      exclusive: ['resume'],
    }),
    resume: Flags.string({ summary: 'Continue the run whose --out-dir this was.' }),
    ...backfillColumnFlags,
    'poll-interval': Flags.integer({
      summary: 'Seconds between checks of a running Bulk API job.',
      default: 5,
      min: 1,
      max: 300,
    }),
    wait: Flags.integer({
      summary: 'Minutes to wait for each Bulk API job before stopping (the job keeps running; resume later).',
      default: 60,
      min: 1,
      max: 1440,
    }),
    'max-job-mb': Flags.integer({
      summary: 'Largest upload per Bulk API job, in MB of CSV (Salesforce accepts 100).',
      default: 100,
      min: 1,
      max: 100,
      hidden: true,
    }),
    'max-job-bytes': Flags.integer({ summary: 'For tests: largest upload per job in bytes.', hidden: true, min: 1 }),
    'poll-interval-ms': Flags.integer({ summary: 'For tests: poll interval in milliseconds.', hidden: true, min: 1 }),
    'dry-run': flags.dryRun,
    yes: flags.yes,
    config: flags.config,
  };

  public async run(): Promise<BackfillRunResult> {
    const { flags: f } = await this.parse(BackfillRun);
    const { config } = this.loadConfig(f.config);
    const options = resolveBackfillOptions(f, config);
    if (!f.resume && !f.export) {
      throw new InputError('ExportRequired', 'Pass --export <csv> for a new run, or --resume <dir> to continue one.', {
        actions: ['ce-connect backfill run -o <org> --export enrollments.csv --out-dir backfill-run'],
      });
    }
    const session = await this.openOrg(f['target-org']);
    const outDir = f.resume ?? f['out-dir'] ?? `backfill-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    this.spinner.start(f.resume ? `Resuming the backfill in ${outDir}` : 'Planning the backfill against the org');
    const result = await runBackfill({
      conn: session.conn,
      config,
      outDir,
      exportPath: f.export,
      resume: Boolean(f.resume),
      ...options,
      dryRun: f['dry-run'],
      pollIntervalMs: f['poll-interval-ms'] ?? f['poll-interval'] * 1000,
      timeoutMs: f.wait * 60_000,
      maxJobBytes: f['max-job-bytes'] ?? f['max-job-mb'] * 1_000_000,
      confirm: async (plan) => {
        this.spinner.stop();
        await this.confirmProductionWrite(session, plan, f.yes);
        this.spinner.start('Upserting with Bulk API 2.0');
      },
      onProgress: (message) => {
        this.spinner.status = message;
      },
    });
    this.spinner.stop(result.dryRun ? 'planned (dry run)' : 'done');
    if (result.droppedColumns.length > 0) {
      this.warn(
        `These export columns are not fields of ${config.enrollment.object} and were not uploaded: ${result.droppedColumns.join(', ')}.`
      );
    }
    printSummary(this, result.planSummary, result.outDir);
    if (result.dryRun) {
      this.log(result.plan.length > 0 ? `Would run:\n  ${result.plan.join('\n  ')}` : 'Nothing to upsert.');
    } else if (result.summary) {
      const u = result.summary.upsert;
      this.table({
        data: [
          { outcome: 'created', rows: u.created },
          { outcome: 'updated', rows: u.updated },
          { outcome: 'existing newer in Salesforce (expected)', rows: u.existingNewer },
          { outcome: 'failed (see failed.csv)', rows: u.failed },
          { outcome: 'unprocessed (see unprocessed.csv)', rows: u.unprocessed },
        ],
      });
      if (u.failed + u.unprocessed > 0) this.failCheck();
    }
    return { ...result, apiCalls: session.calls.count };
  }
}
