import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { type PagesApplyOutcome, applyPagePlans, pagePlanLines, planPages } from '../../../org/pages.js';
import { CeCommand } from '../../../support/ce-command.js';
import * as flags from '../../../support/flags.js';
import { targetOrgName } from '../../../support/target-org-name.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'pages.apply');

export type PagesApplyResult = PagesApplyOutcome & {
  org: { id: string; name: string; kind: string; instanceUrl: string };
  apiCalls: number;
};

export default class PagesApply extends CeCommand<PagesApplyResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly flags = {
    'target-org': flags.targetOrg,
    config: flags.config,
    'backup-dir': Flags.directory({
      summary: messages.getMessage('flags.backup-dir.summary'),
      default: 'ce-connect-backups',
    }),
    'dry-run': flags.dryRun,
    yes: flags.yes,
  };

  public async run(): Promise<PagesApplyResult> {
    const { flags: f } = await this.parse(PagesApply);
    const { path, config } = this.loadConfig(f.config);
    const session = await this.openOrg(f['target-org']);
    const { conn, facts } = session;
    this.spinner.start(messages.getMessage('progress.reading', [facts.name]));
    const plans = await planPages(conn, config, { configSource: path });
    this.spinner.stop();
    // Asked right after planning, so a refusal leaves no backup folder behind.
    if (!f['dry-run']) await this.confirmProductionWrite(session, pagePlanLines(plans), f.yes);
    const outcome = await applyPagePlans(conn, facts, plans, {
      dryRun: f['dry-run'],
      backupDir: f['backup-dir'],
      onProgress: (message) => this.spinner.start(message),
    });
    this.spinner.stop();
    const result: PagesApplyResult = {
      org: { id: facts.id, name: facts.name, kind: facts.kind, instanceUrl: facts.instanceUrl },
      ...outcome,
      apiCalls: session.calls.count,
    };
    this.table({
      overflow: 'wrap',
      data: result.pages.map((row) => ({
        page: row.fullName,
        status: !row.deployed && row.status === 'changed' ? messages.getMessage('status.wouldChange') : row.status,
        detail:
          row.problems.join('\n') ||
          row.changes.join('\n') ||
          (row.verdict === 'missing'
            ? messages.getMessage('detail.missing')
            : messages.getMessage('detail.shown', [row.verdict])),
      })),
    });
    const changed = plans.filter((p) => p.status === 'changed').length;
    const alias = targetOrgName(this.argv, f['target-org'].getUsername());
    if (result.backup) this.log(messages.getMessage('backup', [result.backup, alias, result.backup]));
    if (f['dry-run'] && changed > 0) this.log(messages.getMessage('dryRun', [changed]));
    if (changed === 0 && plans.every((p) => p.status === 'unchanged')) this.log(messages.getMessage('nothingToDo'));
    this.log(messages.getMessage('apiCalls', [result.apiCalls]));
    if (result.pages.some((r) => r.status === 'failed')) this.failCheck();
    return result;
  }
}
