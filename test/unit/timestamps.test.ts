import { parseTimestamp, parseTimestampBytes, parseTimestampBytesGeneral } from '../../src/core/timestamps.js';

describe('parseTimestamp', () => {
  it.each([
    ['2025-11-20T00:00:00Z', '2025-11-20T00:00:00.000Z'],
    ['2025-11-20t00:00:00z', '2025-11-20T00:00:00.000Z'],
    ['2025-11-20T02:00:00+02:00', '2025-11-20T00:00:00.000Z'],
    ['2025-11-19T23:00:00-01:00', '2025-11-20T00:00:00.000Z'],
    ['2025-11-20T05:30:00+0530', '2025-11-20T00:00:00.000Z'],
    ['2025-11-20T02:00:00+02', '2025-11-20T00:00:00.000Z'],
    ['2025-11-20T00:00Z', '2025-11-20T00:00:00.000Z'],
    ['2025-11-20T00:00:00.123Z', '2025-11-20T00:00:00.123Z'],
    ['2025-11-20T00:00:00.1239Z', '2025-11-20T00:00:00.123Z'],
    ['2025-11-20T00:00:00.5+01:00', '2025-11-19T23:00:00.500Z'],
    ['2025-11-20', '2025-11-20T00:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2025-11-20 13:14:15', '2025-11-20T13:14:15.000Z'],
    ['2025-11-20 13:14:15.250', '2025-11-20T13:14:15.250Z'],
    ['  2025-11-20  ', '2025-11-20T00:00:00.000Z'],
  ])('reads %s', (text, iso) => {
    expect(new Date(parseTimestamp(text)).toISOString()).toBe(iso);
  });

  it.each([
    '',
    'yesterday',
    '20/11/2025',
    '11/20/2025',
    '2025-11-20T00:00:00',
    '2025-11-20 13:14',
    '2025-11-20 13:14:15Z',
    '2025-02-29',
    '2025-13-01',
    '2025-11-31',
    '2025-11-20T24:00:00Z',
    '2025-11-20T23:60:00Z',
    '2025-11-20T23:59:60Z',
    '2025-11-20T00:00:00+2',
    '2025-11-20T00:00:00+24:00',
    '2025-11-20T00:00:00.Z',
    '2025-11-20T00:00:00Zjunk',
    '2025-1-20',
    '1732060800',
  ])('rejects %j', (text) => {
    expect(parseTimestamp(text)).toBeNaN();
  });
});

describe('parseTimestampBytes fast path', () => {
  const both = (text: string): [number, number] => {
    const bytes = Buffer.from(text, 'latin1');
    return [parseTimestampBytes(bytes, 0, bytes.length), parseTimestampBytesGeneral(bytes, 0, bytes.length)];
  };

  it.each([
    '2025-11-20T00:00:00Z',
    '2025-11-20T00:00:00.000Z',
    '2025-11-20T23:59:59.999Z',
    '2024-02-29T12:00:00Z',
    '2025-02-29T12:00:00Z',
    '2025-04-31T00:00:00.000Z',
    '2025-00-10T00:00:00Z',
    '2025-13-10T00:00:00Z',
    '2025-11-00T00:00:00Z',
    '2025-11-20T24:00:00Z',
    '2025-11-20T23:60:00.000Z',
    '2025-11-20T23:59:60Z',
    '1970-01-01T00:00:00.000Z',
    '1969-12-31T23:59:59.999Z',
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59.999Z',
    '2000-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2025-11-20T00:00:00,123Z',
    '2025-11-20T00:00:00.12Z',
    '2025-11-20T00:00:00.1234',
    '2025-11-20T00:00:00+0000',
    '2025-11-20t00:00:00.000Z',
    '2025-11-20T00:00:00.000z',
    '2025-11-20 00:00:00.000Z',
    '2025/11/20T00:00:00.000Z',
    '2025-11-20T00-00-00.000Z',
    '2025-11-20T00:00:00:000Z',
    '2025-11-2OT00:00:00.000Z',
    '2025-11-20T00:00:0/.000Z',
    '2025-11-20T00:00:00.0:0Z',
    ' 025-11-20T00:00:00.000Z',
    '+025-11-20T00:00:00.000Z',
    '2025-11-20T00:00:00Z  ',
    '  2025-11-20T00:00:00Z',
    '2025-11-20T00:00:00.000ZZ',
  ])('agrees with the general reader on %j', (text) => {
    const [fast, general] = both(text);
    expect(Object.is(fast, general)).toBe(true);
  });

  it('agrees with the general reader on every one-byte change of both ISO shapes', () => {
    const bytes = [0x2f, 0x30, 0x31, 0x32, 0x35, 0x39, 0x3a, 0x2d, 0x2e, 0x20, 0x54, 0x5a, 0x2b];
    for (const base of ['2024-02-29T23:59:59Z', '2024-12-31T09:05:07.089Z']) {
      for (let at = 0; at < base.length; at++) {
        for (const b of bytes) {
          const text = base.slice(0, at) + String.fromCharCode(b) + base.slice(at + 1);
          const [fast, general] = both(text);
          if (!Object.is(fast, general)) throw new Error(`${text}: ${fast} against ${general}`);
        }
      }
    }
  });

  it('agrees with the general reader and with Date on random valid instants', () => {
    let seed = 7;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    for (let i = 0; i < 20_000; i++) {
      const iso = new Date(Math.floor(rand() * 253402300799999)).toISOString();
      const text = i % 2 === 0 ? iso : `${iso.slice(0, 19)}Z`;
      const [fast, general] = both(text);
      if (fast !== general || fast !== Date.parse(text)) throw new Error(`${text}: ${fast}, ${general}`);
    }
  });
});
