import type { Connection } from '@salesforce/core';
import { inputError } from '../core/errors.js';
import { ERRORS } from '../core/messages.js';
import { type MetadataKind, readBackup } from './backup.js';
import { type ComponentProblem, type PollOptions, deployComponents, retrieveComponents } from './metadata.js';
import type { OrgFacts } from './org-facts.js';

/** One component's line of a rollback. */
export type RollbackRow = {
  fullName: string;
  status: 'unchanged' | 'restored' | 'failed';
  /** Whether it reached the org (false on a dry run, or when validation failed). */
  deployed: boolean;
  problems: string[];
};

export type RollbackOutcome = {
  backup: string;
  dryRun: boolean;
  plan: string[];
  rows: RollbackRow[];
  validation?: { id: string; success: boolean };
  deployment?: { id: string; success: boolean; status: string };
  writes: number;
};

/** Deploy problems by component, each with its position when the org gave one; '' holds deploy-wide ones. */
export function problemsByComponent(problems: ComponentProblem[]): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const p of problems) {
    const where =
      p.line === undefined ? '' : ` (line ${p.line}${p.column === undefined ? '' : `, column ${p.column}`})`;
    byName.set(p.fullName, [...(byName.get(p.fullName) ?? []), `${p.problem}${where}`]);
  }
  return byName;
}

/**
 * Reads a backup folder that `apply` wrote and checks that it belongs to this org, before anything is
 * planned: a backup of another org is a usage error (exit 2).
 */
export function readRollback(kind: MetadataKind, folder: string, facts: OrgFacts): ReturnType<typeof readBackup> {
  const backup = readBackup(kind, folder);
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
 * Puts the components of a backup back, the way `apply` deploys: validate with a check-only deploy, then
 * (unless dry-run, and once the caller has confirmed the plan) deploy them in one deploy. A failed validation
 * writes nothing.
 */
export async function rollbackComponents(
  kind: MetadataKind,
  conn: Connection,
  facts: OrgFacts,
  folder: string,
  options: {
    dryRun: boolean;
    confirm?: (plan: string[]) => Promise<void>;
    poll?: PollOptions;
    onProgress?: (message: string) => void;
  }
): Promise<RollbackOutcome> {
  const { files: backedUp } = readRollback(kind, folder, facts);
  const deploy = (files: Map<string, Buffer>, checkOnly: boolean): ReturnType<typeof deployComponents> =>
    deployComponents(conn, kind.type, kind.folder, kind.suffix, files, { checkOnly }, options.poll);
  // Only what differs from the backup is put back: a second rollback finds nothing to do and writes nothing.
  const current =
    backedUp.size > 0
      ? (await retrieveComponents(conn, kind.type, kind.folder, kind.suffix, [...backedUp.keys()], options.poll)).files
      : new Map<string, Buffer>();
  const files = new Map([...backedUp].filter(([name, bytes]) => !current.get(name)?.equals(bytes)));
  const outcome: RollbackOutcome = {
    backup: folder,
    dryRun: options.dryRun,
    plan: [...files.keys()].map((name) => `restore ${name} from ${folder}`),
    rows: [...backedUp.keys()].map((fullName) => ({ fullName, status: 'unchanged', deployed: false, problems: [] })),
    writes: 0,
  };
  if (files.size === 0) return outcome;
  if (!options.dryRun) await options.confirm?.(outcome.plan);
  options.onProgress?.(`Validating ${files.size} ${kind.noun}(s) with a check-only deploy`);
  const validation = await deploy(files, true);
  outcome.validation = { id: validation.id, success: validation.success };
  markProblems(outcome.rows, problemsByComponent(validation.problems));
  for (const row of outcome.rows) {
    if (row.status !== 'failed' && files.has(row.fullName) && validation.changed.includes(row.fullName))
      row.status = 'restored';
  }
  if (!validation.success || options.dryRun) return outcome;
  options.onProgress?.(`Restoring ${files.size} ${kind.noun}(s)`);
  const deployment = await deploy(files, false);
  outcome.writes += 1;
  outcome.deployment = { id: deployment.id, success: deployment.success, status: deployment.status };
  markProblems(outcome.rows, problemsByComponent(deployment.problems));
  for (const row of outcome.rows) {
    if (row.status === 'failed' || !files.has(row.fullName)) continue;
    row.deployed = deployment.success;
    row.status = deployment.changed.includes(row.fullName) ? 'restored' : 'unchanged';
  }
  return outcome;
}
