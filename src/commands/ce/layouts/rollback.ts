import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { inputError } from '../../../core/errors.js';
import { readBackup } from '../../../org/layout-backup.js';
import { deployLayouts } from '../../../org/layouts.js';
import { CeCommand } from '../../../support/ce-command.js';
import * as flags from '../../../support/flags.js';
import { type LayoutRow, problemsByLayout, renderLayouts } from '../../../support/layout-report.js';

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
    const { manifest, files } = readBackup(f.backup);
    const session = await this.openOrg(f['target-org']);
    const { conn, facts } = session;
    if (manifest.orgId !== facts.id) {
      throw inputError(messages, 'BackupFromAnotherOrg', [
        f.backup,
        manifest.orgName,
        manifest.orgId,
        facts.name,
        facts.id,
      ]);
    }
    const result: LayoutsRollbackResult = {
      org: { id: facts.id, name: facts.name, kind: facts.kind, instanceUrl: facts.instanceUrl },
      backup: f.backup,
      dryRun: f['dry-run'],
      layouts: [...files.keys()].map((fullName) => ({ fullName, status: 'unchanged', deployed: false, problems: [] })),
      apiCalls: 0,
    };
    if (files.size > 0) {
      if (f['dry-run']) {
        const validation = await deployLayouts(conn, files, true);
        result.validation = { id: validation.id, success: validation.success };
        this.markProblems(result.layouts, problemsByLayout(validation.problems));
        for (const row of result.layouts) {
          if (row.status !== 'failed' && validation.changed.includes(row.fullName)) row.status = 'restored';
        }
      } else {
        await this.confirmProductionWrite(
          session,
          [...files.keys()].map((name) => `restore ${name} from ${f.backup}`),
          f.yes
        );
        this.spinner.start(`Restoring ${files.size} layout(s)`);
        const deployment = await deployLayouts(conn, files, false);
        this.spinner.stop();
        result.deployment = { id: deployment.id, success: deployment.success, status: deployment.status };
        this.markProblems(result.layouts, problemsByLayout(deployment.problems));
        for (const row of result.layouts) {
          if (row.status === 'failed') continue;
          row.deployed = deployment.success;
          if (deployment.changed.includes(row.fullName)) row.status = 'restored';
        }
      }
    }
    result.apiCalls = session.calls.count;
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

  private markProblems(rows: LayoutRow[], problems: Map<string, string[]>): void {
    for (const row of rows) {
      const found = problems.get(row.fullName) ?? problems.get('') ?? [];
      if (found.length > 0) Object.assign(row, { status: 'failed', problems: found });
    }
  }
}
