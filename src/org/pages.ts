import type { Connection } from '@salesforce/core';
import type { CheckItem } from '../core/checklist.js';
import type { CeConfig } from '../core/config.js';
import { InputError, inputError } from '../core/errors.js';
import { type PageFinding, type PageVerdict, patchPage } from '../core/flexipage.js';
import { ERRORS, PAGE_TEXTS } from '../core/messages.js';
import {
  type PageInEffect,
  appAssignments,
  describeAssignment,
  orgDefaultPages,
  pagesInEffect,
} from '../core/page-assignments.js';
import { configuredRegion, pageSpec, pageTargets } from '../core/page-spec.js';
import { relatedListSpec } from '../core/related-list-spec.js';
import { type ApplyOutcome, type ComponentOutcome, applyComponentPlans } from './apply-components.js';
import { PAGES } from './backup.js';
import { type LayoutPlan, planLayouts } from './layouts.js';
import { decodeLayout } from './layout-files.js';
import { type PollOptions, listComponents, retrieveTypes } from './metadata.js';
import type { OrgFacts } from './org-facts.js';

// The object whose record pages show enrollments. Its overrides are on the CustomObject `Contact` (a standard
// object is retrieved by its name, with only the parts it has).
const OBJECT = 'Contact';

export type PagePlan = {
  /** The FlexiPage name; `(system default)` for the page users get when nothing is assigned. */
  fullName: string;
  /** Who gets the page: `org default`, `Sales app default`, `Sales app, profile Custom: Support`. */
  assignments: string[];
  verdict: PageVerdict;
  finding?: PageFinding;
  status: 'unchanged' | 'changed' | 'failed';
  changes: string[];
  original?: Buffer;
  patched?: Buffer;
  problem?: string;
  /** What to run (or do) to make the page show Enrollments. */
  fix?: string;
};

export const SYSTEM_DEFAULT = '(system default)';

/**
 * Reads the Contact record page assignments: the Contact object's View override (org default) and every
 * app's overrides (app default; app, record type and profile), in one retrieve.
 */
export async function readPagesInEffect(conn: Connection, poll: PollOptions = {}): Promise<PageInEffect[]> {
  const apps = (await listComponents(conn, 'CustomApplication')).map((a) => a.fullName).sort();
  const { byType } = await retrieveTypes(
    conn,
    [
      { type: 'CustomObject', folder: 'objects', suffix: 'object', members: [OBJECT] },
      ...(apps.length > 0 ? [{ type: 'CustomApplication', folder: 'applications', suffix: 'app', members: apps }] : []),
    ],
    poll
  );
  const object = byType.get('CustomObject')?.get(OBJECT);
  const orgDefaults = object
    ? orgDefaultPages(decodeLayout(object, `objects/${OBJECT}.object`), `objects/${OBJECT}.object`)
    : [];
  const assignments = [...(byType.get('CustomApplication') ?? new Map<string, Buffer>())].flatMap(([app, bytes]) =>
    appAssignments(decodeLayout(bytes, `applications/${app}.app`), app, OBJECT, `applications/${app}.app`)
  );
  return pagesInEffect(orgDefaults, assignments);
}

/** The pages named in `pages.targets` and `pages.regions` must be pages in effect: anything else is exit 2. */
function checkNames(config: CeConfig, configSource: string, known: string[]): void {
  const unknown = (name: string, path: string): InputError =>
    inputError(ERRORS, 'UnknownPage', [`${configSource} ${path}`, name, known.join(', ') || 'none'], {
      data: { file: configSource, path, page: name },
    });
  pageTargets(config).forEach((name, index) => {
    if (name !== '*' && !known.includes(name)) throw unknown(name, `/pages/targets/${index}`);
  });
  for (const name of Object.keys(config.pages?.regions ?? {})) {
    if (name !== '*' && !known.includes(name)) throw unknown(name, `/pages/regions/${name}`);
  }
}

/**
 * Plans every Contact record page in effect (or the ones `pages.targets` names): its verdict, and the
 * patched page where Enrollments is missing or the dynamic list differs from the config. Reads only: the
 * assignments in one retrieve, the pages in a second.
 */
export async function planPages(
  conn: Connection,
  config: CeConfig,
  options: { configSource: string; poll?: PollOptions }
): Promise<PagePlan[]> {
  const spec = pageSpec(config);
  const inEffect = await readPagesInEffect(conn, options.poll);
  const named = inEffect.flatMap((p) => (p.page ? [p.page] : []));
  checkNames(config, options.configSource, named);
  const targets = pageTargets(config);
  const selected = inEffect.filter((p) => targets.includes('*') || (p.page && targets.includes(p.page)));
  const names = selected.flatMap((p) => (p.page ? [p.page] : []));
  const { byType, problems } =
    names.length > 0
      ? await retrieveTypes(
          conn,
          [{ type: 'FlexiPage', folder: 'flexipages', suffix: 'flexipage', members: names }],
          options.poll
        )
      : { byType: new Map<string, Map<string, Buffer>>(), problems: [] };
  const files = byType.get('FlexiPage') ?? new Map<string, Buffer>();
  return selected.map((p): PagePlan => {
    const assignments = p.assignments.map(describeAssignment);
    if (!p.page) {
      // An assumption: with no page assigned, users get the system default record page, whose related lists
      // are the layout's (it carries the layout-driven Related Lists component), so the layouts step covers it.
      return { fullName: SYSTEM_DEFAULT, assignments, verdict: 'layout', status: 'unchanged', changes: [] };
    }
    const source = `flexipages/${p.page}.flexipage`;
    const original = files.get(p.page);
    if (!original) {
      const reported = problems.find((x) => x.problem.includes(`'${p.page}'`));
      return {
        fullName: p.page,
        assignments,
        verdict: 'missing',
        status: 'failed',
        changes: [],
        problem: reported?.problem ?? PAGE_TEXTS.getMessage('problem.notReturned'),
        fix: PAGE_TEXTS.getMessage('fix.missingPage', [p.page]),
      };
    }
    const region = configuredRegion(config, p.page);
    let patch: ReturnType<typeof patchPage>;
    try {
      patch = patchPage(decodeLayout(original, source), spec, source, region);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      if (error.name === 'PageRegionNotFound' && region) throw regionNotFound(options.configSource, region, p.page);
      if (error.name !== 'PageRegionUnknown') throw error;
      return {
        fullName: p.page,
        assignments,
        verdict: 'missing',
        status: 'failed',
        changes: [],
        original,
        problem: error.message,
        fix: PAGE_TEXTS.getMessage('fix.region', [p.page]),
      };
    }
    // A page's own region entry must name a region of that page even when the page needs no change, so a
    // mistyped entry is found the first time, not on the day the page loses its related lists.
    if (region?.explicit && !patch.finding.regions.includes(region.region)) {
      throw regionNotFound(options.configSource, region, p.page);
    }
    const base = { fullName: p.page, assignments, verdict: patch.finding.verdict, finding: patch.finding, original };
    if (!patch.changed) return { ...base, status: 'unchanged', changes: [] };
    return {
      ...base,
      status: 'changed',
      changes: patch.changes,
      patched: Buffer.from(patch.xml, 'utf8'),
      fix: PAGE_TEXTS.getMessage('fix.apply'),
    };
  });
}

function regionNotFound(configSource: string, region: { region: string; path: string }, page: string): InputError {
  return inputError(ERRORS, 'ConfiguredRegionNotFound', [`${configSource} ${region.path}`, region.region, page], {
    data: { file: configSource, path: region.path, page, region: region.region },
  });
}

/** One page's line of the plan shown before any write. */
export function pagePlanLines(plans: PagePlan[]): string[] {
  return plans
    .filter((p) => p.status === 'changed')
    .map((p) => PAGE_TEXTS.getMessage('plan.line', [p.fullName, p.changes.join('; ')]));
}

export type PageOutcome = ComponentOutcome<string> & { assignments: string[]; verdict: PageVerdict };

export type PagesApplyOutcome = Omit<ApplyOutcome<string>, 'rows'> & { pages: PageOutcome[]; plan: string[] };

/**
 * Applies planned pages: a backup of the pages that change, a check-only validation, then one deploy of only
 * them. The caller confirms production writes before calling this.
 */
export async function applyPagePlans(
  conn: Connection,
  facts: OrgFacts,
  plans: PagePlan[],
  options: { dryRun: boolean; backupDir: string; poll?: PollOptions; onProgress?: (message: string) => void }
): Promise<PagesApplyOutcome> {
  // The system default page is not a FlexiPage of the org: it is reported, never deployed.
  const deployable = plans.filter((p) => p.fullName !== SYSTEM_DEFAULT);
  const { rows, ...outcome } = await applyComponentPlans(PAGES, conn, facts, deployable, options);
  const byName = new Map(rows.map((r) => [r.fullName, r]));
  return {
    ...outcome,
    plan: pagePlanLines(plans),
    pages: plans.map((p) => ({
      ...(byName.get(p.fullName) ?? {
        fullName: p.fullName,
        status: p.status,
        deployed: false,
        changes: p.changes,
        problems: p.problem ? [p.problem] : [],
      }),
      assignments: p.assignments,
      verdict: p.verdict,
    })),
  };
}

/**
 * What the layout-driven components of a page depend on: the targeted Contact layouts that do not have the
 * Enrollments related list, or could not be read. "Related Lists" and "Related List – Single" show a list only
 * when the layout assigned to the user has it (Lightning App Builder warns "this related list isn't on the page
 * layout" for a single one).
 */
export type LayoutCoverage = { lacking: string[]; unreadable: string[] };

export function layoutCoverage(plans: LayoutPlan[]): LayoutCoverage {
  return {
    lacking: plans.filter((p) => p.changes.some((c) => c.kind === 'added')).map((p) => p.fullName),
    unreadable: plans.filter((p) => p.status === 'failed').map((p) => p.fullName),
  };
}

function placeText(finding: PageFinding | undefined): string | undefined {
  const place = finding?.place ?? finding?.relatedListsPlace;
  if (!place) return undefined;
  return place.tab
    ? PAGE_TEXTS.getMessage('item.placeInTab', [place.region, place.tab])
    : PAGE_TEXTS.getMessage('item.place', [place.region]);
}

const dependsOnLayout = (verdict: PageVerdict): boolean => verdict === 'layout' || verdict === 'single';

/**
 * One checklist item per page in effect: "Enrollments visible on <page> (<assignments>)". A page that shows
 * Enrollments through the layout passes only when the layouts have the list (`coverage`).
 */
export function pageCheckItems(plans: PagePlan[], coverage: LayoutCoverage): CheckItem[] {
  return plans.map((plan): CheckItem => {
    const title = PAGE_TEXTS.getMessage('item.title', [plan.fullName, plan.assignments.join('; ')]);
    const item = (status: CheckItem['status'], evidence: string, fix?: string): CheckItem => ({
      id: `pages.${plan.fullName}`,
      title,
      status,
      evidence,
      ...(fix ? { fix } : {}),
    });
    const where = placeText(plan.finding);
    if (plan.status === 'failed')
      return item('fail', plan.problem ?? PAGE_TEXTS.getMessage('item.unreadable'), plan.fix);
    if (plan.verdict === 'missing') {
      return item(
        'fail',
        where ? PAGE_TEXTS.getMessage('item.missingBeside', [where]) : PAGE_TEXTS.getMessage('item.missing'),
        PAGE_TEXTS.getMessage('fix.apply')
      );
    }
    const how = PAGE_TEXTS.getMessage(`verdict.${plan.verdict}`);
    const identifier = plan.finding?.identifier;
    const shown = identifier
      ? PAGE_TEXTS.getMessage('item.shownBy', [how, [identifier, where].filter(Boolean).join(' ')])
      : PAGE_TEXTS.getMessage('item.shown', [how]);
    if (dependsOnLayout(plan.verdict) && coverage.lacking.length > 0) {
      const lacking = PAGE_TEXTS.getMessage('item.layoutsLack', [shown, coverage.lacking.join(', ')]);
      return item('fail', lacking, PAGE_TEXTS.getMessage('fix.layouts'));
    }
    if (dependsOnLayout(plan.verdict) && coverage.unreadable.length > 0) {
      return item('warn', PAGE_TEXTS.getMessage('item.layoutsUnread', [shown, coverage.unreadable.join(', ')]));
    }
    if (plan.status === 'changed') {
      const differs = PAGE_TEXTS.getMessage('item.differs', [shown, plan.changes.join('; ')]);
      return item('warn', differs, PAGE_TEXTS.getMessage('fix.apply'));
    }
    if (plan.finding?.conditional) return item('warn', PAGE_TEXTS.getMessage('item.conditional', [shown]));
    return item('pass', shown);
  });
}

/**
 * The check of the Contact record pages: the plan of every page in effect and its checklist item. The layouts
 * are read only when a page depends on them; `layouts` hands over a read the caller already has.
 */
export async function checkPages(
  conn: Connection,
  config: CeConfig,
  options: { configSource: string; poll?: PollOptions; layouts?: () => Promise<LayoutPlan[]> }
): Promise<{ plans: PagePlan[]; items: CheckItem[] }> {
  const plans = await planPages(conn, config, options);
  const readLayouts =
    options.layouts ??
    ((): Promise<LayoutPlan[]> => planLayouts(conn, relatedListSpec(config), config.layouts.targets));
  const coverage = plans.some((p) => p.status !== 'failed' && dependsOnLayout(p.verdict))
    ? layoutCoverage(await readLayouts())
    : { lacking: [], unreadable: [] };
  return { plans, items: pageCheckItems(plans, coverage) };
}
