import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import LayoutsApply from '../../src/commands/ce/layouts/apply.js';
import LayoutsRollback from '../../src/commands/ce/layouts/rollback.js';
import { resultOf } from '../helpers/command.js';
import { insertion } from '../helpers/layout-diff.js';
import { type SimSession, startSimSession } from '../helpers/simulator.js';

const LAYOUTS = [
  'Contact-Contact Layout',
  'Contact-Partner Contact Layout',
  'Contact-northpass__Northpass Contact Layout',
];
const ENROLLMENTS = '<relatedList>northpass__Enrollment__c.northpass__Contact__c</relatedList>';

describe('ce-connect layouts apply and rollback against the simulated org', () => {
  let session: SimSession;

  beforeAll(async () => {
    session = await startSimSession({ scenario: 'outdated' });
  });
  afterAll(async () => session?.stop());
  beforeEach(() => session.sim.reset('outdated'));

  const stored = (name: string): string => session.sim.org.getMetadata('Layout', name)?.content ?? '';
  const writes = (): number => session.sim.requests.filter((r) => r.write).length;
  const soapCalls = (): number => session.sim.requests.filter((r) => r.api === 'soap').length;

  it('changes nothing on --dry-run, but validates and reports the plan', async () => {
    const backups = mkdtempSync(join(tmpdir(), 'ce-backups-'));
    const before = LAYOUTS.map(stored);
    const run = await session.run(LayoutsApply, ['--dry-run', '--backup-dir', backups, '--json']);
    expect(run.exitCode).toBe(0);
    const result = resultOf(run);
    expect(result.layouts.map((l) => [l.fullName, l.status, l.deployed])).toEqual([
      ['Contact-Contact Layout', 'changed', false],
      ['Contact-Partner Contact Layout', 'changed', false],
      ['Contact-northpass__Northpass Contact Layout', 'changed', false],
    ]);
    expect(result.validation?.success).toBe(true);
    expect(result.backup).toBeUndefined();
    expect(readdirSync(backups)).toEqual([]);
    expect(writes()).toBe(0);
    expect(LAYOUTS.map(stored)).toEqual(before);
  });

  it('stops on a Metadata API limit fault (SOAP, sf:REQUEST_LIMIT_EXCEEDED) with its way on, having written nothing', async () => {
    const backups = mkdtempSync(join(tmpdir(), 'ce-backups-'));
    session.sim.faults.add({ kind: 'REQUEST_LIMIT_EXCEEDED', api: 'soap', count: 1 });
    const run = await session.run(LayoutsApply, ['--backup-dir', backups, '--yes', '--json']);
    session.sim.faults.clear();
    expect(run.exitCode).toBe(1);
    expect(run.json?.name).toBe('ApiLimitExceeded');
    expect(run.json?.message).toContain('(REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.)');
    expect(run.json?.actions?.at(-1)).toContain('ce-connect layouts apply --backup-dir');
    expect(writes()).toBe(0);
    expect(session.sim.requests.some((r) => r.api === 'soap' && r.status === 500)).toBe(true);
  });

  it('applies with a backup, deploys nothing the second time, and rolls back byte for byte', async () => {
    const backups = mkdtempSync(join(tmpdir(), 'ce-backups-'));
    const originals = new Map(LAYOUTS.map((name) => [name, stored(name)]));

    const first = await session.run(LayoutsApply, ['--backup-dir', backups, '--yes', '--json']);
    expect(first.exitCode).toBe(0);
    const applied = resultOf(first);
    expect(applied.layouts.every((l) => l.status === 'changed' && l.deployed)).toBe(true);
    expect(applied.deployment?.success).toBe(true);
    // One retrieve, one validation and one deploy: the only write is the deploy.
    expect(writes()).toBe(1);
    expect(session.sim.requests.filter((r) => r.api === 'soap' && r.write)).toHaveLength(1);
    expect(applied.apiCalls).toBeGreaterThan(0);
    expect(applied.apiCalls).toBeLessThanOrEqual(session.sim.requests.length);

    // The unmanaged layouts gain exactly the entry's lines; the managed one has its entry reconciled.
    for (const name of ['Contact-Contact Layout', 'Contact-Partner Contact Layout']) {
      const found = insertion(originals.get(name) ?? '', stored(name));
      expect(found?.inserted.join('')).toContain(ENROLLMENTS);
    }
    const managed = stored('Contact-northpass__Northpass Contact Layout');
    expect(managed.split(ENROLLMENTS)).toHaveLength(2);
    expect(managed).toContain('<excludeButtons>New</excludeButtons>');
    const reconciled = applied.layouts.find((l) => l.fullName.includes('northpass__'));
    expect(reconciled?.changes?.map((c) => c.kind)).toEqual(expect.arrayContaining(['fields', 'excludeButtons']));

    // The backup holds the originals exactly, before any deploy touched them.
    const backup = applied.backup ?? '';
    expect(existsSync(join(backup, 'backup.json'))).toBe(true);
    for (const [name, xml] of originals) {
      expect(readFileSync(join(backup, 'layouts', `${name}.layout`), 'utf8')).toBe(xml);
    }

    session.sim.requests.length = 0;
    const second = await session.run(LayoutsApply, ['--backup-dir', backups, '--yes', '--json']);
    expect(second.exitCode).toBe(0);
    const again = resultOf(second);
    expect(again.layouts.every((l) => l.status === 'unchanged')).toBe(true);
    expect(again.backup).toBeUndefined();
    expect(writes()).toBe(0);
    // listMetadata, retrieve and its two status checks (the first finds it in progress); no deploy at all.
    expect(soapCalls()).toBe(4);
    expect(readdirSync(backups)).toHaveLength(1);

    session.sim.requests.length = 0;
    const rollback = await session.run(LayoutsRollback, ['--backup', backup, '--yes', '--json']);
    expect(rollback.exitCode).toBe(0);
    const restored = resultOf(rollback);
    expect(restored.layouts.map((l) => l.status)).toEqual(['restored', 'restored', 'restored']);
    for (const [name, xml] of originals) expect(stored(name)).toBe(xml);
    expect(writes()).toBe(1);

    // Rolled back already: a second rollback compares, finds every layout as in the backup, and deploys nothing.
    session.sim.requests.length = 0;
    const again2 = await session.run(LayoutsRollback, ['--backup', backup, '--yes', '--json']);
    expect(again2.exitCode).toBe(0);
    expect(resultOf(again2).layouts.map((l) => l.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(writes()).toBe(0);
    // retrieve and its two status checks; no validation, no deploy.
    expect(soapCalls()).toBe(3);
  });

  it('reports a deploy rejection with the component failure and deploys nothing', async () => {
    const backups = mkdtempSync(join(tmpdir(), 'ce-backups-'));
    const run = await session.run(LayoutsApply, [
      '--layouts',
      'Contact-Contact Layout',
      '--fields',
      'NAME,northpass__Nope__c',
      '--backup-dir',
      backups,
      '--yes',
      '--json',
    ]);
    expect(run.exitCode).toBe(1);
    const result = resultOf(run);
    expect(result.layouts).toHaveLength(1);
    expect(result.layouts[0]).toMatchObject({ fullName: 'Contact-Contact Layout', status: 'failed', deployed: false });
    expect(result.layouts[0].problems[0]).toMatch(
      /^Invalid field:northpass__Nope__c in related list:northpass__Enrollment__c\.northpass__Contact__c \(line \d+, column \d+\)$/
    );
    expect(result.validation?.success).toBe(false);
    expect(result.deployment).toBeUndefined();
    expect(writes()).toBe(0);
  });

  it('asks before writing to a production org, and writes nothing without a yes', async () => {
    const backups = mkdtempSync(join(tmpdir(), 'ce-backups-'));
    const run = await session.run(LayoutsApply, ['--backup-dir', backups, '--json']);
    expect(run.exitCode).toBe(2);
    expect(run.json?.name).toBe('ConfirmationRequired');
    expect(run.json?.message).toContain('Contact-Contact Layout');
    expect(writes()).toBe(0);
    expect(readdirSync(backups)).toEqual([]);
  });

  it('refuses a layout name the org does not have, naming the ones it has', async () => {
    const run = await session.run(LayoutsApply, ['--layouts', 'Contact-Nope', '--dry-run', '--json']);
    expect(run.exitCode).toBe(2);
    expect(run.json?.message).toContain('"Contact-Nope"');
    expect(run.json?.actions?.join(' ')).toContain('Contact-Partner Contact Layout');
  });

  it('refuses to roll back a backup taken from another org', async () => {
    const backups = mkdtempSync(join(tmpdir(), 'ce-backups-'));
    const applied = await session.run(LayoutsApply, ['--backup-dir', backups, '--yes', '--json']);
    const backup = resultOf(applied).backup ?? '';
    const manifestPath = join(backup, 'backup.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    writeFileSync(manifestPath, JSON.stringify({ ...manifest, orgId: '00D000000000001AAA' }));
    session.sim.requests.length = 0;
    const run = await session.run(LayoutsRollback, ['--backup', backup, '--yes', '--json']);
    expect(run.exitCode).toBe(2);
    expect(run.json?.name).toBe('BackupFromAnotherOrg');
    expect(writes()).toBe(0);
  });
});
