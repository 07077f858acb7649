// What a real org checks when a Lightning page (FlexiPage) or a View override is deployed, limited to the rules
// this project depends on. Each rule cites where its behaviour (and, where known, its wording) comes from.
// FlexiPage: https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_flexipage.htm
import type { XmlElement } from '../../src/core/xml-scan.js';
import type { OrgState } from '../org-state.js';
import type { LightningComponent } from '../types.js';
import { type LayoutProblem, METADATA_NS, at, parseComponent } from './layout-checks.js';

/**
 * Namespaces of Salesforce's own Lightning components (force:, flexipage:, lst:, runtime_sales_…:), as they
 * appear in public pages (test/fixtures/real-flexipages). An assumption: no document lists them, so the
 * simulated org accepts any component of these namespaces, while a component of any other namespace must be
 * in the org.
 */
const STANDARD_NAMESPACE =
  /^(force|flexipage|lst|forceChatter|forceCommunity|forceKnowledge|lightning|console|record_flexipage|runtime_[a-z_]+|wits|interaction_explorer|sfa|support|analytics|wave|flowruntime)$/;

/**
 * Properties of the related list components as Lightning App Builder writes them in public FlexiPage XML
 * (test/fixtures/real-flexipages for the single list; the dynamic list's are those App Builder saves, see
 * src/core/flexipage.ts): an assumption that these are all of them. A property outside these fails as a real org
 * fails an unknown one:
 * `Invalid property [hideUpdateButton] in component [runtime_sales_pathassistant:pathAssistant]`
 * (https://github.com/trailheadapps/dreamhouse-sfdx/issues/4).
 */
const STANDARD_PROPERTIES: Record<string, string[]> = {
  'force:relatedListSingleContainer': [
    'parentFieldApiName',
    'relatedListApiName',
    'relatedListComponentOverride',
    'rowsToDisplay',
    'showActionBar',
  ],
  'lst:dynamicRelatedList': [
    'actionNames',
    'adminFilters',
    'maxRecordsToDisplay',
    'parentFieldApiName',
    'relatedListApiName',
    'relatedListDisplayType',
    'relatedListFieldAliases',
    'relatedListLabel',
    'showActionBar',
    'sortFieldAlias',
    'sortFieldOrder',
  ],
};

/**
 * WSDL sequences of FlexiPageRegion and ComponentInstance, as the Metadata API guide's field tables list them
 * (alphabetical, which is the WSDL order); `componentInstances` is the region's list before API 49.0 and
 * `itemInstances` after (jsforce's schema of the older API has componentInstances, mode, name, prependable,
 * replaceable, type).
 */
const SEQUENCES: Record<string, string[]> = {
  FlexiPageRegion: [
    'appendable',
    'componentInstances',
    'itemInstances',
    'mode',
    'name',
    'prependable',
    'replaceable',
    'type',
  ],
  ComponentInstance: ['componentInstanceProperties', 'componentName', 'identifier', 'visibilityRule'],
};

function text(element: XmlElement, local: string): string | undefined {
  return element.children.find((c) => c.local === local)?.text.trim();
}

/**
 * Elements out of sequence fail schema validation:
 * `Element {http://soap.sforce.com/2006/04/metadata}componentName invalid at this location in type FlexiPageRegion`
 * (https://github.com/SFDO-Community/TractionThrive-archived-/pull/135).
 */
function sequenceProblem(xml: string, element: XmlElement, type: string): LayoutProblem | undefined {
  const order = SEQUENCES[type];
  let rank = -1;
  for (const c of element.children) {
    const next = order.indexOf(c.local);
    if (next < 0 || next < rank) {
      return { problem: `Element ${METADATA_NS}${c.local} invalid at this location in type ${type}`, ...at(xml, c) };
    }
    rank = next;
  }
  return undefined;
}

/** The custom component the org holds under this page name (bare, `c:name` or `ns:name`), if any. */
function customComponent(org: OrgState, name: string, deployed: LightningComponent[]): LightningComponent | undefined {
  const colon = name.indexOf(':');
  const bare = colon < 0 ? name : name.slice(colon + 1);
  const ns = colon < 0 ? 'c' : name.slice(0, colon);
  const same = (c: LightningComponent): boolean => c.name === bare && (c.namespace ?? 'c') === ns;
  return deployed.find(same) ?? org.lightningComponents.find(same);
}

/** Lightning page types (FlexiPage `type`) and the component target each needs. */
const PAGE_TARGETS: Record<string, string> = {
  RecordPage: 'lightning__RecordPage',
  AppPage: 'lightning__AppPage',
  HomePage: 'lightning__HomePage',
  UtilityBar: 'lightning__UtilityBar',
};

/**
 * A deployed bundle can be placed only where its configuration file allows: exposed (`isExposed`), with the page's
 * type among its targets, and on a record page of one of its `objects` when it lists them (XML Configuration File
 * Elements; lightning__RecordPage Target). The wording of these refusals is an assumption.
 */
function placementProblems(component: LightningComponent, name: string, pageType: string, object: string): string[] {
  if (component.targets === undefined) return [];
  if (component.exposed === false)
    return [`Component [${name}] isn't exposed (isExposed is false) and can't be placed on a Lightning page`];
  const target = PAGE_TARGETS[pageType];
  if (target && !component.targets.includes(target))
    return [`Component [${name}] doesn't support the page type ${pageType} (no ${target} target)`];
  if (pageType === 'RecordPage' && component.objects && object && !component.objects.includes(object)) {
    return [
      `Component [${name}] isn't available for ${object} record pages (objects: ${component.objects.join(', ')})`,
    ];
  }
  return [];
}

function componentProblems(
  org: OrgState,
  page: { object: string; type: string },
  xml: string,
  element: XmlElement,
  deployed: LightningComponent[]
): LayoutProblem[] {
  const object = page.object;
  const order = sequenceProblem(xml, element, 'ComponentInstance');
  if (order) return [order];
  const name = text(element, 'componentName') ?? '';
  const colon = name.indexOf(':');
  const standard = colon > 0 && STANDARD_NAMESPACE.test(name.slice(0, colon));
  const custom = standard ? undefined : customComponent(org, name, deployed);
  if (!standard && !custom) {
    // https://github.com/trailheadapps/lwc-recipes/issues/5, https://github.com/forcedotcom/cli/issues/2893
    return [
      {
        problem: `We couldn't retrieve the design time component information for component ${name}.`,
        ...at(xml, element),
      },
    ];
  }
  const placement = custom ? placementProblems(custom, name, page.type, object) : [];
  if (placement.length > 0) return placement.map((problem) => ({ problem, ...at(xml, element) }));
  const allowed = standard ? STANDARD_PROPERTIES[name] : custom?.properties;
  const problems: LayoutProblem[] = [];
  for (const p of element.children.filter((c) => c.local === 'componentInstanceProperties')) {
    const property = text(p, 'name') ?? '';
    if (allowed && !allowed.includes(property)) {
      problems.push({ problem: `Invalid property [${property}] in component [${name}]`, ...at(xml, p) });
    }
    const list = text(p, 'value') ?? '';
    // Standard relationships (Cases, Opportunities, …) are built in and not modelled here; custom ones end in __r.
    if (property !== 'relatedListApiName' || !STANDARD_PROPERTIES[name] || !list.endsWith('__r')) continue;
    // An assumption (no recorded response): a related list the object does not have is refused in the same
    // style as an unknown property.
    const known = org.childRelationships(object).some((r) => r.relationshipName?.toLowerCase() === list.toLowerCase());
    if (!known) {
      problems.push({ problem: `Invalid related list [${list}] in component [${name}] for ${object}`, ...at(xml, p) });
    }
  }
  return problems;
}

/**
 * Everything wrong with one deployed FlexiPage, in the order a real org would report it; empty when fine.
 * `deployed`: the Lightning web components of the same deploy, which the page may place.
 */
export function checkFlexiPage(
  org: OrgState,
  fullName: string,
  xml: string,
  deployed: LightningComponent[] = []
): LayoutProblem[] {
  const parsed = parseComponent(xml, fullName);
  if ('problems' in parsed) return parsed.problems;
  const { root } = parsed;
  if (root.local !== 'FlexiPage') {
    return [
      { problem: `Element ${METADATA_NS}${root.local} invalid at this location in type FlexiPage`, ...at(xml, root) },
    ];
  }
  const object = text(root, 'sobjectType') ?? '';
  const type = text(root, 'type') ?? '';
  // An assumption (no recorded response): a page for an object the org does not have is refused with this text.
  if (object && !org.getObject(object)) return [{ problem: `Cannot find object: ${object}` }];
  const problems: LayoutProblem[] = [];
  for (const region of root.children.filter((c) => c.local === 'flexiPageRegions')) {
    const order = sequenceProblem(xml, region, 'FlexiPageRegion');
    if (order) {
      problems.push(order);
      continue;
    }
    for (const item of region.children) {
      // A legacy region lists its components directly; a newer one wraps each in itemInstances.
      const component =
        item.local === 'componentInstances'
          ? item
          : item.local === 'itemInstances'
            ? item.children.find((c) => c.local === 'componentInstance')
            : undefined;
      if (component) problems.push(...componentProblems(org, { object, type }, xml, component, deployed));
    }
  }
  return problems;
}

/**
 * A View override must name a FlexiPage the org has (or one deployed with it):
 * `X does not exist or is not a valid override for action View.` (wording seen in deploy output quoted in
 * https://github.com/SFDO-Community/TractionThrive-archived-/pull/135 for action Tab).
 */
export function checkOverrides(org: OrgState, xml: string, fullName: string, deployed: Set<string>): LayoutProblem[] {
  const parsed = parseComponent(xml, fullName);
  if ('problems' in parsed) return parsed.problems;
  const problems: LayoutProblem[] = [];
  for (const o of parsed.root.children.filter(
    (c) => c.local === 'actionOverrides' || c.local === 'profileActionOverrides'
  )) {
    if (text(o, 'type') !== 'Flexipage') continue;
    const page = text(o, 'content') ?? '';
    if (org.getMetadata('FlexiPage', page) || deployed.has(page)) continue;
    problems.push({
      problem: `${page} does not exist or is not a valid override for action ${text(o, 'actionName') ?? 'View'}.`,
      ...at(xml, o),
    });
  }
  return problems;
}
