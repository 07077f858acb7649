import type { Connection } from '@salesforce/core';
import type { CheckItem } from '../core/checklist.js';
import type { CeConfig } from '../core/config.js';
import { InputError, inputError } from '../core/errors.js';
import { type PageFinding, type PageVerdict, patchPage } from '../core/flexipage.js';
import { ERRORS } from '../core/messages.js';
import {
  type PageInEffect,
  appAssignments,
  describeAssignment,
  orgDefaultPage,
  pagesInEffect,
} from '../core/page-assignments.js';
import { configuredRegion, pageSpec, pageTargets } from '../core/page-spec.js';
import { type ApplyOutcome, type ComponentOutcome, applyComponentPlans } from './apply-components.js';
import { PAGES } from './backup.js';
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
  const orgDefault = object
    ? orgDefaultPage(decodeLayout(object, `objects/${OBJECT}.object`), `objects/${OBJECT}.object`)
    : undefined;
  const assignments = [...(byType.get('CustomApplication') ?? new Map<string, Buffer>())].flatMap(([app, bytes]) =>
    appAssignments(decodeLayout(bytes, `applications/${app}.app`), app, OBJECT, `applications/${app}.app`)
  );
  return pagesInEffect(orgDefault, assignments);
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
        problem: reported?.problem ?? 'The org did not return this page.',
        fix: `Check that the FlexiPage ${p.page} exists and that you can see it (Setup > Lightning App Builder).`,
      };
    }
    const region = configuredRegion(config, p.page);
    let patch: ReturnType<typeof patchPage>;
    try {
      patch = patchPage(decodeLayout(original, source), spec, source, region);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      if (error.name === 'PageRegionNotFound' && region) {
        throw inputError(
          ERRORS,
          'ConfiguredRegionNotFound',
          [`${options.configSource} ${region.path}`, region.region, p.page],
          {
            data: { file: options.configSource, path: region.path, page: p.page, region: region.region },
          }
        );
      }
      if (error.name !== 'PageRegionUnknown') throw error;
      return {
        fullName: p.page,
        assignments,
        verdict: 'missing',
        status: 'failed',
        changes: [],
        original,
        problem: error.message,
        fix: `Name the region for ${p.page} in pages.regions of the config, then run: ce-connect pages apply -o <org>`,
      };
    }
    const base = { fullName: p.page, assignments, verdict: patch.finding.verdict, finding: patch.finding, original };
    if (!patch.changed) return { ...base, status: 'unchanged', changes: [] };
    return {
      ...base,
      status: 'changed',
      changes: patch.changes,
      patched: Buffer.from(patch.xml, 'utf8'),
      fix: 'ce-connect pages apply -o <org>',
    };
  });
}

/** One page's line of the plan shown before any write. */
export function pagePlanLines(plans: PagePlan[]): string[] {
  return plans.filter((p) => p.status === 'changed').map((p) => `${p.fullName}: ${p.changes.join('; ')}`);
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

function placeText(finding: PageFinding | undefined): string {
  const place = finding?.place ?? finding?.relatedListsPlace;
  if (!place) return '';
  return ` in region ${place.region}${place.tab ? ` (tab ${place.tab})` : ''}`;
}

const SHOWN_BY: Record<Exclude<PageVerdict, 'missing'>, string> = {
  layout: 'through the layout-driven Related Lists component: the Contact layout items cover it',
  single: 'through a Related List – Single, whose columns come from the layout: the Contact layout items cover it',
  dynamic: 'through a Dynamic Related List – Single',
  component: 'through the contactEnrollments component',
};

/** One checklist item per page in effect: "Enrollments visible on <page> (<assignments>)". */
export function pageCheckItems(plans: PagePlan[]): CheckItem[] {
  return plans.map((plan): CheckItem => {
    const title = `Enrollments visible on ${plan.fullName} (${plan.assignments.join('; ')})`;
    const id = `pages.${plan.fullName}`;
    const where = placeText(plan.finding);
    if (plan.status === 'failed') {
      return {
        id,
        title,
        status: 'fail',
        evidence: plan.problem ?? 'Could not be read.',
        ...(plan.fix ? { fix: plan.fix } : {}),
      };
    }
    if (plan.verdict === 'missing') {
      return {
        id,
        title,
        status: 'fail',
        evidence: `No component on the page shows Enrollments${where ? `; the other related lists are${where}` : ''}.`,
        fix: 'ce-connect pages apply -o <org>',
      };
    }
    const shown = `Shown ${SHOWN_BY[plan.verdict]}${plan.finding?.identifier ? ` (${plan.finding.identifier}${where})` : ''}.`;
    if (plan.status === 'changed') {
      return {
        id,
        title,
        status: 'warn',
        evidence: `${shown} It differs from the config: ${plan.changes.join('; ')}.`,
        fix: 'ce-connect pages apply -o <org>',
      };
    }
    return { id, title, status: 'pass', evidence: shown };
  });
}
