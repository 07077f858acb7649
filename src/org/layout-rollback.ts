import type { Connection } from '@salesforce/core';
import { inputError } from '../core/errors.js';
import { ERRORS } from '../core/messages.js';
import { readBackup } from './layout-backup.js';
import { type LayoutOutcome, deployLayouts, problemsByLayout, retrieveLayouts } from './layouts.js';
import type { PollOptions } from './metadata.js';
import type { OrgFacts } from './org-facts.js';

/** One layout's line of a rollback. */
export type RollbackRow = Pick<LayoutOutcome, 'fullName' | 'deployed' | 'problems'> & {
  status: 'unchanged' | 'restored' | 'failed';
};

export type LayoutsRollbackOutcome = {
  backup: string;
  dryRun: boolean;
  plan: string[];
  layouts: RollbackRow[];
  validation?: { id: string; success: boolean };
  deployment?: { id: string; success: boolean; status: string };
  writes: number;
};

/**
 * Reads a backup folder that `layouts apply` wrote and checks that it belongs to this org, before anything is
 * planned: a backup of another org is a usage error (exit 2).
 */
export function readRollback(folder: string, facts: OrgFacts): ReturnType<typeof readBackup> {
  const backup = readBackup(folder);
  if (backup.manifest.orgId !== facts.id) {
    throw inputError(ERRORS, 'BackupFromAnotherOrg', [
      folder,
      backup.manifest.orgName,
      backup.manifest.orgId,
      facts.name,
      facts.id,
    ]);
  }
  return backup;
}

function markProblems(rows: RollbackRow[], problems: Map<string, string[]>): void {
  for (const row of rows) {
    const found = problems.get(row.fullName) ?? problems.get('') ?? [];
    if (found.length > 0) Object.assign(row, { status: 'failed', problems: found });
  }
}

/**
 * Puts the layouts of a backup back, the way `layouts apply` deploys: validate with a check-only deploy, then
 * (unless dry-run, and once the caller has confirmed the plan) deploy them in one deploy. A failed validation
 * writes nothing.
 */
export async function rollbackLayouts(
  conn: Connection,
  facts: OrgFacts,
  folder: string,
  options: {
    dryRun: boolean;
    confirm?: (plan: string[]) => Promise<void>;
    poll?: PollOptions;
    onProgress?: (message: string) => void;
  }
): Promise<LayoutsRollbackOutcome> {
  const { files: backedUp } = readRollback(folder, facts);
  // Only what differs from the backup is put back: a second rollback finds nothing to do and writes nothing.
  const current = backedUp.size > 0 ? await retrieveLayouts(conn, [...backedUp.keys()], options.poll) : new Map();
  const files = new Map([...backedUp].filter(([name, bytes]) => !current.get(name)?.equals(bytes)));
  const outcome: LayoutsRollbackOutcome = {
    backup: folder,
    dryRun: options.dryRun,
    plan: [...files.keys()].map((name) => `restore ${name} from ${folder}`),
    layouts: [...backedUp.keys()].map((fullName) => ({ fullName, status: 'unchanged', deployed: false, problems: [] })),
    writes: 0,
  };
  if (files.size === 0) return outcome;
  if (!options.dryRun) await options.confirm?.(outcome.plan);
  options.onProgress?.(`Validating ${files.size} layout(s) with a check-only deploy`);
  const validation = await deployLayouts(conn, files, true, options.poll);
  outcome.validation = { id: validation.id, success: validation.success };
  markProblems(outcome.layouts, problemsByLayout(validation.problems));
  for (const row of outcome.layouts) {
    if (row.status !== 'failed' && files.has(row.fullName) && validation.changed.includes(row.fullName))
      row.status = 'restored';
  }
  if (!validation.success || options.dryRun) return outcome;
  options.onProgress?.(`Restoring ${files.size} layout(s)`);
  const deployment = await deployLayouts(conn, files, false, options.poll);
  outcome.writes += 1;
  outcome.deployment = { id: deployment.id, success: deployment.success, status: deployment.status };
  markProblems(outcome.layouts, problemsByLayout(deployment.problems));
  for (const row of outcome.layouts) {
    if (row.status === 'failed' || !files.has(row.fullName)) continue;
    row.deployed = deployment.success;
    row.status = deployment.changed.includes(row.fullName) ? 'restored' : 'unchanged';
  }
  return outcome;
}
