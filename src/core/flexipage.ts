import { inputError } from './errors.js';
import { ERRORS } from './messages.js';
import { detectEol, escapeXmlText, lineIndent } from './text-layout.js';
import { type XmlElement, locate, scanXml } from './xml-scan.js';

// Lightning record pages (FlexiPage) and the components that can show a Contact's enrollments on one.
// FlexiPage: https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_flexipage.htm
// Standard components: https://help.salesforce.com/s/articleView?id=sf.lightning_page_components.htm
// Dynamic related lists: https://help.salesforce.com/s/articleView?id=sf.dynamic_related_list_single.htm
// The FlexiPage guide documents the page's structure but not the standard components' property names. Those
// used here (relatedListApiName, parentFieldApiName, relatedListFieldAliases with NAME for the name field,
// sortFieldAlias, sortFieldOrder Ascending/Descending, maxRecordsToDisplay, relatedListLabel, showActionBar,
// actionNames, relatedListDisplayType ADVGRID) are the ones Lightning App Builder writes, as seen in pages
// retrieved into public projects (test/fixtures/real-flexipages/SOURCES.md has the standard components; the
// dynamic list's properties are as App Builder saves them in public examples): an assumption about
// undocumented names, which the simulated org enforces in the same way (simulator/mdapi/flexipage-checks.ts).

/** "Related Lists": renders the related lists of the page layout assigned to the user. */
export const LAYOUT_RELATED_LISTS = 'force:relatedListContainer';
/**
 * "Related List – Single": one related list by its relationship name, but its columns and its very presence
 * come from the page layout (Lightning App Builder warns "this related list isn't on the page layout").
 */
export const SINGLE_RELATED_LIST = 'force:relatedListSingleContainer';
/** "Dynamic Related List – Single": configured on the page itself (columns, sort, rows, actions). */
export const DYNAMIC_RELATED_LIST = 'lst:dynamicRelatedList';
/** This project's Lightning web component (force-app/main/default/lwc/contactEnrollments). */
export const ENROLLMENTS_COMPONENT = 'contactEnrollments';

/** What to add to a page that does not show Enrollments, and what an existing dynamic list must match. */
export type PageSpec = {
  component: 'dynamicRelatedList' | 'contactEnrollments';
  /** The child relationship name of the Enrollment lookup to Contact (`northpass__Enrollments__r`). */
  relationshipName: string;
  /** `Contact.Id`: the parent record the dynamic list follows. */
  parentField: string;
  fields: string[];
  sortField: string;
  sortOrder: 'Asc' | 'Desc';
  rows: number;
  /** The list's title; absent when the config names none, so a page keeps its own (a new list gets DEFAULT_LABEL). */
  label?: string;
  showActionBar: boolean;
  /** Buttons on the list's action bar (`New`); empty for none. */
  actions: string[];
  /** Properties of `contactEnrollments`, by name (its js-meta.xml design attributes). */
  componentProperties: Record<string, string>;
};

export type PageVerdict = 'layout' | 'single' | 'dynamic' | 'component' | 'missing';

/** The title of a new dynamic list when the config names none. */
export const DEFAULT_LABEL = 'Enrollments';

/** Where a component sits: its region, and the tab that shows the region when it is a tab's facet. */
export type PagePlace = { region: string; tab?: string };

export type PageFinding = {
  verdict: PageVerdict;
  /** The component that shows Enrollments (absent when none does). */
  identifier?: string;
  place?: PagePlace;
  /** For `missing`: where the page's other related lists are, which is where Enrollments goes. */
  relatedListsPlace?: PagePlace;
  /** For `dynamic`: how the list differs from the config (empty when it matches). */
  differences: string[];
  /**
   * The component that shows Enrollments has a visibility rule (Component Visibility in Lightning App Builder;
   * FlexiPage ComponentInstance.visibilityRule), so some users of the page may not see it.
   */
  conditional?: boolean;
  /** The page's region names, for choosing one in the config. */
  regions: string[];
};

type Component = {
  element: XmlElement;
  /** The `itemInstances` element holding it. */
  item: XmlElement;
  region: XmlElement;
  name: string;
  identifier: string;
  properties: Map<string, XmlElement>;
};

/**
 * `legacy`: the page is in the shape of API 48.0 and earlier, where a region lists `componentInstances` directly
 * and an array property is one comma-separated `value`. From 49.0 a region holds `itemInstances` (each a
 * `componentInstance` or a Dynamic Forms `fieldInstance`) and arrays are `valueList`s; the guide's note on
 * arrays says a FlexiPage retrieved at 49.0 or later always comes back in the new shape, so a page this
 * tool retrieves is never legacy, but a file from an older project can be. (That the region shape changed
 * in the same release is an assumption from public projects: the 48.0 ones use `componentInstances`, the
 * 49.0 ones `itemInstances`; see test/fixtures/real-flexipages/SOURCES.md.)
 */
type Page = { text: string; root: XmlElement; regions: XmlElement[]; components: Component[]; legacy: boolean };

function child(element: XmlElement, local: string): XmlElement | undefined {
  return element.children.find((c) => c.local === local);
}

function childText(element: XmlElement, local: string): string | undefined {
  return child(element, local)?.text.trim();
}

function same(a: string | undefined, b: string): boolean {
  // API names are case-insensitive in an org.
  return a !== undefined && a.toLowerCase() === b.toLowerCase();
}

function isEnrollmentsComponent(name: string): boolean {
  // An LWC of the org's own namespace is named bare or `c:name`; a packaged one `ns:name`.
  return name === ENROLLMENTS_COMPONENT || name.endsWith(`:${ENROLLMENTS_COMPONENT}`);
}

function readPage(text: string, source: string): Page {
  const { root } = scanXml(text, source);
  if (root.local !== 'FlexiPage') {
    throw inputError(ERRORS, 'NotAFlexiPage', [source, root.name], {
      data: { ...locate(text, root.start), message: `root element is ${root.name}` },
    });
  }
  const regions = root.children.filter((c) => c.local === 'flexiPageRegions');
  const components: Component[] = [];
  let legacy = false;
  for (const region of regions) {
    for (const item of region.children.filter(isItem)) {
      legacy ||= item.local === 'componentInstances';
      const element = item.local === 'componentInstances' ? item : child(item, 'componentInstance');
      if (!element) continue;
      const properties = new Map<string, XmlElement>();
      for (const p of element.children.filter((c) => c.local === 'componentInstanceProperties')) {
        const name = childText(p, 'name');
        if (name !== undefined) properties.set(name, p);
      }
      components.push({
        element,
        item,
        region,
        name: childText(element, 'componentName') ?? '',
        identifier: childText(element, 'identifier') ?? '',
        properties,
      });
    }
  }
  return { text, root, regions, components, legacy };
}

/** A region's entry: `itemInstances` (API 49.0+) or, in the legacy shape, `componentInstances`. */
function isItem(element: XmlElement): boolean {
  return element.local === 'itemInstances' || element.local === 'componentInstances';
}

function propertyValue(component: Component, name: string): string | undefined {
  const p = component.properties.get(name);
  return p ? childText(p, 'value') : undefined;
}

function propertyList(component: Component, name: string): string[] {
  const list = component.properties.get(name);
  if (!list) return [];
  const valueList = child(list, 'valueList');
  // Before API 49.0 an array is one comma-separated value.
  if (!valueList)
    return (childText(list, 'value') ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
  return valueList.children
    .filter((c) => c.local === 'valueListItems')
    .map((item) => childText(item, 'value') ?? '')
    .filter((v) => v !== '');
}

function regionName(region: XmlElement): string {
  return childText(region, 'name') ?? '';
}

/** A facet's tab: the `flexipage:tab` whose `body` property names the facet, by its `title`. */
function placeOf(page: Page, region: XmlElement): PagePlace {
  const name = regionName(region);
  const tab = page.components.find((c) => c.name === 'flexipage:tab' && propertyValue(c, 'body') === name);
  const title = tab ? propertyValue(tab, 'title') : undefined;
  return title ? { region: name, tab: title } : { region: name };
}

const SORT_ORDER = { Asc: 'Ascending', Desc: 'Descending' } as const;

type Difference = { text: string; properties: string[] };

/** How an existing dynamic related list differs from the spec, with the properties that would change. */
function dynamicDifferences(component: Component, spec: PageSpec): Difference[] {
  const differences: Difference[] = [];
  const fields = propertyList(component, 'relatedListFieldAliases');
  if (fields.join(',').toLowerCase() !== spec.fields.join(',').toLowerCase()) {
    differences.push({
      text: `columns ${fields.join(', ') || '(none)'} → ${spec.fields.join(', ')}`,
      properties: ['relatedListFieldAliases'],
    });
  }
  const sortField = propertyValue(component, 'sortFieldAlias');
  const sortOrder = propertyValue(component, 'sortFieldOrder');
  if (!same(sortField, spec.sortField) || sortOrder !== SORT_ORDER[spec.sortOrder]) {
    differences.push({
      text:
        `sort ${sortField ?? '(default)'} ${sortOrder ?? ''}`.trimEnd() +
        ` → ${spec.sortField} ${SORT_ORDER[spec.sortOrder]}`,
      properties: ['sortFieldAlias', 'sortFieldOrder'],
    });
  }
  const rows = propertyValue(component, 'maxRecordsToDisplay');
  if (rows !== String(spec.rows)) {
    differences.push({ text: `rows ${rows ?? '(default)'} → ${spec.rows}`, properties: ['maxRecordsToDisplay'] });
  }
  // The runbook's "no New button": the buttons on the list's action bar are the page's, not the layout's.
  const actions = propertyList(component, 'actionNames');
  if (actions.join(',').toLowerCase() !== spec.actions.join(',').toLowerCase()) {
    differences.push({
      text: `actions ${actions.join(', ') || '(none)'} → ${spec.actions.join(', ') || '(none)'}`,
      properties: ['actionNames'],
    });
  }
  // An assumption: without the property the action bar shows, as it does for a list App Builder just placed.
  const bar = (propertyValue(component, 'showActionBar') ?? 'true').toLowerCase() === 'true';
  if (bar !== spec.showActionBar) {
    differences.push({
      text: `action bar ${bar ? 'shown' : 'hidden'} → ${spec.showActionBar ? 'shown' : 'hidden'}`,
      properties: ['showActionBar'],
    });
  }
  if (spec.label !== undefined) {
    const label = propertyValue(component, 'relatedListLabel');
    if (label !== spec.label) {
      differences.push({ text: `label ${label ?? '(default)'} → ${spec.label}`, properties: ['relatedListLabel'] });
    }
  }
  return differences;
}

function conditional(component: Component): { conditional?: true } {
  return child(component.element, 'visibilityRule') ? { conditional: true } : {};
}

function isRelatedList(name: string): boolean {
  return name === LAYOUT_RELATED_LISTS || name === SINGLE_RELATED_LIST || name === DYNAMIC_RELATED_LIST;
}

/**
 * How a page shows Enrollments. A component for Enrollments itself (dynamic list, single list, or
 * `contactEnrollments`) wins over the layout-driven "Related Lists", which shows Enrollments only when the
 * layout does.
 */
export function findEnrollments(text: string, spec: PageSpec, source: string): PageFinding {
  return analyse(readPage(text, source), spec);
}

function analyse(page: Page, spec: PageSpec): PageFinding {
  return { ...verdictOf(page, spec), regions: page.regions.map(regionName) };
}

/**
 * The page's first related list component of this kind for Enrollments. The first match, by position, is the one
 * the verdict names and the patch reconciles: identifiers can be absent (pages saved without them).
 */
function enrollmentsList(page: Page, name: string, spec: PageSpec): Component | undefined {
  return page.components.find(
    (c) => c.name === name && same(propertyValue(c, 'relatedListApiName'), spec.relationshipName)
  );
}

function verdictOf(page: Page, spec: PageSpec): Omit<PageFinding, 'regions'> {
  const showing = (name: string, verdict: PageVerdict): Omit<PageFinding, 'regions'> | undefined => {
    const found = enrollmentsList(page, name, spec);
    if (!found) return undefined;
    return {
      verdict,
      identifier: found.identifier,
      place: placeOf(page, found.region),
      differences: verdict === 'dynamic' ? dynamicDifferences(found, spec).map((d) => d.text) : [],
      ...conditional(found),
    };
  };
  const dynamic = showing(DYNAMIC_RELATED_LIST, 'dynamic');
  if (dynamic) return dynamic;
  const component = page.components.find((c) => isEnrollmentsComponent(c.name));
  if (component) {
    return {
      verdict: 'component',
      identifier: component.identifier,
      place: placeOf(page, component.region),
      differences: [],
      ...conditional(component),
    };
  }
  const single = showing(SINGLE_RELATED_LIST, 'single');
  if (single) return single;
  const lists = page.components.filter((c) => isRelatedList(c.name));
  const layout = lists.find((c) => c.name === LAYOUT_RELATED_LISTS);
  if (layout) {
    return {
      verdict: 'layout',
      identifier: layout.identifier,
      place: placeOf(page, layout.region),
      differences: [],
      ...conditional(layout),
    };
  }
  return {
    verdict: 'missing',
    ...(lists[0] ? { relatedListsPlace: placeOf(page, lists[0].region) } : {}),
    differences: [],
  };
}

export type PagePatch = { xml: string; changed: boolean; changes: string[]; finding: PageFinding };

type Style = { eol: string; unit: string; prefix: string };

function styleOf(page: Page): Style {
  const { text, root } = page;
  let unit: string | undefined;
  for (const region of page.regions) {
    const outer = lineIndent(text, region.start);
    const inner = region.children[0] ? lineIndent(text, region.children[0].start) : undefined;
    if (outer !== undefined && inner !== undefined && inner.startsWith(outer) && inner.length > outer.length) {
      unit = inner.slice(outer.length);
      break;
    }
  }
  const colon = root.name.indexOf(':');
  return { eol: detectEol(text), unit: unit ?? '    ', prefix: colon < 0 ? '' : root.name.slice(0, colon + 1) };
}

type Node = { name: string; value?: string; children?: Node[] };

function render(style: Style, node: Node, indent: string): string {
  const tag = `${style.prefix}${node.name}`;
  if (node.children === undefined) {
    return node.value === undefined ? `<${tag}/>` : `<${tag}>${escapeXmlText(node.value)}</${tag}>`;
  }
  const inner = node.children.map((c) => `${style.eol}${indent}${style.unit}${render(style, c, indent + style.unit)}`);
  return `<${tag}>${inner.join('')}${style.eol}${indent}</${tag}>`;
}

function property(name: string, value: string | string[] | undefined): Node {
  if (value === undefined) return { name: 'componentInstanceProperties', children: [{ name: 'name', value: name }] };
  if (typeof value === 'string') {
    return {
      name: 'componentInstanceProperties',
      children: [
        { name: 'name', value: name },
        { name: 'value', value },
      ],
    };
  }
  return {
    name: 'componentInstanceProperties',
    children: [{ name: 'name', value: name }, valueList(value)],
  };
}

function valueList(values: string[]): Node {
  return {
    name: 'valueList',
    children: values.map((v) => ({ name: 'valueListItems', children: [{ name: 'value', value: v }] })),
  };
}

/** The dynamic list's properties, sorted by name as Lightning App Builder saves them. */
function dynamicProperties(spec: PageSpec): Array<[string, string | string[] | undefined]> {
  return [
    ['actionNames', spec.actions.length > 0 ? spec.actions : undefined],
    ['maxRecordsToDisplay', String(spec.rows)],
    ['parentFieldApiName', spec.parentField],
    ['relatedListApiName', spec.relationshipName],
    ['relatedListDisplayType', 'ADVGRID'],
    ['relatedListFieldAliases', spec.fields],
    ['relatedListLabel', spec.label ?? DEFAULT_LABEL],
    ['showActionBar', String(spec.showActionBar)],
    ['sortFieldAlias', spec.sortField],
    ['sortFieldOrder', SORT_ORDER[spec.sortOrder]],
  ];
}

function uniqueIdentifier(page: Page, base: string): string {
  const taken = new Set(page.components.map((c) => c.identifier));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n += 1) if (!taken.has(`${base}${n}`)) return `${base}${n}`;
}

function newItem(page: Page, spec: PageSpec): Node {
  const dynamic = spec.component === 'dynamicRelatedList';
  const properties = dynamic
    ? dynamicProperties(spec)
    : Object.entries(spec.componentProperties).sort(([a], [b]) => a.localeCompare(b));
  const identifier = dynamic
    ? uniqueIdentifier(page, 'lst_dynamicRelatedList_enrollments')
    : uniqueIdentifier(page, ENROLLMENTS_COMPONENT);
  const componentName = { name: 'componentName', value: dynamic ? DYNAMIC_RELATED_LIST : ENROLLMENTS_COMPONENT };
  if (page.legacy) {
    // The legacy shape has no identifiers and writes an array as one comma-separated value.
    const legacyProperties = properties.map(([name, value]) =>
      property(name, Array.isArray(value) ? value.join(',') : value)
    );
    return { name: 'componentInstances', children: [...legacyProperties, componentName] };
  }
  return {
    name: 'itemInstances',
    children: [
      {
        name: 'componentInstance',
        children: [
          ...properties.map(([name, value]) => property(name, value)),
          componentName,
          { name: 'identifier', value: identifier },
        ],
      },
    ],
  };
}

type Splice = { at: number; end: number; text: string };

function applySplices(text: string, splices: Splice[]): string {
  let out = text;
  for (const s of [...splices].sort((a, b) => b.at - a.at)) out = out.slice(0, s.at) + s.text + out.slice(s.end);
  return out;
}

/** Inserts a whole element after `after` (or before `before`), on its own line, indented like its sibling. */
function insertion(page: Page, style: Style, node: Node, sibling: XmlElement, where: 'after' | 'before'): Splice {
  const indent = lineIndent(page.text, sibling.start);
  const rendered = render(style, node, indent ?? '');
  if (indent === undefined) {
    const at = where === 'after' ? sibling.end : sibling.start;
    return { at, end: at, text: rendered };
  }
  if (where === 'after') return { at: sibling.end, end: sibling.end, text: `${style.eol}${indent}${rendered}` };
  return { at: sibling.start, end: sibling.start, text: `${rendered}${style.eol}${indent}` };
}

/** Sets a dynamic list's property to the spec's value, touching only that property. */
function reconcileProperty(
  page: Page,
  style: Style,
  component: Component,
  name: string,
  value: string | string[] | undefined
): Splice | undefined {
  const existing = component.properties.get(name);
  if (existing) {
    if (value === undefined) {
      // No value (no buttons): the property stays, with its name only, as App Builder writes an empty list.
      if (!child(existing, 'value') && !child(existing, 'valueList')) return undefined;
      const indent = lineIndent(page.text, existing.start) ?? '';
      return { at: existing.start, end: existing.end, text: render(style, property(name, undefined), indent) };
    }
    if (typeof value === 'string') {
      const v = child(existing, 'value');
      if (v?.text.trim() === value) return undefined;
      if (v) return { at: v.openEnd, end: v.closeStart, text: escapeXmlText(value) };
      return insertion(page, style, { name: 'value', value }, child(existing, 'name') ?? existing, 'after');
    }
    const list = child(existing, 'valueList');
    if (propertyList(component, name).join('\n') === value.join('\n')) return undefined;
    const single = child(existing, 'value');
    if (!list && single) return { at: single.openEnd, end: single.closeStart, text: escapeXmlText(value.join(',')) };
    const indent = lineIndent(page.text, (list ?? existing).start) ?? '';
    if (list) return { at: list.start, end: list.end, text: render(style, valueList(value), indent) };
    return insertion(page, style, valueList(value), child(existing, 'name') ?? existing, 'after');
  }
  if (value === undefined) return undefined;
  // A missing property goes where its name sorts among the others, before componentName at the latest.
  const next =
    [...component.properties].find(([other]) => other.localeCompare(name) > 0)?.[1] ??
    child(component.element, 'componentName') ??
    component.element.children[0];
  if (!next) return undefined;
  return insertion(page, style, property(name, value), next, 'before');
}

function lineOf(page: Page, element: XmlElement): number {
  return locate(page.text, element.start).line;
}

/** A configured region: `explicit` for the page's own entry (always used), else a fallback for pages with no related lists. */
export type RegionChoice = { region: string; explicit: boolean };

/**
 * Makes the page show Enrollments: reconciles an existing dynamic related list with the spec, or adds the
 * configured component to the region that holds the page's other related lists (or the configured region).
 * Every other byte of the file stays as it was; a page that already shows Enrollments is unchanged.
 */
export function patchPage(text: string, spec: PageSpec, source: string, choice?: RegionChoice): PagePatch {
  const page = readPage(text, source);
  const finding = analyse(page, spec);
  const style = styleOf(page);
  if (finding.verdict === 'dynamic' && finding.differences.length > 0 && spec.component === 'dynamicRelatedList') {
    const component = enrollmentsList(page, DYNAMIC_RELATED_LIST, spec) as Component;
    const wanted = new Map(dynamicProperties(spec));
    // Only the properties that differ change, so a page saved without an optional property keeps that form.
    const splices = dynamicDifferences(component, spec)
      .flatMap((d) => d.properties)
      .map((name) => reconcileProperty(page, style, component, name, wanted.get(name)))
      .filter((s): s is Splice => s !== undefined);
    return {
      xml: applySplices(text, splices),
      changed: splices.length > 0,
      changes: finding.differences.map((d) => `${finding.identifier} (line ${lineOf(page, component.element)}): ${d}`),
      finding,
    };
  }
  if (finding.verdict !== 'missing') return { xml: text, changed: false, changes: [], finding };
  const target = choice?.explicit ? choice.region : (finding.relatedListsPlace?.region ?? choice?.region);
  if (target === undefined) {
    throw inputError(ERRORS, 'PageRegionUnknown', [source], { data: { file: source } });
  }
  const element = page.regions.find((r) => regionName(r) === target);
  if (!element) {
    throw inputError(ERRORS, 'PageRegionNotFound', [source, target, page.regions.map(regionName).join(', ')], {
      data: { file: source, region: target },
    });
  }
  // Beside the other related lists when the region has them, else after the region's last component.
  const items = element.children.filter(isItem);
  const lastList = page.components.filter((c) => c.region === element && isRelatedList(c.name)).at(-1)?.item;
  const after = lastList ?? items.at(-1);
  const node = newItem(page, spec);
  // An empty region gets its first component before `mode`/`name` (FlexiPageRegion: appendable, itemInstances,
  // mode, name, type).
  const first = element.children.find((c) => c.local !== 'appendable') ?? element.children[0];
  const splice = after ? insertion(page, style, node, after, 'after') : insertion(page, style, node, first, 'before');
  const xml = applySplices(text, [splice]);
  const what = spec.component === 'dynamicRelatedList' ? 'a Dynamic Related List – Single' : ENROLLMENTS_COMPONENT;
  const tab = placeOf(page, element).tab;
  return {
    xml,
    changed: true,
    changes: [`add ${what} for ${spec.relationshipName} to region ${target}${tab ? ` (tab ${tab})` : ''}`],
    finding,
  };
}
