import { Messages } from '@salesforce/core';
import { Org } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { type BackfillSummary } from '../../../core/backfill-planner.js';
import { type ExistingStats, existingFromFile, planBackfill } from '../../../org/backfill-plan.js';
import { existingFromOrg, fieldCheckFor } from '../../../org/backfill-org.js';
import { CeCommand } from '../../../support/ce-command.js';
import { backfillColumnFlags, printSummary, resolveBackfillOptions } from '../../../support/backfill-flags.js';
import * as flags from '../../../support/flags.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'backfill.plan');

export type BackfillPlanResult = {
  outDir: string;
  since: string;
  summary: BackfillSummary;
  existing: ExistingStats;
  apiCalls?: number;
};

export default class BackfillPlan extends CeCommand<BackfillPlanResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly flags = {
    export: Flags.string({ summary: messages.getMessage('flags.export.summary'), required: true }),
    existing: Flags.string({
      summary: messages.getMessage('flags.existing.summary'),
      exactlyOne: ['existing', 'target-org'],
    }),
    'target-org': Flags.string({
      char: 'o',
      summary: messages.getMessage('flags.target-org.summary'),
      exactlyOne: ['existing', 'target-org'],
    }),
    'out-dir': Flags.string({
      summary: messages.getMessage('flags.out-dir.summary'),
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
