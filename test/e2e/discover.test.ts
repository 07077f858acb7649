import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Discover from '../../src/commands/ce/discover.js';
import { PROJECT_ROOT } from '../helpers/cli.js';
import { resultOf } from '../helpers/command.js';
import { type SimSession, startSimSession } from '../helpers/simulator.js';

const ENROLLMENT = {
  object: 'northpass__Enrollment__c',
  contactField: 'northpass__Contact__c',
  relationshipName: 'northpass__Enrollments__r',
  externalIdField: 'northpass__External_Id__c',
  timestampField: 'northpass__Last_Synced_At__c',
  emailField: 'northpass__Learner_Email__c',
  courseNameField: 'northpass__Course_Name__c',
  courseIdField: 'northpass__Course_Id__c',
  progressField: 'northpass__Progress_Percentage__c',
  enrollmentDateField: 'northpass__Enrollment_Date__c',
  attemptField: 'northpass__Course_Attempt_Number__c',
};

describe('ce-connect discover against the simulated org', () => {
  let session: SimSession;
  beforeAll(async () => {
    session = await startSimSession({ scenario: 'ready' });
  });
  afterAll(async () => session?.stop());

  it('finds every name in the ready org, read-only', async () => {
    session.sim.reset('ready');
    const run = await session.run(Discover, ['--json']);
    expect(run.exitCode).toBe(0);
    const r = resultOf(run);
    expect(r.packages.map((p) => [p.key, p.namespace, p.installed, p.versionId])).toEqual([
      ['northpass', 'northpass', '2.1.0.3', '04t4x000000NP21AAA'],
      ['connector', 'npdc', '1.0.0.1', '04t4x000000NC10AAA'],
    ]);
    expect(r.enrollment).toMatchObject(ENROLLMENT);
    expect(r.enrollment?.timestampCandidates).toEqual([
      'northpass__Enrollment_Date__c',
      'northpass__Completed_At__c',
      'northpass__Last_Synced_At__c',
    ]);
    expect(r.permissionSet).toMatchObject({
      label: 'Northpass Standard User',
      name: 'Northpass_Standard_User',
      namespace: 'northpass',
    });
    expect(r.contactLayouts).toEqual([
      'Contact-Contact Layout',
      'Contact-Partner Contact Layout',
      'Contact-northpass__Northpass Contact Layout',
    ]);
    // The shipped config's guesses are right, so the org confirms them and there is nothing to change but the list.
    expect(r.changes).toEqual([{ path: '/unverified', from: expect.any(Array), to: [] }]);
    expect(r.written).toBe(false);
    expect(r.apiCalls).toBe(6);
    expect(session.sim.requests.some((q) => q.write)).toBe(false);
  });

  it('finds the Enrollment object and the package in the outdated org, and leaves the version id unconfirmed', async () => {
    session.sim.reset('outdated');
    const run = await session.run(Discover, ['--json']);
    expect(run.exitCode).toBe(0);
    const r = resultOf(run);
    expect(r.packages.map((p) => [p.key, p.installed])).toEqual([
      ['northpass', '2.0.1.4'],
      ['connector', null],
    ]);
    expect(r.enrollment).toMatchObject(ENROLLMENT);
    expect(r.permissionSet?.namespace).toBe('northpass');
    expect(r.contactLayouts).toContain('Contact-northpass__Northpass Contact Layout');
    expect(r.unverified).toEqual(['/packages/0/versionId', '/packages/1/namespace', '/packages/1/versionId']);
  });

  it('finds the unmanaged layouts and no CE objects in the fresh org', async () => {
    session.sim.reset('fresh');
    const run = await session.run(Discover, ['--json']);
    expect(run.exitCode).toBe(0);
    const r = resultOf(run);
    expect(r.packages.every((p) => p.installed === null)).toBe(true);
    expect(r.enrollment).toBeNull();
    expect(r.permissionSet).toBeNull();
    expect(r.contactLayouts).toEqual(['Contact-Contact Layout', 'Contact-Partner Contact Layout']);
    expect(r.changes).toEqual([]);
  });

  it('--write corrects wrong guesses in place, as a minimal diff, and clears what it confirmed', async () => {
    session.sim.reset('ready');
    // An admin's own project: sfdx-project.json at the top, the config in config/, the command run from below.
    const dir = mkdtempSync(join(tmpdir(), 'ce-discover-'));
    writeFileSync(join(dir, 'sfdx-project.json'), JSON.stringify({ packageDirectories: [{ path: 'force-app' }] }));
    mkdirSync(join(dir, 'config'));
    mkdirSync(join(dir, 'force-app'));
    const file = join(dir, 'config', 'ce-connect.json');
    copyFileSync(join(PROJECT_ROOT, 'config', 'ce-connect.json'), file);
    const original = readFileSync(file, 'utf8')
      .replace('"timestampField": "northpass__Last_Synced_At__c"', '"timestampField": "northpass__Synced__c"')
      .replace('"namespace": "npdc"', '"namespace": "gnpdc"');
    writeFileSync(file, original);
    const run = await session.run(Discover, ['--write', '--json'], { cwd: join(dir, 'force-app') });
    expect(run.exitCode).toBe(0);
    const r = resultOf(run);
    expect(r.written).toBe(true);
    expect(r.configPath).toBe(file);
    const after = readFileSync(file, 'utf8');
    const beforeLines = original.split('\n');
    const afterLines = after.split('\n');
    const added = afterLines.filter((line) => !beforeLines.includes(line)).map((l) => l.trim());
    const removed = beforeLines.filter((line) => !afterLines.includes(line)).map((l) => l.trim());
    expect(added).toEqual([
      '"unverified": [],',
      '"namespace": "npdc",',
      '"timestampField": "northpass__Last_Synced_At__c",',
    ]);
    expect(removed).toEqual([
      '"unverified": [',
      '"/packages/0/namespace",',
      '"/packages/0/versionId",',
      '"/packages/1/namespace",',
      '"/packages/1/versionId",',
      '"/enrollment",',
      '"/permissionSet/namespace",',
      '"/permissionSet/name"',
      '"namespace": "gnpdc",',
      '"timestampField": "northpass__Synced__c",',
    ]);
    expect(afterLines).toHaveLength(beforeLines.length - 8);
    expect(session.sim.requests.some((q) => q.write)).toBe(false);
    expect(readdirSync(join(dir, 'config'))).toEqual(['ce-connect.json']);
  });

  it('--write outside any project refuses before reading the org, says why, and writes nothing (exit 2)', async () => {
    session.sim.reset('ready');
    session.sim.requests.length = 0;
    const dir = mkdtempSync(join(tmpdir(), 'ce-discover-outside-'));
    const file = join(dir, 'ce-connect.json');
    copyFileSync(join(PROJECT_ROOT, 'config', 'ce-connect.json'), file);
    const { exitCode, json } = await session.run(Discover, ['--write', '--config', file, '--json'], { cwd: dir });
    expect(exitCode).toBe(2);
    expect(json?.name).toBe('ConfigOutsideProject');
    expect(json?.message).toContain('not inside a Salesforce DX project');
    expect(json?.actions?.join(' ')).toContain('sfdx-project.json');
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(join(PROJECT_ROOT, 'config', 'ce-connect.json'), 'utf8'));
    expect(session.sim.requests).toHaveLength(0);
  });

  it('finds no config outside a project unless --config names one (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ce-discover-noconfig-'));
    const { exitCode, json } = await session.run(Discover, ['--json'], { cwd: dir });
    expect(exitCode).toBe(2);
    expect(json?.name).toBe('ConfigNotFound');
    expect(json?.actions?.join(' ')).toContain('--config');
  });
});
