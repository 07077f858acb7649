import { InputError } from '../../src/core/errors.js';
import { formatDuration, parseDuration, parseSince } from '../../src/core/durations.js';

describe('parseDuration', () => {
  it.each([
    ['30m', 1_800_000],
    ['90s', 90_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
    ['6s', 6000],
    ['45', 2_700_000],
    ['0.5', 30_000],
    [' 2M ', 120_000],
    ['24h', 86_400_000],
  ])('reads %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'abc', '30x', 'm', '-5m', '0', '0s', '10m10m', '25h', '1d', '30 minutes', '5m abc'])(
    'refuses %p with exit code 2 and the flag name',
    (text) => {
      let thrown: unknown;
      try {
        parseDuration(text, '--timeout');
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(InputError);
      expect((thrown as InputError).exitCode).toBe(2);
      expect((thrown as InputError).message).toContain('--timeout');
    }
  );
});

describe('parseSince', () => {
  const now = Date.parse('2026-11-22T10:00:00Z');
  it('reads a date-time with a zone', () => {
    expect(parseSince('2026-11-22T09:00:00+01:00', now)).toBe(Date.parse('2026-11-22T08:00:00Z'));
  });
  it('reads a duration as that long ago', () => {
    expect(parseSince('15m', now)).toBe(Date.parse('2026-11-22T09:45:00Z'));
  });
  it('refuses anything else', () => {
    expect(() => parseSince('yesterday', now)).toThrow(/neither a date-time nor a duration/);
  });
});

describe('formatDuration', () => {
  it.each([
    [400, '0.4s'],
    [45_000, '45s'],
    [125_000, '2m 05s'],
    [3_720_000, '1h 02m'],
  ])('%d ms reads %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
