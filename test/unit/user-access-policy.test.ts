import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Assignee, type CeConfig, parseConfig } from '../../src/core/config.js';
import {
  forOrg,
  parsePolicy,
  policyDifferences,
  policyFromConfig,
  renderPolicy,
  simpleUserFilter,
  updatePolicyText,
} from '../../src/core/user-access-policy.js';
import { thrownInputError as thrown } from '../helpers/thrown.js';
import { PROJECT_ROOT } from '../helpers/cli.js';

const SHIPPED_PATH = join(PROJECT_ROOT, 'config', 'ce-connect.json');
const SHIPPED = parseConfig(readFileSync(SHIPPED_PATH, 'utf8'), SHIPPED_PATH);
const SOURCE = 'config/ce-connect.json';

function withAssignees(assignees: Assignee[]): CeConfig {
  const config = structuredClone(SHIPPED);
  config.permissionSet.assignees = assignees;
  return config;
}

describe('the User Access Policy config gives', () => {
  it('is the committed file for the shipped config', () => {
    const generated = policyFromConfig(SHIPPED, SOURCE);
    const file = readFileSync(
      join(PROJECT_ROOT, 'force-app/main/default/useraccesspolicies/Northpass_Standard_User.useraccesspolicy-meta.xml'),
      'utf8'
    );
    expect(generated.policy && renderPolicy(generated.policy)).toBe(file);
    expect(generated.expressed).toEqual([{ index: 0, rule: 'profile "Standard User"', filters: [1] }]);
    expect(generated.kept).toEqual([
      { index: 1, rule: 'username support.lead@acme.example (expires 2027-06-30)', why: 'expires' },
    ]);
  });

  it('holds profiles (by their Metadata API names), permission sets, groups and simple User field rules, OR-ed', () => {
    const { policy, kept } = policyFromConfig(
      withAssignees([
        { profile: 'Standard User' },
        { profile: 'Acme Sales' },
        { permissionSet: 'Sales_Ops_Tools' },
        { permissionSetGroup: 'Support_Team' },
        { userFilter: "Department = 'Customer Success'" },
        { userFilter: "(Title IN ('Trainer', 'Coach'))" },
        { userFilter: 'IsActive = TRUE' },
        { username: 'jane.doe@acme.example' },
        { profile: 'Read Only', expires: '2027-01-31' },
        { userFilter: "Department LIKE 'Sales%'" },
      ]),
      SOURCE
    );
    expect(policy?.filters.map((f) => [f.sortOrder, f.type, f.target, f.columnName, f.value])).toEqual([
      [1, 'Profile', 'Standard', undefined, undefined],
      [2, 'Profile', 'Acme Sales', undefined, undefined],
      [3, 'PermissionSet', 'Sales_Ops_Tools', undefined, undefined],
      [4, 'PermissionSetGroup', 'Support_Team', undefined, undefined],
      [5, 'User', 'User', 'Department', 'Customer Success'],
      [6, 'User', 'User', 'Title', 'Trainer'],
      [7, 'User', 'User', 'Title', 'Coach'],
      [8, 'User', 'User', 'IsActive', 'true'],
    ]);
    expect(policy?.filters.every((f) => f.operation === 'equals')).toBe(true);
    expect(policy?.booleanFilter).toBe('1 OR 2 OR 3 OR 4 OR 5 OR 6 OR 7 OR 8');
    expect(policy?.triggerType).toBe('CreateAndUpdate');
    expect(policy?.actions).toEqual([
      { action: 'Grant', type: 'PermissionSet', target: '%%%NAMESPACE%%%__Northpass_Standard_User' },
    ]);
    expect(kept.map((k) => [k.index, k.why])).toEqual([
      [7, 'username'],
      [8, 'expires'],
      [9, 'filter'],
    ]);
    expect(policy?.description).toContain(
      'Kept in config only (a policy cannot hold them): username jane.doe@acme.example; profile "Read Only" (expires 2027-01-31); users where Department LIKE \'Sales%\'.'
    );
  });

  it('keeps the description within 255 characters, counting the rules it cannot name', () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ username: `learner.${i}@acme.example` }));
    const { policy } = policyFromConfig(withAssignees([{ profile: 'Standard User' }, ...many]), SOURCE);
    expect(policy?.description?.length).toBeLessThanOrEqual(255);
    expect(policy?.description).toMatch(/; \d+ more rule\(s\)\.$/);
  });

  it('is the same whatever the config file is called: its path is no part of the policy', () => {
    const shipped = policyFromConfig(SHIPPED, SOURCE).policy;
    const other = policyFromConfig(SHIPPED, 'config/prod.json').policy;
    expect(other).toEqual(shipped);
    expect(other?.description).not.toContain('config/');
    if (!shipped || !other) throw new Error('no policy');
    expect(policyDifferences(shipped, parsePolicy(renderPolicy(other), 'f'))).toEqual([]);
  });

  it('has no policy when no rule can be a filter, and needs the permission set’s API name', () => {
    expect(policyFromConfig(withAssignees([{ username: 'a@b.example' }]), SOURCE).policy).toBeUndefined();
    const unnamed = structuredClone(SHIPPED);
    delete unnamed.permissionSet.name;
    const error = thrown(() => policyFromConfig(unnamed, SOURCE));
    expect(error).toMatchObject({ name: 'PolicyNeedsPermissionSetName', exitCode: 2 });
  });

  it('reads simple User conditions only', () => {
    expect(simpleUserFilter("Department = 'R&D'")).toEqual({ field: 'Department', values: ['R&D'] });
    expect(simpleUserFilter("Title IN ('A', 'B\\'s')")).toEqual({ field: 'Title', values: ['A', "B's"] });
    expect(simpleUserFilter('Employee_Level__c = 3')).toEqual({ field: 'Employee_Level__c', values: ['3'] });
    for (const complex of [
      "Department = 'A' AND Title = 'B'",
      "Profile.Name = 'X'",
      "Department != 'A'",
      "(Department = 'A') OR (Department = 'B')",
      "Title IN ('A' 'B')",
    ]) {
      expect(simpleUserFilter(complex)).toBeUndefined();
    }
  });
});

describe('the policy file', () => {
  const wanted = policyFromConfig(SHIPPED, SOURCE).policy;
  if (!wanted) throw new Error('no policy');
  const text = renderPolicy(wanted);

  it('reads back what was written, and fills the namespace for the org', () => {
    expect(policyDifferences(wanted, parsePolicy(text, 'f'))).toEqual([]);
    expect(parsePolicy(forOrg(text, 'acmeNs'), 'f').actions[0].target).toBe('acmeNs__Northpass_Standard_User');
  });

  it('compares what config decides and leaves status and order to the org', () => {
    const active = text.replace('<status>Design</status>', '<order>3</order>\n    <status>Active</status>');
    expect(policyDifferences(wanted, parsePolicy(active, 'f'))).toEqual([]);
    expect(policyDifferences(wanted, parsePolicy(active, 'f'), { compareStatus: true })).toEqual([
      'status: the file has "Active", config gives "Design"',
    ]);
    const other = text.replace('<target>Standard</target>', '<target>ReadOnly</target>');
    expect(policyDifferences(wanted, parsePolicy(other, 'f'))).toEqual([
      'userAccessPolicyFilters: config gives #1 Profile equals Standard, the file does not',
      'userAccessPolicyFilters: the file has #1 Profile equals ReadOnly, config does not',
    ]);
  });

  it('is refused with its line and column when it is not well-formed, or not a policy', () => {
    expect(thrown(() => parsePolicy(text.replace('</masterLabel>', '</masterLabl>'), 'p.xml'))).toMatchObject({
      name: 'MalformedXml',
      exitCode: 2,
    });
    expect(thrown(() => parsePolicy('<Layout/>', 'p.xml'))).toMatchObject({ name: 'NotAUserAccessPolicy' });
  });
});

describe('the minimal edit of a policy file', () => {
  const hand = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<UserAccessPolicy xmlns="http://soap.sforce.com/2006/04/metadata">',
    '\t<!-- who gets Northpass Standard User -->',
    '\t<booleanFilter>1</booleanFilter>',
    '\t<masterLabel>Northpass Standard User</masterLabel>',
    '\t<order>7</order>',
    '\t<status>Design</status>',
    '\t<triggerType>CreateAndUpdate</triggerType>',
    '\t<userAccessPolicyActions>',
    '\t\t<action>Grant</action>',
    '\t\t<target>%%%NAMESPACE%%%__Northpass_Standard_User</target>',
    '\t\t<type>PermissionSet</type>',
    '\t</userAccessPolicyActions>',
    '\t<userAccessPolicyFilters>',
    '\t\t<operation>equals</operation>',
    '\t\t<sortOrder>1</sortOrder>',
    '\t\t<target>Standard</target>',
    '\t\t<type>Profile</type>',
    '\t</userAccessPolicyFilters>',
    '</UserAccessPolicy>',
    '',
  ].join('\r\n');

  it('changes only what differs, in the file’s own indentation and line endings, keeping comments and order', () => {
    const config = withAssignees([...SHIPPED.permissionSet.assignees, { permissionSetGroup: 'Support_Team' }]);
    const wanted = policyFromConfig(config, SOURCE).policy;
    if (!wanted) throw new Error('no policy');
    const edited = updatePolicyText(hand, wanted, 'f');
    expect(policyDifferences(wanted, parsePolicy(edited, 'f'))).toEqual([]);
    const before = hand.split('\r\n');
    const after = edited.split('\r\n');
    expect(after.filter((l) => !before.includes(l))).toEqual([
      '\t<booleanFilter>1 OR 2</booleanFilter>',
      `\t<description>${wanted.description ?? ''}</description>`,
      '\t\t<sortOrder>2</sortOrder>',
      '\t\t<target>Support_Team</target>',
      '\t\t<type>PermissionSetGroup</type>',
    ]);
    expect(before.filter((l) => !after.includes(l))).toEqual(['\t<booleanFilter>1</booleanFilter>']);
    expect(edited).toContain('\t<!-- who gets Northpass Standard User -->\r\n');
    expect(edited).toContain('\t<order>7</order>\r\n');
    // The description goes where the schema puts it, between booleanFilter and masterLabel.
    expect(after.indexOf('\t<masterLabel>Northpass Standard User</masterLabel>')).toBe(
      after.findIndex((l) => l.startsWith('\t<description>')) + 1
    );
  });

  it('leaves a file that already says what config says byte for byte', () => {
    const wanted = policyFromConfig(SHIPPED, SOURCE).policy;
    if (!wanted) throw new Error('no policy');
    const same = updatePolicyText(hand, wanted, 'f');
    expect(updatePolicyText(same, wanted, 'f')).toBe(same);
    const rendered = renderPolicy(wanted);
    expect(updatePolicyText(rendered, wanted, 'f')).toBe(rendered);
  });
});
