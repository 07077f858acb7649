import { Flags } from '@salesforce/sf-plugins-core';
import { relatedListSpec } from '../../../core/related-list-spec.js';
import type { LayoutChange, RelatedListSpec } from '../../../core/related-list-transform.js';
import { writeBackup } from '../../../org/layout-backup.js';
import { deployLayouts, planLayouts } from '../../../org/layouts.js';
import { CeCommand } from '../../support/ce-command.mjs';
import * as flags from '../../support/flags.mjs';
import { type LayoutRow, problemsByLayout, renderLayouts } from '../../support/layout-report.mjs';
import { relatedListFlags } from '../../support/related-list-flags.mjs';

export type LayoutsApplyResult = {
  org: { id: string; name: string; kind: string; instanceUrl: string };
  dryRun: boolean;
  relatedList: RelatedListSpec;
  layouts: Array<LayoutRow & { changes: LayoutChange[] }>;
  /** The folder holding the originals of the layouts that change (absent on --dry-run or when none change). */
  backup?: string;
  validation?: { id: string; success: boolean };
  deployment?: { id: string; success: boolean; status: string };
  apiCalls: number;
};

export default class LayoutsApply extends CeCommand<LayoutsApplyResult> {
  public static readonly summary = 'Put the Enrollments related list on the org’s Contact layouts.';
  public static readonly description =
    'Lists the Contact layouts, picks those in layouts.targets (or --layouts; "*" for all), retrieves them in one retrieve and adds or reconciles the Enrollments related list, changing nothing else. The originals of the layouts that change are saved to a timestamped folder under --backup-dir first; the changes are validated with a check-only deploy, then deployed in one deploy. Layouts already as configured are left alone, so a second run deploys nothing. Undo with `ce-connect layouts rollback --backup <folder>`.';
  public static readonly examples = [
    '<%= config.bin %> <%= command.id %> -o my-sandbox --dry-run',
    '<%= config.bin %> <%= command.id %> -o prod --layouts "Contact-Contact Layout" --yes --json',
  ];
  public static readonly flags = {
    'target-org': flags.targetOrg,
    config: flags.config,
    layouts: Flags.string({
      summary: 'Comma-separated Contact layout names to change, or "*" for all (default: layouts.targets).',
    }),
    ...relatedListFlags,
    'backup-dir': Flags.directory({
      summary: 'Folder for the backups of changed layouts.',
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
    const changed = plans.filter((p) => p.status === 'changed');
    const result: LayoutsApplyResult = {
      org: { id: facts.id, name: facts.name, kind: facts.kind, instanceUrl: facts.instanceUrl },
      dryRun: f['dry-run'],
      relatedList: spec,
      layouts: plans.map((p) => ({
        fullName: p.fullName,
        status: p.status,
        deployed: false,
        changes: p.changes,
        problems: p.problem ? [p.problem] : [],
      })),
      apiCalls: 0,
    };

    if (changed.length > 0) {
      const patched = new Map(changed.map((p) => [p.fullName, p.patched ?? Buffer.alloc(0)]));
      if (!f['dry-run']) {
        const plan = changed.map((p) => `${p.fullName}: ${p.changes.map((c) => c.message).join('; ')}`);
        await this.confirmProductionWrite(session, plan, f.yes);
        result.backup = writeBackup(
          f['backup-dir'],
          facts,
          new Map(changed.map((p) => [p.fullName, p.original ?? Buffer.alloc(0)]))
        );
      }
      this.spinner.start(`Validating ${changed.length} layout(s) with a check-only deploy`);
      const validation = await deployLayouts(conn, patched, true);
      this.spinner.stop();
      result.validation = { id: validation.id, success: validation.success };
      const problems = problemsByLayout(validation.problems);
      for (const row of result.layouts) {
        const found = problems.get(row.fullName) ?? problems.get('') ?? [];
        if (row.status === 'changed' && found.length > 0) Object.assign(row, { status: 'failed', problems: found });
      }
      if (validation.success && !f['dry-run']) {
        this.spinner.start(`Deploying ${changed.length} layout(s)`);
        const deployment = await deployLayouts(conn, patched, false);
        this.spinner.stop();
        result.deployment = { id: deployment.id, success: deployment.success, status: deployment.status };
        const deployProblems = problemsByLayout(deployment.problems);
        for (const row of result.layouts.filter((r) => r.status === 'changed')) {
          const found = deployProblems.get(row.fullName) ?? deployProblems.get('') ?? [];
          if (deployment.success) row.deployed = true;
          else Object.assign(row, { status: 'failed', problems: found });
        }
      }
    }
    result.apiCalls = session.calls.count;

    renderLayouts(this, result.layouts, (row) =>
      row.problems.length > 0
        ? row.problems.join('\n')
        : row.changes.map((c) => c.message).join('\n') || 'already as configured'
    );
    if (result.backup)
      this.log(
        `Originals saved to ${result.backup} (undo: ce-connect layouts rollback -o <org> --backup "${result.backup}").`
      );
    if (f['dry-run'] && changed.length > 0)
      this.log(`Dry run: ${changed.length} layout(s) would change; nothing was deployed.`);
    if (changed.length === 0 && plans.every((p) => p.status === 'unchanged'))
      this.log('Every layout already shows the related list as configured; nothing to deploy.');
    this.log(`${result.apiCalls} API call(s).`);
    if (result.layouts.some((r) => r.status === 'failed')) this.failCheck();
    return result;
  }
}
