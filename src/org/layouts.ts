import type { Connection } from '@salesforce/core';
import { CeError } from '../core/errors.js';
import { layoutFullName, selectLayouts } from '../core/layout-names.js';
import { type LayoutChange, type RelatedListSpec, applyRelatedList } from '../core/related-list-transform.js';
import type { OrgFacts } from './org-facts.js';
import { type ApplyOutcome, type ComponentOutcome, applyComponentPlans } from './apply-components.js';
import { LAYOUTS } from './backup.js';
import { decodeLayout } from './layout-files.js';
import { type PollOptions, listComponents, retrieveComponents } from './metadata.js';

// Page layouts in the Metadata API: type Layout, folder layouts/, suffix .layout.
// https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_layouts.htm
const TYPE = 'Layout';
const FOLDER = 'layouts';
const SUFFIX = 'layout';

export type LayoutStatus = 'unchanged' | 'changed' | 'failed';

export type LayoutPlan = {
  fullName: string;
  status: LayoutStatus;
  changes: LayoutChange[];
  /** The layout as the org holds it (absent when it could not be retrieved). */
  original?: Buffer;
  /** The layout with the related list in place (only when changed). */
  patched?: Buffer;
  problem?: string;
};

/** The org's layouts of an object, by the names retrieve and deploy need (managed ones with their namespace). */
export async function listLayouts(conn: Connection, object = 'Contact'): Promise<string[]> {
  const listed = await listComponents(conn, TYPE);
  return listed
    .map(layoutFullName)
    .filter((name) => name.startsWith(`${object}-`))
    .sort();
}

/**
 * Lists the Contact layouts, picks the targets, retrieves them in one retrieve and puts the related list on
 * each in memory. Nothing is written anywhere.
 */
export async function planLayouts(
  conn: Connection,
  spec: RelatedListSpec,
  targets: string[],
  poll: PollOptions = {}
): Promise<LayoutPlan[]> {
  const selected = selectLayouts(await listLayouts(conn), targets);
  if (selected.length === 0) return [];
  const retrieved = await retrieveComponents(conn, TYPE, FOLDER, SUFFIX, selected, poll);
  return selected.map((fullName): LayoutPlan => {
    const original = retrieved.files.get(fullName);
    if (!original) {
      const reported = retrieved.problems.find((p) => p.problem.includes(`'${fullName}'`));
      return {
        fullName,
        status: 'failed',
        changes: [],
        problem: reported?.problem ?? 'The org did not return this layout.',
      };
    }
    try {
      const result = applyRelatedList(decodeLayout(original, fullName), spec, fullName);
      if (!result.changed) return { fullName, status: 'unchanged', changes: [], original };
      return {
        fullName,
        status: 'changed',
        changes: result.changes,
        original,
        patched: Buffer.from(result.xml, 'utf8'),
      };
    } catch (error) {
      if (!(error instanceof CeError)) throw error;
      return { fullName, status: 'failed', changes: [], original, problem: error.message };
    }
  });
}

/** One layout's outcome of an apply. */
export type LayoutOutcome = ComponentOutcome<LayoutChange>;

export type LayoutsApplyOutcome = Omit<ApplyOutcome<LayoutChange>, 'rows'> & {
  layouts: LayoutOutcome[];
  /** One line per layout that changes (or would), for plans and production confirmations. */
  plan: string[];
};

/** What would change, one line per layout: the plan shown before any write. */
export function layoutPlanLines(plans: LayoutPlan[]): string[] {
  return plans
    .filter((p) => p.status === 'changed')
    .map((p) => `${p.fullName}: ${p.changes.map((c) => c.message).join('; ')}`);
}

/**
 * Applies planned layouts: a backup of the changed ones, a check-only validation, then one deploy of only them
 * (see applyComponentPlans). The caller confirms production writes before calling this.
 */
export async function applyLayoutPlans(
  conn: Connection,
  facts: OrgFacts,
  plans: LayoutPlan[],
  options: { dryRun: boolean; backupDir: string; poll?: PollOptions; onProgress?: (message: string) => void }
): Promise<LayoutsApplyOutcome> {
  const { rows, ...outcome } = await applyComponentPlans(LAYOUTS, conn, facts, plans, options);
  return { ...outcome, plan: layoutPlanLines(plans), layouts: rows };
}
