import { Messages } from '@salesforce/core';
import { join } from 'node:path';
import { Flags } from '@salesforce/sf-plugins-core';
import { renderHtml } from '../../core/checklist.js';
import { commandLine } from '../../core/stops.js';
import { runScratch } from '../../org/scratch-run.js';
import { requireProject, writeFileAtomically } from '../../support/config-file.js';
import { CeCommand } from '../../support/ce-command.js';
import * as flags from '../../support/flags.js';
import {
  type ScratchContext,
  type ScratchResult,
  type ScratchStage,
  checklistResult,
  describeStage,
  interruptedError,
  notValidatedError,
  stageError,
} from '../../support/scratch-report.js';
import { interceptSignals } from '../../support/signals.js';
import { devHubName } from '../../support/target-org-name.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'scratch');

export type { ScratchResult, ScratchStage } from '../../support/scratch-report.js';

const MARK: Record<ScratchStage['status'], string> = {
  done: '✔',
  failed: '✘',
  interrupted: '✘',
  'not-run': '–',
  skipped: '–',
};

export default class Scratch extends CeCommand<ScratchResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly flags = {
    'target-dev-hub': Flags.requiredHub({
      char: 'v',
      summary: messages.getMessage('flags.target-dev-hub.summary'),
      required: true,
    }),
    config: flags.config,
    'definition-file': Flags.file({ summary: messages.getMessage('flags.definition-file.summary'), exists: true }),
    'duration-days': Flags.integer({
      summary: messages.getMessage('flags.duration-days.summary'),
      default: 1,
      min: 1,
      max: 30,
    }),
    alias: Flags.string({
      char: 'a',
      summary: messages.getMessage('flags.alias.summary'),
      description: messages.getMessage('flags.alias.description'),
    }),
    keep: Flags.boolean({ summary: messages.getMessage('flags.keep.summary'), default: false }),
    report: Flags.file({ summary: messages.getMessage('flags.report.summary') }),
  };

  public async run(): Promise<ScratchResult> {
    const { flags: f } = await this.parse(Scratch);
    const { path, config } = this.loadConfig(f.config);
    const project = requireProject();
    const hub = f['target-dev-hub'];
    const definitionFile = f['definition-file'] ?? join(project.dir, 'config', 'project-scratch-def.json');
    const context: ScratchContext = {
      hub: devHubName(this.argv) ?? hub.getUsername() ?? messages.getMessage('hub.unknown'),
      definition: definitionFile,
      days: f['duration-days'],
      rerun: commandLine('ce-connect', this.id ?? 'ce:scratch', this.argv),
      ...(!f.keep && { rerunKeep: commandLine('ce-connect', this.id ?? 'ce:scratch', [...this.argv, '--keep']) }),
    };
    // Ctrl-C or a CI runner cancelling the job stops the run, not the process: the org is deleted first.
    const stop = interceptSignals({
      onFirst: (name) => {
        if (!this.jsonEnabled()) this.logToStderr(messages.getMessage('signal.first', [name]));
      },
      onAgain: () => messages.getMessage('signal.again', [f.alias ?? '<username>']),
    });
    let run;
    try {
      run = await runScratch({
        hub,
        config,
        configPath: path,
        projectDir: project.dir,
        sourceDir: project.sourceDir,
        definitionFile,
        durationDays: f['duration-days'],
        keep: f.keep,
        alias: f.alias,
        signal: stop.signal,
        onStage: (id) => this.spinner.start(messages.getMessage(`stage.${id}`)),
      });
    } finally {
      stop.restore();
    }
    this.spinner.stop();
    const stages = run.stages.map((stage) => describeStage(stage, run, context));
    for (const stage of stages) this.log(`${MARK[stage.status]} ${stage.title}: ${stage.summary}`);
    if (f.report && run.report) {
      writeFileAtomically(f.report, renderHtml(run.report), 0o600);
      this.log(messages.getMessage('report', [f.report]));
    }
    const result: ScratchResult = {
      ...(run.username && { username: run.username, orgId: run.orgId }),
      kept: run.kept,
      deleted: run.deleted,
      deployed: run.deployed,
      stages,
      ...(run.failed && { failedStage: run.failed }),
      ...(run.interrupted && { interrupted: run.interrupted }),
      ...(run.signupRequest && { signupRequest: run.signupRequest }),
      ...(run.report && { checklist: checklistResult(run.report.summary, run.verdict?.items ?? []) }),
      validated: run.validated,
      ...(f.report && run.report ? { report: f.report } : {}),
      apiCalls: run.apiCalls,
    };
    if (run.interrupted) throw interruptedError(run, stages, context, result);
    if (run.failed) throw stageError(run, stages, context, result);
    if (!run.validated) throw notValidatedError(run, context, result);
    this.log(messages.getMessage('validated'));
    return result;
  }
}
