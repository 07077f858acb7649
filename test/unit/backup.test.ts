import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/core/errors.js';
import { LAYOUTS, PAGES, readBackup, writeBackup } from '../../src/org/backup.js';
import type { OrgFacts } from '../../src/org/org-facts.js';

const facts: OrgFacts = {
  id: '00D5g000004SimAEAU',
  name: 'Acme Corp',
  edition: 'Enterprise Edition',
  kind: 'production',
  instanceUrl: 'https://acme.my.salesforce.com',
  apiVersion: '62.0',
};

describe('layout and page backups', () => {
  const layouts = new Map([
    ['Contact-Contact Layout', Buffer.from('<Layout>\r\n</Layout>')],
    ['Contact-Contact %28Marketing%29 Layout', Buffer.from('\ufeff<Layout/>')],
  ]);

  it('saves the bytes as given, as a deployable package, and reads them back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ce-backup-'));
    const folder = writeBackup(LAYOUTS, dir, facts, layouts, new Date('2026-11-22T10:15:03.120Z'));
    expect(folder).toBe(join(dir, 'layouts-2026-11-22T10-15-03-120Z'));
    expect(readFileSync(join(folder, 'layouts', 'Contact-Contact Layout.layout'))).toEqual(
      layouts.get('Contact-Contact Layout')
    );
    expect(readFileSync(join(folder, 'package.xml'), 'utf8')).toContain(
      '<members>Contact-Contact %28Marketing%29 Layout</members>'
    );
    const { manifest, files } = readBackup(LAYOUTS, folder);
    expect(manifest.orgId).toBe(facts.id);
    expect(files).toEqual(layouts);
  });

  it('never overwrites an earlier backup taken in the same millisecond', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ce-backup-'));
    const now = new Date('2026-11-22T10:15:03.120Z');
    expect(writeBackup(LAYOUTS, dir, facts, layouts, now)).not.toBe(writeBackup(LAYOUTS, dir, facts, layouts, now));
  });

  it('refuses a backup whose file was edited afterwards', () => {
    const folder = writeBackup(LAYOUTS, mkdtempSync(join(tmpdir(), 'ce-backup-')), facts, layouts);
    writeFileSync(join(folder, 'layouts', 'Contact-Contact Layout.layout'), '<Layout/>');
    let error: unknown;
    try {
      readBackup(LAYOUTS, folder);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain('was changed after the backup was taken');
  });

  it('refuses a folder that is not a backup', () => {
    let error: unknown;
    try {
      readBackup(LAYOUTS, mkdtempSync(join(tmpdir(), 'ce-not-backup-')));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain('backup.json cannot be read');
  });

  it('keeps pages under flexipages/ and refuses a layout backup as a page backup (and back)', () => {
    const pages = new Map([['Contact_Record_Page', Buffer.from('<FlexiPage/>')]]);
    const dir = mkdtempSync(join(tmpdir(), 'ce-backup-'));
    const folder = writeBackup(PAGES, dir, facts, pages, new Date('2026-12-03T10:15:03.120Z'));
    expect(folder).toBe(join(dir, 'flexipages-2026-12-03T10-15-03-120Z'));
    expect(readFileSync(join(folder, 'flexipages', 'Contact_Record_Page.flexipage'), 'utf8')).toBe('<FlexiPage/>');
    expect(readFileSync(join(folder, 'package.xml'), 'utf8')).toContain('<name>FlexiPage</name>');
    expect(readBackup(PAGES, folder).files).toEqual(pages);
    expect(() => readBackup(LAYOUTS, folder)).toThrow('is not a ce-connect layout backup');
    const layoutFolder = writeBackup(LAYOUTS, dir, facts, layouts);
    expect(() => readBackup(PAGES, layoutFolder)).toThrow('is not a ce-connect page backup');
  });
});
