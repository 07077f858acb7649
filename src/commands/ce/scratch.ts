import { Messages } from '@salesforce/core';
import { join } from 'node:path';
import { Flags } from '@salesforce/sf-plugins-core';
import { renderHtml } from '../../core/checklist.js';
import { runScratch } from '../../org/scratch-run.js';
import { requireProject, writeFileAtomically } from '../../support/config-file.js';
import { CeCommand } from '../../support/ce-command.js';
import * as flags from '../../support/flags.js';
import {
  type ScratchResult,
  type ScratchStage,
  checklistCounts,
  describeStage,
  stageError,
} from '../../support/scratch-report.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'scratch');

export type { ScratchResult, ScratchStage } from '../../support/scratch-report.js';

const MARK: Record<ScratchStage['status'], string> = { done: '✔', failed: '✘', 'not-run': '–', skipped: '–' };

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
    keep: Flags.boolean({ summary: messages.getMessage('flags.keep.summary'), default: false }),
    report: Flags.file({ summary: messages.getMessage('flags.report.summary') }),
  };

  public async run(): Promise<ScratchResult> {
    const { flags: f } = await this.parse(Scratch);
    const { path, config } = this.loadConfig(f.config);
    const project = requireProject();
    const hub = f['target-dev-hub'];
    const definitionFile = f['definition-file'] ?? join(project.dir, 'config', 'project-scratch-def.json');
    const run = await runScratch({
      hub,
      config,
      configPath: path,
      projectDir: project.dir,
      sourceDir: project.sourceDir,
      definitionFile,
      durationDays: f['duration-days'],
      keep: f.keep,
      backupDir: join('ce-connect-backups', 'scratch'),
      outDir: join('ce-connect-output', 'scratch'),
      onStage: (id) => this.spinner.start(messages.getMessage(`stage.${id}`)),
    });
    this.spinner.stop();
    const hubName = hub.getUsername() ?? '<dev hub>';
    const stages = run.stages.map((stage) => describeStage(stage, run, { hub: hubName, definition: definitionFile }));
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
      ...(run.report && { checklist: checklistCounts(run.report.summary) }),
      validated: run.validated,
      ...(f.report && run.report ? { report: f.report } : {}),
      apiCalls: run.apiCalls,
    };
    if (run.failed) throw stageError(run, stages, { hub: hubName, days: f['duration-days'] }, result);
    const failing = (run.report?.sections ?? []).flatMap((s) => s.items).filter((i) => i.status === 'fail');
    this.log(
      run.validated
        ? messages.getMessage('validated')
        : messages.getMessage('notValidated', [failing.map((i) => i.title).join('; ')])
    );
    if (!run.validated) this.failCheck();
    return result;
  }
}
