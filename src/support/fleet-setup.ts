import type { CheckStatus } from '../core/checklist.js';
import type { FleetCheck } from '../core/fleet-report.js';
import type { FleetFailure } from '../org/fleet.js';
import type { SetupResult, StepStatus } from '../org/setup-runner.js';

/** One org's setup plan, as the fleet shows it and asks for it once. */
export type FleetPlan = { org: string; name: string; kind: string; lines: string[] };

/** The fleet's plan, org by org: what each would change, or that it changes nothing. */
export function fleetPlanLines(plans: FleetPlan[]): string[] {
  return plans.map((p) =>
    p.lines.length === 0
      ? `${p.org} (${p.name}, ${p.kind}): nothing to change`
      : `${p.org} (${p.name}, ${p.kind}):\n${p.lines.map((line) => `  - ${line}`).join('\n')}`
  );
}

const STATUS: Record<StepStatus, CheckStatus> = {
  done: 'pass',
  ok: 'pass',
  manual: 'warn',
  failed: 'fail',
  planned: 'skip',
  skipped: 'skip',
  'not-run': 'skip',
};

/** An org's setup steps as the fleet's grid and CSV show them. */
export function setupChecks(result: SetupResult): FleetCheck[] {
  return result.steps.map((s) => ({
    id: s.id,
    title: s.title,
    status: STATUS[s.status],
    evidence: s.status === 'planned' ? s.plan.join('; ') || 'nothing to change' : s.summary || s.status,
    ...(s.fix ? { fix: s.fix } : {}),
  }));
}

/** The step that stopped an org's setup, with its fix; a declined plan is one too. */
export function setupFailure(result: SetupResult): FleetFailure | undefined {
  const failed = result.steps.find((s) => s.status === 'failed');
  if (failed)
    return {
      name: failed.id,
      message: `${failed.title}: ${failed.summary}`,
      ...(failed.fix ? { fix: failed.fix } : {}),
    };
  const declined = result.steps.find((s) => s.status === 'not-run');
  if (result.declined && declined) {
    return { name: 'NotConfirmed', message: declined.summary, ...(declined.fix ? { fix: declined.fix } : {}) };
  }
  return undefined;
}
