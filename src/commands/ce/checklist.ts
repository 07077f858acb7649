import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { type ChecklistReport, renderHtml, renderMarkdown, tableRows } from '../../core/checklist.js';
import { runChecklist } from '../../org/checklist-run.js';
import { CeCommand } from '../../support/ce-command.js';
import { writeFileAtomically } from '../../support/config-file.js';
import * as flags from '../../support/flags.js';
import { policySource } from '../../support/policy-file.js';
import { targetOrgName } from '../../support/target-org-name.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'checklist');

export type ChecklistResult = ChecklistReport & { apiCalls: number; out?: string };

const FORMATS = ['table', 'json', 'md', 'html'] as const;

export default class Checklist extends CeCommand<ChecklistResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly flags = {
    'target-org': flags.targetOrg,
    config: flags.config,
    format: Flags.option({
      summary: messages.getMessage('flags.format.summary'),
      options: FORMATS,
      default: 'table',
    })(),
    out: Flags.file({ summary: messages.getMessage('flags.out.summary') }),
    'backfill-dir': Flags.directory({ summary: messages.getMessage('flags.backfill-dir.summary'), exists: true }),
  };

  public async run(): Promise<ChecklistResult> {
    const { flags: f } = await this.parse(Checklist);
    const { path, config } = this.loadConfig(f.config);
    const session = await this.openOrg(f['target-org']);
    this.spinner.start(`Checking ${session.facts.name}`);
    const report = await runChecklist(session.conn, config, session.facts, {
      backfillDir: f['backfill-dir'],
      configPath: path,
      policy: policySource(path),
      alias: targetOrgName(this.argv, f['target-org'].getUsername()),
    });
    this.spinner.stop();
    const result: ChecklistResult = { ...report, apiCalls: session.calls.count };
    const text =
      f.format === 'html'
        ? renderHtml(result)
        : f.format === 'md'
          ? renderMarkdown(result)
          : f.format === 'json'
            ? `${JSON.stringify(result, null, 2)}\n`
            : undefined;
    if (f.out) {
      writeFileAtomically(f.out, text ?? renderMarkdown(result), 0o600);
      result.out = f.out;
      this.log(`Report written to ${f.out}.`);
    } else if (text !== undefined) {
      this.log(text.trimEnd());
    } else {
      this.table({ data: tableRows(result), overflow: 'wrap' });
    }
    const { summary } = result;
    this.log(
      `${summary.ok ? 'All required items pass' : `${summary.fail} item(s) fail`}: ${summary.pass} pass, ${summary.warn} warn, ${summary.fail} fail, ${summary.skip} skipped (${result.apiCalls} API calls).`
    );
    if (!summary.ok) this.failCheck();
    return result;
  }
}
