import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Org } from '@salesforce/core';
import type { ChecklistReport } from '../core/checklist.js';
import type { CeConfig } from '../core/config.js';
import { type ScratchVerdict, scratchVerdict } from '../core/scratch-validation.js';
import { selectSteps } from '../core/setup-steps.js';
import { operationError } from '../core/errors.js';
import { ERRORS } from '../core/messages.js';
import { type ApiCallCounter, countApiCalls } from './api-calls.js';
import { runChecklist } from './checklist-run.js';
import { clock } from './clock.js';
import { deploySource } from './deploy-source.js';
import { readOrgFacts } from './org-facts.js';
import { retryReads } from './read-retries.js';
import {
  type ScratchOrg,
  createScratchOrg,
  deleteScratchOrg,
  deleteSignupRequest,
  devHubAllocations,
  readScratchDefinition,
  signupInProgress,
} from './scratch-org.js';
import { type StepResult, runSetup } from './setup-runner.js';

/**
 * `scratch`: a scratch org from the Dev Hub, the CE packages, force-app, the permission set, the checklist, and
 * the org deleted at the end (unless kept). Each stage runs only when the one before it succeeded; whatever
 * happens (a failure, or the run interrupted by a signal), an org that was created is deleted unless the caller
 * keeps it.
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

export type ScratchStageStatus = 'done' | 'failed' | 'interrupted' | 'not-run' | 'skipped';

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
  /** The signal that stopped the run (SIGINT, SIGTERM). */
  interrupted?: string;
  /** A signup request the Dev Hub was still working on when the run stopped (its ScratchOrgInfo Id). */
  signupRequest?: { id: string; ended: boolean };
  report?: ChecklistReport;
  /** Every checklist item, which of them decide the verdict, and those that keep it from validating. */
  verdict?: ScratchVerdict;
  /** The checklist items a scratch org can prove (packages, permission set, layouts, pages) all validate. */
  validated: boolean;
  /** Dev Hub allocations read after the hub refused a signup for its limits. */
  allocations?: string;
  /** The run's own folder (layout backups): removed with the org, kept with it. */
  workDir: string;
  apiCalls: number;
};

export type ScratchRunOptions = {
  hub: Org;
  config: CeConfig;
  configPath: string;
  projectDir: string;
  sourceDir: string;
  definitionFile: string;
  durationDays: number;
  keep: boolean;
  /** The alias the scratch org gets in the local sf config while it lives (sf org create scratch --alias). */
  alias?: string;
  /**
   * Where the run makes its own folder (layout backups, setup output; default: the system's temporary folder). The
   * folder goes with the org: removed when the org is deleted or never made, kept with a kept org.
   */
  workRoot?: string;
  /** Aborted with the signal's name (SIGINT, SIGTERM) to stop the run; the org is then deleted unless kept. */
  signal?: AbortSignal;
  /** How long the deletion after an interruption may take before the run gives up on it (default 30 s). */
  cleanupMs?: number;
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

class Interrupted extends Error {
  public constructor(public readonly signal: string) {
    super(signal);
  }
}

type Stage = <T>(id: ScratchStageId, work: () => Promise<T>) => Promise<T>;

export async function runScratch(options: ScratchRunOptions): Promise<ScratchRun> {
  // Bad input stops the run before anything is asked of the Dev Hub (an InputError, exit 2).
  const orgConfig = readScratchDefinition(options.definitionFile);
  const workDir = mkdtempSync(join(options.workRoot ?? tmpdir(), 'ce-connect-scratch-'));
  const run: ScratchRun = {
    kept: false,
    deleted: false,
    deployed: 0,
    stages: [],
    validated: false,
    workDir,
    apiCalls: 0,
  };
  let scratch: ScratchOrg | undefined;
  let calls: ApiCallCounter | undefined;
  const { signal } = options;
  // A stage waits for its work or for the signal, whichever comes first; interrupted work is left to end on its
  // own (the process exits once the org is dealt with), so its outcome is not waited for.
  const stopped = new Promise<never>((_resolve, reject) => {
    const stop = (): void => reject(new Interrupted(String(signal?.reason ?? 'SIGINT')));
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop, { once: true });
  });
  stopped.catch(() => undefined);

  // A signal that arrives once the stages are over (during the deletion) still ends the run as interrupted.
  signal?.addEventListener('abort', () => (run.interrupted ??= String(signal.reason ?? 'SIGINT')), { once: true });

  const record = recorder(run);
  const stage: Stage = (id, work) => {
    options.onStage?.(id);
    return record(id, () => {
      if (signal?.aborted) return Promise.reject(new Interrupted(String(signal.reason ?? 'SIGINT')));
      const pending = work();
      pending.catch(() => undefined);
      return Promise.race([pending, stopped]);
    });
  };

  let creating: Promise<ScratchOrg> | undefined;
  try {
    scratch = await stage(
      'create',
      () =>
        (creating = (async () => {
          try {
            return await createScratchOrg({
              hub: options.hub,
              orgConfig,
              durationDays: options.durationDays,
              alias: options.alias,
            });
          } catch (error) {
            // The signup may have made an org before it failed (settings that did not deploy): it is still deleted.
            scratch = (error as { scratch?: ScratchOrg }).scratch;
            if ((error as { name?: string }).name === 'LIMIT_EXCEEDED')
              run.allocations = await devHubAllocations(options.hub);
            throw error;
          }
        })())
    );
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
        backupDir: workDir,
        outDir: workDir,
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
    // The report's fixes name the org only when it outlives the run; a deleted org's name would be no use.
    run.report = await stage('checklist', () =>
      runChecklist(conn, config, facts, options.keep ? { alias: created.username } : {})
    );
    run.verdict = scratchVerdict(run.report);
    run.validated = run.verdict.validated;
  } catch (error) {
    // Every stage failure and interruption is recorded in run.stages; anything else is a fault of this code.
    if (!run.failed && !run.interrupted) throw error;
  } finally {
    run.apiCalls = calls?.count ?? 0;
    const reached = new Set(run.stages.map((s) => s.id));
    for (const id of SCRATCH_STAGES.filter((s) => s !== 'delete' && !reached.has(s))) {
      run.stages.push({ id, status: 'not-run', durationMs: 0 });
    }
    await finish(run, scratch, creating, options);
    // The layout backups were of this org's layouts: with the org gone (or never made) they restore nothing.
    if (!run.kept && (run.deleted || !run.username)) rmSync(workDir, { recursive: true, force: true });
  }
  return run;
}

/** Runs a stage's work and records its outcome: done (with the summaries it returned), failed or interrupted. */
function recorder(run: ScratchRun): Stage {
  return async (id, work) => {
    const started = clock().now();
    try {
      const value = await work();
      const details =
        Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
      run.stages.push({ id, status: 'done', durationMs: clock().now() - started, ...(details && { details }) });
      return value;
    } catch (error) {
      if (error instanceof Interrupted) {
        run.stages.push({ id, status: 'interrupted', durationMs: clock().now() - started });
        run.interrupted = error.signal;
        throw error;
      }
      const outcome = error instanceof StageFailed ? error.outcome : { error: error as Error };
      run.stages.push({ id, status: 'failed', durationMs: clock().now() - started, ...outcome });
      run.failed ??= id;
      throw error;
    }
  };
}

/**
 * Deletes the org, or keeps it when asked; without an org there is nothing to do. After an interruption, a signup
 * the Dev Hub was still working on is ended too, and the deletion gets a bound: a CI runner kills the job seconds
 * after its signal, and what the run did not finish is reported with the command that finishes it. The deletion
 * never races the signal itself: a signal that arrives during it lets it end.
 */
async function finish(
  run: ScratchRun,
  made: ScratchOrg | undefined,
  creating: Promise<ScratchOrg> | undefined,
  options: ScratchRunOptions
): Promise<void> {
  const deadline = run.interrupted ? Date.now() + (options.cleanupMs ?? 30_000) : undefined;
  let scratch = made;
  if (!scratch && run.interrupted && creating) {
    scratch = await untilSignupKnown(creating, deadline as number);
  }
  const signup = !scratch && run.interrupted ? signupInProgress() : {};
  if (signup.username) scratch = { username: signup.username, hub: options.hub };
  if (scratch) run.username ??= scratch.username;
  if (!scratch && signup.id) run.signupRequest = { id: signup.id, ended: false };
  const org = scratch;
  if ((!org && !run.signupRequest) || options.keep) {
    run.kept = Boolean(org ?? run.signupRequest);
    run.stages.push({ id: 'delete', status: 'skipped', durationMs: 0 });
    return;
  }
  const record = recorder(run);
  options.onStage?.('delete');
  try {
    if (org) {
      await record('delete', () => withDeadline(deleteScratchOrg(org), deadline));
      run.deleted = true;
    } else if (run.signupRequest) {
      const request = run.signupRequest;
      await record('delete', () => withDeadline(deleteSignupRequest(options.hub, request.id), deadline));
      request.ended = true;
    }
  } catch {
    // Recorded as the delete stage's failure; the command names the way to delete it by hand.
  }
}

/**
 * A signal during the signup: core's creation goes on in the background. Until it reports its signup request (the
 * Id comes with the first status read, a second or so after the request) or ends, at most until the deadline; an
 * org it finished making by then is returned to be deleted like any other.
 */
async function untilSignupKnown(creating: Promise<ScratchOrg>, deadline: number): Promise<ScratchOrg | undefined> {
  let ended = false;
  let made: ScratchOrg | undefined;
  creating.then(
    (scratch) => ((ended = true), (made = scratch)),
    (error: unknown) => ((ended = true), (made = (error as { scratch?: ScratchOrg }).scratch))
  );
  while (!ended && !signupInProgress().id && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return made;
}

async function withDeadline<T>(work: Promise<T>, deadline: number | undefined): Promise<T> {
  if (deadline === undefined) return work;
  const ms = Math.max(deadline - Date.now(), 1000);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(operationError(ERRORS, 'ScratchDeleteNoAnswer', [Math.ceil(ms / 1000)])), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
