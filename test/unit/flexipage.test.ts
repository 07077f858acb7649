import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type PageSpec, findEnrollments, patchPage } from '../../src/core/flexipage.js';
import { appAssignments, orgDefaultPage, pagesInEffect } from '../../src/core/page-assignments.js';
import { pageSpec } from '../../src/core/page-spec.js';
import config from '../../config/ce-connect.json' with { type: 'json' };
import type { CeConfig } from '../../src/core/config.js';
import { PROJECT_ROOT } from '../helpers/cli.js';
import { thrownInputError as thrown } from '../helpers/thrown.js';

const SPEC: PageSpec = pageSpec(config as unknown as CeConfig);
const SCENARIO = join(PROJECT_ROOT, 'simulator', 'scenarios', 'pages');
const read = (name: string): string => readFileSync(join(SCENARIO, name), 'utf8');

/** The text with the patch's one inserted block taken out again. */
function withoutInsertion(before: string, after: string): string {
  let start = 0;
  while (start < before.length && before[start] === after[start]) start += 1;
  let end = 0;
  while (end < before.length - start && before.at(-1 - end) === after.at(-1 - end)) end += 1;
  return after.slice(0, start) + after.slice(after.length - end);
}

describe('Contact record pages: which component shows Enrollments', () => {
  it('tells the layout-driven Related Lists, a missing list and contactEnrollments apart', () => {
    expect(findEnrollments(read('Contact_Record_Page.flexipage-meta.xml'), SPEC, 'a')).toMatchObject({
      verdict: 'layout',
      identifier: 'force_relatedListContainer',
      place: { region: 'sidebar' },
    });
    expect(findEnrollments(read('Sales_Contact_Page.flexipage-meta.xml'), SPEC, 'b')).toMatchObject({
      verdict: 'missing',
      relatedListsPlace: { region: 'sidebar' },
      regions: ['main', 'sidebar'],
    });
    expect(findEnrollments(read('Support_Contact_Page.flexipage-meta.xml'), SPEC, 'c')).toMatchObject({
      verdict: 'component',
      identifier: 'contactEnrollments',
    });
  });

  it('finds a Related List – Single for Enrollments, and a dynamic one with how it differs', () => {
    const single = read('Sales_Contact_Page.flexipage-meta.xml').replace(
      '<value>OpportunityContactRoles</value>',
      '<value>northpass__Enrollments__r</value>'
    );
    expect(findEnrollments(single, SPEC, 's').verdict).toBe('single');
    const patched = patchPage(read('Sales_Contact_Page.flexipage-meta.xml'), SPEC, 'p').xml;
    expect(findEnrollments(patched, SPEC, 'p')).toMatchObject({ verdict: 'dynamic', differences: [] });
    const differs = patched.replace('<value>Descending</value>', '<value>Ascending</value>');
    expect(findEnrollments(differs, SPEC, 'd').differences).toEqual([
      'sort northpass__Enrollment_Date__c Ascending → northpass__Enrollment_Date__c Descending',
    ]);
  });

  it('adds a dynamic list beside the other related lists, byte-minimal, and is idempotent', () => {
    const before = read('Sales_Contact_Page.flexipage-meta.xml');
    const patch = patchPage(before, SPEC, 'sales');
    expect(patch.changed).toBe(true);
    expect(withoutInsertion(before, patch.xml)).toBe(before);
    const inserted = patch.xml.slice(
      patch.xml.indexOf('<itemInstances>', patch.xml.indexOf('force_relatedListSingleContainer_roles')) - 8
    );
    expect(inserted.startsWith('        <itemInstances>\n            <componentInstance>\n')).toBe(true);
    expect(inserted).toContain(
      [
        '                <componentInstanceProperties>',
        '                    <name>relatedListFieldAliases</name>',
        '                    <valueList>',
        '                        <valueListItems>',
        '                            <value>NAME</value>',
      ].join('\n')
    );
    expect(patchPage(patch.xml, SPEC, 'sales')).toMatchObject({ changed: false, xml: patch.xml });
  });

  it('keeps CRLF line endings and two-space indentation', () => {
    const before = read('Sales_Contact_Page.flexipage-meta.xml').replace(/\n/g, '\r\n').replace(/ {4}/g, '  ');
    const patch = patchPage(before, SPEC, 'crlf');
    expect(withoutInsertion(before, patch.xml)).toBe(before);
    expect(patch.xml.replace(/\r\n/g, '')).not.toContain('\n');
    expect(patch.xml).toContain('\r\n    <itemInstances>\r\n      <componentInstance>\r\n');
  });

  it('reconciles only the values that differ', () => {
    const patched = patchPage(read('Sales_Contact_Page.flexipage-meta.xml'), SPEC, 'p').xml;
    const differs = patched.replace('<value>5</value>', '<value>12</value>');
    const again = patchPage(differs, SPEC, 'p');
    expect(again.changes).toEqual([expect.stringContaining('rows 12 → 5')]);
    expect(again.xml).toBe(patched);
  });

  it('uses the region the config names for a page without related lists, and refuses a region the page lacks', () => {
    const bare = read('Contact_Record_Page.flexipage-meta.xml').replace(
      /\s*<itemInstances>\s*<componentInstance>\s*<componentName>force:relatedListContainer[\s\S]*?<\/itemInstances>/,
      ''
    );
    expect(thrown(() => patchPage(bare, SPEC, 'bare')).name).toBe('PageRegionUnknown');
    const patch = patchPage(bare, SPEC, 'bare', { region: 'sidebar', explicit: false });
    expect(patch.changes).toEqual([
      'add a Dynamic Related List – Single for northpass__Enrollments__r to region sidebar',
    ]);
    // The empty region gets its component before <name>.
    expect(patch.xml).toMatch(
      /<flexiPageRegions>\n {8}<itemInstances>[\s\S]*?<\/itemInstances>\n {8}<name>sidebar<\/name>/
    );
    const error = thrown(() => patchPage(bare, SPEC, 'bare', { region: 'footer', explicit: true }));
    expect(error.name).toBe('PageRegionNotFound');
    expect(error.message).toContain('header, main, sidebar');
  });

  it('puts contactEnrollments with its design attributes when the config asks for it', () => {
    const patch = patchPage(
      read('Sales_Contact_Page.flexipage-meta.xml'),
      { ...SPEC, component: 'contactEnrollments' },
      's'
    );
    expect(patch.xml).toContain('<componentName>contactEnrollments</componentName>');
    expect(patch.xml).toContain('<value>northpass__Course_Attempt_Number__c</value>');
    expect(findEnrollments(patch.xml, SPEC, 's').verdict).toBe('component');
  });

  it('names a tab when the related lists sit in its facet', () => {
    const tabbed = read('Sales_Contact_Page.flexipage-meta.xml').replace(
      '<componentName>force:detailPanel</componentName>',
      '<componentInstanceProperties>\n                    <name>body</name>\n                    <value>sidebar</value>\n                </componentInstanceProperties>\n                <componentInstanceProperties>\n                    <name>title</name>\n                    <value>Standard.Tab.relatedLists</value>\n                </componentInstanceProperties>\n                <componentName>flexipage:tab</componentName>'
    );
    expect(patchPage(tabbed, SPEC, 't').changes[0]).toContain('region sidebar (tab Standard.Tab.relatedLists)');
  });

  it('refuses a file that is not a FlexiPage, and malformed XML, naming the file', () => {
    expect(thrown(() => findEnrollments('<Layout/>', SPEC, 'x.flexipage')).name).toBe('NotAFlexiPage');
    const malformed = thrown(() => findEnrollments('<FlexiPage><a></FlexiPage>', SPEC, 'y.flexipage'));
    expect(malformed.name).toBe('MalformedXml');
    expect(malformed.message).toContain('y.flexipage');
  });
});

describe('Contact record page assignments', () => {
  it('reads the org default, app defaults and app-profile assignments, desktop only', () => {
    expect(orgDefaultPage(read('Contact.object-meta.xml'), 'o')).toBe('Contact_Record_Page');
    const sales = appAssignments(read('Sales.app-meta.xml'), 'Sales', 'Contact', 's');
    const phone = read('Service_Console.app-meta.xml').replace(
      '<formFactor>Large</formFactor>',
      '<formFactor>Small</formFactor>'
    );
    expect(appAssignments(phone, 'Service_Console', 'Contact', 'p')).toEqual([]);
    const console = appAssignments(read('Service_Console.app-meta.xml'), 'Service_Console', 'Contact', 'c');
    expect(appAssignments(read('Sales.app-meta.xml'), 'Sales', 'Account', 's')).toEqual([]);
    expect(pagesInEffect('Contact_Record_Page', [...sales, ...console])).toEqual([
      { page: 'Contact_Record_Page', assignments: [{ kind: 'org-default' }] },
      { page: 'Sales_Contact_Page', assignments: [{ kind: 'app-default', app: 'Sales' }] },
      {
        page: 'Support_Contact_Page',
        assignments: [{ kind: 'app-profile', app: 'Service_Console', profile: 'Standard User' }],
      },
    ]);
    expect(pagesInEffect(undefined, [])).toEqual([{ assignments: [{ kind: 'org-default' }] }]);
  });
});
