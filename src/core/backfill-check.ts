import type { CheckItem } from './checklist.js';
import type { RunSummary } from './backfill-outcomes.js';

/**
 * The backfill's checklist items, from a `backfill run` folder's run-summary.json: every row accounted for,
 * nothing failed or left unprocessed. Rejected export rows are a warning: they never reached Salesforce and
 * need a look (rejected.csv says why), but they are not an error of the run.
 */
export function backfillCheckItems(summary: RunSummary | undefined, folder: string): CheckItem[] {
  const id = 'backfill.run';
  const title = 'Enrollments written while the link was down are backfilled';
  if (!summary) {
    return [
      {
        id,
        title,
        status: 'fail',
        evidence: `No run-summary.json in ${folder}: the backfill did not finish.`,
        fix: `ce-connect backfill run -o <org> --resume ${folder}`,
      },
    ];
  }
  const u = summary.upsert;
  const evidence = `${summary.input} export rows: ${u.created} created, ${u.updated} updated, ${u.existingNewer} already newer in Salesforce, ${summary.skipped.existingUpToDate} up to date, ${summary.skipped.beforeCutoff} before the cutoff, ${summary.skipped.duplicateInFile} duplicates, ${summary.rejected} rejected, ${u.failed} failed, ${u.unprocessed} unprocessed.`;
  const items: CheckItem[] = [];
  if (u.failed + u.unprocessed > 0) {
    items.push({
      id,
      title,
      status: 'fail',
      evidence,
      fix: `See ${folder}/failed.csv and unprocessed.csv, then: ce-connect backfill run -o <org> --resume ${folder}`,
    });
  } else {
    items.push({ id, title, status: 'pass', evidence });
  }
  if (summary.rejected > 0) {
    items.push({
      id: 'backfill.rejected',
      title: 'Every export row could be read',
      status: 'warn',
      evidence: `${summary.rejected} row(s) of the export were rejected and not uploaded.`,
      fix: `See ${folder}/rejected.csv (row number and reason per row), fix the export, and run the backfill again.`,
    });
  }
  return items;
}
