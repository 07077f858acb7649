// What a real org checks when Custom Labels are deployed, limited to the fields the CustomLabel type requires.
// CustomLabel: categories (up to 255 characters), fullName, language, protected, shortDescription and value (up to
// 1,000 characters), each required but categories:
// https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_customlabels.htm
import type { XmlElement } from '../../src/core/xml-scan.js';
import { type LayoutProblem, METADATA_NS, at, parseComponent } from './layout-checks.js';

const REQUIRED = ['fullName', 'language', 'protected', 'shortDescription', 'value'];

/** The WSDL sequence of CustomLabel (its fields in alphabetical order, as every Metadata API type's). */
const SEQUENCE = ['fullName', 'categories', 'language', 'protected', 'shortDescription', 'value'];

/**
 * A developer name as Salesforce allows it: letters, digits and underscores, starting with a letter, not ending
 * with an underscore, no two underscores in a row. The Object Reference states this rule for DeveloperName fields
 * ("must begin with a letter, can contain only underscores and alphanumeric characters, can't include spaces,
 * can't end with an underscore, can't contain 2 consecutive underscores", for example EnablementProgramDefinition,
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_enablementprogramdefinition.htm),
 * and the Lightning component naming rules repeat it (https://developer.salesforce.com/docs/atlas.en-us.lightning.meta/lightning/components_names.htm).
 * That a custom label's name follows the same rule is an assumption: the CustomLabel type's page says nothing of it.
 */
const API_NAME = /^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*(?<!_)$/;

function text(element: XmlElement, local: string): string | undefined {
  return element.children.find((c) => c.local === local)?.text;
}

/** Everything wrong with one `<labels>` element of a labels file; empty when it is fine. */
export function checkLabel(xml: string, element: XmlElement): LayoutProblem[] {
  const problems: LayoutProblem[] = [];
  let rank = -1;
  for (const child of element.children) {
    const next = SEQUENCE.indexOf(child.local);
    // Elements out of WSDL sequence fail schema validation, worded as for Layout (reference notes §5).
    if (next < 0 || next < rank) {
      return [
        {
          problem: `Element ${METADATA_NS}${child.local} invalid at this location in type CustomLabel`,
          ...at(xml, child),
        },
      ];
    }
    rank = next;
  }
  // The wording of these refusals is an assumption, in the style of the Metadata API's missing-field messages.
  for (const field of REQUIRED) {
    if (text(element, field) === undefined) {
      problems.push({ problem: `Required field ${field} is missing in CustomLabel`, ...at(xml, element) });
    }
  }
  const name = text(element, 'fullName')?.trim() ?? '';
  if (name && !API_NAME.test(name)) {
    problems.push({
      problem: `The name ${name} can only contain underscores and alphanumeric characters, must begin with a letter, not include spaces, not end with an underscore, and not contain two consecutive underscores.`,
      ...at(xml, element),
    });
  }
  const value = text(element, 'value') ?? '';
  if (value.length > 1000) {
    problems.push({ problem: `Value too long for field: value maximum length is:1000`, ...at(xml, element) });
  }
  if ((text(element, 'categories') ?? '').length > 255) {
    problems.push({ problem: `Value too long for field: categories maximum length is:255`, ...at(xml, element) });
  }
  const flag = text(element, 'protected')?.trim();
  if (flag !== undefined && flag !== 'true' && flag !== 'false') {
    problems.push({ problem: `'${flag}' is not a valid value for the type xsd:boolean`, ...at(xml, element) });
  }
  return problems;
}

/** The labels file as a whole: well-formed, a CustomLabels root, and no label twice. */
export function checkLabelsFile(xml: string): LayoutProblem[] {
  const parsed = parseComponent(xml, 'CustomLabels');
  if ('problems' in parsed) return parsed.problems;
  const { root } = parsed;
  if (root.local !== 'CustomLabels') {
    return [
      {
        problem: `Element ${METADATA_NS}${root.local} invalid at this location in type CustomLabels`,
        ...at(xml, root),
      },
    ];
  }
  const seen = new Set<string>();
  const problems: LayoutProblem[] = [];
  for (const label of root.children.filter((c) => c.local === 'labels')) {
    const name = (text(label, 'fullName') ?? '').trim().toLowerCase();
    // Names are unique regardless of case; the wording is that of a repeated value in a list
    // (https://github.com/certinia/apex-mdapi/issues/45, seen for Layout).
    if (name && seen.has(name)) {
      problems.push({
        problem: `Field: labels, value:${text(label, 'fullName')?.trim()} appears more than once`,
        ...at(xml, label),
      });
    }
    seen.add(name);
  }
  return problems;
}
