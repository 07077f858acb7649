import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { inputError } from '../../../core/errors.js';
import { type RunResult, runBackfill } from '../../../org/backfill-run.js';
import { CeCommand } from '../../../support/ce-command.js';
import { backfillColumnFlags, printSummary, resolveBackfillOptions } from '../../../support/backfill-flags.js';
import * as flags from '../../../support/flags.js';
import { journalPath } from '../../../org/backfill-journal.js';
import { targetOrgName } from '../../../support/target-org-name.js';
import { BACKFILL_DEFAULTS } from '../../../core/defaults.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'backfill.run');

export type BackfillRunResult = RunResult & { apiCalls: number };

export default class BackfillRun extends CeCommand<BackfillRunResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly flags = {
    'target-org': flags.targetOrg,
    export: Flags.string({ summary: messages.getMessage('flags.export.summary'), exclusive: ['resume'] }),
    'out-dir': Flags.string({
      summary: messages.getMessage('flags.out-dir.summary'),
      exclusive: ['resume'],
    }),
    resume: Flags.string({ summary: messages.getMessage('flags.resume.summary') }),
    ...backfillColumnFlags,
    'poll-interval': Flags.integer({
      summary: messages.getMessage('flags.poll-interval.summary'),
      default: BACKFILL_DEFAULTS.pollIntervalSeconds,
      min: 1,
      max: 300,
    }),
    wait: Flags.integer({
      summary: messages.getMessage('flags.wait.summary'),
      default: BACKFILL_DEFAULTS.waitMinutes,
      min: 1,
      max: 1440,
    }),
    'max-job-mb': Flags.integer({
      summary: messages.getMessage('flags.max-job-mb.summary'),
      default: BACKFILL_DEFAULTS.maxJobBytes / 1_000_000,
      min: 1,
      max: 100,
    }),
    'dry-run': flags.dryRun,
    yes: flags.yes,
    config: flags.config,
  };

  public async run(): Promise<BackfillRunResult> {
    const { flags: f } = await this.parse(BackfillRun);
    const { config } = this.loadConfig(f.config);
    const options = resolveBackfillOptions(f, config);
    if (!f.resume && !f.export) {
      throw inputError(messages, 'ExportRequired');
    }
    const session = await this.openOrg(f['target-org'], f.wait * 60_000);
    const outDir = f.resume ?? f['out-dir'] ?? `backfill-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    // Once the run has its journal, a stop continues from it.
    const resume = `ce-connect backfill run --resume ${resolve(outDir)} -o ${targetOrgName(this.argv, f['target-org'].getUsername())}`;
    this.continueWith = () => (existsSync(journalPath(resolve(outDir))) ? resume : undefined);
    this.spinner.start(f.resume ? `Resuming the backfill in ${outDir}` : 'Planning the backfill against the org');
    const result = await runBackfill({
      conn: session.conn,
      config,
      outDir,
      exportPath: f.export,
      resume: Boolean(f.resume),
      ...options,
      dryRun: f['dry-run'],
      pollIntervalMs: f['poll-interval'] * 1000,
      timeoutMs: f.wait * 60_000,
      maxJobBytes: f['max-job-mb'] * 1_000_000,
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
