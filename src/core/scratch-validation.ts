import type { CheckItem, CheckStatus, ChecklistReport } from './checklist.js';

/**
 * What a scratch org run proves: the checklist items a new scratch org can settle on its own (the packages and
 * their admins-only access, the permission set and its groups and policy, the layouts, the record pages). The CE
 * connection and the sync need CE itself, so they are reported and never decide the verdict.
 */
const SCRATCH_AREAS = /^(packages|permsets|layouts|pages)\./;

export type ScratchItem = {
  id: string;
  title: string;
  status: CheckStatus;
  /** The item decides `validated`. */
  required: boolean;
  evidence: string;
  fix?: string;
};

export type ScratchVerdict = {
  validated: boolean;
  items: ScratchItem[];
  /** The required items that keep the run from validating, in checklist order. */
  failing: ScratchItem[];
};

/**
 * A required item validates when it passes, or when it is skipped with nothing to do (a check that does not apply,
 * such as the User Access Policy of a config whose assignees hold no rule a policy can express). A warning, a
 * failure, or a skip with a fix (a check that could not run) does not: in a new org made only for this run, each
 * of those is a gap in what the project deploys or sets up.
 */
export function itemValidates(item: Pick<CheckItem, 'status' | 'fix'>): boolean {
  return item.status === 'pass' || (item.status === 'skip' && !item.fix);
}

export function scratchVerdict(report: ChecklistReport): ScratchVerdict {
  const items = report.sections
    .flatMap((section) => section.items)
    .map((item) => ({
      id: item.id,
      title: item.title,
      status: item.status,
      required: SCRATCH_AREAS.test(item.id),
      evidence: item.evidence,
      ...(item.fix && { fix: item.fix }),
    }));
  const failing = items.filter((item) => item.required && !itemValidates(item));
  // No required item at all is no proof: a checklist that lost an area must not validate by default.
  const validated = failing.length === 0 && items.some((item) => item.required);
  return { validated, items, failing };
}
