/**
 * Bulk API 2.0 ingest job states (https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/get_job_info.htm):
 * Open (accepting its upload), UploadComplete (closed, queued), InProgress, and the final JobComplete, Failed and
 * Aborted. Failed and Aborted jobs keep what they processed before they stopped; the rest is in their
 * unprocessed results.
 */
export type IngestState = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

/**
 * What a resumed `backfill run` does with a job its journal left at `created` (its upload may have been cut
 * short) or `uploaded` (the upload arrived whole, the close may not have), by the state Salesforce now reports.
 * The run closes its jobs itself, so a job it never closed ran nothing, unless someone else closed it:
 * - abandon: nothing of it ran, and nothing of it will (Open after a possibly partial upload, or Aborted with
 *   nothing processed): abort it if still Open and send the whole file in a new job;
 * - continue: Open with its whole upload: close it and go on;
 * - closed: it was closed and may have run: wait for it, and let its results say which rows ran.
 */
export function recoveryFor(
  step: 'created' | 'uploaded',
  state: IngestState,
  processed = 0
): 'abandon' | 'continue' | 'closed' {
  // An Aborted job that processed rows was closed after all (the close reached the org, its answer did not) and
  // then stopped: its results say which rows ran, and the rest are re-sent from its unprocessed results.
  if (state === 'Aborted') return step === 'uploaded' && processed > 0 ? 'closed' : 'abandon';
  if (state === 'Open') return step === 'created' ? 'abandon' : 'continue';
  return 'closed';
}
