import { ERRORS } from '../core/messages.js';
import { inputError } from '../core/errors.js';

/**
 * CE_CONNECT_TIME_SCALE runs every wait this many times faster. It exists for the demo and the tests against
 * the simulated org, where "wait up to 30 minutes for CE" must take seconds; a real org never needs it.
 */
export function timeScale(): number {
  const raw = process.env.CE_CONNECT_TIME_SCALE;
  if (raw === undefined || raw.trim() === '') return 1;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw inputError(ERRORS, 'BadTimeScale', [raw]);
  }
  return value;
}
