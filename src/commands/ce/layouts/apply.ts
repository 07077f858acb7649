import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { relatedListSpec } from '../../../core/related-list-spec.js';
import type { RelatedListSpec } from '../../../core/related-list-transform.js';
import { type LayoutsApplyOutcome, applyLayoutPlans, layoutPlanLines, planLayouts } from '../../../org/layouts.js';
import { CeCommand } from '../../../support/ce-command.js';
import * as flags from '../../../support/flags.js';
import { renderLayouts } from '../../../support/layout-report.js';
import { relatedListFlags } from '../../../support/related-list-flags.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'layouts.apply');

export type LayoutsApplyResult = LayoutsApplyOutcome & {
  org: { id: string; name: string; kind: string; instanceUrl: string };
  relatedList: RelatedListSpec;
  apiCalls: number;
};

export default class LayoutsApply extends CeCommand<LayoutsApplyResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly flags = {
    'target-org': flags.targetOrg,
    config: flags.config,
    layouts: Flags.string({
      summary: messages.getMessage('flags.layouts.summary'),
    }),
    ...relatedListFlags,
    'backup-dir': Flags.directory({
      summary: messages.getMessage('flags.backup-dir.summary'),
      default: 'ce-connect-backups',
    }),
    'dry-run': flags.dryRun,
    yes: flags.yes,
  };

  public async run(): Promise<LayoutsApplyResult> {
    const { flags: f } = await this.parse(LayoutsApply);
    const { config } = this.loadConfig(f.config);
    const spec = relatedListSpec(config, {
      relatedList: f['related-list'],
      fields: f.fields,
      sortField: f['sort-field'],
      sortOrder: f['sort-order'],
      excludeButtons: f['exclude-buttons'],
      customButtons: f['custom-buttons'],
    });
    const targets = f.layouts
      ? f.layouts
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean)
      : config.layouts.targets;
    const session = await this.openOrg(f['target-org']);
    const { conn, facts } = session;

    this.spinner.start(`Reading the Contact layouts of ${facts.name}`);
    const plans = await planLayouts(conn, spec, targets);
    this.spinner.stop();
    // Asked right after planning, so a refusal leaves no backup folder behind.
    if (!f['dry-run']) await this.confirmProductionWrite(session, layoutPlanLines(plans), f.yes);
    const outcome = await applyLayoutPlans(conn, facts, plans, {
      dryRun: f['dry-run'],
      backupDir: f['backup-dir'],
      onProgress: (message) => this.spinner.start(message),
    });
    this.spinner.stop();
    const result: LayoutsApplyResult = {
      org: { id: facts.id, name: facts.name, kind: facts.kind, instanceUrl: facts.instanceUrl },
      relatedList: spec,
      ...outcome,
      apiCalls: session.calls.count,
    };

    renderLayouts(this, result.layouts, (row) =>
      row.problems.length > 0
        ? row.problems.join('\n')
        : row.changes.map((c) => c.message).join('\n') || 'already as configured'
    );
    const changed = plans.filter((p) => p.status === 'changed').length;
    if (result.backup)
      this.log(
        `Originals saved to ${result.backup} (undo: ce-connect layouts rollback -o <org> --backup "${result.backup}").`
      );
    if (f['dry-run'] && changed > 0) this.log(`Dry run: ${changed} layout(s) would change; nothing was deployed.`);
    if (changed === 0 && plans.every((p) => p.status === 'unchanged'))
      this.log('Every layout already shows the related list as configured; nothing to deploy.');
    this.log(`${result.apiCalls} API call(s).`);
    if (result.layouts.some((r) => r.status === 'failed')) this.failCheck();
    return result;
  }
}
