import { Messages } from '@salesforce/core';
import { InputError, inputError } from '../core/errors.js';
import type { SetupResult } from '../org/setup-runner.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'setup');

/**
 * The stop of a setup that went past the install and then ended on the admin's input: the plan made once the packages
 * were in was refused (bad input) or not confirmed. Either is exit 2 like the same stop at the first plan, but the
 * steps before it did write, so the error says which, and its actions are the commands that continue.
 */
export function stopAfterInstall(result: SetupResult, again: string): InputError | undefined {
  const applied = result.steps.filter((s) => s.status === 'done' || s.status === 'ok').map((s) => s.id);
  const notRun = result.steps.filter((s) => s.status === 'not-run').map((s) => s.id);
  const { refused } = result;
  if (refused) {
    return new InputError(
      refused.name,
      messages.getMessage('RefusedAfterInstall', [refused.message, applied.join(', ') || '—', result.writes]),
      {
        actions: refused.actions,
        data: {
          ...(typeof refused.data === 'object' && refused.data !== null ? refused.data : {}),
          step: refused.step,
          applied,
          writes: result.writes,
          notRun,
        },
      }
    );
  }
  if (result.declined) {
    return inputError(messages, 'NotConfirmedAfterInstall', [applied.join(', '), result.writes], {
      name: 'NotConfirmed',
      actionTokens: [[again]],
      data: { applied, writes: result.writes, notRun },
    });
  }
  return undefined;
}
