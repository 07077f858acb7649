import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { PAGES } from '../../../org/backup.js';
import { type RollbackRow, rollbackComponents } from '../../../org/rollback.js';
import { CeCommand } from '../../../support/ce-command.js';
import * as flags from '../../../support/flags.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'pages.rollback');

export type PagesRollbackResult = {
  org: { id: string; name: string; kind: string; instanceUrl: string };
  backup: string;
  dryRun: boolean;
  pages: RollbackRow[];
  validation?: { id: string; success: boolean };
  deployment?: { id: string; success: boolean; status: string };
  apiCalls: number;
};

export default class PagesRollback extends CeCommand<PagesRollbackResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly flags = {
    'target-org': flags.targetOrg,
    backup: Flags.directory({ summary: messages.getMessage('flags.backup.summary'), required: true, exists: true }),
    'dry-run': flags.dryRun,
    yes: flags.yes,
  };

  public async run(): Promise<PagesRollbackResult> {
    const { flags: f } = await this.parse(PagesRollback);
    const session = await this.openOrg(f['target-org']);
    const { facts } = session;
    const outcome = await rollbackComponents(PAGES, session.conn, facts, f.backup, {
      dryRun: f['dry-run'],
      confirm: async (plan) => {
        await this.confirmProductionWrite(session, plan, f.yes);
        this.spinner.start(messages.getMessage('progress.restoring', [plan.length]));
      },
      onProgress: (message) => {
        this.spinner.status = message;
      },
    });
    this.spinner.stop();
    const result: PagesRollbackResult = {
      org: { id: facts.id, name: facts.name, kind: facts.kind, instanceUrl: facts.instanceUrl },
      backup: outcome.backup,
      dryRun: outcome.dryRun,
      pages: outcome.rows,
      ...(outcome.validation ? { validation: outcome.validation } : {}),
      ...(outcome.deployment ? { deployment: outcome.deployment } : {}),
      apiCalls: session.calls.count,
    };
    this.table({
      data: result.pages.map((row) => ({
        page: row.fullName,
        status: !row.deployed && row.status === 'restored' ? messages.getMessage('status.wouldRestore') : row.status,
        detail:
          row.problems.join('\n') ||
          messages.getMessage(row.status === 'restored' ? 'detail.restored' : 'detail.unchanged'),
      })),
    });
    this.log(messages.getMessage('apiCalls', [result.apiCalls]));
    if (result.pages.some((r) => r.status === 'failed')) this.failCheck();
    return result;
  }
}
