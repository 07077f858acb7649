import { parseTimestamp } from './timestamps.js';
import { inputError, type InputError } from './errors.js';
import { ERRORS } from './messages.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The longest wait any ce-connect command accepts: a day (config `sync.timeoutMinutes` has the same maximum). */
export const MAX_DURATION_MS = 24 * 3_600_000;

/**
 * Reads a duration the way an admin types one: `30m`, `90s`, `1h`, `1h30m`, `1.5h`, `250ms`, or a plain number,
 * which means minutes (the unit the vendor's "wait up to 30 minutes" uses). Zero, negative and longer than a
 * day are refused. `what` names the flag or setting in the error (exit code 2).
 */
export function parseDuration(text: string, what = '--timeout'): number {
  const value = text.trim().toLowerCase();
  const fail = (why: string): InputError =>
    inputError(ERRORS, 'BadDuration', [what, text, why], { actionTokens: [[what]] });
  if (value === '') throw fail('is empty');
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(value)) {
    ms = Number(value) * UNIT_MS.m;
  } else {
    const parts = [...value.matchAll(/(\d+(?:\.\d+)?)\s*(ms|h|m|s)/g)];
    const consumed = parts.map((p) => p[0]).join('');
    if (parts.length === 0 || consumed.replace(/\s+/g, '') !== value.replace(/\s+/g, '')) {
      throw fail('is not a duration');
    }
    const units = parts.map((p) => p[2]);
    if (new Set(units).size !== units.length) throw fail('names a unit twice');
    ms = parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]], 0);
  }
  ms = Math.round(ms);
  if (ms <= 0) throw fail('must be longer than zero');
  if (ms > MAX_DURATION_MS) throw fail('is longer than a day');
  return ms;
}

/** A short human form: `45s`, `2m 05s`, `1h 02m`, `0.4s` under a second. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

/**
 * `--since`: a date-time (`2026-11-22T09:00:00Z`, with a zone; or a date, meaning midnight UTC) or a duration
 * meaning that long before `nowMs` (`15m` = fifteen minutes ago). Bad values are bad usage (exit 2).
 */
export function parseSince(text: string, nowMs: number, what = '--since'): number {
  const at = parseTimestamp(text);
  if (!Number.isNaN(at)) return at;
  try {
    return nowMs - parseDuration(text, what);
  } catch {
    throw inputError(ERRORS, 'BadTimeOrDuration', [what, text], { actionTokens: [[what]] });
  }
}
