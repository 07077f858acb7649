import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { type IntegrationUserAudit, auditIntegrationUser } from '../../../org/integration-user.js';
import { CeCommand } from '../../../support/ce-command.js';
import * as flags from '../../../support/flags.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'integration-user.check');

export type IntegrationUserCheckResult = IntegrationUserAudit & { org: string; apiCalls: number };

const MARK: Record<string, string> = { pass: '✔ PASS', warn: '! WARN', fail: '✘ FAIL', skip: '– SKIP' };

export default class IntegrationUserCheck extends CeCommand<IntegrationUserCheckResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly flags = {
    'target-org': flags.targetOrg,
    config: flags.config,
    user: Flags.string({ summary: messages.getMessage('flags.user.summary') }),
  };

  public async run(): Promise<IntegrationUserCheckResult> {
    const { flags: f } = await this.parse(IntegrationUserCheck);
    const { config } = this.loadConfig(f.config);
    const session = await this.openOrg(f['target-org']);
    this.spinner.start(`Auditing ${f.user ?? config.integrationUser.username}`);
    const audit = await auditIntegrationUser(session.conn, config, { username: f.user });
    this.spinner.stop();
    const result: IntegrationUserCheckResult = { ...audit, org: session.facts.name, apiCalls: session.calls.count };

    this.log(`Integration user ${audit.username} in ${session.facts.name} (checked as ${audit.checkedBy}):`);
    this.table({
      data: audit.findings.map((finding) => ({
        status: MARK[finding.status],
        finding: finding.title,
        reason: finding.reason,
      })),
    });
    for (const finding of audit.findings.filter((x) => x.fix)) this.log(`Fix (${finding.title}): ${finding.fix}`);
    if (audit.tokens.length > 0) {
      this.log('OAuth tokens:');
      this.table({
        data: audit.tokens.map((t) => ({
          app: t.appName,
          'last used': t.lastUsedDate ?? 'never',
          uses: String(t.useCount ?? 0),
          flag: t.flagged ? `revoke? ${t.why ?? ''}` : '',
        })),
      });
    }
    const failed = audit.findings.filter((x) => x.status === 'fail').length;
    this.log(
      failed === 0
        ? `No failing finding (${result.apiCalls} API calls).`
        : `${failed} finding(s) fail (${result.apiCalls} API calls).`
    );
    if (!audit.ok) this.failCheck();
    return result;
  }
}
