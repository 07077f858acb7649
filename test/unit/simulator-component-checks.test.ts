import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanXml } from '../../src/core/xml-scan.js';
import { checkLabel, checkLabelsFile } from '../../simulator/mdapi/label-checks.js';
import { checkBundle, componentOf, publicProperties } from '../../simulator/mdapi/lwc-checks.js';
import { buildOrg, loadScenario } from '../../simulator/scenario.js';
import { PROJECT_ROOT } from '../helpers/cli.js';

const LWC = join(PROJECT_ROOT, 'force-app', 'main', 'default', 'lwc', 'contactEnrollments');
const read = (file: string): string => readFileSync(join(LWC, file), 'utf8');

describe('the simulated org checks deployed Lightning web components and Custom Labels', () => {
  const org = buildOrg(loadScenario('ready'));
  const bundle = (): Record<string, string> => ({
    'contactEnrollments.js-meta.xml': read('contactEnrollments.js-meta.xml'),
    'contactEnrollments.js': read('contactEnrollments.js'),
    'enrollments.js': read('enrollments.js'),
    'contactEnrollments.html': read('contactEnrollments.html'),
  });
  const everything = { labels: new Set<string>(), components: new Set(['ldsErrors'.toLowerCase()]) };

  it('reads the public properties of a class and the design of a bundle', () => {
    expect(
      publicProperties('class X { @api recordId; @api get size() { return 1; } notPublic; @api  set mode(v) {} }')
    ).toEqual(new Set(['recordId', 'size', 'mode']));
    expect(componentOf('contactEnrollments', read('contactEnrollments.js-meta.xml'))).toEqual({
      name: 'contactEnrollments',
      namespace: 'c',
      properties: [
        'relatedListId',
        'enrollmentObject',
        'courseNameField',
        'progressField',
        'attemptField',
        'enrollmentDateField',
        'rowLimit',
      ],
      exposed: true,
      targets: ['lightning__RecordPage'],
      objects: ['Contact'],
    });
  });

  it('names every label a module imports that neither the org nor the deploy has, with its line', () => {
    const problems = checkBundle(org, 'contactEnrollments', bundle(), everything);
    expect(problems.filter((p) => p.file === 'enrollments.js').map((p) => [p.problem, p.lineNumber])).toEqual([
      ['Invalid reference c.CE_Enrollments_Untitled_Course of type label in file enrollments.js', 6],
      ['Invalid reference c.CE_Enrollments_Percent of type label in file enrollments.js', 7],
      ['Invalid reference c.CE_Enrollments_Progress_Label of type label in file enrollments.js', 8],
    ]);
  });

  it('refuses a targetConfig for a target the bundle does not list, and a bundle without its configuration file', () => {
    const files = bundle();
    files['contactEnrollments.js-meta.xml'] = files['contactEnrollments.js-meta.xml'].replace(
      'targets="lightning__RecordPage"',
      'targets="lightning__RecordPage, lightning__AppPage"'
    );
    const labels = new Set(
      [...read('contactEnrollments.js').matchAll(/c\.(\w+)'/g), ...read('enrollments.js').matchAll(/c\.(\w+)'/g)].map(
        (m) => m[1].toLowerCase()
      )
    );
    expect(checkBundle(org, 'contactEnrollments', files, { ...everything, labels }).map((p) => p.problem)).toEqual([
      "The targetConfig target lightning__AppPage isn't listed in targets",
    ]);
    const noMeta = bundle();
    delete noMeta['contactEnrollments.js-meta.xml'];
    expect(checkBundle(org, 'contactEnrollments', noMeta, everything)).toEqual([
      {
        file: 'contactEnrollments.js-meta.xml',
        problem:
          'The Lightning web component contactEnrollments has no configuration file contactEnrollments.js-meta.xml',
      },
    ]);
  });

  it('accepts every target the configuration reference documents, a Voice Extension page among them, and refuses a misspelt one', () => {
    const labels = new Set(
      [...read('contactEnrollments.js').matchAll(/c\.(\w+)'/g), ...read('enrollments.js').matchAll(/c\.(\w+)'/g)].map(
        (m) => m[1].toLowerCase()
      )
    );
    const withTargets = (...targets: string[]): Record<string, string> => {
      const files = bundle();
      files['contactEnrollments.js-meta.xml'] = files['contactEnrollments.js-meta.xml'].replace(
        '<target>lightning__RecordPage</target>',
        ['lightning__RecordPage', ...targets].map((t) => `<target>${t}</target>`).join('\n        ')
      );
      return files;
    };
    const documented = [
      'lightning__VoiceExtension',
      'lightning__AgentforceInput',
      'lightning__AgentforceOutput',
      'lightning__EnablementProgram',
      'lightning__ServiceDocument',
      'lightningSnapin__ChatHeader',
      'lightningSnapin__MessagingHeader',
      'lightningSnapin__MessagingPreChat',
    ];
    expect(checkBundle(org, 'contactEnrollments', withTargets(...documented), { ...everything, labels })).toEqual([]);
    expect(
      checkBundle(org, 'contactEnrollments', withTargets('lightning__VoiceExtensions'), { ...everything, labels }).map(
        (p) => p.problem
      )
    ).toEqual(['Invalid target: lightning__VoiceExtensions']);
  });

  it('accepts the project’s labels file, and refuses a label without its required fields or with a bad name', () => {
    const file = readFileSync(join(PROJECT_ROOT, 'force-app/main/default/labels/CustomLabels.labels-meta.xml'), 'utf8');
    expect(checkLabelsFile(file)).toEqual([]);
    for (const label of scanXml(file, 'labels').root.children) expect(checkLabel(file, label)).toEqual([]);

    const bad =
      '<CustomLabels xmlns="http://soap.sforce.com/2006/04/metadata">\n  <labels>\n    <fullName>CE__Title_</fullName>\n    <language>en_US</language>\n    <protected>maybe</protected>\n    <value>Enrollments</value>\n  </labels>\n  <labels>\n    <fullName>ce__title_</fullName>\n  </labels>\n</CustomLabels>\n';
    const [first] = scanXml(bad, 'bad').root.children;
    expect(checkLabel(bad, first).map((p) => p.problem)).toEqual([
      'Required field shortDescription is missing in CustomLabel',
      'The name CE__Title_ can only contain underscores and alphanumeric characters, must begin with a letter, not include spaces, not end with an underscore, and not contain two consecutive underscores.',
      "'maybe' is not a valid value for the type xsd:boolean",
    ]);
    expect(checkLabelsFile(bad)).toEqual([
      { problem: 'Field: labels, value:ce__title_ appears more than once', lineNumber: 8, columnNumber: 3 },
    ]);
  });
});
