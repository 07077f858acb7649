// What a real org checks when a page layout is deployed, limited to the rules this project depends on. Each
// rule cites where its behaviour (and, where known, its wording) comes from.
import { CeError } from '../../src/core/errors.js';
import { LAYOUT_ELEMENT_ORDER, RELATED_LIST_ITEM_ORDER, findOrderProblem } from '../../src/core/layout-schema.js';
import { type XmlElement, locate, scanXml } from '../../src/core/xml-scan.js';
import type { OrgState } from '../org-state.js';

/** One reason a layout is refused, positioned like a DeployMessage (lines and columns from 1). */
export type LayoutProblem = { problem: string; lineNumber?: number; columnNumber?: number };

export const METADATA_NS = '{http://soap.sforce.com/2006/04/metadata}';

// Column aliases of standard fields (NAME, CREATED_DATE, OWNER.ALIAS, CAMPAIGN.NAME): upper case with
// underscores and dots, unlike API names. Any such token is accepted; only API names are checked.
// https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_layouts.htm (RelatedListItem.fields)
const STANDARD_ALIAS = /^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)*$/;

export function at(xml: string, element: XmlElement): { lineNumber: number; columnNumber: number } {
  const where = locate(xml, element.start);
  return { lineNumber: where.line, columnNumber: where.column + 1 };
}

/**
 * Elements out of WSDL sequence fail schema validation before anything else:
 * `Element {http://soap.sforce.com/2006/04/metadata}X invalid at this location in type Layout`
 * (wording recorded in the project's reference notes, §5 "Page layouts").
 */
function orderProblems(xml: string, parent: XmlElement, order: readonly string[], type: string): LayoutProblem[] {
  const problem = findOrderProblem(
    parent.children.map((c) => c.local),
    order
  );
  if (!problem) return [];
  const element = parent.children[problem.index];
  return [
    { problem: `Element ${METADATA_NS}${element.local} invalid at this location in type ${type}`, ...at(xml, element) },
  ];
}

/**
 * Layout elements the Metadata API allows at most once (minOccurs 0, maxOccurs 1 in the Layout type:
 * https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_layouts.htm). A second
 * occurrence fails schema validation like an element out of sequence; that it uses the same wording is an
 * assumption (no recorded response shows this case).
 */
const AT_MOST_ONCE = ['customConsoleComponents', 'platformActionList', 'quickActionList'];

function onceProblems(xml: string, root: XmlElement): LayoutProblem[] {
  for (const local of AT_MOST_ONCE) {
    const second = root.children.filter((c) => c.local === local)[1];
    if (second) {
      return [
        { problem: `Element ${METADATA_NS}${local} invalid at this location in type Layout`, ...at(xml, second) },
      ];
    }
  }
  return [];
}

function childText(element: XmlElement, local: string): string[] {
  return element.children.filter((c) => c.local === local).map((c) => c.text.trim());
}

/**
 * A related list must name a child relationship of the layout's object (`<ChildObject>.<LookupField>`), and its
 * columns must be fields of that child object or standard aliases; otherwise the deploy fails with
 * `Invalid field:X in related list:Y` (wording seen in deploy output quoted in
 * https://github.com/salesforcecli/plugin-deploy-retrieve/pull/1217 and
 * https://github.com/developerforce/LightningContainerExamples/issues/16).
 * The wording for an unknown related list is not documented; `Invalid related list:Y` follows the same style.
 */
function relatedListProblems(org: OrgState, object: string, xml: string, entry: XmlElement): LayoutProblem[] {
  const name = childText(entry, 'relatedList')[0];
  if (name === undefined || name === '') {
    return [{ problem: 'Required field relatedList is missing in RelatedListItem', ...at(xml, entry) }];
  }
  // Standard related lists (RelatedContactList, RelatedActivityList, …) are built in; their columns use
  // aliases this simulated org does not model.
  if (!name.includes('.')) return [];
  const [child, lookup] = name.split('.', 2);
  const relationship = org
    .childRelationships(object)
    .find(
      (r) => r.childSObject.toLowerCase() === child.toLowerCase() && r.field.toLowerCase() === lookup.toLowerCase()
    );
  if (!relationship) return [{ problem: `Invalid related list:${name}`, ...at(xml, entry) }];
  const problems: LayoutProblem[] = [];
  for (const column of entry.children.filter((c) => c.local === 'fields' || c.local === 'sortField')) {
    const field = column.text.trim();
    if (STANDARD_ALIAS.test(field) || org.field(relationship.childSObject, field)) continue;
    problems.push({ problem: `Invalid field:${field} in related list:${name}`, ...at(xml, column) });
  }
  const order = childText(entry, 'sortOrder')[0];
  if (order !== undefined && order !== 'Asc' && order !== 'Desc') {
    // The SOAP schema's enumeration check (SortOrder is Asc or Desc).
    problems.push({ problem: `'${order}' is not a valid value for the enum 'SortOrder'`, ...at(xml, entry) });
  }
  return problems;
}

/**
 * The component's XML tree, or the org's answer to an unparsable file: the XML parser's message and position
 * passed through as `Error parsing file: …` (wording seen in deploy output quoted in
 * https://github.com/SFDO-Community/TractionThrive-archived-/pull/135).
 */
export function parseComponent(xml: string, fullName: string): { root: XmlElement } | { problems: LayoutProblem[] } {
  try {
    return { root: scanXml(xml, fullName).root };
  } catch (error) {
    const data =
      error instanceof CeError ? (error.data as { line: number; column: number; message: string }) : undefined;
    return {
      problems: [
        {
          problem: `Error parsing file: ${data?.message ?? (error as Error).message}`,
          lineNumber: data?.line,
          columnNumber: data === undefined ? undefined : data.column + 1,
        },
      ],
    };
  }
}

/**
 * Every field a layout section places must be a field of the layout's object: `In field: field - no CustomField
 * named Contact.X found`, the Metadata API's wording for an unknown field reference (recorded for layouts and
 * field sets in sfdx-hardis's deployment tips, "custom-field-not-found", and in
 * https://github.com/svierk/awesome-lwc-collection/issues/81).
 */
function sectionFieldProblems(org: OrgState, object: string, xml: string, root: XmlElement): LayoutProblem[] {
  const problems: LayoutProblem[] = [];
  for (const section of root.children.filter((c) => c.local === 'layoutSections')) {
    for (const column of section.children.filter((c) => c.local === 'layoutColumns')) {
      for (const item of column.children.filter((c) => c.local === 'layoutItems')) {
        const field = childText(item, 'field')[0];
        if (field === undefined || org.field(object, field)) continue;
        const element = item.children.find((c) => c.local === 'field') ?? item;
        problems.push({
          problem: `In field: field - no CustomField named ${object}.${field} found`,
          ...at(xml, element),
        });
      }
    }
  }
  return problems;
}

/** Everything wrong with one deployed layout, in the order a real org would report it; empty when it is fine. */
export function checkLayout(org: OrgState, fullName: string, xml: string): LayoutProblem[] {
  const parsed = parseComponent(xml, fullName);
  if ('problems' in parsed) return parsed.problems;
  const { root } = parsed;
  if (root.local !== 'Layout') {
    return [
      { problem: `Element ${METADATA_NS}${root.local} invalid at this location in type Layout`, ...at(xml, root) },
    ];
  }
  const object = fullName.slice(0, fullName.indexOf('-'));
  if (!org.getObject(object)) return [{ problem: `Cannot find object: ${object}` }];

  const order = [...orderProblems(xml, root, LAYOUT_ELEMENT_ORDER, 'Layout'), ...onceProblems(xml, root)];
  if (order.length > 0) return order;
  const problems: LayoutProblem[] = sectionFieldProblems(org, object, xml, root);
  const seen = new Set<string>();
  for (const entry of root.children.filter((c) => c.local === 'relatedLists')) {
    const childOrder = orderProblems(xml, entry, RELATED_LIST_ITEM_ORDER, 'RelatedListItem');
    if (childOrder.length > 0) {
      problems.push(...childOrder);
      continue;
    }
    const name = childText(entry, 'relatedList')[0] ?? '';
    // https://github.com/certinia/apex-mdapi/issues/45: "Field: relatedLists, value:X appears more than once"
    if (seen.has(name.toLowerCase())) {
      problems.push({ problem: `Field: relatedLists, value:${name} appears more than once`, ...at(xml, entry) });
      continue;
    }
    seen.add(name.toLowerCase());
    problems.push(...relatedListProblems(org, object, xml, entry));
  }
  return problems;
}
