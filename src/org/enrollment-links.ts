import type { Connection } from '@salesforce/core';
import type { CeConfig } from '../core/config.js';
import {
  type ContactCandidate,
  type RelinkCounts,
  type RelinkGroup,
  type UnlinkedEnrollment,
  chunk,
  emailsToMatch,
  groupUnlinked,
  relinkCounts,
  relinkPlanLines,
  relinkUpdates,
} from '../core/relink-plan.js';
import { inListQueries } from '../core/soql-text.js';

/**
 * Unlinked enrollments (the Contact lookup is empty: CE found no single Contact with the learner's email) and
 * linking them to the Contact whose email matches.
 */

type Row = Record<string, unknown> & { Id: string };

/** Every record of a query, following nextRecordsUrl page by page. */
async function queryAll(conn: Connection, soql: string): Promise<Row[]> {
  let page = await conn.query<Row>(soql);
  const rows = [...page.records];
  while (!page.done && page.nextRecordsUrl) {
    page = await conn.queryMore<Row>(page.nextRecordsUrl);
    rows.push(...page.records);
  }
  return rows;
}

export type UnlinkedReport = {
  groups: RelinkGroup[];
  counts: RelinkCounts;
  /** Queries made: one for the enrollments (plus pages), one per batch of emails. */
  queries: number;
};

/** Reads the unlinked enrollments and the Contacts whose email matches theirs, grouped and decided. */
export async function findUnlinked(conn: Connection, config: CeConfig): Promise<UnlinkedReport> {
  const e = config.enrollment;
  const course = e.courseNameField ?? e.courseIdField;
  const fields = ['Id', 'Name', e.emailField, ...(course ? [course] : [])];
  const rows = await queryAll(
    conn,
    `SELECT ${[...new Set(fields)].join(', ')} FROM ${e.object} WHERE ${e.contactField} = null ORDER BY Id`
  );
  let queries = 1;
  const enrollments: UnlinkedEnrollment[] = rows.map((r) => ({
    id: r.Id,
    name: typeof r.Name === 'string' ? r.Name : null,
    email: typeof r[e.emailField] === 'string' ? (r[e.emailField] as string) : null,
    course: course && r[course] !== null && r[course] !== undefined ? String(r[course]) : null,
  }));
  const contacts: ContactCandidate[] = [];
  // One query per batch of emails, each short enough for a REST GET (core/soql-text.ts); SOQL's = and IN compare
  // text without regard to case, and the grouping compares trimmed lower-case emails.
  for (const soql of inListQueries(
    emailsToMatch(enrollments),
    (list) => `SELECT Id, Name, Email FROM Contact WHERE Email IN (${list}) ORDER BY Id`
  )) {
    queries += 1;
    for (const r of await queryAll(conn, soql)) {
      contacts.push({ id: r.Id, name: String(r.Name ?? ''), email: String(r.Email ?? '') });
    }
  }
  const groups = groupUnlinked(enrollments, contacts);
  return { groups, counts: relinkCounts(groups), queries };
}

export type RelinkOutcome = {
  id: string;
  email: string;
  /** linked / would-link: written (or to be written); ambiguous, unmatched, no-email: left alone; failed: refused. */
  outcome: 'linked' | 'would-link' | 'ambiguous' | 'unmatched' | 'no-email' | 'failed';
  contactId?: string;
  candidates?: string[];
  error?: string;
};

export type RelinkResult = {
  dryRun: boolean;
  writes: number;
  plan: string[];
  counts: RelinkCounts & { linked: number; failed: number };
  outcomes: RelinkOutcome[];
};

export type RelinkProgress = { phase: 'reading' } | { phase: 'writing'; done: number; total: number };

/** sObject Collections take up to 200 records per request. */
const COLLECTION_SIZE = 200;

type CollectionResult = {
  id?: string | null;
  success: boolean;
  errors?: Array<{ statusCode?: string; message?: string }>;
};

/**
 * Links each unlinked enrollment to the single Contact whose email matches (trimmed, case-insensitive),
 * in sObject Collections updates of up to 200 records with allOrNone false, so one refused record does not stop
 * the others (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_update.htm).
 * Ambiguous and unmatched records are left alone and reported. Linked records are no longer unlinked, so a
 * second run finds nothing to do and writes nothing.
 */
export async function relinkEnrollments(
  conn: Connection,
  config: CeConfig,
  options: { dryRun: boolean; onProgress?: (event: RelinkProgress) => void }
): Promise<RelinkResult> {
  options.onProgress?.({ phase: 'reading' });
  const { groups, counts } = await findUnlinked(conn, config);
  const updates = relinkUpdates(groups);
  const outcomes = new Map<string, RelinkOutcome>();
  for (const g of groups) {
    for (const enrollment of g.enrollments) {
      outcomes.set(enrollment.id, {
        id: enrollment.id,
        email: g.email,
        outcome: g.decision === 'link' ? 'would-link' : g.decision,
        ...(g.decision === 'link' ? { contactId: g.contacts[0].id } : {}),
        ...(g.decision === 'ambiguous' ? { candidates: g.contacts.map((c) => c.id) } : {}),
      });
    }
  }
  let writes = 0;
  if (!options.dryRun) {
    let done = 0;
    for (const batch of chunk(updates, COLLECTION_SIZE)) {
      options.onProgress?.({ phase: 'writing', done, total: updates.length });
      writes += 1;
      const results = await conn.request<CollectionResult[]>({
        method: 'PATCH',
        url: '/composite/sobjects',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          allOrNone: false,
          records: batch.map((u) => ({
            attributes: { type: config.enrollment.object },
            Id: u.id,
            [config.enrollment.contactField]: u.contactId,
          })),
        }),
      });
      batch.forEach((u, i) => {
        const r = results[i];
        const outcome = outcomes.get(u.id) as RelinkOutcome;
        if (r?.success) outcome.outcome = 'linked';
        else {
          outcome.outcome = 'failed';
          outcome.error = (r?.errors ?? []).map((x) => `${x.statusCode ?? 'ERROR'}: ${x.message ?? ''}`).join('; ');
        }
      });
      done += batch.length;
    }
    if (updates.length > 0) options.onProgress?.({ phase: 'writing', done, total: updates.length });
  }
  const list = [...outcomes.values()];
  return {
    dryRun: options.dryRun,
    writes,
    plan: relinkPlanLines(groups),
    counts: {
      ...counts,
      linked: list.filter((o) => o.outcome === 'linked').length,
      failed: list.filter((o) => o.outcome === 'failed').length,
    },
    outcomes: list,
  };
}
