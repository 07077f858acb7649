import { ERRORS } from '../core/messages.js';
import { operationError } from '../core/errors.js';

/**
 * Turns org-wide API refusals into errors that say what happened and what to do. Anything else is rethrown
 * unchanged. REQUEST_LIMIT_EXCEEDED is final: retrying only spends more of an exhausted daily allowance
 * (https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_api.htm).
 */
export function explainApiError(error: unknown): never {
  const e = error as { errorCode?: string; name?: string; message?: string };
  const code = e.errorCode ?? e.name;
  if (code === 'REQUEST_LIMIT_EXCEEDED') {
    throw operationError(ERRORS, 'ApiLimitExceeded', [e.message ?? ''], { cause: error });
  }
  throw error;
}

/** Runs an org operation, explaining org-wide API refusals. */
export async function withApiErrors<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    return explainApiError(error);
  }
}
