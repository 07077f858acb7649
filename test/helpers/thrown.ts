import { InputError } from '../../src/core/errors.js';

/** The InputError `fn` throws; any other error is rethrown, and throwing nothing fails the test. */
export function thrownInputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('nothing was thrown');
}
