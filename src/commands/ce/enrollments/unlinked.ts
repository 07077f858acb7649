import { Messages } from '@salesforce/core';
import type { RelinkCounts, RelinkGroup } from '../../../core/relink-plan.js';
import { findUnlinked } from '../../../org/enrollment-links.js';
import { CeCommand } from '../../../support/ce-command.js';
import * as flags from '../../../support/flags.js';
import { targetOrgName } from '../../../support/target-org-name.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'enrollments.unlinked');

export type EnrollmentsUnlinkedResult = {
  org: { id: string; name: string; kind: string; instanceUrl: string };
  counts: RelinkCounts;
  groups: RelinkGroup[];
  apiCalls: number;
};

const DECISION: Record<RelinkGroup['decision'], string> = {
  link: 'relink can link',
  ambiguous: 'several Contacts: fix by hand',
  unmatched: 'no Contact',
  'no-email': 'no learner email',
};

export default class EnrollmentsUnlinked extends CeCommand<EnrollmentsUnlinkedResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly flags = { 'target-org': flags.targetOrg, config: flags.config };

  public async run(): Promise<EnrollmentsUnlinkedResult> {
    const { flags: f } = await this.parse(EnrollmentsUnlinked);
    const { config } = this.loadConfig(f.config);
    const session = await this.openOrg(f['target-org']);
    this.spinner.start(`Reading unlinked enrollments of ${session.facts.name}`);
    const { groups, counts } = await findUnlinked(session.conn, config);
    this.spinner.stop();
    const { id, name, kind, instanceUrl } = session.facts;
    const result = { org: { id, name, kind, instanceUrl }, counts, groups, apiCalls: session.calls.count };
    if (counts.enrollments === 0) {
      this.log('No unlinked enrollments: every enrollment is linked to a Contact.');
      return result;
    }
    this.table({
      data: groups.map((g) => ({
        email: g.email || '(none)',
        enrollments: String(g.enrollments.length),
        contacts: g.contacts.map((c) => `${c.name} (${c.id})`).join(', ') || '–',
        status: DECISION[g.decision],
      })),
    });
    this.log(
      `${counts.enrollments} unlinked enrollment(s) of ${counts.emails} email(s): ${counts.link} can be linked, ${counts.ambiguous} ambiguous, ${counts.unmatched} without a Contact, ${counts['no-email']} without an email.`
    );
    if (counts.link > 0)
      this.log(
        `Link them with: ce-connect enrollments relink -o ${targetOrgName(this.argv, f['target-org'].getUsername())}`
      );
    return result;
  }
}
