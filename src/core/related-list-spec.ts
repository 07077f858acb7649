import { type CeConfig, relatedListName } from './config.js';
import type { RelatedListSpec } from './related-list-transform.js';
import { inputError, type InputError } from './errors.js';
import { ERRORS } from './messages.js';

/** Values given on the command line; each one replaces the config's. Lists are comma-separated. */
export type RelatedListOverrides = {
  relatedList?: string;
  fields?: string;
  sortField?: string;
  sortOrder?: string;
  excludeButtons?: string;
  customButtons?: string;
};

// An API name, optionally carrying the packaging token that `sfdx-project.json` replacements fill in.
const NAME = '(?:%%%NAMESPACE%%%)?[A-Za-z][A-Za-z0-9_]*';
const API_NAME = new RegExp(`^${NAME}$`);
// `<ChildObject>.<LookupField>` for a custom child, or a standard list name such as RelatedContactList.
const RELATED_LIST = new RegExp(`^${NAME}(?:\\.${NAME})?$`);

function bad(flag: string, value: string, why: string): InputError {
  return inputError(ERRORS, 'InvalidFlagValue', [flag, value, why], { actionTokens: [[flag]], data: { flag, value } });
}

function list(flag: string, value: string | undefined, fallback: readonly string[]): string[] {
  if (value === undefined) return [...fallback];
  const items = value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  for (const item of items) if (!API_NAME.test(item)) throw bad(flag, item, 'is not an API name');
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item)) throw bad(flag, item, 'is listed twice');
    seen.add(item);
  }
  return items;
}

/**
 * The related list to put on each layout: from `layouts.relatedList` and the enrollment object in the config,
 * with command-line values taking precedence. Bad values are an InputError naming the flag.
 */
export function relatedListSpec(config: CeConfig, overrides: RelatedListOverrides = {}): RelatedListSpec {
  const defaults = config.layouts.relatedList;
  const relatedList = overrides.relatedList?.trim() ?? relatedListName(config);
  if (!RELATED_LIST.test(relatedList)) {
    throw bad('related-list', relatedList, 'is not a related list name (<ChildObject>.<LookupField>)');
  }
  const fields = list('fields', overrides.fields, defaults.fields);
  if (fields.length === 0) throw bad('fields', overrides.fields ?? '', 'names no column');
  const sortField = overrides.sortField?.trim() ?? defaults.sortField;
  if (!API_NAME.test(sortField)) throw bad('sort-field', sortField, 'is not an API name');
  const sortOrder = overrides.sortOrder ?? defaults.sortOrder;
  if (sortOrder !== 'Asc' && sortOrder !== 'Desc') throw bad('sort-order', sortOrder, 'must be Asc or Desc');
  const customButtons = list('custom-buttons', overrides.customButtons, defaults.customButtons ?? []);
  return {
    relatedList,
    fields,
    sortField,
    sortOrder,
    excludeButtons: list('exclude-buttons', overrides.excludeButtons, defaults.excludeButtons),
    ...(customButtons.length > 0 ? { customButtons } : {}),
  };
}
