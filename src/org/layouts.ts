import type { Connection } from '@salesforce/core';
import { CeError } from '../core/errors.js';
import { layoutFullName, selectLayouts } from '../core/layout-names.js';
import { type LayoutChange, type RelatedListSpec, applyRelatedList } from '../core/related-list-transform.js';
import type { OrgFacts } from './org-facts.js';
import { writeBackup } from './layout-backup.js';
import { decodeLayout } from './layout-files.js';
import {
  type ComponentProblem,
  type DeployOutcome,
  type PollOptions,
  deployComponents,
  listComponents,
  retrieveComponents,
} from './metadata.js';

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

/** The layouts as the org holds them now (fullName → bytes), in one retrieve. */
export async function retrieveLayouts(
  conn: Connection,
  names: string[],
  poll: PollOptions = {}
): Promise<Map<string, Buffer>> {
  return (await retrieveComponents(conn, TYPE, FOLDER, SUFFIX, names, poll)).files;
}

/** Deploys layouts (fullName → bytes) in one deploy; checkOnly validates them without saving anything. */
export function deployLayouts(
  conn: Connection,
  files: Map<string, Buffer>,
  checkOnly: boolean,
  poll: PollOptions = {}
): Promise<DeployOutcome> {
  return deployComponents(conn, TYPE, FOLDER, SUFFIX, files, { checkOnly }, poll);
}

/** One layout's outcome of an apply. */
export type LayoutOutcome = {
  fullName: string;
  status: 'unchanged' | 'changed' | 'failed';
  /** Whether the change reached the org (false on a dry run, or when validation failed). */
  deployed: boolean;
  changes: LayoutChange[];
  problems: string[];
};

export type LayoutsApplyOutcome = {
  dryRun: boolean;
  layouts: LayoutOutcome[];
  /** One line per layout that changes (or would), for plans and production confirmations. */
  plan: string[];
  /** Write requests: the deploy (a check-only validation writes nothing). */
  writes: number;
  /** The folder holding the originals of the layouts that change (absent on a dry run or when none change). */
  backup?: string;
  validation?: { id: string; success: boolean };
  deployment?: { id: string; success: boolean; status: string };
};

/** What would change, one line per layout: the plan shown before any write. */
export function layoutPlanLines(plans: LayoutPlan[]): string[] {
  return plans
    .filter((p) => p.status === 'changed')
    .map((p) => `${p.fullName}: ${p.changes.map((c) => c.message).join('; ')}`);
}

/** Deploy problems by layout, each with its position when the org gave one; '' holds deploy-wide ones. */
export function problemsByLayout(problems: ComponentProblem[]): Map<string, string[]> {
  const byLayout = new Map<string, string[]>();
  for (const p of problems) {
    const where =
      p.line === undefined ? '' : ` (line ${p.line}${p.column === undefined ? '' : `, column ${p.column}`})`;
    byLayout.set(p.fullName, [...(byLayout.get(p.fullName) ?? []), `${p.problem}${where}`]);
  }
  return byLayout;
}

function markFailures(rows: LayoutOutcome[], problems: ComponentProblem[]): void {
  const byLayout = problemsByLayout(problems);
  for (const row of rows.filter((r) => r.status === 'changed')) {
    const found = byLayout.get(row.fullName) ?? byLayout.get('') ?? [];
    if (found.length > 0) Object.assign(row, { status: 'failed', problems: found });
  }
}

/**
 * Applies planned layouts: saves the originals of the changed ones to a timestamped backup folder (before any
 * deploy), validates them with a check-only deploy, then deploys only them in one deploy. A dry run still
 * validates (check-only writes nothing). The caller confirms production writes before calling this.
 */
export async function applyLayoutPlans(
  conn: Connection,
  facts: OrgFacts,
  plans: LayoutPlan[],
  options: { dryRun: boolean; backupDir: string; poll?: PollOptions; onProgress?: (message: string) => void }
): Promise<LayoutsApplyOutcome> {
  const changed = plans.filter((p) => p.status === 'changed');
  const outcome: LayoutsApplyOutcome = {
    dryRun: options.dryRun,
    plan: layoutPlanLines(plans),
    writes: 0,
    layouts: plans.map((p) => ({
      fullName: p.fullName,
      status: p.status,
      deployed: false,
      changes: p.changes,
      problems: p.problem ? [p.problem] : [],
    })),
  };
  if (changed.length === 0) return outcome;
  const patched = new Map(changed.map((p) => [p.fullName, p.patched ?? Buffer.alloc(0)]));
  if (!options.dryRun) {
    outcome.backup = writeBackup(
      options.backupDir,
      facts,
      new Map(changed.map((p) => [p.fullName, p.original ?? Buffer.alloc(0)]))
    );
  }
  options.onProgress?.(`Validating ${changed.length} layout(s) with a check-only deploy`);
  const validation = await deployLayouts(conn, patched, true, options.poll);
  outcome.validation = { id: validation.id, success: validation.success };
  markFailures(outcome.layouts, validation.problems);
  if (!validation.success || options.dryRun) return outcome;
  options.onProgress?.(`Deploying ${changed.length} layout(s)`);
  const deployment = await deployLayouts(conn, patched, false, options.poll);
  outcome.writes += 1;
  outcome.deployment = { id: deployment.id, success: deployment.success, status: deployment.status };
  const byLayout = problemsByLayout(deployment.problems);
  for (const row of outcome.layouts.filter((r) => r.status === 'changed')) {
    if (deployment.success) row.deployed = true;
    else {
      const found = byLayout.get(row.fullName) ?? byLayout.get('') ?? [];
      Object.assign(row, { status: 'failed', problems: found.length > 0 ? found : [`Deploy ${deployment.status}`] });
    }
  }
  return outcome;
}
