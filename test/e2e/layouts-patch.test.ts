import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import LayoutsPatch, { type LayoutsPatchResult } from '../../src/commands/ce/layouts/patch.js';
import { realLayoutsCorpus } from '../helpers/cli.js';
import { type CommandOutcome, resultOf, runCommand } from '../helpers/command.js';
import { insertion } from '../helpers/layout-diff.js';

const CORPUS = realLayoutsCorpus();

// layouts patch works on local files only: no org, so no simulator session.
const patch = (argv: string[]): Promise<CommandOutcome<LayoutsPatchResult>> => runCommand(LayoutsPatch, argv);

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? allFiles(join(dir, e.name)) : [join(dir, e.name)]
  );
}

describe('corpus: ce-connect layouts patch over ../shared/fixtures/real-layouts', () => {
  const all = mkdtempSync(join(tmpdir(), 'ce-patch-all-'));
  const out = mkdtempSync(join(tmpdir(), 'ce-patch-'));
  let first: CommandOutcome<LayoutsPatchResult>;
  let wellFormed: CommandOutcome<LayoutsPatchResult>;

  beforeAll(async () => {
    first = await patch([CORPUS, '--out-dir', all, '--json']);
    // The corpus without its two malformed folders, laid out the same way.
    const good = mkdtempSync(join(tmpdir(), 'ce-patch-good-'));
    for (const name of readdirSync(CORPUS, { withFileTypes: true })) {
      if (name.isDirectory() && !name.name.endsWith('-malformed')) {
        cpSync(join(CORPUS, name.name), join(good, name.name), { recursive: true });
      }
    }
    wellFormed = await patch([good, '--out-dir', out, '--json']);
  });

  it('exits 2 because two files are malformed, and reports them with line and column', () => {
    expect(first.exitCode).toBe(2);
    expect(first.json?.status).toBe(2);
    const result = resultOf(first);
    const errors = result.files.filter((f) => f.status === 'error');
    expect(errors.map((f) => [relative(CORPUS, f.path), f.error?.line, f.error?.column])).toEqual([
      ['eda-malformed/Contact-Contact Layout.layout', 129, 6],
      ['npsp-malformed/Contact-Contact Lightning Layout.layout-meta.xml', 707, 10],
    ]);
    expect(result.summary).toEqual({ changed: 19, unchanged: 0, error: 2 });
    // All or nothing: with a malformed input, not even the good files are written.
    expect(allFiles(all)).toEqual([]);
    expect(result.files.every((f) => f.output === undefined)).toBe(true);
  });

  it('writes every well-formed file, and only those, with exactly the entry lines added', () => {
    expect(wellFormed.exitCode).toBe(0);
    const result = resultOf(wellFormed);
    const written = allFiles(out).sort();
    const changed = result.files.filter((f) => f.status === 'changed');
    expect(written).toEqual(changed.map((f) => f.output).sort());
    for (const file of changed) {
      const before = readFileSync(file.path, 'utf8');
      const after = readFileSync(file.output ?? '', 'utf8');
      const found = insertion(before, after);
      expect(found?.inserted[0]).toMatch(/^\s*<relatedLists>\r?\n$/);
      expect(found?.inserted).toHaveLength(11);
      expect(found?.inserted.join('')).toContain(
        '<relatedList>northpass__Enrollment__c.northpass__Contact__c</relatedList>'
      );
      expect(file.changes).toEqual([expect.objectContaining({ kind: 'added', line: found?.firstLine })]);
    }
  });

  it('keeps each file under its path below the folder given', () => {
    expect(existsSync(join(out, 'npsp', 'Contact-Contact Lightning Layout.layout'))).toBe(true);
    expect(existsSync(join(out, 'npsp-malformed'))).toBe(false);
  });

  it('reports every file unchanged on a second pass and writes nothing', async () => {
    const again = mkdtempSync(join(tmpdir(), 'ce-patch-again-'));
    const second = await patch([out, '--out-dir', again, '--json']);
    expect(second.exitCode).toBe(0);
    const result = resultOf(second);
    expect(result.summary).toEqual({ changed: 0, unchanged: 19, error: 0 });
    expect(readdirSync(again)).toEqual([]);
  });
});

describe('ce-connect layouts patch: flags and bad input', () => {
  const source = join(CORPUS, 'adotapet', 'Contact-Contato.layout-meta.xml');

  it('exits 2 with a message when --out-dir is a file, and writes nothing', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ce-patch-file-')), 'not-a-folder');
    writeFileSync(file, 'x');
    const run = await patch([source, '-d', file, '--json']);
    expect(run.exitCode).toBe(2);
    expect(run.json?.name).toBe('OutDirIsFile');
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('takes the related list from flags', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ce-patch-flags-'));
    const run = await patch([
      source,
      '--out-dir',
      out,
      '--related-list',
      'Adocao__c.Contact__c',
      '--fields',
      'NAME,Status__c',
      '--sort-field',
      'NAME',
      '--sort-order',
      'Asc',
      '--json',
    ]);
    expect(run.exitCode).toBe(0);
    const result = resultOf(run);
    expect(result.files[0].changes.map((c) => c.kind).sort()).toEqual(['excludeButtons', 'fields', 'sort']);
    const text = readFileSync(join(out, 'Contact-Contato.layout-meta.xml'), 'utf8');
    expect(text).toContain(
      '    <relatedLists>\n        <excludeButtons>New</excludeButtons>\n        <fields>NAME</fields>\n        <fields>Status__c</fields>\n        <relatedList>Adocao__c.Contact__c</relatedList>\n        <sortField>NAME</sortField>\n        <sortOrder>Asc</sortOrder>\n    </relatedLists>\n'
    );
  });

  it('exits 2 on a bad flag value and writes nothing', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'ce-patch-bad-')), 'out');
    const run = await patch([source, '--out-dir', out, '--fields', 'NAME,bad name', '--json']);
    expect(run.exitCode).toBe(2);
    expect(run.json?.message).toContain('--fields "bad name"');
    expect(existsSync(out)).toBe(false);
  });

  it('exits 2 on a missing input and writes nothing', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'ce-patch-missing-')), 'out');
    const run = await patch([source, 'no-such.layout', '--out-dir', out, '--json']);
    expect(run.exitCode).toBe(2);
    expect(run.json?.message).toContain('no-such.layout');
    expect(existsSync(out)).toBe(false);
  });

  it('exits 2 when two inputs would be written under the same name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ce-patch-clash-'));
    const copy = join(dir, 'Contact-Contato.layout-meta.xml');
    writeFileSync(copy, readFileSync(source));
    const out = join(dir, 'out');
    const run = await patch([source, copy, '--out-dir', out, '--json']);
    expect(run.exitCode).toBe(2);
    expect(run.json?.message).toContain('would both be written');
    expect(existsSync(out)).toBe(false);
  });
});
