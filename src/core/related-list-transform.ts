import type { SortOrder } from './config.js';
import { LAYOUT_ELEMENT_ORDER, RELATED_LIST_ITEM_ORDER, findOrderProblem } from './layout-schema.js';
import {
  blankRestOfLine,
  commentedRestOfLine,
  detectEol,
  escapeXmlText,
  lineIndent,
  lineStart,
  spansLines,
} from './text-layout.js';
import { type XmlElement, locate, scanXml } from './xml-scan.js';
import { ERRORS } from './messages.js';
import { inputError } from './errors.js';

/** The related list a layout must carry, as the Metadata API's `RelatedListItem` spells it. */
export type RelatedListSpec = {
  /** `<ChildObject>.<LookupField>` for a custom child (`ns__Enrollment__c.ns__Contact__c`). */
  relatedList: string;
  /** Columns, in display order. */
  fields: string[];
  sortField?: string;
  sortOrder?: SortOrder;
  /** Standard buttons to hide (`New`). */
  excludeButtons: string[];
  customButtons?: string[];
};

export type LayoutChangeKind =
  'added' | 'fields' | 'sort' | 'excludeButtons' | 'customButtons' | 'order' | 'duplicateRemoved' | 'commentsDropped';

/**
 * One thing the transform changed. `line` is where the entry starts in the new text (for `duplicateRemoved`,
 * where the removed entry started in the old text). `before`/`after` hold values for the kinds that have them.
 */
export type LayoutChange = {
  kind: LayoutChangeKind;
  message: string;
  line: number;
  before?: string[];
  after?: string[];
};

export type RelatedListResult = { xml: string; changed: boolean; changes: LayoutChange[] };

type Child = { local: string; value: string; raw: string; rank: number };

type Style = {
  eol: string;
  /** Whether the root's children sit on lines of their own. */
  pretty: boolean;
  /** Indentation of a top-level element's line. */
  indent: string;
  /** One level of indentation, as the file uses it. */
  unit: string;
  prefix: string;
};

const RELATED_LISTS_RANK = LAYOUT_ELEMENT_ORDER.indexOf('relatedLists');

function childValue(element: XmlElement, local: string): string | undefined {
  return element.children.find((c) => c.local === local)?.text.trim();
}

function sameName(a: string | undefined, b: string): boolean {
  // API names are case-insensitive in an org; match the way the org would, keep the file's spelling.
  return a !== undefined && a.toLowerCase() === b.toLowerCase();
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function detectStyle(text: string, root: XmlElement): Style {
  const eol = detectEol(text);
  const pretty =
    root.children.length === 0
      ? spansLines(text, root.openEnd, root.closeStart)
      : spansLines(text, root.openEnd, root.children[0].start);
  let indent: string | undefined;
  let inner: string | undefined;
  for (const element of root.children) {
    indent ??= lineIndent(text, element.start);
    for (const child of element.children) {
      const candidate = lineIndent(text, child.start);
      const parent = lineIndent(text, element.start);
      if (
        inner === undefined &&
        candidate !== undefined &&
        parent !== undefined &&
        candidate.startsWith(parent) &&
        candidate.length > parent.length
      ) {
        inner = candidate.slice(parent.length);
      }
    }
    if (indent !== undefined && inner !== undefined) break;
  }
  const unit = inner ?? (indent ? indent : '    ');
  const colon = root.name.indexOf(':');
  return { eol, pretty, indent: indent ?? unit, unit, prefix: colon < 0 ? '' : root.name.slice(0, colon + 1) };
}

function render(style: Style, local: string, value: string): string {
  const name = `${style.prefix}${local}`;
  return `<${name}>${escapeXmlText(value)}</${name}>`;
}

/** The text of a `relatedLists` element with these children, laid out like the file. */
function renderEntry(style: Style, pretty: boolean, ownIndent: string, childIndent: string, children: Child[]): string {
  const name = `${style.prefix}relatedLists`;
  if (!pretty) return `<${name}>${children.map((c) => c.raw).join('')}</${name}>`;
  const lines = children.map((c) => `${style.eol}${childIndent}${c.raw}`).join('');
  return `<${name}>${lines}${style.eol}${ownIndent}</${name}>`;
}

function rankOf(local: string): number {
  return RELATED_LIST_ITEM_ORDER.indexOf(local);
}

/** Children for a brand-new entry, in schema order. */
function newChildren(style: Style, spec: RelatedListSpec): Child[] {
  const make = (local: string, value: string): Child => ({
    local,
    value,
    raw: render(style, local, value),
    rank: rankOf(local),
  });
  return [
    ...unique(spec.customButtons ?? []).map((v) => make('customButtons', v)),
    ...unique(spec.excludeButtons).map((v) => make('excludeButtons', v)),
    ...unique(spec.fields).map((v) => make('fields', v)),
    make('relatedList', spec.relatedList),
    ...(spec.sortField === undefined ? [] : [make('sortField', spec.sortField)]),
    ...(spec.sortOrder === undefined ? [] : [make('sortOrder', spec.sortOrder)]),
  ];
}

function existingChildren(text: string, entry: XmlElement): Child[] {
  let previousRank = -1;
  return entry.children.map((c) => {
    const known = rankOf(c.local);
    // An element this tool does not know stays right after the known element it followed.
    const rank = known >= 0 ? known : previousRank + 0.5;
    if (known >= 0) previousRank = known;
    return { local: c.local, value: c.text.trim(), raw: text.slice(c.start, c.end), rank };
  });
}

/**
 * What an existing entry should hold. Reconciliation keeps what an admin may have chosen on purpose and the
 * spec does not speak to: extra excluded or custom buttons, quick actions, unknown elements. It replaces what
 * the spec does define: the columns (exactly the spec's, in its order) and the sort.
 */
function reconciledChildren(style: Style, spec: RelatedListSpec, existing: Child[]): Child[] {
  const make = (local: string, value: string): Child => {
    const same = existing.find((c) => c.local === local && c.value === value);
    return same ?? { local, value, raw: render(style, local, value), rank: rankOf(local) };
  };
  const of = (local: string): Child[] => existing.filter((c) => c.local === local);
  const union = (local: string, wanted: readonly string[]): Child[] => {
    const kept = of(local);
    const have = new Set(kept.map((c) => c.value));
    return [
      ...kept,
      ...unique(wanted)
        .filter((v) => !have.has(v))
        .map((v) => make(local, v)),
    ];
  };
  const desired = [
    ...union('customButtons', spec.customButtons ?? []),
    ...union('excludeButtons', spec.excludeButtons),
    ...unique(spec.fields).map((v) => make('fields', v)),
    ...of('quickActions'),
    ...of('relatedList'),
    ...(spec.sortField === undefined ? of('sortField') : [make('sortField', spec.sortField)]),
    ...(spec.sortOrder === undefined ? of('sortOrder') : [make('sortOrder', spec.sortOrder)]),
    ...existing.filter((c) => rankOf(c.local) < 0),
  ];
  // Array.prototype.sort is stable, so equal ranks keep the order built above.
  return desired.sort((a, b) => a.rank - b.rank);
}

function values(children: Child[], local: string): string[] {
  return children.filter((c) => c.local === local).map((c) => c.value);
}

/** `+Added, -Removed` when the set of columns changes, else `reordered: A, B, C`. */
function describeColumns(before: string[], after: string[]): string {
  const added = after.filter((f) => !before.includes(f)).map((f) => `+${f}`);
  const removed = before.filter((f) => !after.includes(f)).map((f) => `-${f}`);
  return added.length + removed.length > 0 ? [...added, ...removed].join(', ') : `reordered: ${after.join(', ')}`;
}

function describeChanges(
  spec: RelatedListSpec,
  before: Child[],
  after: Child[],
  line: number,
  hasComments: boolean
): LayoutChange[] {
  const changes: LayoutChange[] = [];
  const list = spec.relatedList;
  const fieldsBefore = values(before, 'fields');
  const fieldsAfter = values(after, 'fields');
  if (fieldsBefore.join('\n') !== fieldsAfter.join('\n')) {
    changes.push({
      kind: 'fields',
      line,
      before: fieldsBefore,
      after: fieldsAfter,
      message: `${list}: columns ${describeColumns(fieldsBefore, fieldsAfter)}`,
    });
  }
  const sortBefore = [...values(before, 'sortField'), ...values(before, 'sortOrder')];
  const sortAfter = [...values(after, 'sortField'), ...values(after, 'sortOrder')];
  if (sortBefore.join('\n') !== sortAfter.join('\n')) {
    changes.push({
      kind: 'sort',
      line,
      before: sortBefore,
      after: sortAfter,
      message: `${list}: sort ${sortBefore.join(' ') || '(none)'} → ${sortAfter.join(' ')}`,
    });
  }
  for (const kind of ['excludeButtons', 'customButtons'] as const) {
    const had = values(before, kind);
    const added = values(after, kind).filter((v) => !had.includes(v));
    if (added.length > 0) {
      const what = kind === 'excludeButtons' ? 'hides' : 'shows';
      changes.push({
        kind,
        line,
        before: had,
        after: values(after, kind),
        message: `${list}: now ${what} ${added.join(', ')}`,
      });
    }
  }
  const problem = findOrderProblem(
    before.filter((c) => c.rank % 1 === 0).map((c) => c.local),
    RELATED_LIST_ITEM_ORDER
  );
  if (problem) {
    changes.push({
      kind: 'order',
      line,
      before: before.map((c) => c.local),
      after: after.map((c) => c.local),
      message: `${list}: children put in schema order (${problem.message})`,
    });
  }
  if (hasComments) {
    changes.push({
      kind: 'commentsDropped',
      line,
      message: `${list}: comments inside the rewritten entry were dropped`,
    });
  }
  return changes;
}

type Splice = { from: number; to: number; insert: string };

function applySplices(text: string, splices: Splice[]): string {
  let out = text;
  for (const s of [...splices].sort((a, b) => b.from - a.from)) out = out.slice(0, s.from) + s.insert + out.slice(s.to);
  return out;
}

/** The range that removes an element together with its own line, when it has one. */
function wholeLines(text: string, element: XmlElement): { from: number; to: number } {
  const indent = lineIndent(text, element.start);
  const lineBreak = blankRestOfLine(text, element.end);
  if (indent === undefined || lineBreak === undefined) return { from: element.start, to: element.end };
  const to = text.startsWith('\r\n', lineBreak) ? lineBreak + 2 : lineBreak + 1;
  return { from: lineStart(text, element.start), to };
}

function insertEntry(text: string, root: XmlElement, style: Style, spec: RelatedListSpec): RelatedListResult {
  const top = root.children;
  const children = newChildren(style, spec);
  const last = top.filter((e) => e.local === 'relatedLists').at(-1);
  let splice: Splice;
  let entryStart: number;
  if (last) {
    // After the last top-level entry: where Salesforce itself puts a newly added related list.
    const indent = lineIndent(text, last.start) ?? style.indent;
    const block = renderEntry(style, style.pretty, indent, indent + style.unit, children);
    // A comment on the same line as the last entry's end stays with it: the new entry goes after the line.
    const at = style.pretty ? (commentedRestOfLine(text, last.end) ?? last.end) : last.end;
    const lead = style.pretty ? `${style.eol}${indent}` : '';
    splice = { from: at, to: at, insert: `${lead}${block}` };
    entryStart = at + lead.length;
  } else {
    // No entry yet: before the first element the schema puts after relatedLists, else before </Layout>.
    const next = top.find((e) => LAYOUT_ELEMENT_ORDER.indexOf(e.local) > RELATED_LISTS_RANK);
    const anchor = next?.start ?? root.closeStart;
    const ownLine = style.pretty && lineIndent(text, anchor) !== undefined;
    const indent = next ? (lineIndent(text, anchor) ?? style.indent) : style.indent;
    const block = renderEntry(style, style.pretty, indent, indent + style.unit, children);
    const at = ownLine ? lineStart(text, anchor) : anchor;
    const lead = ownLine ? indent : '';
    splice = { from: at, to: at, insert: `${lead}${block}${ownLine ? style.eol : ''}` };
    entryStart = at + lead.length;
  }
  const xml = applySplices(text, [splice]);
  const line = locate(xml, entryStart).line;
  return {
    xml,
    changed: true,
    changes: [
      {
        kind: 'added',
        line,
        after: children.map((c) => c.local),
        message: `added ${spec.relatedList} at line ${line}`,
      },
    ],
  };
}

function reconcileEntry(
  text: string,
  style: Style,
  spec: RelatedListSpec,
  entry: XmlElement,
  duplicates: XmlElement[]
): RelatedListResult {
  const before = existingChildren(text, entry);
  const after = reconciledChildren(style, spec, before);
  const key = (children: Child[]): string => children.map((c) => `${c.local}\u0000${c.value}`).join('\u0001');
  const splices: Splice[] = [];
  const changes: LayoutChange[] = [];
  const line = locate(text, entry.start).line;
  if (key(before) !== key(after)) {
    const pretty = spansLines(text, entry.openEnd, entry.closeStart) || (entry.children.length === 0 && style.pretty);
    const ownIndent = lineIndent(text, entry.start) ?? style.indent;
    const firstChild = entry.children[0];
    const childIndent = (firstChild && lineIndent(text, firstChild.start)) || ownIndent + style.unit;
    splices.push({
      from: entry.start,
      to: entry.end,
      insert: renderEntry(style, pretty, ownIndent, childIndent, after),
    });
    changes.push(...describeChanges(spec, before, after, line, entry.hasComments));
  }
  for (const duplicate of duplicates) {
    splices.push({ ...wholeLines(text, duplicate), insert: '' });
    changes.push({
      kind: 'duplicateRemoved',
      line: locate(text, duplicate.start).line,
      message: `removed a second ${spec.relatedList} entry (line ${locate(text, duplicate.start).line} of the input)`,
    });
  }
  if (splices.length === 0) return { xml: text, changed: false, changes: [] };
  return { xml: applySplices(text, splices), changed: true, changes };
}

/**
 * Puts one related list on a page layout, changing only that element. A missing entry is inserted after the
 * last top-level `relatedLists` (or at its schema position); an existing top-level entry is reconciled to the
 * spec instead of being duplicated. Entries inside `miniLayout` and in comments do not count. Every byte
 * outside the changed element is kept: indentation, line endings, comments, the final newline or its
 * absence. Applying the same spec to the result changes nothing.
 */
export function applyRelatedList(xml: string, spec: RelatedListSpec, source = 'the layout'): RelatedListResult {
  const { root } = scanXml(xml, source);
  if (root.local !== 'Layout') {
    throw inputError(ERRORS, 'NotALayout', [source, root.name], {
      data: { ...locate(xml, root.start), message: `root element ${root.name}` },
    });
  }
  if (root.openEnd === root.end) {
    throw inputError(ERRORS, 'EmptyLayout', [source], {
      data: { ...locate(xml, root.start), message: 'empty layout' },
    });
  }
  const style = detectStyle(xml, root);
  const matches = root.children.filter(
    (e) => e.local === 'relatedLists' && sameName(childValue(e, 'relatedList'), spec.relatedList)
  );
  if (matches.length === 0) return insertEntry(xml, root, style, spec);
  return reconcileEntry(xml, style, spec, matches[0], matches.slice(1));
}
