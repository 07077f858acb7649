import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type PageSpec, type PageVerdict, findEnrollments, patchPage } from '../../src/core/flexipage.js';
import { pageSpec } from '../../src/core/page-spec.js';
import { scanXml } from '../../src/core/xml-scan.js';
import config from '../../config/ce-connect.json' with { type: 'json' };
import type { CeConfig } from '../../src/core/config.js';
import { PROJECT_ROOT } from '../helpers/cli.js';
import { thrownInputError as thrown } from '../helpers/thrown.js';
import { insertion } from '../helpers/layout-diff.js';
import { checkFlexiPage } from '../../simulator/mdapi/flexipage-checks.js';
import { buildOrg, loadScenario } from '../../simulator/scenario.js';

/**
 * The simulated org (the `pages` scenario, which has the Enrollment relationship and contactEnrollments), with the
 * page's own custom components added, as the org it came from has them.
 */
function orgFor(text: string): ReturnType<typeof buildOrg> {
  const org = buildOrg(loadScenario('pages'));
  for (const [, name] of text.matchAll(/<componentName>([^<]+)<\/componentName>/g)) {
    const colon = name.indexOf(':');
    if (colon < 0) org.lightningComponents.push({ name });
  }
  return org;
}

// Contact Lightning record pages from public projects, byte for byte (sources in the folder's SOURCES.md).
const CORPUS = join(PROJECT_ROOT, 'test', 'fixtures', 'real-flexipages');
const DYNAMIC: PageSpec = pageSpec(config as unknown as CeConfig);
const COMPONENT: PageSpec = { ...DYNAMIC, component: 'contactEnrollments' };

type Expected = { verdict: PageVerdict; region?: string; legacy?: true };

/** What a person reading each page sees: where its related lists are, or that it has none. */
const EXPECTED: Record<string, Expected> = {
  'coral-cloud': { verdict: 'layout', region: 'relatedTabContent' },
  'gen-ai-demo': { verdict: 'missing' },
  k12: { verdict: 'layout', region: 'sidebar', legacy: true },
  'lwc-recipes': { verdict: 'layout', region: 'relatedTabContent' },
  npsp: { verdict: 'layout', region: 'relatedTabContent', legacy: true },
  pmm: { verdict: 'layout', region: 'main' },
  'relationship-research-agent': { verdict: 'layout', region: 'relatedTabContent' },
};

const PAGES = readdirSync(CORPUS, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((dir) => readdirSync(join(CORPUS, dir.name)).map((file) => ({ project: dir.name, file })));

/**
 * The page as an admin who shows single related lists instead of the layout's would have it: its "Related
 * Lists" component turned into a "Related List – Single", one name changed and every other byte real.
 */
function withSingleLists(text: string): string {
  return text.replace(
    '<componentName>force:relatedListContainer</componentName>',
    '<componentName>force:relatedListSingleContainer</componentName>'
  );
}

describe('real Contact record pages', () => {
  it('has a verdict written down for every page of the corpus', () => {
    expect(PAGES.map((p) => p.project).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  describe.each(PAGES)('$project/$file', ({ project, file }) => {
    const text = readFileSync(join(CORPUS, project, file), 'utf8');
    const expected = EXPECTED[project] as Expected;
    // The region the config names for a page with no related lists at all.
    const choice = expected.region ? undefined : { region: 'sidebar', explicit: false };

    it('gets the verdict of a person reading it', () => {
      const finding = findEnrollments(text, DYNAMIC, file);
      expect(finding.verdict).toBe(expected.verdict);
      if (expected.region) expect(finding.place?.region).toBe(expected.region);
    });

    it('is left byte for byte alone when it shows Enrollments through the layout, or asks for a region', () => {
      if (expected.verdict === 'layout') {
        expect(patchPage(text, DYNAMIC, file)).toMatchObject({ changed: false, xml: text });
      } else {
        expect(thrown(() => patchPage(text, DYNAMIC, file)).name).toBe('PageRegionUnknown');
      }
    });

    it.each([
      ['a Dynamic Related List – Single', DYNAMIC, 'dynamic'],
      ['contactEnrollments', COMPONENT, 'component'],
    ] as const)('gets %s as whole inserted lines only, once', (_what, spec, verdict) => {
      const before = expected.region ? withSingleLists(text) : text;
      const finding = findEnrollments(before, spec, file);
      expect(finding.verdict).toBe('missing');
      if (expected.region) expect(finding.relatedListsPlace?.region).toBe(expected.region);

      const patch = patchPage(before, spec, file, choice);
      expect(patch.changed).toBe(true);
      const added = insertion(before, patch.xml);
      expect(added).toBeDefined();
      // Indented like the entries beside it, in the page's own shape.
      const entry = expected.legacy ? 'componentInstances' : 'itemInstances';
      expect(added?.inserted[0]).toMatch(new RegExp(`^ *<${entry}>`));
      const sibling = before.split('\n')[(added?.firstLine ?? 1) - 2] ?? '';
      expect(added?.inserted[0]?.match(/^ */)?.[0]).toBe(sibling.match(/^ */)?.[0]);
      expect(() => scanXml(patch.xml, file)).not.toThrow();

      expect(findEnrollments(patch.xml, spec, file)).toMatchObject({ verdict, differences: [] });
      // The simulated org's deploy checks take the patched page as a real org would.
      expect(checkFlexiPage(orgFor(patch.xml), file, patch.xml)).toEqual([]);
      expect(patchPage(patch.xml, spec, file, choice)).toMatchObject({ changed: false, xml: patch.xml });
    });
  });

  it('writes an array as one comma-separated value in the legacy shape, with no identifier', () => {
    const text = withSingleLists(readFileSync(join(CORPUS, 'npsp', 'NPSP_Contact_Record_Page.flexipage'), 'utf8'));
    const added = insertion(text, patchPage(text, DYNAMIC, 'npsp').xml)?.inserted.join('') ?? '';
    expect(added).toContain(`<value>${DYNAMIC.fields.join(',')}</value>`);
    expect(added).not.toContain('<valueList>');
    expect(added).not.toContain('<identifier>');
  });

  it('reconciles a legacy list of columns in place', () => {
    const text = withSingleLists(readFileSync(join(CORPUS, 'k12', 'K12_Contact_Record_Page.flexipage'), 'utf8'));
    const patched = patchPage(text, DYNAMIC, 'k12').xml;
    const differs = patched.replace(`<value>${DYNAMIC.fields.join(',')}</value>`, '<value>Name</value>');
    const again = patchPage(differs, DYNAMIC, 'k12');
    expect(again.changes).toEqual([expect.stringContaining('columns Name →')]);
    expect(again.xml).toBe(patched);
  });
});
