import type { Connection } from '@salesforce/core';
import { type MetadataKind, writeBackup } from './backup.js';
import { type ComponentProblem, type PollOptions, deployComponents } from './metadata.js';
import type { OrgFacts } from './org-facts.js';
import { problemsByComponent } from './rollback.js';

/** A component planned for an apply: as the org holds it and, when it changes, as it will be. */
export type ComponentPlan<C> = {
  fullName: string;
  status: 'unchanged' | 'changed' | 'failed';
  changes: C[];
  original?: Buffer;
  patched?: Buffer;
  problem?: string;
};

/** One component's outcome of an apply. */
export type ComponentOutcome<C> = {
  fullName: string;
  status: 'unchanged' | 'changed' | 'failed';
  /** Whether the change reached the org (false on a dry run, or when validation failed). */
  deployed: boolean;
  changes: C[];
  problems: string[];
};

export type ApplyOutcome<C> = {
  dryRun: boolean;
  rows: Array<ComponentOutcome<C>>;
  /** Write requests: the deploy (a check-only validation writes nothing). */
  writes: number;
  /** The folder holding the originals of the components that change (absent on a dry run or when none change). */
  backup?: string;
  validation?: { id: string; success: boolean };
  deployment?: { id: string; success: boolean; status: string };
};

function markFailures<C>(rows: Array<ComponentOutcome<C>>, problems: ComponentProblem[], fallback?: string): void {
  const byName = problemsByComponent(problems);
  for (const row of rows.filter((r) => r.status === 'changed')) {
    const found = byName.get(row.fullName) ?? byName.get('') ?? [];
    if (found.length > 0 || fallback) {
      Object.assign(row, { status: 'failed', problems: found.length > 0 ? found : [fallback] });
    }
  }
}

/**
 * Applies planned components: saves the originals of the changed ones to a timestamped backup folder (before
 * any deploy), validates them with a check-only deploy, then deploys only them in one deploy. A dry run still
 * validates (check-only writes nothing). The caller confirms production writes before calling this.
 */
export async function applyComponentPlans<C>(
  kind: MetadataKind,
  conn: Connection,
  facts: OrgFacts,
  plans: Array<ComponentPlan<C>>,
  options: { dryRun: boolean; backupDir: string; poll?: PollOptions; onProgress?: (message: string) => void }
): Promise<ApplyOutcome<C>> {
  const changed = plans.filter((p) => p.status === 'changed');
  const outcome: ApplyOutcome<C> = {
    dryRun: options.dryRun,
    writes: 0,
    rows: plans.map((p) => ({
      fullName: p.fullName,
      status: p.status,
      deployed: false,
      changes: p.changes,
      problems: p.problem ? [p.problem] : [],
    })),
  };
  if (changed.length === 0) return outcome;
  const patched = new Map(changed.map((p) => [p.fullName, p.patched ?? Buffer.alloc(0)]));
  const deploy = (checkOnly: boolean): ReturnType<typeof deployComponents> =>
    deployComponents(conn, kind.type, kind.folder, kind.suffix, patched, { checkOnly }, options.poll);
  if (!options.dryRun) {
    const originals = new Map(changed.map((p) => [p.fullName, p.original ?? Buffer.alloc(0)]));
    outcome.backup = writeBackup(kind, options.backupDir, facts, originals);
  }
  options.onProgress?.(`Validating ${changed.length} ${kind.noun}(s) with a check-only deploy`);
  const validation = await deploy(true);
  outcome.validation = { id: validation.id, success: validation.success };
  markFailures(outcome.rows, validation.problems);
  if (!validation.success || options.dryRun) return outcome;
  options.onProgress?.(`Deploying ${changed.length} ${kind.noun}(s)`);
  const deployment = await deploy(false);
  outcome.writes += 1;
  outcome.deployment = { id: deployment.id, success: deployment.success, status: deployment.status };
  if (deployment.success) {
    for (const row of outcome.rows) if (row.status === 'changed') row.deployed = true;
  } else {
    markFailures(outcome.rows, deployment.problems, `Deploy ${deployment.status}`);
  }
  return outcome;
}
