import { Messages } from '@salesforce/core/messages';
import type { CeConfig } from './config.js';
import { inputError } from './errors.js';
import { describeRule } from './permset-plan.js';
import { ERRORS } from './messages.js';
import { detectEol, escapeXmlText, lineIndent, lineStart } from './text-layout.js';
import { type XmlElement, scanXml } from './xml-scan.js';

/**
 * The Northpass Standard User assignments as Salesforce metadata: a User Access Policy (Metadata API type
 * UserAccessPolicy, API 57.0+, folder `useraccesspolicies`, suffix `useraccesspolicy`, as SDR's registry names it)
 * that grants the permission set to users who match the `permissionSet.assignees` rules a policy can hold.
 * https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_useraccesspolicy.htm
 *
 * What a policy can and cannot do decides the split: its filters match profiles, permission sets, permission set
 * groups and User fields (operations equals, notEquals, in, equalsIgnoreCase and includes; ce-connect writes equals
 * only), combined by `booleanFilter`; it applies to users when
 * they are created or updated (`triggerType`), never to the users already there without an admin's click in
 * Setup, and the assignments it makes carry no expiration date. So username rules and every rule with an
 * expiration stay in config only (named in the policy's description), and `permsets apply` keeps assigning
 * existing users from the same rules. A deployed policy always lands in Design status; an admin activates it in
 * Setup, choosing its `order` (needed only for an Active policy), which is why `status` and `order` belong to the
 * org, not to the comparison with config. Pure: callers read and write the files and the org.
 */
Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const TEXT = Messages.loadMessages('ce-connect', 'access');

/** The policy's API name (fullName) and the file that holds it in the project. */
export const POLICY_NAME = 'Northpass_Standard_User';
export const POLICY_FOLDER = 'useraccesspolicies';
export const POLICY_SUFFIX = 'useraccesspolicy';
export const POLICY_PATH = `main/default/${POLICY_FOLDER}/${POLICY_NAME}.${POLICY_SUFFIX}-meta.xml`;

/** The namespace token of the project's source-tracked metadata, filled from CE_NAMESPACE at deploy time. */
export const NAMESPACE_TOKEN = '%%%NAMESPACE%%%';

export type PolicyFilter = {
  sortOrder: number;
  type: string;
  operation: string;
  target: string;
  /** For type User: the User field, and the value it equals. */
  columnName?: string;
  value?: string;
};

export type PolicyAction = { action: string; type: string; target: string };

export type PolicySpec = {
  masterLabel: string;
  description?: string;
  booleanFilter: string;
  status: string;
  triggerType?: string;
  /** Set by the admin who activates the policy (0–10,000): kept when present, never generated. */
  order?: string;
  actions: PolicyAction[];
  filters: PolicyFilter[];
};

/** A rule of permissionSet.assignees that stays in config only, and why. */
export type KeptRule = { index: number; rule: string; why: 'username' | 'expires' | 'filter' };

export type GeneratedPolicy = {
  /** Undefined when no rule can be a policy filter (then there is no policy to write or deploy). */
  policy?: PolicySpec;
  /** The rules the policy holds, by index, with the filters each became. */
  expressed: Array<{ index: number; rule: string; filters: number[] }>;
  kept: KeptRule[];
};

/**
 * The Metadata API names of standard profiles differ from their labels ("Standard User" is `Standard`), as the
 * Tooling API's Profile.FullName shows them (https://salesforce.stackexchange.com/questions/113370). The policy guide
 * says a filter's target is "the developer name of the specific resource" and shows only a custom profile, so that a
 * filter names a standard profile by this Metadata API name is an assumption, unconfirmed against a real org; so is
 * a custom profile being named as it is labelled.
 */
export const STANDARD_PROFILE_NAMES: Readonly<Record<string, string>> = {
  'System Administrator': 'Admin',
  'Standard User': 'Standard',
  'Read Only': 'ReadOnly',
  'Contract Manager': 'ContractManager',
  'Marketing User': 'MarketingProfile',
  'Solution Manager': 'SolutionManager',
  'Standard Platform User': 'StandardAul',
};

export function profileApiName(profile: string): string {
  return STANDARD_PROFILE_NAMES[profile] ?? profile;
}

/**
 * A userFilter a policy can hold: one User field compared with `=` to a literal, or `IN` a list of literals
 * (several equals filters, OR-ed). Anything else (other operators, AND/OR, relationship paths) stays in config.
 */
export function simpleUserFilter(soql: string): { field: string; values: string[] } | undefined {
  let condition = soql.trim();
  // One pair of parentheses around the whole condition (as `permsets apply` adds its own) is not part of it.
  if (condition.startsWith('(') && condition.endsWith(')') && !/\)\s*(AND|OR)\b/i.test(condition)) {
    condition = condition.slice(1, -1).trim();
  }
  const match = /^([A-Za-z][A-Za-z0-9_]*)\s*(=|\bIN\b)\s*([\s\S]*)$/i.exec(condition);
  if (!match) return undefined;
  const [, field, operator, rest] = match;
  const literals = operator === '=' ? rest : /^\(([\s\S]*)\)$/.exec(rest.trim())?.[1];
  if (literals === undefined) return undefined;
  const values: string[] = [];
  const token = /\s*('(?:[^'\\]|\\.)*'|true|false|-?\d+(?:\.\d+)?)\s*(,|$)/iy;
  let at = 0;
  while (at < literals.length) {
    token.lastIndex = at;
    const found = token.exec(literals);
    if (!found) return undefined;
    const literal = found[1];
    values.push(literal.startsWith("'") ? literal.slice(1, -1).replace(/\\(.)/g, '$1') : literal.toLowerCase());
    at = token.lastIndex;
    if (found[2] === '' && at < literals.length) return undefined;
  }
  if (values.length === 0 || (operator === '=' && values.length !== 1)) return undefined;
  return { field, values };
}

const DESCRIPTION_LIMIT = 255;

/**
 * The description: where the policy comes from, and the rules it cannot hold. Kept within 255 characters (an
 * assumption: the guide gives no length for `description`; 255 is the common limit of such fields): rules that do
 * not fit are counted instead of named. It never names the config file: the same rules give the same policy whatever
 * the config is called (`--config config/prod.json`), so a file or an org's policy made from one config still says
 * what another with the same rules says.
 */
function description(kept: KeptRule[]): string {
  const head = TEXT.getMessage('policy.description');
  if (kept.length === 0) return head;
  const parts = kept.map((k) => k.rule);
  for (let shown = parts.length; shown >= 0; shown--) {
    const named = parts.slice(0, shown);
    if (shown < parts.length) named.push(TEXT.getMessage('policy.description.more', [parts.length - shown]));
    const text = `${head} ${TEXT.getMessage('policy.description.kept', [named.join('; ')])}`;
    if (text.length <= DESCRIPTION_LIMIT || shown === 0) return text.slice(0, DESCRIPTION_LIMIT);
  }
  return head;
}

/**
 * The policy config asks for: one Grant of the permission set (named `<namespace token>__<name>`, so the file
 * deploys to any org once CE_NAMESPACE is set), one filter per rule it can hold (a userFilter with IN gives one per
 * value), OR-ed; triggered on create and on update, so a user who moves into a matching profile gets it too.
 */
export function policyFromConfig(config: CeConfig, configSource: string, alias = '<org>'): GeneratedPolicy {
  const { permissionSet } = config;
  if (!permissionSet.name) {
    // `alias` is the org the fix reads the name from (discover -o <alias> --write).
    throw inputError(ERRORS, 'PolicyNeedsPermissionSetName', [configSource], {
      actionTokens: [[alias], [configSource]],
    });
  }
  const filters: PolicyFilter[] = [];
  const expressed: GeneratedPolicy['expressed'] = [];
  const kept: KeptRule[] = [];
  permissionSet.assignees.forEach((assignee, index) => {
    const rule = describeRule(assignee);
    if (assignee.expires !== undefined) {
      kept.push({ index, rule: `${rule} (expires ${assignee.expires.slice(0, 10)})`, why: 'expires' });
      return;
    }
    const add = (filter: Omit<PolicyFilter, 'sortOrder'>): number => {
      filters.push({ ...filter, sortOrder: filters.length + 1 });
      return filters.length;
    };
    let made: number[] = [];
    if ('username' in assignee) {
      kept.push({ index, rule, why: 'username' });
      return;
    } else if ('profile' in assignee) {
      made = [add({ type: 'Profile', operation: 'equals', target: profileApiName(assignee.profile) })];
    } else if ('permissionSet' in assignee) {
      made = [add({ type: 'PermissionSet', operation: 'equals', target: assignee.permissionSet })];
    } else if ('permissionSetGroup' in assignee) {
      made = [add({ type: 'PermissionSetGroup', operation: 'equals', target: assignee.permissionSetGroup })];
    } else {
      const simple = simpleUserFilter(assignee.userFilter);
      if (!simple) {
        kept.push({ index, rule, why: 'filter' });
        return;
      }
      made = simple.values.map((value) =>
        add({ type: 'User', operation: 'equals', target: 'User', columnName: simple.field, value })
      );
    }
    expressed.push({ index, rule, filters: made });
  });
  if (filters.length === 0) return { expressed, kept };
  return {
    policy: {
      masterLabel: permissionSet.label,
      description: description(kept),
      booleanFilter: filters.map((f) => String(f.sortOrder)).join(' OR '),
      status: 'Design',
      triggerType: 'CreateAndUpdate',
      actions: [{ action: 'Grant', type: 'PermissionSet', target: `${NAMESPACE_TOKEN}__${permissionSet.name}` }],
      filters,
    },
    expressed,
    kept,
  };
}

/** The policy as the org must get it: the namespace token filled in. */
export function forOrg(text: string, namespace: string): string {
  return text.split(NAMESPACE_TOKEN).join(namespace);
}

// ---- XML ---------------------------------------------------------------------------------------------------------

/** Top-level elements in the order the guide's samples write them (alphabetical, as retrieved files are). */
const SCALARS = [
  'booleanFilter',
  'description',
  'isProtected',
  'masterLabel',
  'order',
  'status',
  'triggerType',
] as const;
const ORDER = [...SCALARS, 'userAccessPolicyActions', 'userAccessPolicyFilters'];
const ACTION_FIELDS = ['action', 'target', 'type'] as const;
const FILTER_FIELDS = ['columnName', 'operation', 'sortOrder', 'target', 'type', 'value'] as const;

type Scalar = 'booleanFilter' | 'description' | 'masterLabel' | 'order' | 'status' | 'triggerType';

function scalar(spec: PolicySpec, name: string): string | undefined {
  return name === 'isProtected' ? undefined : spec[name as Scalar];
}

function record(fields: readonly string[], values: Record<string, unknown>, indent: string, eol: string): string[] {
  return fields
    .filter((f) => values[f] !== undefined)
    .map((f) => `${indent}<${f}>${escapeXmlText(String(values[f]))}</${f}>${eol}`);
}

function renderList(spec: PolicySpec, name: string, indent: string, eol: string): string {
  const items =
    name === 'userAccessPolicyActions'
      ? spec.actions.map((a) => record(ACTION_FIELDS, a, indent + indent, eol))
      : spec.filters.map((f) => record(FILTER_FIELDS, f, indent + indent, eol));
  return items.map((lines) => `${indent}<${name}>${eol}${lines.join('')}${indent}</${name}>${eol}`).join('');
}

/** The policy file as `permsets policy --write` first writes it (4-space indent, LF, fields in schema order). */
export function renderPolicy(spec: PolicySpec): string {
  const indent = '    ';
  const eol = '\n';
  const scalars = SCALARS.filter((s) => scalar(spec, s) !== undefined).map(
    (s) => `${indent}<${s}>${escapeXmlText(String(scalar(spec, s)))}</${s}>${eol}`
  );
  return (
    `<?xml version="1.0" encoding="UTF-8"?>${eol}<UserAccessPolicy xmlns="http://soap.sforce.com/2006/04/metadata">${eol}` +
    scalars.join('') +
    renderList(spec, 'userAccessPolicyActions', indent, eol) +
    renderList(spec, 'userAccessPolicyFilters', indent, eol) +
    `</UserAccessPolicy>${eol}`
  );
}

function text(element: XmlElement, local: string): string | undefined {
  const found = element.children.find((c) => c.local === local);
  return found === undefined ? undefined : found.text.trim();
}

function scanPolicy(xml: string, source: string): XmlElement {
  const { root } = scanXml(xml, source);
  if (root.local !== 'UserAccessPolicy') {
    throw inputError(ERRORS, 'NotAUserAccessPolicy', [source, root.local]);
  }
  return root;
}

/** Reads a policy file (or a retrieved component); malformed XML is an InputError naming line and column. */
export function parsePolicy(xml: string, source: string): PolicySpec {
  const root = scanPolicy(xml, source);
  const pick = <T extends string>(element: XmlElement, fields: readonly T[]): Record<T, string | undefined> =>
    Object.fromEntries(fields.map((f) => [f, text(element, f)])) as Record<T, string | undefined>;
  return {
    masterLabel: text(root, 'masterLabel') ?? '',
    description: text(root, 'description'),
    booleanFilter: text(root, 'booleanFilter') ?? '',
    status: text(root, 'status') ?? '',
    triggerType: text(root, 'triggerType'),
    order: text(root, 'order'),
    actions: root.children
      .filter((c) => c.local === 'userAccessPolicyActions')
      .map((c) => {
        const v = pick(c, ACTION_FIELDS);
        return { action: v.action ?? '', type: v.type ?? '', target: v.target ?? '' };
      }),
    filters: root.children
      .filter((c) => c.local === 'userAccessPolicyFilters')
      .map((c) => {
        const v = pick(c, FILTER_FIELDS);
        return {
          sortOrder: Number(v.sortOrder),
          type: v.type ?? '',
          operation: v.operation ?? '',
          target: v.target ?? '',
          ...(v.columnName === undefined ? {} : { columnName: v.columnName }),
          ...(v.value === undefined ? {} : { value: v.value }),
        };
      }),
  };
}

const normal = (value: string | undefined): string => (value ?? '').replace(/\s+/g, ' ').trim();

function actionKey(a: PolicyAction): string {
  return `${a.action} ${a.type} ${a.target}`;
}

/** A filter as one comparable, readable text: `#1 Profile equals Standard`, `#2 User.Department equals Sales`. */
function filterKey(f: PolicyFilter): string {
  const what =
    f.type === 'User'
      ? `${f.target}.${f.columnName ?? ''} ${f.operation} ${f.value ?? ''}`
      : `${f.type} ${f.operation} ${f.target}`;
  return `#${f.sortOrder} ${what}`;
}

/**
 * What differs between two policies, one line each; empty when they are the same. `status` and `order` are the
 * org's (a deploy always lands in Design, activation sets the order) and are compared only when asked.
 */
export function policyDifferences(
  wanted: PolicySpec,
  actual: PolicySpec,
  options: { compareStatus?: boolean; actual?: 'file' | 'org' } = {}
): string[] {
  const side = TEXT.getMessage(`policy.side.${options.actual ?? 'file'}`);
  const out: string[] = [];
  const fields: Array<'masterLabel' | 'description' | 'booleanFilter' | 'triggerType' | 'status'> = [
    'masterLabel',
    'description',
    'booleanFilter',
    'triggerType',
    ...(options.compareStatus ? (['status'] as const) : []),
  ];
  for (const field of fields) {
    if (normal(wanted[field]) !== normal(actual[field])) {
      out.push(
        TEXT.getMessage('policy.difference', [field, side, normal(actual[field]) || '—', normal(wanted[field]) || '—'])
      );
    }
  }
  const list = <T>(name: string, want: T[], have: T[], key: (x: T) => string): void => {
    const a = want.map(key).sort();
    const b = have.map(key).sort();
    const missing = a.filter((k) => !b.includes(k));
    const extra = b.filter((k) => !a.includes(k));
    if (missing.length > 0) out.push(TEXT.getMessage('policy.missing', [name, missing.join('; '), side]));
    if (extra.length > 0) out.push(TEXT.getMessage('policy.extra', [name, side, extra.join('; ')]));
  };
  list('userAccessPolicyActions', wanted.actions, actual.actions, actionKey);
  list('userAccessPolicyFilters', wanted.filters, actual.filters, filterKey);
  return out;
}

// ---- the minimal edit ----------------------------------------------------------------------------------------------

type Splice = { from: number; to: number; insert: string };

/** From the start of an element's line (when it starts the line) to the end of its line break. */
function wholeLines(xml: string, from: number, to: number): { from: number; to: number } {
  const start = lineIndent(xml, from) === undefined ? from : lineStart(xml, from);
  let end = to;
  while (end < xml.length && (xml[end] === ' ' || xml[end] === '\t')) end += 1;
  if (xml[end] === '\r') end += 1;
  if (xml[end] === '\n') end += 1;
  return { from: start, to: end };
}

/**
 * Brings an existing policy file in line with the policy config asks for, changing only what differs: a scalar's
 * text, a scalar missing or no longer wanted, the actions or the filters (each list replaced as a block when any
 * of its entries differ). Indentation, line endings, comments and `order` (the admin's) stay as they are.
 */
export function updatePolicyText(xml: string, wanted: PolicySpec, source: string): string {
  const root = scanPolicy(xml, source);
  const current = parsePolicy(xml, source);
  const eol = detectEol(xml);
  const first = root.children[0];
  const unit = (first && lineIndent(xml, first.start)) || '    ';
  const splices: Splice[] = [];
  /** Where an element that is missing goes: after the last present element that comes before it in ORDER. */
  const insertionPoint = (name: string): number => {
    const before = ORDER.slice(0, ORDER.indexOf(name));
    const previous = [...root.children].reverse().find((c) => before.includes(c.local));
    if (previous) return wholeLines(xml, previous.start, previous.end).to;
    const next = root.children.find((c) => ORDER.includes(c.local));
    return next ? wholeLines(xml, next.start, next.end).from : wholeLines(xml, root.closeStart, root.closeStart).from;
  };
  for (const name of SCALARS) {
    if (name === 'order' || name === 'isProtected') continue;
    const value = scalar(wanted, name);
    const element = root.children.find((c) => c.local === name);
    if (element && value === undefined) {
      splices.push({ ...wholeLines(xml, element.start, element.end), insert: '' });
    } else if (element && value !== undefined && element.text.trim() !== value) {
      splices.push({ from: element.openEnd, to: element.closeStart, insert: escapeXmlText(value) });
    } else if (!element && value !== undefined) {
      splices.push({
        from: insertionPoint(name),
        to: insertionPoint(name),
        insert: `${unit}<${name}>${escapeXmlText(value)}</${name}>${eol}`,
      });
    }
  }
  const lists: Array<[string, boolean]> = [
    ['userAccessPolicyActions', wanted.actions.map(actionKey).join('|') !== current.actions.map(actionKey).join('|')],
    ['userAccessPolicyFilters', wanted.filters.map(filterKey).join('|') !== current.filters.map(filterKey).join('|')],
  ];
  for (const [name, differs] of lists) {
    if (!differs) continue;
    const elements = root.children.filter((c) => c.local === name);
    const block = renderList(wanted, name, unit, eol);
    if (elements.length === 0) {
      const at = insertionPoint(name);
      splices.push({ from: at, to: at, insert: block });
    } else {
      const span = wholeLines(xml, elements[0].start, elements[elements.length - 1].end);
      splices.push({ ...span, insert: block });
    }
  }
  // Elements missing side by side go to the same point: one splice, in schema order.
  const merged: Splice[] = [];
  for (const s of splices) {
    const same = s.from === s.to ? merged.find((m) => m.from === s.from && m.to === s.to) : undefined;
    if (same) same.insert += s.insert;
    else merged.push({ ...s });
  }
  let out = xml;
  for (const s of merged.sort((a, b) => b.from - a.from || b.to - a.to)) {
    out = out.slice(0, s.from) + s.insert + out.slice(s.to);
  }
  return out;
}
