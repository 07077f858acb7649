import {
  type PackageGroup,
  groupCheckItems,
  groupFix,
  groupWarning,
  namedInConfig,
  notUpdated,
  stillChanging,
} from '../../src/core/group-recalculation.js';

const group = (developerName: string, status: string): PackageGroup => ({
  id: `0PG-${developerName}`,
  developerName,
  label: developerName.replace(/_/g, ' '),
  status,
});

const RERUN = { command: 'ce-connect permsets apply -o prod --wait 20', waitFlag: '--wait' };

describe('permission set groups after an upgrade', () => {
  const updated = group('CE_Learners', 'Updated');
  const updating = group('Support_Team', 'Updating');
  const outdated = group('Sales_Ops', 'Outdated');
  const failed = group('Field_Service', 'Failed');

  it('waits for Updating and Outdated groups (both end in a recalculation), not for Failed or Updated ones', () => {
    expect(stillChanging([updated, updating, outdated, failed])).toEqual([updating, outdated]);
    expect(notUpdated([updated, updating, outdated, failed])).toEqual([updating, outdated, failed]);
  });

  it('picks the groups config names, matching developer names without case', () => {
    expect(namedInConfig([updated, updating, outdated], ['ce_learners', 'Sales_Ops', 'Not_There'])).toEqual([
      updated,
      outdated,
    ]);
    expect(namedInConfig([updated], [])).toEqual([]);
  });

  it('gives each group its fix, with the command that continues and its flag for a longer wait', () => {
    expect(groupFix(updating, RERUN)).toBe(
      'Salesforce is still recalculating "Support Team": run `ce-connect permsets apply -o prod --wait 20` again in a few minutes (or with a longer --wait).'
    );
    expect(groupFix(outdated, { command: 'ce-connect setup -o prod', waitFlag: '--group-wait' })).toBe(
      'In Setup > Permission Set Groups > Sales Ops, the status is Outdated: click Recalculate, and once it shows Updated run `ce-connect setup -o prod` again.'
    );
    expect(groupFix(failed, RERUN)).toContain('the status is Failed: click Recalculate');
  });

  it('words a group nothing waits for as a warning: Updating ends by itself, Outdated and Failed need a click', () => {
    expect(groupWarning(updating, 'ce-connect checklist -o prod')).toBe(
      'Permission set group "Support Team" (Support_Team): Updating holds a CE permission set and is not recalculated: its members hold the permissions of before until it is. permissionSet.assignees does not name it, so nothing waited for it and direct assignments went ahead. Salesforce is recalculating it and ends by itself; `ce-connect checklist -o prod` shows when it is Updated.'
    );
    expect(groupWarning(outdated, 'ce-connect checklist -o prod')).toContain(
      'In Setup > Permission Set Groups > Sales Ops, click Recalculate; `ce-connect checklist -o prod` shows when it is Updated.'
    );
  });

  it('makes one checklist item: none or all Updated pass, Updating warns, Outdated or Failed fail', () => {
    const item = (groups: PackageGroup[]) => groupCheckItems(groups, ['northpass', 'npdc'], RERUN)[0];
    expect(item([])).toMatchObject({ status: 'pass', evidence: expect.stringContaining('northpass__, npdc__') });
    expect(item([updated])).toMatchObject({ status: 'pass', evidence: 'Updated: "CE Learners".' });
    expect(item([updated, updating])).toMatchObject({
      status: 'warn',
      evidence: '"Support Team" (Support_Team): Updating',
      fix: groupFix(updating, RERUN),
    });
    expect(item([updating, outdated])).toMatchObject({
      status: 'fail',
      evidence: '"Support Team" (Support_Team): Updating; "Sales Ops" (Sales_Ops): Outdated',
      fix: `${groupFix(updating, RERUN)} ${groupFix(outdated, RERUN)}`,
    });
    expect(item([failed]).status).toBe('fail');
  });
});
