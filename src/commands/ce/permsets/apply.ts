import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import {
  type PermsetApplyResult,
  applyPlannedAssignments,
  dryRunResult,
  planPermissionSetAssignments,
} from '../../../org/permset-assignments.js';
import { formatElapsed } from '../../../core/package-install.js';
import { commandLine } from '../../../core/stops.js';
import { clock } from '../../../org/clock.js';
import { DEFAULT_GROUP_WAIT_MINUTES } from '../../../org/permission-set-groups.js';
import { CeCommand } from '../../../support/ce-command.js';
import { policyFileDrift } from '../../../support/policy-file.js';
import { targetOrgName } from '../../../support/target-org-name.js';
import * as flags from '../../../support/flags.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'permsets.apply');

export type PermsetsApplyCommandResult = PermsetApplyResult & { org: string; apiCalls: number };

const WORD: Record<string, string> = {
  added: '+ added',
  'already-assigned': '= already assigned',
  updated: '~ updated',
  removed: '- removed',
  'kept-not-in-config': '? kept (not in config)',
  'skipped-inactive': '– skipped (inactive)',
  failed: '✘ failed',
};

export default class PermsetsApply extends CeCommand<PermsetsApplyCommandResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly flags = {
    'target-org': flags.targetOrg,
    config: flags.config,
    prune: Flags.boolean({
      summary: messages.getMessage('flags.prune.summary'),
      default: false,
    }),
    'dry-run': flags.dryRun,
    yes: flags.yes,
    wait: Flags.integer({
      char: 'w',
      summary: messages.getMessage('flags.wait.summary', [String(DEFAULT_GROUP_WAIT_MINUTES)]),
      default: DEFAULT_GROUP_WAIT_MINUTES,
      min: 0,
    }),
  };

  public async run(): Promise<PermsetsApplyCommandResult> {
    const { flags: f } = await this.parse(PermsetsApply);
    const { path, config } = this.loadConfig(f.config);
    const session = await this.openOrg(f['target-org'], f.wait * 60_000);
    const alias = targetOrgName(this.argv, f['target-org'].getUsername());
    const reading = `Reading "${config.permissionSet.label}" and its assignments`;
    this.spinner.start(reading);
    const planned = await planPermissionSetAssignments(session.conn, config, {
      prune: f.prune,
      groups: {
        waitMinutes: f.wait,
        // A stop names the command as it was run (what is assigned is not assigned twice).
        rerun: { command: commandLine('ce-connect', this.id ?? 'ce:permsets:apply', this.argv), waitFlag: '--wait' },
        checkCommand: `ce-connect checklist -o ${alias}`,
        onProgress: (event) => {
          this.spinner.status = messages.getMessage('waiting', [
            event.pending.join('; '),
            formatElapsed(clock().now() - event.startedAt),
            new Date(event.deadline).toLocaleTimeString(),
            event.reads,
          ]);
        },
      },
    });
    this.spinner.stop();

    let applied: PermsetApplyResult;
    if (f['dry-run'] || planned.lines.length === 0) {
      applied = { ...dryRunResult(planned), dryRun: f['dry-run'] };
    } else {
      await this.confirmProductionWrite(session, planned.lines, f.yes);
      this.spinner.start(`Writing ${planned.lines.length} change(s)`);
      applied = await applyPlannedAssignments(session.conn, planned, {
        onProgress: (e) => {
          this.spinner.status = `${e.phase} ${e.done}/${e.total}`;
        },
      });
      this.spinner.stop();
    }
    const result: PermsetsApplyCommandResult = { ...applied, org: session.facts.name, apiCalls: session.calls.count };

    const ps = result.permissionSet;
    this.log(`${ps.label} (${ps.namespace}__${ps.name}) in ${result.org}${result.dryRun ? ' — dry run' : ''}:`);
    this.table({
      data: result.outcomes.map((o) => ({
        user: o.username,
        outcome: WORD[o.outcome],
        expires: o.expires === undefined ? '' : (o.expires?.slice(0, 10) ?? 'never'),
        note: o.message ?? o.rules.join(', '),
      })),
    });
    const waited = result.groups;
    if (waited && waited.reads > 1) {
      this.log(
        messages.getMessage('waited', [
          waited.groups
            .filter((g) => g.inConfig)
            .map((g) => `"${g.label}"`)
            .join(', '),
          formatElapsed(waited.waitedMs),
          waited.reads,
        ])
      );
    }
    const drift = policyFileDrift(path, config);
    if (drift.length > 0) {
      result.warnings.push(messages.getMessage('policy-drift', [drift.join('; ')]).replace(/<org>/g, alias));
    }
    for (const warning of result.warnings) this.warn(warning);
    if (result.dryRun && result.plan.length > 0) {
      this.log(`Dry run: ${result.plan.length} change(s) planned, nothing written:`);
      for (const line of result.plan) this.log(`  - ${line}`);
    }
    if (result.plan.length === 0) this.log('Assignments already match config; nothing to write.');
    this.log(`${result.writes} write request(s), ${result.apiCalls} API call(s).`);
    if (result.counts.failed > 0) this.failCheck();
    return result;
  }
}
