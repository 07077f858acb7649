import { InputError } from '../../src/core/errors.js';
import { selectSteps } from '../../src/core/setup-steps.js';

function selected(options: Parameters<typeof selectSteps>[0]): string[] {
  return selectSteps(options)
    .filter((step) => step.selected)
    .map((step) => step.id);
}

describe('choosing setup steps', () => {
  it('runs the required steps in runbook order and leaves optional ones out without their input', () => {
    expect(selected({})).toEqual(['packages', 'integration-user', 'permsets', 'layouts', 'connect-guide']);
    const backfill = selectSteps({}).find((step) => step.id === 'backfill');
    expect(backfill?.reason).toBe('needs --export');
  });

  it('adds the optional steps when their input is given', () => {
    expect(selected({ testEmail: 'a@b.c', exportFile: 'x.csv' })).toContain('sync-verify');
    expect(selected({ testEmail: 'a@b.c', exportFile: 'x.csv' })).toContain('backfill');
  });

  it('honours --only and --skip', () => {
    expect(selected({ only: 'layouts,packages' })).toEqual(['packages', 'layouts']);
    expect(selected({ skip: 'connect-guide, layouts' })).toEqual(['packages', 'integration-user', 'permsets']);
  });

  it('rejects unknown step names with exit code 2', () => {
    expect(() => selectSteps({ skip: 'layout' })).toThrow(InputError);
    expect(() => selectSteps({ skip: 'layout' })).toThrow(/unknown step "layout"/);
  });

  it('rejects --only together with --skip', () => {
    expect(() => selectSteps({ only: 'packages', skip: 'layouts' })).toThrow(/cannot be used together/);
  });
});
