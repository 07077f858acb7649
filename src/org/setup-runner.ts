import type { Connection } from '@salesforce/core';
import { Messages } from '@salesforce/core/messages';
import { findingText } from '../core/admins-only.js';
import type { CeConfig } from '../core/config.js';
import { CeError, InputError } from '../core/errors.js';
import { relatedListSpec } from '../core/related-list-spec.js';
import type { SetupRerun, SetupStepId, StepSelection } from '../core/setup-steps.js';
import { connectGuide, waitForOAuthLogin } from './connect-guide.js';
import { BACKFILL_DEFAULTS } from '../core/defaults.js';
import { checkExportFile } from './backfill-plan.js';
import { type PreparedRun, type RunInput, applyBackfill, prepareBackfill } from './backfill-run.js';
import { type SetupBackfillPlan, setupBackfillLines, setupBackfillPlan } from '../core/setup-backfill.js';
import { waitForEnrollment } from './enrollment-wait.js';
import { auditIntegrationUser } from './integration-user.js';
import { applyLayoutPlans, type LayoutPlan, layoutPlanLines, planLayouts } from './layouts.js';
import type { OrgFacts } from './org-facts.js';
import { type PagePlan, applyPagePlans, pagePlanLines, planPages } from './pages.js';
import { applyPackageInstall } from './packages/apply.js';
import type { InstallOptions, PackageInstallPlan } from './packages/model.js';
import { planPackageInstall } from './packages/plan.js';
import { clock } from './clock.js';
import {
  type PlannedAssignments,
  applyPlannedAssignments,
  planPermissionSetAssignments,
} from './permset-assignments.js';
import { DEFAULT_GROUP_WAIT_MINUTES } from './permission-set-groups.js';
import {
  type PolicyCommands,
  type PolicyPlan,
  type PolicySource,
  applyPolicyDeploy,
  planPolicyDeploy,
  wantedPolicy,
} from './user-access-policy.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const TEXT = Messages.loadMessages('ce-connect', 'access');

/**
 * `setup`: the whole runbook in order, in one process. Every step is planned first (reads only), the whole plan
 * is shown and confirmed once, then the steps are applied in order, stopping at the first that fails. Steps
 * whose plan needs the packages (the permission set and the Enrollment object come with them) are planned
 * right before they run when the packages step is about to install something.
 */
export type StepStatus = 'planned' | 'done' | 'ok' | 'manual' | 'failed' | 'skipped' | 'not-run';

export type StepResult = {
  id: SetupStepId;
  title: string;
  status: StepStatus;
  writes: number;
  durationMs: number;
  /** The changes this step makes (or would make); empty when the org already matches. */
  plan: string[];
  summary: string;
  fix?: string;
  details?: unknown;
};

export type SetupResult = {
  ok: boolean;
  dryRun: boolean;
  writes: number;
  steps: StepResult[];
  /** The backfill step's plan, once planned: the rows it upserts, skips and rejects, and its Bulk API jobs. */
  backfill?: SetupBackfillPlan;
  /** Set when the admin declined the plan shown once the packages were installed (nothing of it was written). */
  declined?: boolean;
  /**
   * Set when the plan made once the packages were installed found bad input (an Active policy a deploy would
   * deactivate): setup stopped there as a refusal of the first plan does, and nothing of that plan was written.
   */
  refused?: { step: SetupStepId; name: string; message: string; actions: string[]; data?: unknown };
};

export type SetupEvent =
  | { kind: 'planning'; id: SetupStepId; title: string }
  | { kind: 'start'; id: SetupStepId; title: string }
  | { kind: 'progress'; id: SetupStepId; message: string }
  | { kind: 'finish'; step: StepResult };

export type SetupOptions = {
  dryRun: boolean;
  steps: StepSelection[];
  /** The org as the admin names it, for suggested commands. */
  alias: string;
  /** The command that continues setup after a stop (the same command again); `ce-connect setup -o <alias>` by default. */
  continueCommand?: string;
  /** That command changed as a fix needs (with --force, without a step); made from continueCommand when absent. */
  rerunWith?: (change: SetupRerun) => string;
  configPath?: string;
  backupDir: string;
  outDir: string;
  testEmail?: string;
  course?: string;
  syncTimeoutMs: number;
  /** Seconds between status reads of every wait that polls at an interval (installs, the CE login, Bulk jobs); each wait's own default when absent. */
  pollIntervalSeconds?: number;
  /** Minutes the permsets step waits for the permission set groups config names to be recalculated (10 by default). */
  groupWaitMinutes?: number;
  exportFile?: string;
  waitConnectMinutes?: number;
  packages: Pick<InstallOptions, 'waitMinutes' | 'installationKey' | 'pollSchedule'>;
  /** Where the User Access Policy comes from (the project's file, the config's name); from config alone by default. */
  policy?: PolicySource;
  /** Deploy the policy even over an Active one that differs (the deploy deactivates it). */
  force?: boolean;
  /** Called once with every planned change before the first write (production orgs need a yes). */
  confirm: (plan: string[]) => Promise<void>;
  onEvent?: (event: SetupEvent) => void;
};

type Context = {
  conn: Connection;
  config: CeConfig;
  facts: OrgFacts;
  options: SetupOptions;
  /** The backfill's plan as last shown, for the result. */
  backfill?: SetupBackfillPlan;
  /** The admin said no to the plan shown after the install. */
  declined?: boolean;
  /** Bad input found while planning the steps deferred until the packages were installed. */
  refused?: SetupResult['refused'];
};

type Planned = { lines: string[]; state?: unknown; deferred?: boolean };

type Outcome = Omit<StepResult, 'id' | 'title' | 'durationMs' | 'plan'> & { plan?: string[] };

type Step = {
  /** Whether the step reads things only the packages bring (it cannot be planned before they are installed). */
  needsPackages: boolean;
  /** Checks the step's own inputs (files, folders) before anything is planned or written; throws an InputError. */
  check?(ctx: Context): Promise<void>;
  plan(ctx: Context): Promise<Planned>;
  apply(ctx: Context, planned: Planned): Promise<Outcome>;
};

const progress =
  (ctx: Context, id: SetupStepId) =>
  (message: string): void =>
    ctx.options.onEvent?.({ kind: 'progress', id, message });

const STEPS: Record<SetupStepId, Step> = {
  packages: {
    needsPackages: false,
    async plan(ctx) {
      const planned = await planPackageInstall(ctx.conn, ctx.config, installOptions(ctx));
      return { lines: planned.plan, state: planned };
    },
    async apply(ctx, planned) {
      const result = await applyPackageInstall(
        ctx.conn,
        ctx.config,
        planned.state as PackageInstallPlan,
        installOptions(ctx)
      );
      const failed = result.packages.find((p) => p.status === 'failed');
      const exposed = result.access?.findings.filter((f) => f.status === 'fail') ?? [];
      const packages = result.packages.map((p) => `${p.name}: ${p.message || p.status}`).join('; ');
      return {
        status: !result.ok ? 'failed' : result.writes > 0 ? 'done' : 'ok',
        writes: result.writes,
        summary:
          exposed.length > 0
            ? `${packages}; ${TEXT.getMessage('admins-only.summary', [exposed.map(findingText).join('; ')])}`
            : packages,
        fix: failed?.fix ?? exposed[0]?.fix.replace(/<org>/g, ctx.options.alias),
        details: result,
      };
    },
  },
  'integration-user': {
    needsPackages: false,
    plan: () => Promise.resolve({ lines: [] }),
    async apply(ctx) {
      const audit = await auditIntegrationUser(ctx.conn, ctx.config);
      const count = (status: string): number => audit.findings.filter((f) => f.status === status).length;
      const failed = audit.findings.find((f) => f.status === 'fail');
      return {
        status: audit.ok ? 'ok' : 'failed',
        writes: 0,
        summary: failed
          ? `${audit.username}: ${failed.title} — ${failed.reason}`
          : `${audit.username}: ${count('pass')} pass, ${count('warn')} warn`,
        fix: failed?.fix,
        details: audit,
      };
    },
  },
  permsets: {
    needsPackages: true,
    // Planned right after an upgrade when the packages step installs one: the groups holding a CE permission set
    // are being recalculated then, so the plan waits for them (within the step's wait) before it reads members.
    async plan(ctx) {
      const interval = ctx.options.pollIntervalSeconds;
      const planned = await planPermissionSetAssignments(ctx.conn, ctx.config, {
        groups: {
          waitMinutes: ctx.options.groupWaitMinutes ?? DEFAULT_GROUP_WAIT_MINUTES,
          rerun: { command: continueCommand(ctx), waitFlag: '--group-wait' },
          checkCommand: `ce-connect checklist -o ${ctx.options.alias}`,
          ...(interval ? { pollSchedule: { firstMs: interval * 1000, maxMs: interval * 1000, factor: 1 } } : {}),
          onProgress: (event) =>
            progress(ctx, 'permsets')(TEXT.getMessage('groups.waiting', [event.pending.join('; ')])),
        },
      });
      return { lines: planned.lines, state: planned };
    },
    async apply(ctx, planned) {
      const result = await applyPlannedAssignments(ctx.conn, planned.state as PlannedAssignments);
      const failed = result.outcomes.find((o) => o.outcome === 'failed');
      const counts = Object.entries(result.counts)
        .filter(([, n]) => n > 0)
        .map(([outcome, n]) => `${n} ${outcome}`)
        .join(', ');
      return {
        status: failed ? 'failed' : result.writes > 0 ? 'done' : 'ok',
        writes: result.writes,
        // Its warnings (rules that match nobody, groups not recalculated) are what the admin acts on next.
        summary: [counts, ...result.warnings].filter(Boolean).join(' '),
        fix: failed ? `${failed.username}: ${failed.message ?? 'assignment failed'}` : undefined,
        details: result,
      };
    },
  },
  policy: {
    // The policy grants the package's permission set, which the org has only once the packages are in.
    needsPackages: true,
    // The project's file against config needs no org: a file out of step is bad input before anything is written.
    check(ctx) {
      if (ctx.config.permissionSet.name) wantedPolicy(ctx.config, policySource(ctx), policyCommands(ctx).again);
      return Promise.resolve();
    },
    async plan(ctx) {
      const planned = await planPolicyDeploy(ctx.conn, ctx.config, policySource(ctx), {
        force: ctx.options.force,
        commands: policyCommands(ctx),
      });
      return { lines: planned.lines, state: planned };
    },
    async apply(ctx, planned) {
      const result = await applyPolicyDeploy(ctx.conn, planned.state as PolicyPlan, policyCommands(ctx));
      const status = result.after?.status ?? result.before.status;
      const token = result.reason === 'unreadable' && !result.deployed ? result.before.unreadable?.reason : status;
      return {
        status: result.action === 'manual' ? 'manual' : result.writes > 0 ? 'done' : 'ok',
        writes: result.writes,
        summary: TEXT.getMessage(`policy.step.${result.deployed ? 'deployed' : result.reason}`, [token ?? '—']),
        fix: result.action === 'manual' || status !== 'Active' ? result.next : undefined,
        details: result,
      };
    },
  },
  layouts: {
    needsPackages: true,
    async plan(ctx) {
      const plans = await planLayouts(ctx.conn, relatedListSpec(ctx.config), ctx.config.layouts.targets);
      return { lines: layoutPlanLines(plans), state: plans };
    },
    async apply(ctx, planned) {
      const outcome = await applyLayoutPlans(ctx.conn, ctx.facts, planned.state as LayoutPlan[], {
        dryRun: false,
        backupDir: ctx.options.backupDir,
        onProgress: progress(ctx, 'layouts'),
      });
      const failed = outcome.layouts.find((l) => l.status === 'failed');
      const changed = outcome.layouts.filter((l) => l.deployed).length;
      return {
        status: failed ? 'failed' : outcome.writes > 0 ? 'done' : 'ok',
        writes: outcome.writes,
        summary: failed
          ? `${failed.fullName}: ${failed.problems.join('; ')}`
          : `${changed} of ${outcome.layouts.length} Contact layout(s) changed${outcome.backup ? `; originals in ${outcome.backup}` : ''}`,
        fix: failed ? 'Fix the layout named above, then run setup again (nothing else was deployed).' : undefined,
        details: outcome,
      };
    },
  },
  pages: {
    needsPackages: true,
    async plan(ctx) {
      const plans = await planPages(ctx.conn, ctx.config, {
        configSource: ctx.options.configPath ?? 'config/ce-connect.json',
      });
      return { lines: pagePlanLines(plans), state: plans };
    },
    async apply(ctx, planned) {
      const outcome = await applyPagePlans(ctx.conn, ctx.facts, planned.state as PagePlan[], {
        dryRun: false,
        backupDir: ctx.options.backupDir,
        onProgress: progress(ctx, 'pages'),
      });
      const failed = outcome.pages.find((p) => p.status === 'failed');
      const changed = outcome.pages.filter((p) => p.deployed).length;
      const plans = planned.state as PagePlan[];
      return {
        status: failed ? 'failed' : outcome.writes > 0 ? 'done' : 'ok',
        writes: outcome.writes,
        summary: failed
          ? `${failed.fullName}: ${failed.problems.join('; ')}`
          : `${changed} of ${outcome.pages.length} Contact record page(s) changed${outcome.backup ? `; originals in ${outcome.backup}` : ''}`,
        fix: failed
          ? (plans.find((p) => p.fullName === failed.fullName)?.fix?.replace(/<org>/g, ctx.options.alias) ??
            'Fix the page named above, then run setup again (nothing else was deployed).')
          : undefined,
        details: outcome,
      };
    },
  },
  'connect-guide': {
    needsPackages: false,
    plan: () => Promise.resolve({ lines: [] }),
    async apply(ctx) {
      const guide = await connectGuide(ctx.conn, ctx.config, ctx.facts, { targetOrg: ctx.options.alias });
      const where = `paste ${ctx.facts.instanceUrl}${ctx.facts.kind === 'production' ? '' : ', turn on "This is a sandbox instance"'}, log in as ${ctx.config.integrationUser.username}`;
      if (!ctx.options.waitConnectMinutes) {
        return {
          status: 'manual',
          writes: 0,
          summary: `In Customer Education (Apps > Integrations > Salesforce): ${where}.`,
          fix: `Full guide: ce-connect connect-guide -o ${ctx.options.alias}`,
          details: guide,
        };
      }
      const login = await waitForOAuthLogin(ctx.conn, {
        username: ctx.config.integrationUser.username,
        waitMinutes: ctx.options.waitConnectMinutes,
        intervalSeconds: ctx.options.pollIntervalSeconds,
      });
      const found = login.login !== undefined;
      return {
        status: found ? 'ok' : 'failed',
        writes: 0,
        summary: found ? `The integration user logged in through OAuth.` : `No OAuth login seen: ${where}.`,
        fix: found ? undefined : `ce-connect connect-guide -o ${ctx.options.alias} --wait 30`,
        details: { guide, login },
      };
    },
  },
  'sync-verify': {
    needsPackages: true,
    plan: () => Promise.resolve({ lines: [] }),
    async apply(ctx) {
      const wait = await waitForEnrollment(ctx.conn, ctx.config, {
        email: ctx.options.testEmail ?? '',
        course: ctx.options.course,
        timeoutMs: ctx.options.syncTimeoutMs,
        alias: ctx.options.alias,
        onProgress: (event) => {
          if (event.kind === 'poll') progress(ctx, 'sync-verify')(`poll ${event.polls}: not yet`);
        },
      });
      const found = wait.status === 'found';
      return {
        status: found ? 'ok' : 'failed',
        writes: 0,
        summary: found
          ? `Enrollment ${wait.record?.id ?? ''} for ${wait.email} arrived after ${Math.round((wait.foundAfterMs ?? 0) / 1000)} s`
          : `No enrollment for ${wait.email} within the wait`,
        fix: found ? undefined : wait.causes?.[0]?.check,
        details: wait,
      };
    },
  },
  backfill: {
    needsPackages: true,
    // The export is read whole now, while nothing is written: a bad file stops setup with exit 2.
    check: async (ctx) => {
      const { backfill } = ctx.config;
      if (ctx.options.exportFile)
        await checkExportFile(ctx.options.exportFile, backfill.externalIdColumn, backfill.timestampColumn);
    },
    // Planned against the org like `backfill run` (reads only; the upload files and journal go to --out-dir), so
    // the confirmation shows its real rows and jobs, and apply sends exactly the plan that was confirmed.
    async plan(ctx) {
      const input = backfillInput(ctx);
      const prepared = await prepareBackfill(input);
      const { result, journal } = prepared;
      ctx.backfill = setupBackfillPlan({
        exportFile: ctx.options.exportFile ?? '',
        outDir: result.outDir,
        object: journal.object,
        externalIdField: journal.externalIdField,
        since: journal.since,
        resumed: result.resumed,
        maxJobBytes: input.maxJobBytes,
        summary: result.planSummary,
        jobs: journal.jobs.filter((job) => job.step !== 'done'),
        forecast: result.forecast,
      });
      return { lines: setupBackfillLines(ctx.backfill), state: prepared };
    },
    async apply(ctx, planned) {
      const result = await applyBackfill(backfillInput(ctx), planned.state as PreparedRun);
      const upsert = result.summary?.upsert;
      const failed = (upsert?.failed ?? 0) + (upsert?.unprocessed ?? 0);
      const upserted = (upsert?.created ?? 0) + (upsert?.updated ?? 0);
      return {
        status: failed > 0 ? 'failed' : result.writes > 0 ? 'done' : 'ok',
        writes: result.writes,
        summary: `${upserted} upserted, ${upsert?.existingNewer ?? 0} already newer in Salesforce, ${failed} failed; files in ${result.outDir}`,
        fix:
          failed > 0
            ? `See ${result.outDir}/failed.csv, then: ce-connect backfill run -o ${ctx.options.alias} --resume ${result.outDir}`
            : undefined,
        details: result,
      };
    },
  },
};

function backfillInput(ctx: Context): RunInput {
  const { backfill } = ctx.config;
  return {
    conn: ctx.conn,
    config: ctx.config,
    outDir: ctx.options.outDir,
    exportPath: ctx.options.exportFile,
    resume: false,
    since: Date.parse(backfill.since),
    externalIdColumn: backfill.externalIdColumn,
    timestampColumn: backfill.timestampColumn,
    rowsPerFile: backfill.rowsPerFile ?? BACKFILL_DEFAULTS.rowsPerFile,
    dryRun: ctx.options.dryRun,
    pollIntervalMs: (ctx.options.pollIntervalSeconds ?? BACKFILL_DEFAULTS.pollIntervalSeconds) * 1000,
    timeoutMs: BACKFILL_DEFAULTS.waitMinutes * 60_000,
    maxJobBytes: BACKFILL_DEFAULTS.maxJobBytes,
    // setup asks once for the whole plan, backfill included.
    confirm: () => Promise.resolve(),
    onProgress: progress(ctx, 'backfill'),
  };
}

/** The command that continues setup after a stop: the same command again (what is applied is not done twice). */
function continueCommand(ctx: Context): string {
  return ctx.options.continueCommand ?? `ce-connect setup -o ${ctx.options.alias}`;
}

function policySource(ctx: Context): PolicySource {
  return ctx.options.policy ?? { configSource: ctx.options.configPath ?? 'config/ce-connect.json' };
}

/** The commands the policy step's refusals and failures name: setup as it was run, with --force, without the step. */
function policyCommands(ctx: Context): PolicyCommands {
  const again = continueCommand(ctx);
  const rerun = ctx.options.rerunWith;
  return {
    alias: ctx.options.alias,
    again,
    force: rerun ? rerun({ force: true }) : `${again} --force`,
    skip: rerun ? rerun({ skipStep: 'policy' }) : `ce-connect setup -o ${ctx.options.alias} --skip policy`,
  };
}

function installOptions(ctx: Context): InstallOptions {
  return { dryRun: false, alias: ctx.options.alias, configPath: ctx.options.configPath, ...ctx.options.packages };
}

/** A step's error as its outcome: the message, and every one of its actions (each may be the way on). */
function failure(error: unknown): Outcome {
  if (error instanceof CeError) {
    return {
      status: 'failed',
      writes: 0,
      summary: error.message,
      ...(error.actions.length > 0 ? { fix: error.actions.join(' ') } : {}),
    };
  }
  throw error;
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; durationMs: number }> {
  const started = clock().now();
  const value = await work();
  return { value, durationMs: clock().now() - started };
}

/**
 * Plans every deferred step, then asks for the plan's confirmation. A step that cannot be planned fails (and
 * stops setup), as a planning failure does before the first confirmation. Returns true when setup stops.
 */
async function planDeferred(ctx: Context, results: StepResult[], planned: Map<SetupStepId, Planned>): Promise<boolean> {
  const lines: string[] = [];
  for (const result of results.filter((r) => r.status === 'planned' && planned.get(r.id)?.deferred)) {
    ctx.options.onEvent?.({ kind: 'planning', id: result.id, title: result.title });
    try {
      const plan = await STEPS[result.id].plan(ctx);
      planned.set(result.id, plan);
      result.plan = plan.lines;
      lines.push(...plan.lines.map((line) => `${result.title}: ${line}`));
    } catch (error) {
      Object.assign(result, failure(error));
      if (error instanceof InputError) {
        // Bad input found now that the packages are in (an Active policy a deploy would deactivate): setup stops as
        // the first plan's refusal does (exit 2, nothing of this plan written); what was applied before it stays.
        ctx.refused = {
          step: result.id,
          name: error.name,
          message: error.message,
          actions: error.actions,
          ...(error.data === undefined ? {} : { data: error.data }),
        };
      }
      ctx.options.onEvent?.({ kind: 'finish', step: result });
      return true;
    }
  }
  if (lines.length === 0) return false;
  try {
    await ctx.options.confirm(lines);
  } catch (error) {
    // Declined at the prompt: what was applied stays, the rest is not run, and a rerun shows its plan again.
    if (!(error instanceof CeError) || error.name !== 'NotConfirmed') throw error;
    for (const result of results.filter((r) => r.status === 'planned' && planned.get(r.id))) {
      Object.assign(result, {
        status: 'not-run',
        summary: 'not confirmed',
        fix: `Run \`${continueCommand(ctx)}\` again to see and confirm the rest of the plan.`,
      });
    }
    ctx.declined = true;
    return true;
  }
  return false;
}

export async function runSetup(
  conn: Connection,
  config: CeConfig,
  facts: OrgFacts,
  options: SetupOptions
): Promise<SetupResult> {
  const ctx: Context = { conn, config, facts, options };
  const results: StepResult[] = [];
  const planned = new Map<SetupStepId, Planned>();
  let packagesPending = false;

  // Every input first: a bad file or folder is a usage error (exit 2) before any step reads the org.
  for (const selection of options.steps.filter((s) => s.selected)) await STEPS[selection.id].check?.(ctx);

  // Plan every selected step; nothing is written yet.
  for (const selection of options.steps) {
    const base = { id: selection.id, title: selection.title, writes: 0, durationMs: 0, plan: [] as string[] };
    if (!selection.selected) {
      results.push({ ...base, status: 'skipped', summary: selection.reason ?? 'not selected' });
      continue;
    }
    const step = STEPS[selection.id];
    if (step.needsPackages && packagesPending) {
      planned.set(selection.id, { lines: ['planned once the packages are installed'], deferred: true });
      results.push({ ...base, status: 'planned', plan: ['planned once the packages are installed'], summary: '' });
      continue;
    }
    options.onEvent?.({ kind: 'planning', id: selection.id, title: selection.title });
    try {
      const plan = await step.plan(ctx);
      planned.set(selection.id, plan);
      if (selection.id === 'packages') packagesPending = plan.lines.length > 0;
      results.push({ ...base, status: 'planned', plan: plan.lines, summary: '' });
    } catch (error) {
      // Bad input found while planning, before anything is written (a policy file out of step with config, an
      // Active policy a deploy would deactivate): a usage error, exit 2, like the same refusal of the step's command.
      if (error instanceof InputError) throw error;
      const outcome = failure(error);
      results.push({ ...base, ...outcome, plan: [] });
      return finish(ctx, results, options.dryRun);
    }
  }
  if (options.dryRun) return finish(ctx, results, true);

  await options.confirm(results.flatMap((r) => r.plan.map((line) => `${r.title}: ${line}`)));

  let deferredConfirmed = false;
  for (const result of results.filter((r) => r.status === 'planned')) {
    const step = STEPS[result.id];
    if ((planned.get(result.id) as Planned).deferred && !deferredConfirmed) {
      // The steps that needed the packages are planned now that they are installed, and their real plan is shown
      // and confirmed before any of it is written: one yes never covers a plan nobody saw.
      deferredConfirmed = true;
      const stop = await planDeferred(ctx, results, planned);
      if (stop) break;
    }
    options.onEvent?.({ kind: 'start', id: result.id, title: result.title });
    const { value, durationMs } = await timed(async (): Promise<Outcome> => {
      try {
        const plan = planned.get(result.id) as Planned;
        return await step.apply(ctx, plan);
      } catch (error) {
        return failure(error);
      }
    });
    Object.assign(result, value, { durationMs, plan: value.plan ?? result.plan });
    options.onEvent?.({ kind: 'finish', step: result });
    if (result.status === 'failed') break;
  }
  return finish(ctx, results, false);
}

function finish(ctx: Context, results: StepResult[], dryRun: boolean): SetupResult {
  const failedAt = results.findIndex((r) => r.status === 'failed');
  if (!dryRun || failedAt >= 0) {
    for (const result of results.slice(failedAt >= 0 ? failedAt + 1 : results.length)) {
      if (result.status === 'planned')
        Object.assign(result, { status: 'not-run', summary: 'not run: an earlier step failed' });
    }
    // A step planned once the packages were in, before the one whose plan stopped setup, was not run either.
    for (const result of failedAt >= 0 ? results.slice(0, failedAt) : []) {
      if (result.status === 'planned' && !dryRun)
        Object.assign(result, { status: 'not-run', summary: `not run: setup stopped at ${results[failedAt].id}` });
    }
  }
  return {
    ok: failedAt < 0 && !results.some((r) => r.status === 'not-run'),
    dryRun,
    writes: results.reduce((sum, r) => sum + r.writes, 0),
    steps: results,
    ...(ctx.backfill ? { backfill: ctx.backfill } : {}),
    ...(ctx.declined ? { declined: true } : {}),
    ...(ctx.refused ? { refused: ctx.refused } : {}),
  };
}
