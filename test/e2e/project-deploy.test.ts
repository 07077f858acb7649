import { jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { AuthInfo, Connection } from '@salesforce/core';
import { ComponentSet, MetadataConverter, RequestStatus } from '@salesforce/source-deploy-retrieve';
import { XMLParser } from 'fast-xml-parser';
import { PROJECT_ROOT } from '../helpers/cli.js';
import { type SimSession, startSimSession } from '../helpers/simulator.js';

jest.setTimeout(120_000);

const SF = join(PROJECT_ROOT, 'node_modules', '@salesforce', 'cli', 'bin', 'run.js');

/** The pinned sf CLI in a child process, with the session's login: `sf project deploy start` as an admin runs it. */
function sf(session: SimSession, args: string[]): Promise<{ code: number | null; json: any; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SF, ...args, '--json'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...session.env, CE_NAMESPACE: 'northpass', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code, json, output: `${stdout}${stderr}` });
    });
  });
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

const labelParser = new XMLParser({ parseTagValue: false });
const labelsOf = (xml: string): unknown[] =>
  [(labelParser.parse(xml) as { CustomLabels: { labels: unknown[] } }).CustomLabels.labels]
    .flat()
    .sort((a, b) => String((a as { fullName: string }).fullName).localeCompare((b as { fullName: string }).fullName));

// `sf project deploy start` is a real process of the pinned sf CLI here: the admin's own front door to the
// project's metadata, with sfdx-project.json's replacements filling in the namespace from CE_NAMESPACE.
describe('CE_NAMESPACE=… sf project deploy start against the simulated org', () => {
  let session: SimSession;

  beforeAll(async () => {
    session = await startSimSession({ scenario: 'ready' });
  });
  afterAll(async () => session?.stop());

  it('validates with --dry-run writing nothing, then deploys force-app, and the org holds every component as deployed', async () => {
    const dry = await sf(session, ['project', 'deploy', 'start', '--dry-run', '-o', session.alias]);
    expect({ code: dry.code, status: dry.json?.result?.status }).toEqual({ code: 0, status: 'Succeeded' });
    expect(session.sim.requests.some((r) => r.write)).toBe(false);
    expect(session.sim.org.listMetadata('LightningComponentBundle')).toEqual([]);

    const run = await sf(session, ['project', 'deploy', 'start', '-o', session.alias]);
    expect({ code: run.code, status: run.json?.result?.status, output: run.code === 0 ? '' : run.output }).toEqual({
      code: 0,
      status: 'Succeeded',
      output: '',
    });
    const deployed = (run.json.result.files as Array<{ type: string; fullName: string; state: string }>)
      .filter((f) => f.type !== 'CustomLabel')
      .map((f) => `${f.type}:${f.fullName}:${f.state}`)
      .sort();
    expect([...new Set(deployed)]).toEqual([
      'CustomLabels:CustomLabels:Created',
      'FlexiPage:Contact_Enrollments_Record_Page:Created',
      'Layout:Contact-Contact Layout:Changed',
      'LightningComponentBundle:contactEnrollments:Created',
      'LightningComponentBundle:ldsErrors:Created',
      // ready's policy is Active; the deploy puts the project's in its place, in Design status.
      'UserAccessPolicy:Northpass_Standard_User:Changed',
    ]);
    expect(session.sim.requests.filter((r) => r.write).map((r) => r.operation)).toEqual(['deploy']);

    // Retrieve every component of force-app back and compare it with the source as the deploy sent it (converted,
    // namespace filled in).
    const authInfo = await AuthInfo.create({ username: session.sim.username });
    const conn = await Connection.create({ authInfo });
    const retrieved = mkdtempSync(join(tmpdir(), 'ce-deployed-'));
    const components = ComponentSet.fromSource(join(PROJECT_ROOT, 'force-app'));
    const retrieve = await components.retrieve({
      usernameOrConnection: conn,
      output: retrieved,
      format: 'metadata',
      singlePackage: true,
      unzip: true,
    });
    expect((await retrieve.pollStatus(50, 30)).response.status).toBe(RequestStatus.Succeeded);

    const sent = mkdtempSync(join(tmpdir(), 'ce-converted-'));
    process.env.CE_NAMESPACE = 'northpass';
    process.env.SF_APPLY_REPLACEMENTS_ON_CONVERT = 'true';
    components.projectDirectory = PROJECT_ROOT;
    await new MetadataConverter().convert(components, 'metadata', {
      type: 'directory',
      outputDirectory: sent,
      genUniqueDir: false,
    });
    const sentFiles = files(sent)
      .map((f) => relative(sent, f))
      .filter((f) => f !== 'package.xml')
      .sort();
    expect(sentFiles).toContain('lwc/contactEnrollments/contactEnrollments.js');
    for (const file of sentFiles) {
      const back = readFileSync(join(retrieved, 'unpackaged', file), 'utf8');
      const source = readFileSync(join(sent, file), 'utf8');
      if (file.endsWith('.labels')) expect(labelsOf(back)).toEqual(labelsOf(source));
      else expect({ file, back }).toEqual({ file, back: source });
    }
    expect(readFileSync(join(retrieved, 'unpackaged', 'layouts', 'Contact-Contact Layout.layout'), 'utf8')).toContain(
      '<relatedList>northpass__Enrollment__c.northpass__Contact__c</relatedList>'
    );
    // The component's design defaults as App Builder offers them, namespace filled in.
    const bundle = session.sim.org.getMetadata('LightningComponentBundle', 'contactEnrollments')?.content ?? '';
    expect(bundle).toContain('default="northpass__Enrollments__r"');
    expect(bundle).not.toContain('%%%NAMESPACE%%%');
  });
});
