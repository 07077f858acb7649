import { Messages } from '@salesforce/core';
import type { ChecklistReport } from '../core/checklist.js';
import { CeError, operationError } from '../core/errors.js';
import { ERRORS } from '../core/messages.js';
import type { ScratchItem } from '../core/scratch-validation.js';
import type { ScratchRun, ScratchStageOutcome } from '../org/scratch-run.js';
import { SIGNAL_EXIT_CODES, type StopSignal } from './signals.js';

// How `scratch` reports its stages: each stage's title and what it did or why it failed, and the error the run
// ends with when it did not validate (the stage or the items, why, what became of the org, and the exact command
// that runs it again).
Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'scratch');

export type ScratchStage = {
  id: ScratchStageOutcome['id'];
  title: string;
  status: ScratchStageOutcome['status'];
  summary: string;
  durationMs: number;
  fix?: string;
};

export type ScratchResult = {
  /** The scratch org's admin, when one was created. */
  username?: string;
  orgId?: string;
  kept: boolean;
  deleted: boolean;
  deployed: number;
  /** create, packages, deploy, setup, checklist, delete: each done, failed, interrupted, not-run or skipped. */
  stages: ScratchStage[];
  /** The first stage that failed. */
  failedStage?: ScratchStageOutcome['id'];
  /** The signal that stopped the run (SIGINT, SIGTERM). */
  interrupted?: string;
  /** A signup request the Dev Hub was still working on when the run was stopped, and whether it was ended. */
  signupRequest?: { id: string; ended: boolean };
  checklist?: {
    ok: boolean;
    pass: number;
    warn: number;
    fail: number;
    skip: number;
    /** Every item with its status; `required` ones decide `validated`. */
    items: ScratchItem[];
  };
  /**
   * Every required checklist item (packages, permission set, layouts, record pages) passed, or was skipped as not
   * applying; the connection and sync need CE itself and are reported only.
   */
  validated: boolean;
  report?: string;
  apiCalls: number;
};

export type ScratchContext = {
  /** The Dev Hub as the admin named it (-v). */
  hub: string;
  definition: string;
  days: number;
  /** The command line that runs this validation again, as it was typed. */
  rerun: string;
  /** The same with --keep, to look at the org the next time. */
  rerunKeep?: string;
};

/** A stage as the result and the log show it: its title, what it did or why it failed, and the fix. */
export function describeStage(stage: ScratchStageOutcome, run: ScratchRun, context: ScratchContext): ScratchStage {
  const title = messages.getMessage(`stage.${stage.id}`);
  const base = { id: stage.id, title, status: stage.status, durationMs: stage.durationMs };
  if (stage.status === 'not-run') {
    return {
      ...base,
      summary: messages.getMessage(run.interrupted && !run.failed ? 'not-run.interrupted' : 'not-run'),
    };
  }
  if (stage.status === 'interrupted')
    return { ...base, summary: messages.getMessage('interrupted', [run.interrupted]) };
  if (stage.status === 'skipped') {
    const summary = !run.kept
      ? messages.getMessage('skipped.none')
      : run.username
        ? messages.getMessage('skipped.kept', [run.username])
        : messages.getMessage('skipped.keptSignup', [run.signupRequest?.id]);
    return { ...base, summary };
  }
  if (stage.status === 'failed') {
    const reason = stage.step
      ? `${stage.step.title}: ${stage.step.summary}`
      : stage.error?.message || messages.getMessage('failed.unknown');
    // Signup errors come with sf's own advice (a link to the error code's page); the other stages' fixes are this
    // command's, as the org they would name may already be deleted.
    const own = stage.id === 'create' ? (stage.error as { actions?: string[] } | undefined)?.actions?.[0] : undefined;
    const fix =
      own ??
      (stage.id === 'delete'
        ? deleteFix(run, context)
        : messages.getMessage(`fix.${stage.id}`, stage.id === 'create' ? [context.hub, context.definition] : []));
    return { ...base, summary: reason, fix };
  }
  const done: Record<ScratchStageOutcome['id'], () => string> = {
    create: () => messages.getMessage('done.create', [run.username, run.edition, run.orgId, run.expires ?? '?']),
    packages: () => joined(stage.details),
    deploy: () => messages.getMessage('done.deploy', [run.deployed]),
    setup: () => joined(stage.details?.map((d) => withoutRemovedBackups(d, run))),
    checklist: () => {
      const s = run.report?.summary;
      return messages.getMessage('done.checklist', [s?.pass ?? 0, s?.warn ?? 0, s?.fail ?? 0, s?.skip ?? 0]);
    },
    delete: () =>
      run.username
        ? messages.getMessage('done.delete', [run.username])
        : messages.getMessage('done.deleteSignup', [run.signupRequest?.id]),
  };
  return { ...base, summary: done[stage.id]() };
}

function deleteFix(run: ScratchRun, context: ScratchContext): string {
  return run.username
    ? messages.getMessage('fix.delete', [run.username])
    : messages.getMessage('fix.deleteSignup', [run.signupRequest?.id, context.hub]);
}

/** What became of the org: deleted, kept, never created, left to expire, or a signup the Dev Hub was still on. */
export function orgState(run: ScratchRun, context: ScratchContext): string {
  const request = run.signupRequest;
  if (!run.username && request) {
    if (run.kept) return messages.getMessage('org.signupKept', [request.id, request.id]);
    return request.ended
      ? messages.getMessage('org.signupEnded', [request.id])
      : messages.getMessage('org.signupLeft', [request.id, request.id, context.hub]);
  }
  if (!run.username) return messages.getMessage('org.none');
  if (run.deleted) return messages.getMessage('org.deleted', [run.username]);
  if (run.kept) return messages.getMessage('org.kept', [run.username, run.username, run.username]);
  return messages.getMessage('org.notDeleted', [run.username, context.days]);
}

/** The error a failed stage ends the command with: the stage, why, what became of the org, and the fix. */
export function stageError(
  run: ScratchRun,
  stages: ScratchStage[],
  context: ScratchContext,
  result: ScratchResult
): Error {
  const stage = stages.find((s) => s.id === run.failed) as ScratchStage;
  const org = orgState(run, context);
  const error = run.stages.find((s) => s.id === run.failed)?.error;
  if (error?.name === 'LIMIT_EXCEEDED') {
    const allocations = run.allocations ? ` (${run.allocations})` : '';
    const tokens = [stage.title, context.hub, error.message.replace(/\.$/, ''), allocations, org];
    return operationError(ERRORS, 'ScratchLimitReached', tokens, {
      actionTokens: [[], [context.hub], [context.rerun]],
      data: result,
    });
  }
  return operationError(ERRORS, 'ScratchStageFailed', [stage.title, stage.summary, org], {
    actionTokens: [[stage.fix], [context.rerun]],
    data: result,
  });
}

/**
 * The error a run that finished without validating ends with: each required item that did not validate, with
 * what the org showed, its fix, what became of the org, and the command that runs the validation again.
 */
export function notValidatedError(run: ScratchRun, context: ScratchContext, result: ScratchResult): Error {
  const failing = run.verdict?.failing ?? [];
  const lines = failing.map(
    (item) => `  ${messages.getMessage('notValidated.item', [item.status.toUpperCase(), item.title, item.evidence])}`
  );
  const fixes = failing.filter((item) => item.fix).map((item) => `${item.title}: ${item.fix}`);
  const actions = [
    ...fixes,
    ...(context.rerunKeep ? [messages.getMessage('notValidated.keep', [context.rerunKeep])] : []),
    messages.getMessage('notValidated.rerun', [context.rerun]),
  ];
  return new CeError(
    'ScratchNotValidated',
    ERRORS.getMessage('ScratchNotValidated', [failing.length, lines.join('\n'), orgState(run, context)]),
    1,
    { actions, data: result }
  );
}

/** The error an interrupted run ends with: the signal, the stage it stopped, what became of the org. */
export function interruptedError(
  run: ScratchRun,
  stages: ScratchStage[],
  context: ScratchContext,
  result: ScratchResult
): Error {
  const signal = run.interrupted ?? 'SIGINT';
  const stage = stages.find((s) => s.status === 'interrupted') ?? stages.find((s) => s.id === 'delete');
  const deleteFailed = stages.find((s) => s.id === 'delete' && s.status === 'failed');
  return new CeError(
    'ScratchInterrupted',
    ERRORS.getMessage('ScratchInterrupted', [signal, stage?.title, orgState(run, context)]),
    SIGNAL_EXIT_CODES[signal as StopSignal] ?? 130,
    {
      actions: [...(deleteFailed?.fix ? [deleteFailed.fix] : []), messages.getMessage('rerun', [context.rerun])],
      data: result,
    }
  );
}

/** Step summaries as one line: "Installed A (…); installed B (…)". */
function joined(details: string[] = []): string {
  return details.map((d) => d.replace(/\.(?=;|$)/g, '')).join('; ');
}

/** A deleted org's layout backups went with the run's folder: the summary no longer points at them. */
function withoutRemovedBackups(detail: string, run: ScratchRun): string {
  if (!run.deleted || !detail.includes(run.workDir)) return detail;
  const at = detail.indexOf(run.workDir);
  const clause = detail.lastIndexOf(';', at);
  return clause < 0 ? detail : detail.slice(0, clause);
}

/** The checklist's counts and items, for the result. */
export function checklistResult(
  summary: ChecklistReport['summary'],
  items: ScratchItem[]
): NonNullable<ScratchResult['checklist']> {
  const { ok, pass, warn, fail, skip } = summary;
  return { ok, pass, warn, fail, skip, items };
}
