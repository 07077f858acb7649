import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { commandLine } from '../../core/stops.js';
import { type SetupStepId, SETUP_STEPS, setupArgvWith } from '../../core/setup-steps.js';
import { type SetupEvent, type SetupResult, type StepResult, runSetup } from '../../org/setup-runner.js';
import { CeCommand, type OrgSession } from '../../support/ce-command.js';
import * as flags from '../../support/flags.js';
import { setupRunFlags, setupRunOptions } from '../../support/setup-options.js';
import { stopAfterInstall } from '../../support/setup-stops.js';
import { targetOrgName } from '../../support/target-org-name.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'setup');

export type SetupCommandResult = SetupResult & {
  org: { id: string; name: string; kind: string; instanceUrl: string };
  apiCalls: number;
};

const MARK: Record<StepResult['status'], string> = {
  planned: '·',
  done: '✔',
  ok: '✔',
  manual: '➜',
  failed: '✘',
  skipped: '–',
  'not-run': '–',
};

export default class Setup extends CeCommand<SetupCommandResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description', [SETUP_STEPS.map((s) => s.id).join(' → ')]);
  public static readonly examples = messages.getMessages('examples');
  public static readonly flags = {
    'target-org': flags.targetOrg,
    config: flags.config,
    'dry-run': flags.dryRun,
    yes: flags.yes,
    ...setupRunFlags,
    'out-dir': Flags.directory({
      summary: messages.getMessage('flags.out-dir.summary'),
      default: 'ce-connect-output/backfill',
    }),
    'backup-dir': Flags.directory({
      summary: messages.getMessage('flags.backup-dir.summary'),
      default: 'ce-connect-backups',
    }),
  };

  public async run(): Promise<SetupCommandResult> {
    const { flags: f } = await this.parse(Setup);
    const { path, config } = this.loadConfig(f.config);
    const alias = targetOrgName(this.argv, f['target-org'].getUsername());
    // What is applied is not done again, so the same command continues after any stop.
    const again = commandLine('ce-connect', this.id ?? 'ce:setup', this.argv);
    // The options are made (and checked) before the org is opened; the confirmation needs the org once it is.
    const opened: { session?: OrgSession } = {};
    const { options, budgetMs } = setupRunOptions(
      f,
      { alias, configPath: path, backupDir: f['backup-dir'], outDir: f['out-dir'], continueCommand: again },
      {
        dryRun: f['dry-run'],
        confirm: (plan) => this.showPlanAndConfirm(opened.session as OrgSession, plan, f.yes),
        onEvent: (event) => this.onEvent(event),
      }
    );
    // A fix that needs the command changed (with --force, without a step) names it as the admin would type it.
    options.rerunWith = (change) => commandLine('ce-connect', this.id ?? 'ce:setup', setupArgvWith(this.argv, change));
    const session = await this.openOrg(f['target-org'], budgetMs);
    opened.session = session;
    const { conn, facts } = session;
    this.log(`Setting up ${facts.name} (${facts.kind}, ${facts.instanceUrl})${f['dry-run'] ? ' — dry run' : ''}`);

    const result = await runSetup(conn, config, facts, options);
    this.spinner.stop();

    this.table({
      overflow: 'wrap',
      data: result.steps.map((s) => ({
        step: `${MARK[s.status]} ${s.id}`,
        status: s.status,
        time: s.durationMs ? `${(s.durationMs / 1000).toFixed(1)} s` : '',
        writes: String(s.writes),
        detail: s.status === 'planned' ? s.plan.join('\n') || 'nothing to change' : s.summary,
      })),
    });
    const failed = result.steps.find((s) => s.status === 'failed');
    const stop = stopAfterInstall(result, again);
    if (stop) throw stop;
    if (failed) {
      this.logToStderr(`Setup stopped at ${failed.id}: ${failed.summary}`);
      if (failed.fix) this.logToStderr(`Fix: ${failed.fix}`);
      this.failCheck();
    } else if (result.dryRun) {
      this.log('Dry run: nothing was written. Run again without --dry-run to apply the plan.');
    } else {
      this.log(`Done with ${result.writes} write(s). Verify with: ce-connect checklist -o ${alias}`);
    }
    this.log(`${session.calls.count} API call(s).`);
    return {
      ...result,
      org: { id: facts.id, name: facts.name, kind: facts.kind, instanceUrl: facts.instanceUrl },
      apiCalls: session.calls.count,
    };
  }

  private async showPlanAndConfirm(
    session: Parameters<CeCommand<unknown>['confirmProductionWrite']>[0],
    plan: string[],
    yes: boolean
  ): Promise<void> {
    this.spinner.stop();
    if (plan.length === 0) {
      this.log('Plan: nothing to change.');
      return;
    }
    this.log(`Plan:\n${plan.map((line) => `  - ${line}`).join('\n')}`);
    await this.confirmProductionWrite(session, plan, yes, { planShown: true });
  }

  private onEvent(event: SetupEvent): void {
    const title = (id: SetupStepId): string => SETUP_STEPS.find((s) => s.id === id)?.title ?? id;
    if (event.kind === 'planning') this.spinner.start(`Planning: ${event.title}`);
    else if (event.kind === 'start') this.spinner.start(event.title);
    else if (event.kind === 'progress') this.spinner.status = event.message;
    else {
      this.spinner.stop();
      const { step } = event;
      this.log(
        `${MARK[step.status]} ${title(step.id)} — ${step.status} (${(step.durationMs / 1000).toFixed(1)} s, ${step.writes} write(s))`
      );
    }
  }
}
