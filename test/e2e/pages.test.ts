import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PagesApply from '../../src/commands/ce/pages/apply.js';
import PagesCheck from '../../src/commands/ce/pages/check.js';
import PagesRollback from '../../src/commands/ce/pages/rollback.js';
import LayoutsApply from '../../src/commands/ce/layouts/apply.js';
import { PROJECT_ROOT } from '../helpers/cli.js';
import { resultOf } from '../helpers/command.js';
import { type SimSession, startSimSession } from '../helpers/simulator.js';

const SALES = 'Sales_Contact_Page';
const DEPLOYS = /^\/services\/Soap\/m\//;

/** The project's config with changes to its `pages` section, written to a temporary file. */
function configWith(pages: Record<string, unknown>): string {
  const config = JSON.parse(readFileSync(join(PROJECT_ROOT, 'config', 'ce-connect.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  delete config.$schema;
  config.pages = { ...(config.pages as object), ...pages };
  const file = join(mkdtempSync(join(tmpdir(), 'ce-pages-config-')), 'ce-connect.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

describe('ce-connect pages check, apply and rollback against the simulated org', () => {
  let session: SimSession;

  beforeAll(async () => {
    session = await startSimSession({ scenario: 'pages' });
  });
  afterAll(async () => session?.stop());
  beforeEach(() => session.sim.reset('pages'));

  const stored = (name: string): string => session.sim.org.getMetadata('FlexiPage', name)?.content ?? '';
  const writes = (): number => session.sim.requests.filter((r) => r.write).length;
  const deploys = (): Array<{ path: string; operation?: string }> =>
    session.sim.requests.filter((r) => DEPLOYS.test(r.path) && r.operation === 'deploy');

  it('gives one verdict per page in effect, with its assignments, and writes nothing', async () => {
    const run = await session.run(PagesCheck, ['--json']);
    expect(run.exitCode).toBe(1);
    const result = resultOf(run);
    expect(result.pages.map((p) => [p.page, p.assignments, p.verdict, p.status])).toEqual([
      ['Contact_Record_Page', ['org default'], 'layout', 'pass'],
      [SALES, ['Sales app default'], 'missing', 'fail'],
      [
        'Support_Contact_Page',
        ['Service_Console app, profile Standard User, record type Contact.Learner'],
        'component',
        'pass',
      ],
    ]);
    expect(result.pages[0].evidence).toContain('layout-driven Related Lists');
    expect(result.pages[1].evidence).toContain('the other related lists are in region sidebar');
    expect(result.pages[1].fix).toBe('ce-connect pages apply -o sim');
    expect(result.pages[2].evidence).toContain('contactEnrollments');
    expect(writes()).toBe(0);
  });

  it('says the system default page shows what the layout shows when no page is assigned', async () => {
    session.sim.org.deleteMetadata('CustomObject', 'Contact');
    session.sim.org.deleteMetadata('CustomApplication', 'Sales');
    session.sim.org.deleteMetadata('CustomApplication', 'Service_Console');
    const result = resultOf(await session.run(PagesCheck, ['--json']));
    expect(result.pages.map((p) => [p.page, p.verdict, p.status])).toEqual([['(system default)', 'layout', 'pass']]);
  });

  it('fails a page that shows Enrollments through the layout while a Contact layout lacks it, until layouts apply', async () => {
    const withoutEnrollments = readFileSync(
      join(PROJECT_ROOT, 'simulator', 'scenarios', 'layouts', 'Contact-Contact Layout.layout-meta.xml'),
      'utf8'
    );
    expect(withoutEnrollments).not.toContain('Enrollments__r');
    session.sim.org.putMetadata('Layout', 'Contact-Contact Layout', withoutEnrollments);
    const run = await session.run(PagesCheck, ['--json']);
    expect(run.exitCode).toBe(1);
    const page = resultOf(run).pages.find((p) => p.page === 'Contact_Record_Page');
    expect(page).toMatchObject({ verdict: 'layout', status: 'fail', fix: 'ce-connect layouts apply -o sim' });
    expect(page?.evidence).toContain('the Contact layout(s) Contact-Contact Layout do not have the Enrollments');
    // pages apply leaves such a page to the layouts step: it deploys no page for it.
    const apply = resultOf(await session.run(PagesApply, ['--yes', '--json']));
    expect(apply.pages.find((p) => p.fullName === 'Contact_Record_Page')).toMatchObject({ status: 'unchanged' });

    expect((await session.run(LayoutsApply, ['--yes', '--json'])).exitCode).toBe(0);
    const after = resultOf(await session.run(PagesCheck, ['--json']));
    expect(after.pages.find((p) => p.page === 'Contact_Record_Page')?.status).toBe('pass');
    expect(after.ok).toBe(true);
  });

  it('reads the Contact layouts only when a page depends on them', async () => {
    const retrieves = (): number => session.sim.requests.filter((r) => r.operation === 'retrieve').length;
    await session.run(PagesCheck, ['--json']);
    // The assignments, the pages, then the layouts (the org default page shows what the layout shows).
    expect(retrieves()).toBe(3);
    session.sim.reset('pages');
    session.sim.org.putMetadata('FlexiPage', 'Contact_Record_Page', stored('Support_Contact_Page'));
    await session.run(PagesCheck, ['--json']);
    expect(retrieves()).toBe(2);
  });

  it('asks before writing to a production org: apply and rollback write nothing without a yes', async () => {
    const backups = mkdtempSync(join(tmpdir(), 'ce-page-backups-'));
    const refused = await session.run(PagesApply, ['--backup-dir', backups, '--json']);
    expect(refused.exitCode).toBe(2);
    expect(refused.json?.name).toBe('ConfirmationRequired');
    expect(refused.json?.message).toContain(SALES);
    expect(writes()).toBe(0);
    expect(readdirSync(backups)).toEqual([]);

    const before = stored(SALES);
    const backup = resultOf(await session.run(PagesApply, ['--backup-dir', backups, '--yes', '--json'])).backup ?? '';
    const applied = stored(SALES);
    expect(applied).not.toBe(before);
    const written = writes();
    const rollback = await session.run(PagesRollback, ['--backup', backup, '--json']);
    expect(rollback.exitCode).toBe(2);
    expect(rollback.json?.name).toBe('ConfirmationRequired');
    expect(writes()).toBe(written);

    const dry = await session.run(PagesRollback, ['--backup', backup, '--dry-run', '--json']);
    expect(dry.exitCode).toBe(0);
    expect(resultOf(dry)).toMatchObject({
      dryRun: true,
      pages: [{ fullName: SALES, status: 'restored', deployed: false }],
      validation: { success: true },
    });
    expect(writes()).toBe(written);
    expect(stored(SALES)).toBe(applied);
  });

  it('refuses a region entry the page does not have even when the page needs no change (exit 2)', async () => {
    const file = configWith({ regions: { Contact_Record_Page: 'nowhere' } });
    const run = await session.run(PagesCheck, ['--config', file, '--json']);
    expect(run.exitCode).toBe(2);
    expect(run.json?.name).toBe('ConfiguredRegionNotFound');
    expect(run.json?.message).toContain(`${file} /pages/regions/Contact_Record_Page`);
    const unknown = await session.run(PagesCheck, [
      '--config',
      configWith({ regions: { No_Such_Page: 'main' } }),
      '--json',
    ]);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.json?.message).toContain('/pages/regions/No_Such_Page');
  });

  it('changes nothing on --dry-run, but validates the plan', async () => {
    const backups = mkdtempSync(join(tmpdir(), 'ce-page-backups-'));
    const before = stored(SALES);
    const run = await session.run(PagesApply, ['--dry-run', '--backup-dir', backups, '--json']);
    expect(run.exitCode).toBe(0);
    const result = resultOf(run);
    expect(result.pages.find((p) => p.fullName === SALES)).toMatchObject({ status: 'changed', deployed: false });
    expect(result.validation?.success).toBe(true);
    expect(readdirSync(backups)).toEqual([]);
    expect(writes()).toBe(0);
    expect(stored(SALES)).toBe(before);
  });

  it('adds a dynamic related list with one deploy, a second run deploys nothing, and rollback restores the bytes', async () => {
    const backups = mkdtempSync(join(tmpdir(), 'ce-page-backups-'));
    const before = stored(SALES);
    const others = ['Contact_Record_Page', 'Support_Contact_Page'].map(stored);
    const run = await session.run(PagesApply, ['--backup-dir', backups, '--yes', '--json']);
    expect(run.exitCode).toBe(0);
    const result = resultOf(run);
    expect(result.pages.map((p) => [p.fullName, p.status, p.deployed])).toEqual([
      ['Contact_Record_Page', 'unchanged', false],
      [SALES, 'changed', true],
      ['Support_Contact_Page', 'unchanged', false],
    ]);
    expect(result.writes).toBe(1);
    // One check-only validation, one deploy, of only the page that changed.
    expect(deploys()).toHaveLength(2);
    const after = stored(SALES);
    expect(after).toContain('<componentName>lst:dynamicRelatedList</componentName>');
    expect(after).toContain('<value>northpass__Enrollments__r</value>');
    expect(after).toContain('<value>Descending</value>');
    // Byte-minimal: the original is the new text minus one inserted block.
    const start = after.indexOf('        <itemInstances>', after.indexOf('force_relatedListSingleContainer_roles'));
    const end = after.indexOf('</itemInstances>', start) + '</itemInstances>'.length;
    expect(after.slice(0, start - 1) + after.slice(end)).toBe(before);
    expect(['Contact_Record_Page', 'Support_Contact_Page'].map(stored)).toEqual(others);
    expect(resultOf(await session.run(PagesCheck, ['--json'])).ok).toBe(true);

    const requestsBefore = session.sim.requests.length;
    const again = resultOf(await session.run(PagesApply, ['--backup-dir', backups, '--yes', '--json']));
    expect(again.writes).toBe(0);
    expect(again.backup).toBeUndefined();
    expect(session.sim.requests.slice(requestsBefore).filter((r) => r.operation === 'deploy')).toHaveLength(0);

    const backup = result.backup ?? '';
    expect(readdirSync(join(backup, 'flexipages'))).toEqual([`${SALES}.flexipage`]);
    const rollback = await session.run(PagesRollback, ['--backup', backup, '--yes', '--json']);
    expect(rollback.exitCode).toBe(0);
    expect(resultOf(rollback).pages).toEqual([{ fullName: SALES, status: 'restored', deployed: true, problems: [] }]);
    expect(stored(SALES)).toBe(before);
    const twice = resultOf(await session.run(PagesRollback, ['--backup', backup, '--yes', '--json']));
    expect(twice.pages[0].status).toBe('unchanged');
    expect(twice.deployment).toBeUndefined();
  });

  it('reconciles a dynamic Enrollments list that differs from the config, touching only its values', async () => {
    await session.run(PagesApply, ['--yes', '--json']);
    const applied = stored(SALES);
    const file = configWith({ relatedList: { rows: 8, label: 'Enrollments', showActionBar: true, actions: [] } });
    const run = await session.run(PagesCheck, ['--config', file, '--json']);
    const sales = resultOf(run).pages.find((p) => p.page === SALES);
    expect(sales).toMatchObject({ verdict: 'dynamic', status: 'warn' });
    expect(sales?.evidence).toContain('rows 5 → 8');
    const apply = resultOf(await session.run(PagesApply, ['--config', file, '--yes', '--json']));
    expect(apply.pages.find((p) => p.fullName === SALES)?.deployed).toBe(true);
    expect(stored(SALES)).toBe(applied.replace('<value>5</value>', '<value>8</value>'));
  });

  it('adds contactEnrollments when the config asks for it, which the org accepts because it has the component', async () => {
    const file = configWith({ component: 'contactEnrollments' });
    const run = await session.run(PagesApply, ['--config', file, '--yes', '--json']);
    expect(run.exitCode).toBe(0);
    expect(stored(SALES)).toContain('<componentName>contactEnrollments</componentName>');
    expect(stored(SALES)).toContain('<name>relatedListId</name>');
    expect(resultOf(await session.run(PagesCheck, ['--config', file, '--json'])).ok).toBe(true);
  });

  it('fails the page, deploying nothing, when the org refuses it (a component the org does not have)', async () => {
    session.sim.org.lightningComponents.splice(0);
    const file = configWith({ component: 'contactEnrollments' });
    const before = stored(SALES);
    const run = await session.run(PagesApply, ['--config', file, '--yes', '--json']);
    expect(run.exitCode).toBe(1);
    const sales = resultOf(run).pages.find((p) => p.fullName === SALES);
    expect(sales?.status).toBe('failed');
    expect(sales?.problems.join(' ')).toContain(
      "We couldn't retrieve the design time component information for component contactEnrollments."
    );
    expect(writes()).toBe(0);
    expect(stored(SALES)).toBe(before);
  });

  it('refuses a page name the org does not have in pages.targets, with its JSON path (exit 2, nothing deployed)', async () => {
    const file = configWith({ targets: ['Contact_Record_Page', 'No_Such_Page'] });
    const run = await session.run(PagesApply, ['--config', file, '--yes', '--json']);
    expect(run.exitCode).toBe(2);
    expect(run.json?.name).toBe('UnknownPage');
    expect(run.json?.message).toContain(`${file} /pages/targets/1`);
    expect(deploys()).toHaveLength(0);
  });

  it('refuses a configured region the page does not have, with its JSON path (exit 2, nothing deployed)', async () => {
    const file = configWith({ regions: { [SALES]: 'footer' } });
    const run = await session.run(PagesApply, ['--config', file, '--yes', '--json']);
    expect(run.exitCode).toBe(2);
    expect(run.json?.name).toBe('ConfiguredRegionNotFound');
    expect(run.json?.message).toContain(`${file} /pages/regions/${SALES}`);
    expect(deploys()).toHaveLength(0);
  });

  it('puts the list in the configured region of a page with no related lists, and fails such a page without one', async () => {
    const bare = stored(SALES).replace(
      /\s*<itemInstances>\s*<componentInstance>\s*<componentInstanceProperties>\s*<name>actionNames[\s\S]*?force_relatedListSingleContainer_roles<\/identifier>\s*<\/componentInstance>\s*<\/itemInstances>/,
      ''
    );
    expect(bare).not.toContain('relatedList');
    session.sim.org.putMetadata('FlexiPage', SALES, bare);
    const failed = resultOf(await session.run(PagesApply, ['--yes', '--json']));
    const row = failed.pages.find((p) => p.fullName === SALES);
    expect(row?.status).toBe('failed');
    expect(row?.problems.join(' ')).toContain('has no related lists to stand beside');
    expect(deploys()).toHaveLength(0);
    const file = configWith({ regions: { '*': 'main' } });
    const run = await session.run(PagesApply, ['--config', file, '--yes', '--json']);
    expect(run.exitCode).toBe(0);
    const main = stored(SALES).slice(0, stored(SALES).indexOf('<name>main</name>'));
    expect(main).toContain('lst:dynamicRelatedList');
  });

  it('refuses a malformed page from the org, naming it (exit 2, nothing deployed)', async () => {
    session.sim.org.putMetadata('FlexiPage', SALES, stored(SALES).replace('</masterLabel>', '</masterLabl>'));
    const run = await session.run(PagesApply, ['--yes', '--json']);
    expect(run.exitCode).toBe(2);
    expect(run.json?.name).toBe('MalformedXml');
    expect(run.json?.message).toContain(`flexipages/${SALES}.flexipage`);
    expect(deploys()).toHaveLength(0);
  });
});
