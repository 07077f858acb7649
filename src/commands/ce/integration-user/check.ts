import { Flags } from '@salesforce/sf-plugins-core';
import { type IntegrationUserAudit, auditIntegrationUser } from '../../../org/integration-user.js';
import { CeCommand } from '../../../support/ce-command.js';
import * as flags from '../../../support/flags.js';

export type IntegrationUserCheckResult = IntegrationUserAudit & { org: string; apiCalls: number };

const MARK: Record<string, string> = { pass: '✔ PASS', warn: '! WARN', fail: '✘ FAIL', skip: '– SKIP' };

export default class IntegrationUserCheck extends CeCommand<IntegrationUserCheckResult> {
  public static readonly summary = 'Audit the user CE connects as: least privilege, judged by permissions.';
  public static readonly description =
    'Checks that the integration user exists, is active and has API Enabled; that no profile, permission set or permission set group gives it Modify All Data, View All Data, Author Apex, Customize Application or Manage Users (naming each permission and where it comes from); whether it uses the Salesforce Integration licence and the "Minimum Access - API Only Integrations" profile; that it has the object access in integrationUser.objectAccess; and lists its OAuth tokens, flagging apps other than integrationUser.connectedApps so grants from before the incident can be revoked. Exit code 1 when a finding fails. Read-only: at most 5 API calls.';
  public static readonly examples = [
    '<%= config.bin %> <%= command.id %> -o prod',
    '<%= config.bin %> <%= command.id %> -o prod --user ce-integration@acme.example --json',
  ];
  public static readonly flags = {
    'target-org': flags.targetOrg,
    config: flags.config,
    user: Flags.string({ summary: 'Username to audit (default: integrationUser.username from the config).' }),
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
