import { InputError } from '../../src/core/errors.js';
import { type SetupBackfillInput, setupBackfillLines, setupBackfillPlan } from '../../src/core/setup-backfill.js';
import { selectSteps, setupArgvWith } from '../../src/core/setup-steps.js';

function selected(options: Parameters<typeof selectSteps>[0]): string[] {
  return selectSteps(options)
    .filter((step) => step.selected)
    .map((step) => step.id);
}

describe('choosing setup steps', () => {
  it('runs the required steps in runbook order and leaves optional ones out without their input', () => {
    expect(selected({})).toEqual([
      'packages',
      'integration-user',
      'permsets',
      'policy',
      'layouts',
      'pages',
      'connect-guide',
    ]);
    const backfill = selectSteps({}).find((step) => step.id === 'backfill');
    expect(backfill?.reason).toBe('needs --export');
  });

  it('adds the optional steps when their input is given', () => {
    expect(selected({ testEmail: 'a@b.c', exportFile: 'x.csv' })).toContain('sync-verify');
    expect(selected({ testEmail: 'a@b.c', exportFile: 'x.csv' })).toContain('backfill');
  });

  it('honours --only and --skip', () => {
    expect(selected({ only: 'layouts,packages' })).toEqual(['packages', 'layouts']);
    expect(selected({ skip: 'connect-guide, layouts, pages' })).toEqual([
      'packages',
      'integration-user',
      'permsets',
      'policy',
    ]);
  });

  it('rejects unknown step names with exit code 2', () => {
    expect(() => selectSteps({ skip: 'layout' })).toThrow(InputError);
    expect(() => selectSteps({ skip: 'layout' })).toThrow(/unknown step "layout"/);
  });

  it('rejects --only together with --skip', () => {
    expect(() => selectSteps({ only: 'packages', skip: 'layouts' })).toThrow(/cannot be used together/);
  });
});

describe("the backfill's part of the setup plan", () => {
  const input: SetupBackfillInput = {
    exportFile: 'export.csv',
    outDir: 'out',
    object: 'northpass__Enrollment__c',
    externalIdField: 'northpass__External_Id__c',
    since: '2025-11-20T00:00:00.000Z',
    resumed: false,
    maxJobBytes: 25_000_000,
    summary: {
      input: 1_210_000,
      toUpsert: 1_200_000,
      skipped: { existingUpToDate: 6000, beforeCutoff: 2000, duplicateInFile: 1000 },
      rejected: 1000,
      files: [],
    },
    jobs: [
      { file: 'upload-001.csv', rows: 700_000, bytes: 24_900_000 },
      { file: 'upload-002.csv', rows: 500_000, bytes: 17_800_000 },
    ],
    forecast: { create: 1_150_000, update: 50_000 },
  };

  it('says what is created, updated, skipped and rejected, and in how many Bulk API jobs of what size', () => {
    const plan = setupBackfillPlan(input);
    expect(plan.rows).toEqual({
      input: 1_210_000,
      toUpsert: 1_200_000,
      create: 1_150_000,
      update: 50_000,
      skipped: { existingUpToDate: 6000, beforeCutoff: 2000, duplicateInFile: 1000 },
      rejected: 1000,
    });
    expect(plan.jobs).toEqual({ count: 2, maxJobBytes: 25_000_000, files: input.jobs });
    expect(setupBackfillLines(plan)).toEqual([
      'Upsert 1,200,000 row(s) of export.csv into northpass__Enrollment__c on northpass__External_Id__c: 1,150,000 new, 50,000 update(s) of an older copy in Salesforce',
      'Skip 9,000 row(s): 6,000 already as new or newer in Salesforce, 2,000 before the cutoff 2025-11-20T00:00:00.000Z, 1,000 older duplicate(s) in the export',
      'Reject 1,000 row(s) that cannot be loaded (see rejected.csv in out)',
      'Send them in 2 Bulk API 2.0 job(s) of at most 25 MB of CSV each (42.7 MB in all)',
    ]);
  });

  it('counts only the jobs still to run when it continues a run, and does not guess new from updated', () => {
    const plan = setupBackfillPlan({ ...input, resumed: true, forecast: undefined, jobs: input.jobs.slice(1) });
    expect(plan.rows.toUpsert).toBe(500_000);
    expect(plan.rows).not.toHaveProperty('create');
    expect(plan.rows).not.toHaveProperty('update');
    expect(setupBackfillLines(plan)[0]).toBe(
      'Upsert 500,000 row(s) of export.csv into northpass__Enrollment__c on northpass__External_Id__c, continuing the run in out (new and updated are known once its jobs end)'
    );
  });

  it('has no line when nothing is to be sent, so the step asks for no confirmation', () => {
    expect(setupBackfillLines(setupBackfillPlan({ ...input, jobs: [], forecast: { create: 0, update: 0 } }))).toEqual(
      []
    );
  });

  it('gives a small upload in kB', () => {
    const lines = setupBackfillLines(
      setupBackfillPlan({ ...input, jobs: [{ file: 'upload-001.csv', rows: 3, bytes: 420 }] })
    );
    expect(lines.at(-1)).toBe('Send them in 1 Bulk API 2.0 job(s) of at most 25 MB of CSV each (1 kB in all)');
  });
});

describe('setup as run, changed as a fix needs', () => {
  const base = ['-o', 'prod', '--yes'];
  it('adds --force once', () => {
    expect(setupArgvWith(base, { force: true })).toEqual([...base, '--force']);
    expect(setupArgvWith([...base, '--force'], { force: true })).toEqual([...base, '--force']);
  });

  it('leaves a step out: from --only, into --skip, or with a new --skip', () => {
    expect(setupArgvWith([...base, '--only', 'packages,policy'], { skipStep: 'policy' })).toEqual([
      ...base,
      '--only',
      'packages',
    ]);
    expect(setupArgvWith([...base, '--only=policy,layouts'], { skipStep: 'policy' })).toEqual([
      ...base,
      '--only',
      'layouts',
    ]);
    expect(setupArgvWith([...base, '--skip', 'pages'], { skipStep: 'policy' })).toEqual([
      ...base,
      '--skip',
      'pages,policy',
    ]);
    expect(setupArgvWith([...base, '--skip=policy'], { skipStep: 'policy' })).toEqual([...base, '--skip=policy']);
    expect(setupArgvWith(base, { skipStep: 'policy' })).toEqual([...base, '--skip', 'policy']);
    // All --only asked for: the rest of the runbook runs without it.
    expect(setupArgvWith([...base, '--only', 'policy'], { skipStep: 'policy' })).toEqual([...base, '--skip', 'policy']);
  });
});
