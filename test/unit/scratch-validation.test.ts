import type { CheckItem, ChecklistReport } from '../../src/core/checklist.js';
import { summarise } from '../../src/core/checklist.js';
import { itemValidates, scratchVerdict } from '../../src/core/scratch-validation.js';

const item = (id: string, status: CheckItem['status'], fix?: string): CheckItem => ({
  id,
  title: id,
  status,
  evidence: `${id} seen`,
  ...(fix && { fix }),
});

function report(items: CheckItem[]): ChecklistReport {
  const sections = [{ title: 'All', items }];
  return {
    org: { name: 'Scratch', instanceUrl: 'https://x', kind: 'scratch' },
    generatedAt: '',
    sections,
    summary: summarise(sections),
  };
}

const passing = [
  item('packages.northpass', 'pass'),
  item('packages.connector', 'pass'),
  item('packages.admins-only', 'pass'),
  item('permsets.assignments', 'pass'),
  item('permsets.policy', 'skip'),
  item('layouts.Contact-Contact Layout', 'pass'),
  item('pages.(system default)', 'pass'),
  item('connection.oauth-login', 'fail', 'ce-connect connect-guide -o <org>'),
  item('sync.recent', 'warn', 'ce-connect sync verify -o <org>'),
];

describe('what a scratch org run validates', () => {
  it('validates when every required item passes or is skipped as not applying; CE connection and sync do not count', () => {
    const verdict = scratchVerdict(report(passing));
    expect(verdict.validated).toBe(true);
    expect(verdict.failing).toEqual([]);
    expect(verdict.items.filter((i) => !i.required).map((i) => i.id)).toEqual([
      'connection.oauth-login',
      'sync.recent',
    ]);
  });

  it.each([
    ['a failure', item('packages.connector', 'fail', 'ce-connect packages install -o <org>')],
    ['a warning', item('packages.admins-only', 'warn', 'Remove the tab setting')],
    ['a check that could not run', item('packages.northpass', 'skip', 'Run the checklist as a user with "View Setup"')],
    ['a checker error', item('layouts.error', 'fail', 'see above')],
  ])('does not validate %s in a required area', (_what, bad) => {
    const items = [...passing.filter((i) => i.id !== bad.id), bad];
    const verdict = scratchVerdict(report(items));
    expect(verdict.validated).toBe(false);
    expect(verdict.failing.map((i) => [i.id, i.status])).toEqual([[bad.id, bad.status]]);
  });

  it('does not validate a checklist without any required item', () => {
    expect(
      scratchVerdict(report(passing.filter((i) => !/^(packages|permsets|layouts|pages)\./.test(i.id)))).validated
    ).toBe(false);
  });

  it('counts a skip only without a fix', () => {
    expect(itemValidates({ status: 'skip' })).toBe(true);
    expect(itemValidates({ status: 'skip', fix: 'do this' })).toBe(false);
    expect(itemValidates({ status: 'warn' })).toBe(false);
  });
});
