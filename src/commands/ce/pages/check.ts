import { Messages } from '@salesforce/core';
import type { CheckItem } from '../../../core/checklist.js';
import type { PageFinding, PageVerdict } from '../../../core/flexipage.js';
import { checkPages } from '../../../org/pages.js';
import { CeCommand } from '../../../support/ce-command.js';
import * as flags from '../../../support/flags.js';
import { targetOrgName } from '../../../support/target-org-name.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'pages.check');

export type PageCheckRow = CheckItem & {
  page: string;
  assignments: string[];
  verdict: PageVerdict;
  finding?: PageFinding;
};

export type PagesCheckResult = {
  org: { id: string; name: string; kind: string; instanceUrl: string };
  ok: boolean;
  pages: PageCheckRow[];
  apiCalls: number;
};

const MARK: Record<string, string> = { pass: '✔ PASS', warn: '! WARN', fail: '✘ FAIL', skip: '– SKIP' };

export default class PagesCheck extends CeCommand<PagesCheckResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly flags = {
    'target-org': flags.targetOrg,
    config: flags.config,
  };

  public async run(): Promise<PagesCheckResult> {
    const { flags: f } = await this.parse(PagesCheck);
    const { path, config } = this.loadConfig(f.config);
    const session = await this.openOrg(f['target-org']);
    const { facts } = session;
    this.spinner.start(messages.getMessage('progress.reading', [facts.name]));
    const checked = await checkPages(session.conn, config, { configSource: path });
    this.spinner.stop();
    const { plans } = checked;
    const alias = targetOrgName(this.argv, f['target-org'].getUsername());
    const items = checked.items.map((item) => (item.fix ? { ...item, fix: item.fix.replace(/<org>/g, alias) } : item));
    const rows = plans.map((plan, i): PageCheckRow => ({
      ...items[i],
      page: plan.fullName,
      assignments: plan.assignments,
      verdict: plan.verdict,
      ...(plan.finding ? { finding: plan.finding } : {}),
    }));
    const result: PagesCheckResult = {
      org: { id: facts.id, name: facts.name, kind: facts.kind, instanceUrl: facts.instanceUrl },
      ok: rows.every((r) => r.status !== 'fail'),
      pages: rows,
      apiCalls: session.calls.count,
    };
    this.table({
      overflow: 'wrap',
      data: rows.map((r) => ({
        status: MARK[r.status],
        page: r.page,
        'assigned as': r.assignments.join('\n'),
        evidence: r.evidence,
      })),
    });
    for (const r of rows.filter((x) => x.fix)) this.log(messages.getMessage('fix', [r.page, r.fix]));
    this.log(messages.getMessage('apiCalls', [result.apiCalls]));
    if (!result.ok) this.failCheck();
    return result;
  }
}
