import { jest } from '@jest/globals';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthInfo, Connection } from '@salesforce/core';
import { ComponentSet, type DeployResult } from '@salesforce/source-deploy-retrieve';
import { type Simulator, startSimulator } from '../../simulator/server.js';
import { PROJECT_ROOT } from '../helpers/cli.js';

jest.setTimeout(60_000);

const LWC = 'force-app/main/default/lwc';
const META = `${LWC}/contactEnrollments/contactEnrollments.js-meta.xml`;
const PAGE = 'force-app/main/default/flexipages/Contact_Enrollments_Record_Page.flexipage-meta.xml';
const LAYOUT = 'force-app/main/default/layouts/Contact-Contact Layout.layout-meta.xml';
const LABELS = 'force-app/main/default/labels/CustomLabels.labels-meta.xml';

/** A copy of the project's source (no tests), to change one file and deploy it the way `sf` does. */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ce-source-deploy-'));
  for (const file of ['sfdx-project.json', '.forceignore']) cpSync(join(PROJECT_ROOT, file), join(dir, file));
  cpSync(join(PROJECT_ROOT, 'force-app', 'main'), join(dir, 'force-app', 'main'), { recursive: true });
  rmSync(join(dir, LWC, 'contactEnrollments', '__tests__'), { recursive: true, force: true });
  return dir;
}

function edit(dir: string, file: string, from: string | RegExp, to: string): void {
  const path = join(dir, file);
  const before = readFileSync(path, 'utf8');
  const after = before.replace(from, to);
  if (after === before) throw new Error(`${file} has no ${String(from)}`);
  writeFileSync(path, after);
}

// The simulated org's deploy checks, met through the library `sf project deploy start` deploys with: SDR builds
// the zip from source and applies sfdx-project.json's replacements (CE_NAMESPACE), as it does for the CLI.
describe('the simulated org deploying the project’s force-app', () => {
  let sim: Simulator;
  let conn: Connection;

  beforeAll(async () => {
    sim = await startSimulator({ scenario: 'ready' });
    const authInfo = await AuthInfo.create({
      accessTokenOptions: { accessToken: sim.accessToken, instanceUrl: sim.instanceUrl, loginUrl: sim.instanceUrl },
    });
    conn = await Connection.create({ authInfo });
    conn.setApiVersion('65.0');
  });
  afterAll(async () => sim?.stop());
  beforeEach(() => sim.reset('ready'));

  async function deploy(dir: string, options: { namespace?: string; checkOnly?: boolean; paths?: string[] } = {}) {
    const previous = process.env.CE_NAMESPACE;
    process.env.CE_NAMESPACE = options.namespace ?? 'northpass';
    try {
      const components = ComponentSet.fromSource({
        fsPaths: (options.paths ?? ['force-app']).map((p) => join(dir, p)),
      });
      components.projectDirectory = dir;
      const operation = await components.deploy({
        usernameOrConnection: conn,
        apiOptions: { checkOnly: options.checkOnly ?? false },
      });
      return await operation.pollStatus(50, 30);
    } finally {
      if (previous === undefined) delete process.env.CE_NAMESPACE;
      else process.env.CE_NAMESPACE = previous;
    }
  }

  const failures = (result: DeployResult): Array<[string, string]> =>
    result
      .getFileResponses()
      .filter((f) => f.state === 'Failed')
      .map((f) => [`${f.type}:${f.fullName}`, 'error' in f ? String(f.error) : '']);
  const writes = (): number => sim.requests.filter((r) => r.write).length;

  it('deploys every component with the namespace filled in, and the page can place the component deployed with it', async () => {
    const result = await deploy(project());
    expect(failures(result)).toEqual([]);
    expect(result.response.success).toBe(true);
    expect(sim.org.listMetadata('LightningComponentBundle').map((c) => c.fullName)).toEqual([
      'contactEnrollments',
      'ldsErrors',
    ]);
    expect(
      Object.keys(sim.org.getMetadata('LightningComponentBundle', 'contactEnrollments')?.files ?? {}).sort()
    ).toEqual(['contactEnrollments.html', 'contactEnrollments.js', 'contactEnrollments.js-meta.xml', 'enrollments.js']);
    expect(sim.org.listMetadata('CustomLabel')).toHaveLength(18);
    expect(sim.org.getMetadata('FlexiPage', 'Contact_Enrollments_Record_Page')?.content).toContain(
      '<value>northpass__Enrollments__r</value>'
    );
    expect(sim.org.lightningComponents.find((c) => c.name === 'contactEnrollments')).toMatchObject({
      exposed: true,
      targets: ['lightning__RecordPage'],
      objects: ['Contact'],
    });
    expect(writes()).toBe(1);
  });

  it('validates without writing anything on a check-only deploy (--dry-run)', async () => {
    const layout = sim.org.getMetadata('Layout', 'Contact-Contact Layout')?.content;
    const result = await deploy(project(), { checkOnly: true });
    expect(result.response.success).toBe(true);
    expect(writes()).toBe(0);
    expect(sim.org.listMetadata('LightningComponentBundle')).toEqual([]);
    expect(sim.org.listMetadata('CustomLabel')).toEqual([]);
    expect(sim.org.getMetadata('Layout', 'Contact-Contact Layout')?.content).toBe(layout);
  });

  it.each([
    [
      'a target the org does not know',
      META,
      '<target>lightning__RecordPage</target>',
      '<target>lightning__RecordPag</target>',
      'LightningComponentBundle:contactEnrollments',
      'Invalid target: lightning__RecordPag',
    ],
    [
      'a record page object the org does not have',
      META,
      '<object>Contact</object>',
      '<object>Learner__c</object>',
      'LightningComponentBundle:contactEnrollments',
      'Invalid reference Learner__c of type sobjectClass in file contactEnrollments.js-meta.xml',
    ],
    [
      'a design attribute that is not a public property',
      META,
      'name="rowLimit"',
      'name="rowCount"',
      'LightningComponentBundle:contactEnrollments',
      "The property rowCount doesn't exist on the component or isn't public (@api) in contactEnrollments.js",
    ],
    [
      'a label the org does not have',
      LABELS,
      '<fullName>CE_Enrollments_Title</fullName>',
      '<fullName>CE_Enrollments_Heading</fullName>',
      'LightningComponentBundle:contactEnrollments',
      'Invalid reference c.CE_Enrollments_Title of type label in file contactEnrollments.js',
    ],
    [
      'a layout field the object does not have',
      LAYOUT,
      '<field>Title</field>',
      '<field>Nickname__c</field>',
      'Layout:Contact-Contact Layout',
      'In field: field - no CustomField named Contact.Nickname__c found',
    ],
    [
      'a related list column the object does not have',
      LAYOUT,
      '<fields>%%%NAMESPACE%%%__Course_Attempt_Number__c</fields>',
      '<fields>%%%NAMESPACE%%%__Attempts__c</fields>',
      'Layout:Contact-Contact Layout',
      'Invalid field:northpass__Attempts__c in related list:northpass__Enrollment__c.northpass__Contact__c',
    ],
    [
      'a page placing a component the org does not have',
      PAGE,
      '<componentName>contactEnrollments</componentName>',
      '<componentName>learnerCard</componentName>',
      'FlexiPage:Contact_Enrollments_Record_Page',
      "We couldn't retrieve the design time component information for component learnerCard.",
    ],
    [
      'a page placing a component that is not exposed',
      PAGE,
      '<componentName>contactEnrollments</componentName>',
      '<componentName>ldsErrors</componentName>',
      'FlexiPage:Contact_Enrollments_Record_Page',
      "Component [ldsErrors] isn't exposed (isExposed is false) and can't be placed on a Lightning page",
    ],
  ])('refuses %s, names it, and deploys nothing', async (_case, file, from, to, component, problem) => {
    const dir = project();
    edit(dir, file, from, to);
    const result = await deploy(dir);
    expect(result.response.success).toBe(false);
    expect(failures(result)).toContainEqual([component, expect.stringContaining(problem)]);
    expect(writes()).toBe(0);
    expect(sim.org.listMetadata('LightningComponentBundle')).toEqual([]);
  });

  it('refuses the page alone until the component it places is in the org', async () => {
    const dir = project();
    const alone = await deploy(dir, { paths: [PAGE] });
    expect(failures(alone)).toEqual([
      [
        'FlexiPage:Contact_Enrollments_Record_Page',
        expect.stringContaining(
          "We couldn't retrieve the design time component information for component contactEnrollments."
        ),
      ],
    ]);
    expect((await deploy(dir, { paths: ['force-app/main/default/labels', LWC] })).response.success).toBe(true);
    expect((await deploy(dir, { paths: [PAGE] })).response.success).toBe(true);
  });

  it('refuses the metadata where the namespace is not the packages’ (a wrong CE_NAMESPACE)', async () => {
    const result = await deploy(project(), { namespace: 'acme' });
    expect(failures(result)).toContainEqual([
      'Layout:Contact-Contact Layout',
      expect.stringContaining('Invalid related list:acme__Enrollment__c.acme__Contact__c'),
    ]);
    expect(writes()).toBe(0);
  });

  it('refuses force-app in an org without the CE packages (no Enrollment object yet)', async () => {
    sim.reset('fresh');
    const result = await deploy(project());
    expect(failures(result)).toContainEqual([
      'Layout:Contact-Contact Layout',
      expect.stringContaining('Invalid related list:northpass__Enrollment__c.northpass__Contact__c'),
    ]);
  });
});
