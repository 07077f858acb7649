import type { CeConfig } from './config.js';
import { inputError } from './errors.js';
import type { PageSpec, RegionChoice } from './flexipage.js';
import { ERRORS } from './messages.js';

/** The Contact pages to check: `pages.targets` of the config, every page in effect by default. */
export function pageTargets(config: CeConfig): string[] {
  return config.pages?.targets ?? ['*'];
}

/**
 * What a Contact record page must show, from the config: the `pages` section, with the columns and sort of
 * `layouts.relatedList` where it names none, and the Enrollment relationship of `enrollment`.
 */
export function pageSpec(config: CeConfig): PageSpec {
  const { enrollment } = config;
  const relationshipName = enrollment.relationshipName;
  if (!relationshipName) {
    throw inputError(ERRORS, 'NoRelationshipName', [], { data: { path: '/enrollment/relationshipName' } });
  }
  const pages = config.pages ?? {};
  const list = pages.relatedList ?? {};
  const layout = config.layouts.relatedList;
  const rows = list.rows ?? 5;
  const optional = (name: string, value: string | undefined): Record<string, string> =>
    value === undefined ? {} : { [name]: value };
  return {
    component: pages.component ?? 'dynamicRelatedList',
    relationshipName,
    parentField: 'Contact.Id',
    fields: list.fields ?? layout.fields,
    sortField: list.sortField ?? layout.sortField,
    sortOrder: list.sortOrder ?? layout.sortOrder,
    rows,
    ...(list.label === undefined ? {} : { label: list.label }),
    showActionBar: list.showActionBar ?? true,
    actions: list.actions ?? [],
    // contactEnrollments' design attributes (its js-meta.xml), filled from the enrollment object's fields.
    componentProperties: {
      relatedListId: relationshipName,
      enrollmentObject: enrollment.object,
      ...optional('courseNameField', enrollment.courseNameField),
      ...optional('progressField', enrollment.progressField),
      ...optional('attemptField', enrollment.attemptField),
      ...optional('enrollmentDateField', enrollment.enrollmentDateField),
      rowLimit: String(rows),
    },
  };
}

/**
 * The region configured for a page: its own entry of `pages.regions` (always used, and checked against the page
 * even when the page needs no change), else the `*` entry (used when the page has no related lists to stand
 * beside).
 */
export function configuredRegion(config: CeConfig, page: string): (RegionChoice & { path: string }) | undefined {
  const regions = config.pages?.regions ?? {};
  if (regions[page] !== undefined) return { region: regions[page], explicit: true, path: `/pages/regions/${page}` };
  if (regions['*'] !== undefined) return { region: regions['*'], explicit: false, path: '/pages/regions/*' };
  return undefined;
}
