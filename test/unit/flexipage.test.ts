import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type PageSpec, findEnrollments, patchPage } from '../../src/core/flexipage.js';
import { appAssignments, describeAssignment, orgDefaultPages, pagesInEffect } from '../../src/core/page-assignments.js';
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

  it('reconciles the action bar: a New button the config does not want, a hidden bar, the label', () => {
    const patched = patchPage(read('Sales_Contact_Page.flexipage-meta.xml'), SPEC, 'p').xml;
    expect(patched).toMatch(/<name>actionNames<\/name>\n\s*<\/componentInstanceProperties>/);
    // Edits inside the Enrollments list only (the page has other dynamic lists).
    const inList = (text: string, edit: (block: string) => string): string => {
      const end = text.indexOf('<identifier>lst_dynamicRelatedList_enrollments</identifier>');
      const start = text.lastIndexOf('<itemInstances>', end);
      return text.slice(0, start) + edit(text.slice(start, end)) + text.slice(end);
    };
    const hidden = inList(patched, (block) =>
      block
        .replace(
          /(<name>actionNames<\/name>)(\n\s*)(<\/componentInstanceProperties>)/,
          '$1$2<valueList><valueListItems><value>New</value></valueListItems></valueList>$2$3'
        )
        .replace(/(<name>showActionBar<\/name>\s*<value>)true/, '$1false')
        .replace(/(<name>relatedListLabel<\/name>\s*<value>)Enrollments/, '$1Courses')
    );
    const found = findEnrollments(hidden, SPEC, 'p');
    expect(found.differences).toEqual([
      'actions New → (none)',
      'action bar hidden → shown',
      'label Courses → Enrollments',
    ]);
    const again = patchPage(hidden, SPEC, 'p');
    expect(again.xml).toBe(patched);
    // Without a label in the config, the page keeps its own.
    const noLabel: PageSpec = { ...SPEC, label: undefined };
    expect(findEnrollments(hidden, noLabel, 'p').differences).not.toContain('label Courses → Enrollments');
    // A page saved without showActionBar shows the bar: the same as the config's default, so nothing changes.
    const withoutBar = inList(patched, (block) =>
      block.replace(
        /\n\s*<componentInstanceProperties>\s*<name>showActionBar<\/name>\s*<value>true<\/value>\s*<\/componentInstanceProperties>/,
        ''
      )
    );
    expect(withoutBar).not.toBe(patched);
    expect(patchPage(withoutBar, SPEC, 'p').changed).toBe(false);
  });

  it('marks a component shown only under a visibility rule', () => {
    const page = read('Support_Contact_Page.flexipage-meta.xml');
    expect(findEnrollments(page, SPEC, 'c').conditional).toBeUndefined();
    const ruled = page.replace(
      '<identifier>contactEnrollments</identifier>',
      '<identifier>contactEnrollments</identifier>\n                <visibilityRule><criteria><leftValue>{!$User.Department}</leftValue><operator>EQUAL</operator><rightValue>Education</rightValue></criteria></visibilityRule>'
    );
    expect(ruled).not.toBe(page);
    expect(findEnrollments(ruled, SPEC, 'c')).toMatchObject({ verdict: 'component', conditional: true });
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
  const console = read('Service_Console.app-meta.xml');

  it('reads the org default, app defaults and app, record type and profile assignments', () => {
    expect(orgDefaultPages(read('Contact.object-meta.xml'), 'o')).toEqual([
      { page: 'Contact_Record_Page', assignment: { kind: 'org-default' } },
    ]);
    const sales = appAssignments(read('Sales.app-meta.xml'), 'Sales', 'Contact', 's');
    const support = appAssignments(console, 'Service_Console', 'Contact', 'c');
    expect(appAssignments(read('Sales.app-meta.xml'), 'Sales', 'Account', 's')).toEqual([]);
    expect(pagesInEffect(orgDefaultPages(read('Contact.object-meta.xml'), 'o'), [...sales, ...support])).toEqual([
      { page: 'Contact_Record_Page', assignments: [{ kind: 'org-default' }] },
      { page: 'Sales_Contact_Page', assignments: [{ kind: 'app-default', app: 'Sales' }] },
      {
        page: 'Support_Contact_Page',
        assignments: [
          { kind: 'app-profile', app: 'Service_Console', profile: 'Standard User', recordType: 'Contact.Learner' },
        ],
      },
    ]);
    expect(describeAssignment(support[0].assignment)).toBe(
      'Service_Console app, profile Standard User, record type Contact.Learner'
    );
  });

  it('reads phone assignments (formFactor Small) as their own, and stands the system default in for missing defaults', () => {
    const phone = console.replace('<formFactor>Large</formFactor>', '<formFactor>Small</formFactor>');
    const onPhone = appAssignments(phone, 'Service_Console', 'Contact', 'p');
    expect(onPhone.map((f) => describeAssignment(f.assignment))).toEqual([
      'Service_Console app, profile Standard User, record type Contact.Learner (phone)',
    ]);
    const object = read('Contact.object-meta.xml');
    const phoneDefault = object.replace('<formFactor>Large</formFactor>', '<formFactor>Small</formFactor>');
    expect(pagesInEffect(orgDefaultPages(phoneDefault, 'o'), [])).toEqual([
      { assignments: [{ kind: 'org-default' }] },
      { page: 'Contact_Record_Page', assignments: [{ kind: 'org-default', phone: true }] },
    ]);
    expect(pagesInEffect([], [])).toEqual([
      { assignments: [{ kind: 'org-default' }, { kind: 'org-default', phone: true }] },
    ]);
    // A View override of another type (a Visualforce page, the standard page) assigns no Lightning page.
    expect(orgDefaultPages(object.replace('<type>Flexipage</type>', '<type>Default</type>'), 'o')).toEqual([]);
  });
});
