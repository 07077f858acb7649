import { ERRORS } from './messages.js';
import { inputError } from './errors.js';

/** The runbook, in order. Each id is also what `--skip` and `--only` accept. */
export const SETUP_STEPS = [
  { id: 'packages', title: 'Install or upgrade the CE packages (admins only)' },
  { id: 'integration-user', title: 'Audit the integration user (least privilege)' },
  { id: 'permsets', title: 'Assign the Northpass Standard User permission set' },
  { id: 'policy', title: 'Deploy the User Access Policy that assigns it to new and changed users' },
  { id: 'layouts', title: 'Add the Enrollments related list to Contact layouts' },
  { id: 'pages', title: 'Show Enrollments on the Contact Lightning record pages' },
  { id: 'connect-guide', title: 'Connect from Customer Education' },
  { id: 'sync-verify', title: 'Verify a test enrollment arrives' },
  { id: 'backfill', title: 'Backfill enrollments written while the link was down' },
] as const;

export type SetupStepId = (typeof SETUP_STEPS)[number]['id'];

export type StepSelection = { id: SetupStepId; title: string; selected: boolean; reason?: string };

const IDS = SETUP_STEPS.map((step) => step.id) as readonly string[];

function parseList(flag: string, value: string | undefined): SetupStepId[] {
  if (value === undefined || value.trim() === '') return [];
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !IDS.includes(name));
  if (unknown.length > 0) {
    throw inputError(ERRORS, 'UnknownStep', [flag, unknown.map((n) => `"${n}"`).join(', ')], {
      actionTokens: [[IDS.join(', ')]],
    });
  }
  return names as SetupStepId[];
}

/**
 * Decides which steps run. `--only` and `--skip` cannot be combined; optional steps run only when their input
 * is given (sync-verify needs a test email, backfill needs an export), and say why when they do not.
 */
export function selectSteps(options: {
  only?: string;
  skip?: string;
  testEmail?: string;
  exportFile?: string;
}): StepSelection[] {
  const only = parseList('only', options.only);
  const skip = parseList('skip', options.skip);
  if (only.length > 0 && skip.length > 0) {
    throw inputError(ERRORS, 'ConflictingFlags');
  }
  return SETUP_STEPS.map(({ id, title }) => {
    if (only.length > 0 && !only.includes(id)) return { id, title, selected: false, reason: 'not in --only' };
    if (skip.includes(id)) return { id, title, selected: false, reason: 'skipped with --skip' };
    if (id === 'sync-verify' && !options.testEmail) {
      return { id, title, selected: false, reason: 'needs --test-email' };
    }
    if (id === 'backfill' && !options.exportFile) return { id, title, selected: false, reason: 'needs --export' };
    return { id, title, selected: true };
  });
}

/** How a suggested setup command differs from the one that was run. */
export type SetupRerun = { force?: boolean; skipStep?: SetupStepId };

/**
 * The arguments of setup as it was run, changed as a fix needs: with --force, or without one step (taken out of
 * --only, added to --skip, or a new --skip). When the step was all --only asked for, the rest of the runbook is what
 * runs without it: --only gives way to --skip.
 */
export function setupArgvWith(argv: string[], change: SetupRerun): string[] {
  let out = [...argv];
  if (change.force && !out.includes('--force')) out.push('--force');
  const step = change.skipStep;
  if (!step) return out;
  const list = (name: 'only' | 'skip'): { at: number; inline: boolean; value: string } | undefined => {
    const at = out.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    if (at < 0) return undefined;
    const inline = out[at].includes('=');
    return { at, inline, value: inline ? out[at].slice(name.length + 3) : (out[at + 1] ?? '') };
  };
  const remove = (at: number, inline: boolean): void => {
    out = [...out.slice(0, at), ...out.slice(at + (inline ? 1 : 2))];
  };
  const only = list('only');
  if (only) {
    const rest = only.value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s && s !== step);
    remove(only.at, only.inline);
    if (rest.length > 0) return [...out, '--only', rest.join(',')];
  }
  const skip = list('skip');
  if (skip) {
    const names = skip.value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (names.includes(step)) return out;
    remove(skip.at, skip.inline);
    return [...out, '--skip', [...names, step].join(',')];
  }
  return [...out, '--skip', step];
}
