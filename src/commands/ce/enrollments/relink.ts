import { Messages } from '@salesforce/core';
import { type RelinkProgress, type RelinkResult, relinkEnrollments } from '../../../org/enrollment-links.js';
import { CeCommand } from '../../../support/ce-command.js';
import * as flags from '../../../support/flags.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'enrollments.relink');

export type EnrollmentsRelinkResult = RelinkResult & {
  org: { id: string; name: string; kind: string; instanceUrl: string };
  apiCalls: number;
};

export default class EnrollmentsRelink extends CeCommand<EnrollmentsRelinkResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly flags = {
    'target-org': flags.targetOrg,
    config: flags.config,
    'dry-run': flags.dryRun,
    yes: flags.yes,
  };

  public async run(): Promise<EnrollmentsRelinkResult> {
    const { flags: f } = await this.parse(EnrollmentsRelink);
    const { config } = this.loadConfig(f.config);
    const session = await this.openOrg(f['target-org']);
    const { conn, facts } = session;
    const onProgress = (e: RelinkProgress): void => {
      if (e.phase === 'writing' && !this.jsonEnabled()) this.spinner.status = `${e.done} of ${e.total} updated`;
    };
    // Production without --yes: plan first, ask, then apply. Elsewhere: apply (or plan, on --dry-run) at once.
    const askFirst = facts.kind === 'production' && !f.yes && !f['dry-run'];
    this.spinner.start(`Matching unlinked enrollments of ${facts.name} to Contacts`);
    let result = await relinkEnrollments(conn, config, { dryRun: f['dry-run'] || askFirst, onProgress });
    this.spinner.stop();
    if (askFirst && result.plan.length > 0) {
      await this.confirmProductionWrite(session, result.plan, f.yes);
      this.spinner.start('Linking');
      result = await relinkEnrollments(conn, config, { dryRun: false, onProgress });
      this.spinner.stop();
    }
    const output: EnrollmentsRelinkResult = {
      ...result,
      org: { id: facts.id, name: facts.name, kind: facts.kind, instanceUrl: facts.instanceUrl },
      apiCalls: session.calls.count,
    };
    this.render(output);
    if (result.counts.failed > 0) this.failCheck();
    return output;
  }

  private render(r: EnrollmentsRelinkResult): void {
    const rows = r.outcomes.map((o) => ({
      enrollment: o.id,
      email: o.email || '(none)',
      outcome: o.outcome,
      contact: o.contactId ?? (o.candidates ? `one of ${o.candidates.join(', ')}` : ''),
      error: o.error ?? '',
    }));
    if (rows.length === 0) {
      this.log('No unlinked enrollments: nothing to do.');
      return;
    }
    this.table({ data: rows });
    const c = r.counts;
    const verb = r.dryRun ? `${c.link} would be linked` : `${c.linked} linked`;
    this.log(
      `${verb}; left alone: ${c.ambiguous} ambiguous (several Contacts), ${c.unmatched} without a Contact, ${c['no-email']} without an email${c.failed > 0 ? `; ${c.failed} failed` : ''}. ${r.writes} write request(s).`
    );
  }
}
