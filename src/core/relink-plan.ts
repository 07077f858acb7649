/**
 * Relinking unlinked enrollments: group them by learner email, match each email to Contacts, decide.
 *
 * CE matches a learner to a Contact by email and leaves the enrollment unlinked when none matches
 * (support.northpass.com/en/articles/3310404-viewing-unlinked-enrollments-list-view); the admin then points
 * each record at a Contact by hand. This does the same for every record at once, but only where the answer is
 * certain: exactly one Contact with that email. Several Contacts (ambiguous) and none (unmatched) are left
 * alone and reported.
 */

export type UnlinkedEnrollment = {
  id: string;
  name: string | null;
  email: string | null;
  course: string | null;
};

export type ContactCandidate = { id: string; name: string; email: string };

export type RelinkDecision = 'link' | 'ambiguous' | 'unmatched' | 'no-email';

export type RelinkGroup = {
  /** The normalised email (trimmed, lower case); '' for records without one. */
  email: string;
  decision: RelinkDecision;
  enrollments: UnlinkedEnrollment[];
  contacts: ContactCandidate[];
};

/**
 * Emails compare trimmed and without regard to case: SOQL compares text case-insensitively, and CE's learner
 * emails and Contact emails are typed by different people.
 */
export function normaliseEmail(value: unknown): string {
  return typeof value === 'string' ? value.trim().toLowerCase() : '';
}

/** The distinct normalised emails of the enrollments, to look up as Contacts. */
export function emailsToMatch(enrollments: UnlinkedEnrollment[]): string[] {
  return [...new Set(enrollments.map((e) => normaliseEmail(e.email)).filter((e) => e !== ''))].sort();
}

/** Groups the enrollments by email, attaches the Contacts with that email, and decides each group. */
export function groupUnlinked(enrollments: UnlinkedEnrollment[], contacts: ContactCandidate[]): RelinkGroup[] {
  const byEmail = new Map<string, ContactCandidate[]>();
  const seen = new Set<string>();
  for (const contact of contacts) {
    const email = normaliseEmail(contact.email);
    if (email === '' || seen.has(contact.id)) continue;
    seen.add(contact.id);
    byEmail.set(email, [...(byEmail.get(email) ?? []), contact]);
  }
  const groups = new Map<string, RelinkGroup>();
  for (const enrollment of enrollments) {
    const email = normaliseEmail(enrollment.email);
    let group = groups.get(email);
    if (!group) {
      const matches = email === '' ? [] : [...(byEmail.get(email) ?? [])].sort((a, b) => a.id.localeCompare(b.id));
      const decision: RelinkDecision =
        email === '' ? 'no-email' : matches.length === 1 ? 'link' : matches.length > 1 ? 'ambiguous' : 'unmatched';
      group = { email, decision, enrollments: [], contacts: matches };
      groups.set(email, group);
    }
    group.enrollments.push(enrollment);
  }
  const order: Record<RelinkDecision, number> = { link: 0, ambiguous: 1, unmatched: 2, 'no-email': 3 };
  return [...groups.values()]
    .map((g) => ({ ...g, enrollments: [...g.enrollments].sort((a, b) => a.id.localeCompare(b.id)) }))
    .sort((a, b) => order[a.decision] - order[b.decision] || a.email.localeCompare(b.email));
}

/** The updates to make: each enrollment of a `link` group gets that group's only Contact. */
export function relinkUpdates(groups: RelinkGroup[]): Array<{ id: string; contactId: string; email: string }> {
  return groups
    .filter((g) => g.decision === 'link')
    .flatMap((g) => g.enrollments.map((e) => ({ id: e.id, contactId: g.contacts[0].id, email: g.email })));
}

/** One line per change, for the plan shown before writing (and confirmed in production). */
export function relinkPlanLines(groups: RelinkGroup[]): string[] {
  return groups
    .filter((g) => g.decision === 'link')
    .map((g) => {
      const n = g.enrollments.length;
      const contact = g.contacts[0];
      return `link ${n} enrollment${n === 1 ? '' : 's'} of ${g.email} to Contact ${contact.name} (${contact.id})`;
    });
}

export type RelinkCounts = Record<RelinkDecision, number> & { enrollments: number; emails: number };

/** Enrollment counts per decision. */
export function relinkCounts(groups: RelinkGroup[]): RelinkCounts {
  const counts: RelinkCounts = { link: 0, ambiguous: 0, unmatched: 0, 'no-email': 0, enrollments: 0, emails: 0 };
  for (const g of groups) {
    counts[g.decision] += g.enrollments.length;
    counts.enrollments += g.enrollments.length;
    if (g.email !== '') counts.emails += 1;
  }
  return counts;
}

/** Splits a list into chunks of at most size items (sObject Collections take 200 records per request). */
export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
