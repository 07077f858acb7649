import { Messages } from '@salesforce/core';
import { join } from 'node:path';
import { Flags } from '@salesforce/sf-plugins-core';
import { renderHtml } from '../../core/checklist.js';
import { selectSteps } from '../../core/setup-steps.js';
import { runChecklist } from '../../org/checklist-run.js';
import { deploySource } from '../../org/deploy-source.js';
import { countApiCalls } from '../../org/api-calls.js';
import { retryReads } from '../../org/read-retries.js';
import { readOrgFacts } from '../../org/org-facts.js';
import { createScratchOrg, deleteScratchOrg } from '../../org/scratch-org.js';
import { runSetup } from '../../org/setup-runner.js';
import { requireProject, writeFileAtomically } from '../../support/config-file.js';
import { CeCommand } from '../../support/ce-command.js';
import * as flags from '../../support/flags.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'scratch');

export type ScratchResult = {
  username: string;
  kept: boolean;
  deployed: number;
  setupOk: boolean;
  checklist: { ok: boolean; pass: number; warn: number; fail: number; skip: number };
  /** The checklist areas a scratch org can prove; the connection and sync need CE itself. */
  validated: boolean;
  report?: string;
  apiCalls: number;
};

/** What a scratch org can prove on its own: packages, the permission set and the layouts. */
const SCRATCH_AREAS = /^(packages|permsets|layouts)\./;

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
    this.spinner.start('Creating a scratch org');
    const scratch = await createScratchOrg({
      hub: f['target-dev-hub'],
      definitionFile: f['definition-file'] ?? join(project.dir, 'config', 'project-scratch-def.json'),
      durationDays: f['duration-days'],
    });
    this.spinner.stop(scratch.username);
    try {
      const conn = scratch.org.getConnection();
      const calls = countApiCalls(conn);
      retryReads(conn);
      const facts = await readOrgFacts(conn);
      // A scratch org is created for this run and deleted after it: nothing to confirm.
      const runSteps = (only: string): ReturnType<typeof runSetup> =>
        runSetup(conn, config, facts, {
          dryRun: false,
          steps: selectSteps({ only }),
          alias: scratch.username,
          configPath: path,
          backupDir: join('ce-connect-backups', 'scratch'),
          outDir: join('ce-connect-output', 'scratch'),
          syncTimeoutMs: 0,
          packages: {},
          confirm: () => Promise.resolve(),
        });
      this.spinner.start('Installing the CE packages');
      const installed = await runSteps('packages');
      this.spinner.start('Deploying force-app');
      const deployed = await deploySource(conn, {
        projectDir: project.dir,
        sourceDir: project.sourceDir,
        namespace: config.packages[0].namespace,
      });
      this.spinner.start('Assigning the permission set');
      const setup = installed.ok ? await runSteps('permsets,layouts') : installed;
      this.spinner.start('Running the checklist');
      const report = await runChecklist(conn, config, facts, { alias: scratch.username });
      this.spinner.stop();
      if (f.report) writeFileAtomically(f.report, renderHtml(report), 0o600);
      const validated = report.sections
        .flatMap((s) => s.items)
        .filter((item) => SCRATCH_AREAS.test(item.id))
        .every((item) => item.status !== 'fail');
      const { ok, pass, warn, fail, skip } = report.summary;
      this.log(`Checklist: ${pass} pass, ${warn} warn, ${fail} fail, ${skip} skipped.`);
      this.log(validated ? 'Packages, permission set and layouts validated.' : 'Validation failed: see the checklist.');
      if (!validated || !setup.ok) this.failCheck();
      return {
        username: scratch.username,
        kept: f.keep,
        deployed: deployed.components,
        setupOk: setup.ok,
        checklist: { ok, pass, warn, fail, skip },
        validated,
        ...(f.report ? { report: f.report } : {}),
        apiCalls: calls.count,
      };
    } finally {
      if (f.keep) this.log(`Kept ${scratch.username}.`);
      else await deleteScratchOrg(scratch.org);
    }
  }
}
