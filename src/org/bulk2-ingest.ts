import { createReadStream } from 'node:fs';
import type { Connection } from '@salesforce/core';
import { operationError } from '../core/errors.js';
import { DEFAULT_RETRY, type RetryHooks, type RetryPolicy, isRetryableStatus, withRetries } from '../core/retry.js';
import type { IngestState } from '../core/job-recovery.js';

export type { IngestState } from '../core/job-recovery.js';
import { clock, now, sleep } from './clock.js';
import { ERRORS } from '../core/messages.js';

/**
 * Bulk API 2.0 ingest through jsforce's bulk2 client (conn.bulk2), one step at a time so a journal can record
 * each step and a later run can reattach to a job by its id:
 * https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/create_job.htm (create, upsert on an
 * External ID), upload_job_data.htm (one CSV upload, at most 100 MB raw), close_job.htm (UploadComplete starts it),
 * get_job_info.htm (states), get_job_successful_results.htm / get_job_failed_results.htm /
 * get_job_unprocessed_results.htm (results as CSV).
 */
export type IngestInfo = {
  id: string;
  state: IngestState;
  numberRecordsProcessed?: number;
  numberRecordsFailed?: number;
  errorMessage?: string;
};

export const FINAL_STATES: IngestState[] = ['JobComplete', 'Failed', 'Aborted'];

export async function createUpsertJob(conn: Connection, object: string, externalIdFieldName: string): Promise<string> {
  const job = conn.bulk2.createJob({
    object,
    operation: 'upsert',
    externalIdFieldName,
    contentType: 'CSV',
    lineEnding: 'LF',
    columnDelimiter: 'COMMA',
  });
  const info = await job.open();
  if (!info.id) throw operationError(ERRORS, 'JobNotCreated', [object]);
  return info.id;
}

/**
 * Streams the file as the job's one upload (jsforce sends it chunked, never whole in memory). jsforce cannot retry
 * a streamed body (a second try finds the stream read, "Response body object should not be disturbed or
 * locked"), so a refused upload is retried here with a fresh stream, while the job is still Open: a refused
 * upload added no data to it, and Salesforce processes nothing before the job is closed.
 */
export async function uploadFile(
  conn: Connection,
  jobId: string,
  path: string,
  retry: { policy?: RetryPolicy; hooks?: Partial<RetryHooks> } = {}
): Promise<void> {
  await withRetries(
    // A new job handle for each try: jsforce's handle refuses a second upload of its own.
    () => conn.bulk2.job('ingest', { id: jobId }).uploadData(createReadStream(path)),
    async (error) => {
      // Only a refusal is retried into the same job: 502/503/504 (or jsforce's failed attempt to retry one). A
      // dropped connection leaves unknown whether the data arrived, so it stops the run instead; the resume
      // then abandons the Open job and sends the file to a new one, never the same rows twice to one job.
      const transient =
        isRetryableStatus(error) || /should not be disturbed or locked/.test(String((error as Error).message));
      return transient && (await jobInfo(conn, jobId)).state === 'Open';
    },
    retry.policy ?? DEFAULT_RETRY,
    { sleep, now, ...retry.hooks }
  );
}

export async function closeJob(conn: Connection, jobId: string): Promise<void> {
  await conn.bulk2.job('ingest', { id: jobId }).close();
}

export async function abortJob(conn: Connection, jobId: string): Promise<void> {
  await conn.bulk2.job('ingest', { id: jobId }).abort();
}

export async function jobInfo(conn: Connection, jobId: string): Promise<IngestInfo> {
  return (await conn.bulk2.job('ingest', { id: jobId }).check()) as IngestInfo;
}

export type WaitOptions = {
  pollIntervalMs: number;
  timeoutMs: number;
  onPoll?: (info: IngestInfo) => void;
  resumeHint: string;
};

/** Polls until the job is JobComplete, Failed or Aborted, or the deadline passes (then the job keeps running). */
export async function waitForJob(conn: Connection, jobId: string, options: WaitOptions): Promise<IngestInfo> {
  const deadline = clock().now() + options.timeoutMs;
  for (;;) {
    const info = await jobInfo(conn, jobId);
    options.onPoll?.(info);
    if (FINAL_STATES.includes(info.state)) return info;
    if (info.state === 'Open') {
      throw operationError(ERRORS, 'JobStillOpen', [jobId], { actionTokens: [[options.resumeHint]] });
    }
    if (clock().now() + options.pollIntervalMs > deadline) {
      throw operationError(ERRORS, 'JobWaitTimeout', [jobId, info.state, Math.round(options.timeoutMs / 1000)], {
        actionTokens: [[options.resumeHint]],
        data: { jobId, state: info.state },
      });
    }
    await clock().sleep(options.pollIntervalMs);
  }
}

export type ResultKind = 'successful' | 'failed' | 'unprocessed';

/** One results file as CSV text (Salesforce keeps them for 7 days after the job ends). */
export async function downloadResults(conn: Connection, jobId: string, kind: ResultKind): Promise<string> {
  const job = conn.bulk2.job('ingest', { id: jobId });
  const text =
    kind === 'successful'
      ? await job.getSuccessfulResults(true)
      : kind === 'failed'
        ? await job.getFailedResults(true)
        : await job.getUnprocessedRecords(true);
  return typeof text === 'string' ? text : '';
}
