import { Messages } from '@salesforce/core';
import type { ChecklistReport } from '../core/checklist.js';
import { operationError } from '../core/errors.js';
import { ERRORS } from '../core/messages.js';
import type { ScratchRun, ScratchStageOutcome } from '../org/scratch-run.js';

// How `scratch` reports its stages: each stage's title and what it did or why it failed, and the error a failed
// stage ends the command with (the stage, why, what became of the org, and the fix).
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
  /** create, packages, deploy, setup, checklist, delete: each done, failed, not-run or skipped. */
  stages: ScratchStage[];
  /** The first stage that failed. */
  failedStage?: ScratchStageOutcome['id'];
  checklist?: { ok: boolean; pass: number; warn: number; fail: number; skip: number };
  /** The checklist areas a scratch org can prove; the connection and sync need CE itself. */
  validated: boolean;
  report?: string;
  apiCalls: number;
};

type Context = { hub: string; definition: string };

/** A stage as the result and the log show it: its title, what it did or why it failed, and the fix. */
export function describeStage(stage: ScratchStageOutcome, run: ScratchRun, context: Context): ScratchStage {
  const title = messages.getMessage(`stage.${stage.id}`);
  const base = { id: stage.id, title, status: stage.status, durationMs: stage.durationMs };
  if (stage.status === 'not-run') return { ...base, summary: messages.getMessage('not-run') };
  if (stage.status === 'skipped') {
    const summary = run.kept
      ? messages.getMessage('skipped.kept', [run.username])
      : messages.getMessage('skipped.none');
    return { ...base, summary };
  }
  if (stage.status === 'failed') {
    const reason = stage.step ? `${stage.step.title}: ${stage.step.summary}` : (stage.error?.message ?? 'failed');
    // Signup errors come with sf's own advice (a link to the error code's page); the other stages' fixes are this
    // command's, as the org they would name may already be deleted.
    const own = stage.id === 'create' ? (stage.error as { actions?: string[] } | undefined)?.actions?.[0] : undefined;
    const tokens =
      stage.id === 'create' ? [context.hub, context.definition] : stage.id === 'delete' ? [run.username] : [];
    return { ...base, summary: reason, fix: own ?? messages.getMessage(`fix.${stage.id}`, tokens) };
  }
  const done: Record<ScratchStageOutcome['id'], () => string> = {
    create: () => messages.getMessage('done.create', [run.username, run.edition, run.orgId, run.expires ?? '?']),
    packages: () => joined(stage.details),
    deploy: () => messages.getMessage('done.deploy', [run.deployed]),
    setup: () => joined(stage.details),
    checklist: () => {
      const s = run.report?.summary;
      return messages.getMessage('done.checklist', [s?.pass ?? 0, s?.warn ?? 0, s?.fail ?? 0, s?.skip ?? 0]);
    },
    delete: () => messages.getMessage('done.delete', [run.username]),
  };
  return { ...base, summary: done[stage.id]() };
}

/** The error a failed stage ends the command with: the stage, why, what became of the org, and the fix. */
export function stageError(
  run: ScratchRun,
  stages: ScratchStage[],
  context: { hub: string; days: number },
  result: ScratchResult
): Error {
  const { hub, days } = context;
  const stage = stages.find((s) => s.id === run.failed) as ScratchStage;
  const org = !run.username
    ? messages.getMessage('org.none')
    : run.deleted
      ? messages.getMessage('org.deleted', [run.username])
      : run.kept
        ? messages.getMessage('org.kept', [run.username, run.username, run.username])
        : messages.getMessage('org.notDeleted', [run.username, days]);
  const error = run.stages.find((s) => s.id === run.failed)?.error;
  if (error?.name === 'LIMIT_EXCEEDED') {
    const allocations = run.allocations ? ` (${run.allocations})` : '';
    const tokens = [stage.title, hub, error.message.replace(/\.$/, ''), allocations, org];
    return operationError(ERRORS, 'ScratchLimitReached', tokens, {
      actionTokens: [[], [hub]],
      data: result,
    });
  }
  return operationError(ERRORS, 'ScratchStageFailed', [stage.title, stage.summary, org], {
    actionTokens: [[stage.fix], [hub]],
    data: result,
  });
}

/** Step summaries as one line: "Installed A (…); installed B (…)". */
function joined(details: string[] = []): string {
  return details.map((d) => d.replace(/\.(?=;|$)/g, '')).join('; ');
}

/** The checklist's counts, for the result. */
export function checklistCounts(summary: ChecklistReport['summary']): ScratchResult['checklist'] {
  const { ok, pass, warn, fail, skip } = summary;
  return { ok, pass, warn, fail, skip };
}
