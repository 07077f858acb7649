import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../src/core/errors.js';
import { RELATED_LIST_ITEM_ORDER } from '../../src/core/layout-schema.js';
import { type RelatedListSpec, applyRelatedList } from '../../src/core/related-list-transform.js';
import { type XmlElement, scanXml } from '../../src/core/xml-scan.js';
import { PROJECT_ROOT, realLayoutsCorpus } from '../helpers/cli.js';
import { insertion, lines } from '../helpers/layout-diff.js';

const CORPUS = realLayoutsCorpus();
const FIXTURES = join(PROJECT_ROOT, 'test', 'fixtures', 'real-layouts');

const SPEC: RelatedListSpec = {
  relatedList: 'northpass__Enrollment__c.northpass__Contact__c',
  fields: ['NAME', 'northpass__Course_Name__c', 'northpass__Progress_Percentage__c', 'northpass__Enrollment_Date__c'],
  sortField: 'northpass__Enrollment_Date__c',
  sortOrder: 'Desc',
  excludeButtons: ['New'],
};

function corpusFiles(): Array<{ name: string; path: string; malformed: boolean }> {
  return readdirSync(CORPUS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(join(CORPUS, d.name))
        .filter((f) => f.endsWith('.layout') || f.endsWith('.layout-meta.xml'))
        .map((f) => ({
          name: `${d.name}/${f}`,
          path: join(CORPUS, d.name, f),
          malformed: d.name.endsWith('-malformed'),
        }))
    )
    .sort((a, b) => a.name.localeCompare(b.name));
}

function topLevelEntries(xml: string, relatedList: string): XmlElement[] {
  return scanXml(xml).root.children.filter(
    (e) =>
      e.local === 'relatedLists' && e.children.some((c) => c.local === 'relatedList' && c.text.trim() === relatedList)
  );
}

/** The entry's children as `name=value`, in document order. */
function entryShape(entry: XmlElement): string[] {
  return entry.children.map((c) => `${c.local}=${c.text.trim()}`);
}

/**
 * Asserts `after` is `before` plus one contiguous run of whole lines (removing them gives back the input byte
 * for byte), and returns those lines.
 */
function insertedLines(before: string, after: string): string[] {
  const found = insertion(before, after);
  expect(found).toBeDefined();
  return found?.inserted ?? [];
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

const EXPECTED_SHAPE = [
  'excludeButtons=New',
  'fields=NAME',
  'fields=northpass__Course_Name__c',
  'fields=northpass__Progress_Percentage__c',
  'fields=northpass__Enrollment_Date__c',
  'relatedList=northpass__Enrollment__c.northpass__Contact__c',
  'sortField=northpass__Enrollment_Date__c',
  'sortOrder=Desc',
];

describe('corpus: applyRelatedList over ../shared/fixtures/real-layouts', () => {
  const files = corpusFiles();

  it('finds the corpus, with two malformed files', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
    expect(files.filter((f) => f.malformed).map((f) => f.name)).toEqual([
      'eda-malformed/Contact-Contact Layout.layout',
      'npsp-malformed/Contact-Contact Lightning Layout.layout-meta.xml',
    ]);
  });

  describe.each(files.filter((f) => !f.malformed).map((f) => [f.name, f.path]))('%s', (_name, path) => {
    const input = readFileSync(path, 'utf8');
    const first = applyRelatedList(input, SPEC, path);

    it('gains exactly one correct top-level entry after the last existing one', () => {
      expect(first.changed).toBe(true);
      expect(first.changes.map((c) => c.kind)).toEqual(['added']);
      expect(topLevelEntries(input, SPEC.relatedList)).toHaveLength(0);
      const entries = topLevelEntries(first.xml, SPEC.relatedList);
      expect(entries).toHaveLength(1);
      expect(entryShape(entries[0])).toEqual(EXPECTED_SHAPE);
      expect(entries[0].start).toBe(
        scanXml(first.xml)
          .root.children.filter((e) => e.local === 'relatedLists')
          .at(-1)?.start
      );
    });

    it('changes nothing but the inserted lines', () => {
      const inserted = insertedLines(input, first.xml);
      expect(inserted[0].trim()).toBe('<relatedLists>');
      expect(inserted.at(-1)?.trim()).toBe('</relatedLists>');
      expect(inserted).toHaveLength(EXPECTED_SHAPE.length + 2);
      expect(first.changes[0].line).toBe(insertion(input, first.xml)?.firstLine);
    });

    it('indents the entry like its neighbours and keeps the line endings', () => {
      const inserted = insertedLines(input, first.xml);
      const neighbour =
        lines(input).find((l) => /^\s*<relatedLists>/.test(l)) ??
        lines(input).find((l) => /^\s*<layoutSections>/.test(l));
      const indent = /^[ \t]*/.exec(neighbour ?? '')?.[0];
      expect(/^[ \t]*/.exec(inserted[0])?.[0]).toBe(indent);
      const eol = input.includes('\r\n') ? '\r\n' : '\n';
      for (const line of inserted) expect(line.endsWith(eol)).toBe(true);
    });

    it('is a no-op the second time', () => {
      const second = applyRelatedList(first.xml, SPEC, path);
      expect(second.changed).toBe(false);
      expect(second.changes).toEqual([]);
      expect(second.xml).toBe(first.xml);
    });
  });
});

// Real layouts kept in the repository (test/fixtures/real-layouts, sources in its SOURCES.md).
describe('applyRelatedList on real layouts of its own fixtures', () => {
  it('rejects npsp-malformed at line 707, column 10, producing nothing', () => {
    const path = join(FIXTURES, 'npsp-malformed', 'Contact-Contact Lightning Layout.layout-meta.xml');
    const error = thrown(() => applyRelatedList(readFileSync(path, 'utf8'), SPEC, 'npsp-malformed'));
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).exitCode).toBe(2);
    expect((error as InputError).data).toMatchObject({ line: 707, column: 10 });
    expect((error as InputError).message).toContain('line 707, column 10');
  });

  it('rejects eda-malformed at line 129', () => {
    const path = join(FIXTURES, 'eda-malformed', 'Contact-Contact Layout.layout');
    const error = thrown(() => applyRelatedList(readFileSync(path, 'utf8'), SPEC, 'eda-malformed'));
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).data).toMatchObject({ line: 129, column: 6 });
  });

  it('puts the entry after miniLayout and before the show* flags when a layout has none (outboundfunds)', () => {
    const path = join(FIXTURES, 'outboundfunds', 'Funding_Request_Role__c-Funding Request Role Layout.layout-meta.xml');
    const result = applyRelatedList(readFileSync(path, 'utf8'), SPEC);
    const top = scanXml(result.xml).root.children.map((e) => e.local);
    const at = top.indexOf('relatedLists');
    expect(top[at - 1]).toBe('miniLayout');
    expect(top[at + 1]).toBe('showEmailCheckbox');
  });

  it('keeps the missing final newline (npsp Contact Lightning Layout)', () => {
    const input = readFileSync(join(FIXTURES, 'npsp', 'Contact-Contact Lightning Layout.layout'), 'utf8');
    expect(input.endsWith('</Layout>')).toBe(true);
    expect(applyRelatedList(input, SPEC).xml.endsWith('</Layout>')).toBe(true);
  });

  it('treats %%%NAMESPACE%%% tokens as opaque text when matching an entry', () => {
    const input = readFileSync(join(FIXTURES, 'npsp', 'Contact-___NAMESPACE___Contact Layout.layout'), 'utf8');
    const spec: RelatedListSpec = {
      relatedList: '%%%NAMESPACE%%%Engagement_Plan__c.%%%NAMESPACE%%%Contact__c',
      fields: ['NAME', '%%%NAMESPACE%%%Status__c', 'CREATEDBY_USER', 'LAST_UPDATE'],
      sortField: 'LAST_UPDATE',
      sortOrder: 'Desc',
      excludeButtons: [],
    };
    const before = topLevelEntries(input, spec.relatedList);
    expect(before).toHaveLength(1);
    const result = applyRelatedList(input, { ...spec, fields: [...spec.fields, 'Extra__c'] });
    expect(result.changes.map((c) => c.kind)).toEqual(['fields']);
    expect(topLevelEntries(result.xml, spec.relatedList)).toHaveLength(1);
    expect(result.xml).toContain('<fields>%%%NAMESPACE%%%Status__c</fields>');
  });
});

const HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<Layout xmlns="http://soap.sforce.com/2006/04/metadata">\n';
const SECTION =
  '    <layoutSections>\n        <label>Info</label>\n        <style>OneColumn</style>\n    </layoutSections>\n';
const CONTACTS =
  '    <relatedLists>\n        <fields>FULL_NAME</fields>\n        <relatedList>RelatedContactList</relatedList>\n    </relatedLists>\n';
const TAIL =
  '    <relatedObjects>AccountId</relatedObjects>\n    <showEmailCheckbox>false</showEmailCheckbox>\n</Layout>\n';

function layout(...parts: string[]): string {
  return `${HEAD}${parts.join('')}${TAIL}`;
}

function entry(...children: string[]): string {
  return `    <relatedLists>\n${children.map((c) => `        ${c}\n`).join('')}    </relatedLists>\n`;
}

describe('applyRelatedList: reconciling an existing entry', () => {
  const rel = `<relatedList>${SPEC.relatedList}</relatedList>`;

  it('leaves a matching entry alone, byte for byte', () => {
    const input = layout(
      SECTION,
      CONTACTS,
      entry(...EXPECTED_SHAPE.map((s) => s.replace(/^(\w+)=(.*)$/, '<$1>$2</$1>')))
    );
    const result = applyRelatedList(input, SPEC);
    expect(result).toEqual({ xml: input, changed: false, changes: [] });
  });

  it('fixes wrong columns, wrong sort and a missing New exclusion in place, without adding a second entry', () => {
    const existing = entry(
      '<fields>NAME</fields>',
      '<fields>CREATED_DATE</fields>',
      rel,
      '<sortField>NAME</sortField>',
      '<sortOrder>Asc</sortOrder>'
    );
    const input = layout(SECTION, CONTACTS, existing);
    const result = applyRelatedList(input, SPEC);
    expect(result.changed).toBe(true);
    expect(result.changes.map((c) => c.kind).sort()).toEqual(['excludeButtons', 'fields', 'sort']);
    const fields = result.changes.find((c) => c.kind === 'fields');
    expect(fields?.before).toEqual(['NAME', 'CREATED_DATE']);
    expect(fields?.after).toEqual(SPEC.fields);
    expect(result.changes.find((c) => c.kind === 'sort')).toMatchObject({
      before: ['NAME', 'Asc'],
      after: ['northpass__Enrollment_Date__c', 'Desc'],
    });
    const entries = topLevelEntries(result.xml, SPEC.relatedList);
    expect(entries).toHaveLength(1);
    expect(entryShape(entries[0])).toEqual(EXPECTED_SHAPE);
    // Everything outside the entry is untouched.
    const start = input.indexOf(existing);
    expect(result.xml.startsWith(input.slice(0, start))).toBe(true);
    expect(result.xml.endsWith(input.slice(start + existing.length))).toBe(true);
    expect(applyRelatedList(result.xml, SPEC)).toEqual({ xml: result.xml, changed: false, changes: [] });
  });

  it('keeps buttons and quick actions an admin added, and adds the spec ones', () => {
    const input = layout(
      SECTION,
      entry(
        '<customButtons>Resend_Invite</customButtons>',
        '<excludeButtons>MassDeleteAll</excludeButtons>',
        ...SPEC.fields.map((f) => `<fields>${f}</fields>`),
        '<quickActions>LogACall</quickActions>',
        rel,
        '<sortField>northpass__Enrollment_Date__c</sortField>',
        '<sortOrder>Desc</sortOrder>'
      )
    );
    const result = applyRelatedList(input, { ...SPEC, customButtons: ['Open_In_CE'] });
    expect(result.changes.map((c) => c.kind)).toEqual(['excludeButtons', 'customButtons']);
    const shape = entryShape(topLevelEntries(result.xml, SPEC.relatedList)[0]);
    expect(shape.slice(0, 4)).toEqual([
      'customButtons=Resend_Invite',
      'customButtons=Open_In_CE',
      'excludeButtons=MassDeleteAll',
      'excludeButtons=New',
    ]);
    expect(shape).toContain('quickActions=LogACall');
  });

  it('puts out-of-order children into schema order', () => {
    const input = layout(
      SECTION,
      entry(
        rel,
        '<sortOrder>Desc</sortOrder>',
        ...SPEC.fields.map((f) => `<fields>${f}</fields>`),
        '<excludeButtons>New</excludeButtons>',
        '<sortField>northpass__Enrollment_Date__c</sortField>'
      )
    );
    const result = applyRelatedList(input, SPEC);
    expect(result.changes.map((c) => c.kind)).toEqual(['order']);
    const names = topLevelEntries(result.xml, SPEC.relatedList)[0].children.map((c) => c.local);
    const ranks = names.map((n) => RELATED_LIST_ITEM_ORDER.indexOf(n));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });

  it('matches the related list name case-insensitively, as the org does, and keeps the file spelling', () => {
    const lower = SPEC.relatedList.toLowerCase();
    const input = layout(SECTION, entry('<fields>NAME</fields>', `<relatedList>${lower}</relatedList>`));
    const result = applyRelatedList(input, SPEC);
    expect(result.xml).toContain(`<relatedList>${lower}</relatedList>`);
    expect(result.xml).not.toContain(`<relatedList>${SPEC.relatedList}</relatedList>`);
  });

  it('removes a second entry for the same list so exactly one remains', () => {
    const good = entry(...EXPECTED_SHAPE.map((s) => s.replace(/^(\w+)=(.*)$/, '<$1>$2</$1>')));
    const input = layout(SECTION, good, CONTACTS, entry('<fields>NAME</fields>', rel));
    const result = applyRelatedList(input, SPEC);
    expect(result.changes.map((c) => c.kind)).toEqual(['duplicateRemoved']);
    expect(result.xml).toBe(layout(SECTION, good, CONTACTS));
  });
});

describe('applyRelatedList: where and how a new entry goes', () => {
  it('ignores an entry that exists only inside miniLayout', () => {
    const mini = `    <miniLayout>\n        <fields>Name</fields>\n        <relatedLists>\n            <relatedList>${SPEC.relatedList}</relatedList>\n        </relatedLists>\n    </miniLayout>\n`;
    const input = layout(SECTION, mini, CONTACTS);
    const result = applyRelatedList(input, SPEC);
    expect(result.changes.map((c) => c.kind)).toEqual(['added']);
    expect(topLevelEntries(result.xml, SPEC.relatedList)).toHaveLength(1);
    expect(result.xml).toContain(mini);
    expect(insertedLines(input, result.xml)).toHaveLength(EXPECTED_SHAPE.length + 2);
  });

  it('ignores a commented-out entry and keeps the comment', () => {
    const comment = `    <!--\n    <relatedLists>\n        <relatedList>${SPEC.relatedList}</relatedList>\n    </relatedLists>\n    -->\n`;
    const input = layout(SECTION, CONTACTS, comment);
    const result = applyRelatedList(input, SPEC);
    expect(result.changes.map((c) => c.kind)).toEqual(['added']);
    expect(result.xml).toContain(comment);
    expect(insertedLines(input, result.xml)).toHaveLength(EXPECTED_SHAPE.length + 2);
  });

  it('inserts before relatedObjects when the layout has no related lists', () => {
    const input = layout(SECTION);
    const result = applyRelatedList(input, SPEC);
    const top = scanXml(result.xml).root.children.map((e) => e.local);
    expect(top).toEqual(['layoutSections', 'relatedLists', 'relatedObjects', 'showEmailCheckbox']);
    expect(insertedLines(input, result.xml)).toHaveLength(EXPECTED_SHAPE.length + 2);
  });

  it('inserts before </Layout> when nothing may follow the related lists', () => {
    const input = `${HEAD}${SECTION}</Layout>\n`;
    const result = applyRelatedList(input, SPEC);
    expect(scanXml(result.xml).root.children.map((e) => e.local)).toEqual(['layoutSections', 'relatedLists']);
    expect(insertedLines(input, result.xml)[0]).toBe('    <relatedLists>\n');
  });

  it('keeps CRLF line endings, and writes the entry with CRLF', () => {
    const input = layout(SECTION, CONTACTS).replace(/\n/g, '\r\n');
    const result = applyRelatedList(input, SPEC);
    expect(result.xml.replace(/\r\n/g, '')).not.toContain('\n');
    expect(insertedLines(input, result.xml).every((l) => l.endsWith('\r\n'))).toBe(true);
    expect(applyRelatedList(result.xml, SPEC).changed).toBe(false);
  });

  it('keeps a missing final newline', () => {
    const input = layout(SECTION, CONTACTS).replace(/\n$/, '');
    const result = applyRelatedList(input, SPEC);
    expect(result.xml.endsWith('</Layout>')).toBe(true);
    insertedLines(input, result.xml);
  });

  it('indents with tabs in a tab-indented file', () => {
    const input = layout(SECTION, CONTACTS).replace(/ {4}/g, '\t');
    const inserted = insertedLines(input, applyRelatedList(input, SPEC).xml);
    expect(inserted[0]).toBe('\t<relatedLists>\n');
    expect(inserted[1]).toBe('\t\t<excludeButtons>New</excludeButtons>\n');
  });

  it('indents with two spaces in a two-space file', () => {
    const input = layout(SECTION, CONTACTS).replace(/ {4}/g, '  ');
    const inserted = insertedLines(input, applyRelatedList(input, SPEC).xml);
    expect(inserted[1]).toBe('    <excludeButtons>New</excludeButtons>\n');
  });

  it('keeps trailing tabs, comments, a BOM and non-ASCII labels elsewhere in the file', () => {
    const input = `\ufeff${layout(SECTION.replace('Info', 'Informações do aluno\t'), '    <!-- keep me -->\t\n', CONTACTS.replace('</relatedLists>\n', '</relatedLists>\t\n'))}`;
    const result = applyRelatedList(input, SPEC);
    const inserted = insertedLines(input, result.xml);
    expect(inserted[0]).toBe('    <relatedLists>\n');
    expect(result.xml.startsWith('\ufeff<?xml')).toBe(true);
  });

  it('writes custom buttons first and a %%%NAMESPACE%%% name as given', () => {
    const spec: RelatedListSpec = {
      relatedList: '%%%NAMESPACE%%%Enrollment__c.%%%NAMESPACE%%%Contact__c',
      fields: ['NAME'],
      excludeButtons: ['New'],
      customButtons: ['%%%NAMESPACE%%%Open_In_CE'],
    };
    const result = applyRelatedList(layout(SECTION, CONTACTS), spec);
    expect(entryShape(topLevelEntries(result.xml, spec.relatedList)[0])).toEqual([
      'customButtons=%%%NAMESPACE%%%Open_In_CE',
      'excludeButtons=New',
      'fields=NAME',
      `relatedList=${spec.relatedList}`,
    ]);
  });

  it('follows a layout written on one line', () => {
    const input = layout(SECTION, CONTACTS).replace(/\n\s*/g, '');
    const result = applyRelatedList(input, SPEC);
    expect(result.xml).toContain(
      `</relatedLists><relatedLists><excludeButtons>New</excludeButtons><fields>NAME</fields>`
    );
    expect(applyRelatedList(result.xml, SPEC).changed).toBe(false);
  });

  it('escapes XML special characters in values', () => {
    const result = applyRelatedList(layout(SECTION), { ...SPEC, fields: ['A&B'] });
    expect(result.xml).toContain('<fields>A&amp;B</fields>');
    expect(applyRelatedList(result.xml, { ...SPEC, fields: ['A&B'] }).changed).toBe(false);
  });
});

describe('applyRelatedList: refusing bad input', () => {
  it('refuses a file whose root is not Layout', () => {
    const error = thrown(() => applyRelatedList('<CustomObject><x/></CustomObject>', SPEC, 'obj.xml'));
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).name).toBe('NotALayout');
  });

  it('refuses truncated XML with the line and column', () => {
    const input = layout(SECTION, CONTACTS).slice(0, 200);
    const error = thrown(() => applyRelatedList(input, SPEC, 'cut.layout'));
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).data).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
    expect((error as InputError).message).toContain('cut.layout is not well-formed XML');
  });

  it('refuses a bare ampersand at its position', () => {
    const input = layout(SECTION.replace('Info', 'Q&A'), CONTACTS);
    const error = thrown(() => applyRelatedList(input, SPEC));
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).data).toMatchObject({ line: 4 });
  });
});

describe('applyRelatedList: a comment on the line of the last entry', () => {
  it('stays with that entry; the new entry goes on the next line', () => {
    const commented = CONTACTS.replace('    </relatedLists>\n', '    </relatedLists> <!-- contacts first -->\n');
    const input = layout(SECTION, commented);
    const result = applyRelatedList(input, SPEC);
    expect(result.changed).toBe(true);
    expect(result.xml).toContain('    </relatedLists> <!-- contacts first -->\n    <relatedLists>\n');
    expect(result.xml.indexOf('<!-- contacts first -->')).toBeLessThan(result.xml.indexOf(SPEC.relatedList));
    expect(applyRelatedList(result.xml, SPEC).changed).toBe(false);
  });
});
