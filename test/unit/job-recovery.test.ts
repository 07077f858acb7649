import { type IngestState, recoveryFor } from '../../src/core/job-recovery.js';

describe('recoveryFor: what a resumed backfill does with a job it never closed', () => {
  const states: IngestState[] = ['Open', 'UploadComplete', 'InProgress', 'JobComplete', 'Failed', 'Aborted'];

  it('maps every journal step and every job state to one action', () => {
    const table = Object.fromEntries(
      (['created', 'uploaded'] as const).map((step) => [step, states.map((state) => recoveryFor(step, state))])
    );
    expect(table).toEqual({
      // Open after a possibly partial upload, or Aborted before it ran: the whole file goes to a new job.
      created: ['abandon', 'closed', 'closed', 'closed', 'closed', 'abandon'],
      // The upload arrived whole: an Open job is closed and goes on.
      uploaded: ['continue', 'closed', 'closed', 'closed', 'closed', 'abandon'],
    });
  });

  it('never treats an Aborted job as finished work', () => {
    for (const step of ['created', 'uploaded'] as const) expect(recoveryFor(step, 'Aborted')).toBe('abandon');
  });
});

describe('recoveryFor: an Aborted job that had run', () => {
  it('reads its results when it processed rows after its close reached the org', () => {
    expect(recoveryFor('uploaded', 'Aborted', 120)).toBe('closed');
    expect(recoveryFor('uploaded', 'Aborted', 0)).toBe('abandon');
    // Never closed by this run with a possibly partial upload: nothing of it counts, whatever it reports.
    expect(recoveryFor('created', 'Aborted', 120)).toBe('abandon');
  });
});
