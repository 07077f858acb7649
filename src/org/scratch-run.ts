import type { Org } from '@salesforce/core';
import type { ChecklistReport } from '../core/checklist.js';
import type { CeConfig } from '../core/config.js';
import { selectSteps } from '../core/setup-steps.js';
import { type ApiCallCounter, countApiCalls } from './api-calls.js';
import { runChecklist } from './checklist-run.js';
import { clock } from './clock.js';
import { deploySource } from './deploy-source.js';
import { readOrgFacts } from './org-facts.js';
import { retryReads } from './read-retries.js';
import { type ScratchOrg, createScratchOrg, deleteScratchOrg, devHubAllocations } from './scratch-org.js';
import { type StepResult, runSetup } from './setup-runner.js';

/**
 * `scratch`: a scratch org from the Dev Hub, the CE packages, force-app, the permission set, the checklist, and
 * the org deleted at the end (unless kept). Each stage runs only when the one before it succeeded; whatever
 * happens, an org that was created is deleted unless the caller keeps it.
 */
export type ScratchStageId = 'create' | 'packages' | 'deploy' | 'setup' | 'checklist' | 'delete';

export const SCRATCH_STAGES: readonly ScratchStageId[] = [
  'create',
  'packages',
  'deploy',
  'setup',
  'checklist',
  'delete',
];

export type ScratchStageStatus = 'done' | 'failed' | 'not-run' | 'skipped';

export type ScratchStageOutcome = {
  id: ScratchStageId;
  status: ScratchStageStatus;
  durationMs: number;
  /** Why the stage failed: the org's or the library's own words. */
  error?: Error;
  /** A failed setup step (packages, permission set, layouts): its summary and fix. */
  step?: Pick<StepResult, 'title' | 'summary' | 'fix'>;
  /** What the setup steps of a stage that ran them said (installed versions, assignments, layouts). */
  details?: string[];
};

export type ScratchRun = {
  username?: string;
  orgId?: string;
  edition?: string;
  instanceUrl?: string;
  expires?: string;
  kept: boolean;
  deleted: boolean;
  deployed: number;
  stages: ScratchStageOutcome[];
  /** The first stage that failed. */
  failed?: ScratchStageId;
  report?: ChecklistReport;
  /** The checklist items a scratch org can prove (packages, permission set, layouts, pages) all pass. */
  validated: boolean;
  /** Dev Hub allocations read after the hub refused a signup for its limits. */
  allocations?: string;
  apiCalls: number;
};

/** What a scratch org can prove on its own; the connection and sync need CE itself. */
const SCRATCH_AREAS = /^(packages|permsets|layouts|pages)\./;

export type ScratchRunOptions = {
  hub: Org;
  config: CeConfig;
  configPath: string;
  projectDir: string;
  sourceDir: string;
  definitionFile: string;
  durationDays: number;
  keep: boolean;
  backupDir: string;
  outDir: string;
  onStage?: (id: ScratchStageId) => void;
};

/**
 * The config for a new scratch org: the permission set goes to the org's own admin, the only user a new scratch
 * org has (the config's assignees name the users of the admin's real org, which a scratch org does not have).
 */
export function scratchConfig(config: CeConfig, username: string): CeConfig {
  return { ...config, permissionSet: { ...config.permissionSet, assignees: [{ username }] } };
}

class StageFailed extends Error {
  public constructor(public readonly outcome: Omit<ScratchStageOutcome, 'id' | 'status' | 'durationMs'>) {
    super('stage failed');
  }
}

export async function runScratch(options: ScratchRunOptions): Promise<ScratchRun> {
  const run: ScratchRun = { kept: false, deleted: false, deployed: 0, stages: [], validated: false, apiCalls: 0 };
  let scratch: ScratchOrg | undefined;
  let calls: ApiCallCounter | undefined;

  const stage = async <T>(id: ScratchStageId, work: () => Promise<T>): Promise<T> => {
    options.onStage?.(id);
    const started = clock().now();
    try {
      const value = await work();
      const details =
        Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
      run.stages.push({ id, status: 'done', durationMs: clock().now() - started, ...(details && { details }) });
      return value;
    } catch (error) {
      const outcome = error instanceof StageFailed ? error.outcome : { error: error as Error };
      run.stages.push({ id, status: 'failed', durationMs: clock().now() - started, ...outcome });
      run.failed ??= id;
      throw error;
    }
  };

  try {
    scratch = await stage('create', async () => {
      try {
        return await createScratchOrg({
          hub: options.hub,
          definitionFile: options.definitionFile,
          durationDays: options.durationDays,
        });
      } catch (error) {
        // The signup may have made an org before it failed (settings that did not deploy): it is still deleted.
        scratch = (error as { scratch?: ScratchOrg }).scratch;
        if ((error as { name?: string }).name === 'LIMIT_EXCEEDED')
          run.allocations = await devHubAllocations(options.hub);
        throw error;
      }
    });
    const created = scratch as ScratchOrg & { org: Org };
    const conn = created.org.getConnection();
    calls = countApiCalls(conn);
    retryReads(conn);
    const facts = await readOrgFacts(conn);
    Object.assign(run, {
      username: created.username,
      orgId: facts.id,
      edition: facts.edition,
      instanceUrl: facts.instanceUrl,
      expires: created.expires,
    });
    const config = scratchConfig(options.config, created.username);
    // A scratch org is made for this run and deleted after it: nothing to confirm.
    const setup = async (only: string): Promise<string[]> => {
      const result = await runSetup(conn, config, facts, {
        dryRun: false,
        steps: selectSteps({ only }),
        alias: created.username,
        configPath: options.configPath,
        backupDir: options.backupDir,
        outDir: options.outDir,
        syncTimeoutMs: 0,
        packages: {},
        confirm: () => Promise.resolve(),
      });
      const failedStep = result.steps.find((s) => s.status === 'failed' || s.status === 'not-run');
      if (failedStep) throw new StageFailed({ step: failedStep });
      return result.steps.filter((s) => s.status !== 'skipped').map((s) => s.summary);
    };
    await stage('packages', () => setup('packages'));
    const deployed = await stage('deploy', () =>
      deploySource(conn, {
        projectDir: options.projectDir,
        sourceDir: options.sourceDir,
        namespace: options.config.packages[0].namespace,
      })
    );
    run.deployed = deployed.components;
    await stage('setup', () => setup('permsets,layouts'));
    run.report = await stage('checklist', () => runChecklist(conn, config, facts, { alias: created.username }));
    run.validated = run.report.sections
      .flatMap((section) => section.items)
      .filter((item) => SCRATCH_AREAS.test(item.id))
      .every((item) => item.status !== 'fail');
  } catch (error) {
    // Every stage failure is recorded in run.stages; anything else is a fault of this code and surfaces.
    if (!run.failed) throw error;
  } finally {
    run.apiCalls = calls?.count ?? 0;
    const reached = new Set(run.stages.map((s) => s.id));
    for (const id of SCRATCH_STAGES.filter((s) => s !== 'delete' && !reached.has(s))) {
      run.stages.push({ id, status: 'not-run', durationMs: 0 });
    }
    await finish(run, scratch, options, stage);
  }
  return run;
}

/** Deletes the org, or keeps it when asked; without an org there is nothing to do. */
async function finish(
  run: ScratchRun,
  scratch: ScratchOrg | undefined,
  options: ScratchRunOptions,
  stage: <T>(id: ScratchStageId, work: () => Promise<T>) => Promise<T>
): Promise<void> {
  if (scratch) run.username ??= scratch.username;
  if (!scratch || options.keep) {
    run.kept = Boolean(scratch);
    run.stages.push({ id: 'delete', status: 'skipped', durationMs: 0 });
    return;
  }
  try {
    await stage('delete', () => deleteScratchOrg(scratch));
    run.deleted = true;
  } catch {
    // Recorded as the delete stage's failure; the command names the way to delete it by hand.
  }
}
