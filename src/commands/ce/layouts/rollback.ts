import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { LAYOUTS } from '../../../org/backup.js';
import { rollbackComponents } from '../../../org/rollback.js';
import { CeCommand } from '../../../support/ce-command.js';
import * as flags from '../../../support/flags.js';
import { type LayoutRow, renderLayouts } from '../../../support/layout-report.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'layouts.rollback');

export type LayoutsRollbackResult = {
  org: { id: string; name: string; kind: string; instanceUrl: string };
  backup: string;
  dryRun: boolean;
  layouts: LayoutRow[];
  validation?: { id: string; success: boolean };
  deployment?: { id: string; success: boolean; status: string };
  apiCalls: number;
};

export default class LayoutsRollback extends CeCommand<LayoutsRollbackResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly flags = {
    'target-org': flags.targetOrg,
    backup: Flags.directory({ summary: messages.getMessage('flags.backup.summary'), required: true, exists: true }),
    'dry-run': flags.dryRun,
    yes: flags.yes,
  };

  public async run(): Promise<LayoutsRollbackResult> {
    const { flags: f } = await this.parse(LayoutsRollback);
    const session = await this.openOrg(f['target-org']);
    const { facts } = session;
    const outcome = await rollbackComponents(LAYOUTS, session.conn, facts, f.backup, {
      dryRun: f['dry-run'],
      confirm: async (plan) => {
        await this.confirmProductionWrite(session, plan, f.yes);
        this.spinner.start(`Restoring ${plan.length} layout(s)`);
      },
      onProgress: (message) => {
        this.spinner.status = message;
      },
    });
    this.spinner.stop();
    const result: LayoutsRollbackResult = {
      org: { id: facts.id, name: facts.name, kind: facts.kind, instanceUrl: facts.instanceUrl },
      backup: outcome.backup,
      dryRun: outcome.dryRun,
      layouts: outcome.rows,
      ...(outcome.validation ? { validation: outcome.validation } : {}),
      ...(outcome.deployment ? { deployment: outcome.deployment } : {}),
      apiCalls: session.calls.count,
    };
    renderLayouts(
      this,
      result.layouts,
      (row) =>
        row.problems.join('\n') || (row.status === 'restored' ? 'put back as it was' : 'already as in the backup')
    );
    this.log(`${result.apiCalls} API call(s).`);
    if (result.layouts.some((r) => r.status === 'failed')) this.failCheck();
    return result;
  }
}
