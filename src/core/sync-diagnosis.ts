/**
 * What `sync verify` tells the admin at the end: where a found enrollment sits (linked to a Contact, or in
 * "Unlinked Enrollments" and why), and, when nothing arrived, the likely causes in the order worth checking.
 */

/** A Contact whose Email matched the learner's. */
export type ContactRef = { id: string; name: string; email: string };

export type Linkage =
  | { state: 'linked'; contactId: string; reason: string }
  | {
      state: 'unlinked';
      /** none: no Contact has the email; several: CE cannot choose; one: a Contact exists now, relink can link it. */
      cause: 'no-contact' | 'several-contacts' | 'contact-exists';
      contacts: ContactRef[];
      reason: string;
      fix: string;
    };

/**
 * CE links an enrollment to the Contact whose Email equals the learner's email; with no match the record is
 * still created, with an empty Contact lookup, and shows in the "Unlinked Enrollments" list view
 * (support.northpass.com/en/articles/3310404-viewing-unlinked-enrollments-list-view). What CE does with several
 * matching Contacts is not documented; it is reported as the reason it could not choose.
 */
export function describeLinkage(
  email: string,
  contactId: string | null,
  contacts: ContactRef[],
  alias: string
): Linkage {
  if (contactId) return { state: 'linked', contactId, reason: `linked to Contact ${contactId}` };
  const relink = `ce-connect enrollments relink -o ${alias}`;
  if (contacts.length === 0) {
    return {
      state: 'unlinked',
      cause: 'no-contact',
      contacts,
      reason: `in Unlinked Enrollments: no Contact has the email ${email}`,
      fix: `Create a Contact with the email ${email} (or correct the learner's email in CE), then run \`${relink}\`.`,
    };
  }
  if (contacts.length > 1) {
    return {
      state: 'unlinked',
      cause: 'several-contacts',
      contacts,
      reason: `in Unlinked Enrollments: ${contacts.length} Contacts share the email ${email} (${contacts
        .map((c) => c.id)
        .join(', ')}), so it cannot be matched to one`,
      fix: `Merge the duplicate Contacts (or give each its own email), then run \`${relink}\`.`,
    };
  }
  return {
    state: 'unlinked',
    cause: 'contact-exists',
    contacts,
    reason: `in Unlinked Enrollments, although Contact ${contacts[0].id} (${contacts[0].name}) now has the email ${email}`,
    fix: `Run \`${relink}\` to link it.`,
  };
}

export type LikelyCause = { cause: string; check: string };

/**
 * Why no enrollment arrived, most likely first: the CE connection was never (re)authorized, the integration
 * user it writes as cannot create Enrollments, or the packages are too old for CE's current connector
 * (the order of the vendor's reconnection guide, read backwards from the symptom).
 */
export function timeoutCauses(alias: string): LikelyCause[] {
  return [
    {
      cause: 'The CE connection is not authorized (or was authorized as the wrong user).',
      check: `ce-connect connect-guide -o ${alias}`,
    },
    {
      cause: 'The integration user lacks access to Enrollments or Contacts.',
      check: `ce-connect integration-user check -o ${alias}`,
    },
    {
      cause: 'The Northpass packages are outdated or the Data Connector is missing.',
      check: `ce-connect packages check -o ${alias}`,
    },
  ];
}
