/**
 * Timestamps as CE exports and Salesforce return them, parsed straight from bytes (no string per row):
 *
 * - ISO 8601 / RFC 3339 date-time with `Z` or an offset: `2025-11-21T10:00:00Z`, `2025-11-21T12:00:00.5+02:00`,
 *   `2025-11-21T10:00Z`, `+0200` and `+02` offsets too (ISO 8601 basic offsets);
 * - a date only: `2025-11-21` is midnight UTC;
 * - `2025-11-21 10:00:00` (optionally with fractional seconds) is UTC, the form spreadsheets and SQL tools write.
 *
 * Anything else is NaN: a date-time with a `T` but no zone is ambiguous, and impossible dates (Feb 30,
 * hour 24) are wrong. Leading and trailing spaces are ignored. Milliseconds beyond three digits are truncated.
 */
export function parseTimestampBytes(buf: Uint8Array, start: number, end: number): number {
  const n = end - start;
  // Salesforce and JavaScript write `YYYY-MM-DDTHH:MM:SS(.mmm)Z`, nearly every value of a backfill: read that
  // shape in straight-line code, and leave everything else (or anything odd in it) to the general reader.
  if ((n === 24 || n === 20) && buf[start + 10] === 0x54 && buf[end - 1] === 0x5a) {
    const ms = isoUtc(buf, start, n === 24);
    if (ms >= 0) return ms;
  }
  return parseTimestampBytesGeneral(buf, start, end);
}

/** `YYYY-MM-DDTHH:MM:SSZ` or `YYYY-MM-DDTHH:MM:SS.mmmZ` at `s` (T and Z already checked), or -1 for anything else. */
function isoUtc(buf: Uint8Array, s: number, millis: boolean): number {
  if (
    buf[s + 4] !== 0x2d ||
    buf[s + 7] !== 0x2d ||
    buf[s + 13] !== 0x3a ||
    buf[s + 16] !== 0x3a ||
    (millis && buf[s + 19] !== 0x2e)
  ) {
    return -1;
  }
  // Unsigned: a byte below '0' wraps to a huge number, so `> 9` rejects both sides.
  const y0 = (buf[s] - 0x30) >>> 0;
  const y1 = (buf[s + 1] - 0x30) >>> 0;
  const y2 = (buf[s + 2] - 0x30) >>> 0;
  const y3 = (buf[s + 3] - 0x30) >>> 0;
  const m0 = (buf[s + 5] - 0x30) >>> 0;
  const m1 = (buf[s + 6] - 0x30) >>> 0;
  const d0 = (buf[s + 8] - 0x30) >>> 0;
  const d1 = (buf[s + 9] - 0x30) >>> 0;
  const h0 = (buf[s + 11] - 0x30) >>> 0;
  const h1 = (buf[s + 12] - 0x30) >>> 0;
  const i0 = (buf[s + 14] - 0x30) >>> 0;
  const i1 = (buf[s + 15] - 0x30) >>> 0;
  const s0 = (buf[s + 17] - 0x30) >>> 0;
  const s1 = (buf[s + 18] - 0x30) >>> 0;
  if (
    y0 > 9 ||
    y1 > 9 ||
    y2 > 9 ||
    y3 > 9 ||
    m0 > 9 ||
    m1 > 9 ||
    d0 > 9 ||
    d1 > 9 ||
    h0 > 9 ||
    h1 > 9 ||
    i0 > 9 ||
    i1 > 9 ||
    s0 > 9 ||
    s1 > 9
  ) {
    return -1;
  }
  let fraction = 0;
  if (millis) {
    const f0 = (buf[s + 20] - 0x30) >>> 0;
    const f1 = (buf[s + 21] - 0x30) >>> 0;
    const f2 = (buf[s + 22] - 0x30) >>> 0;
    if (f0 > 9 || f1 > 9 || f2 > 9) return -1;
    fraction = f0 * 100 + f1 * 10 + f2;
  }
  const year = ((y0 * 10 + y1) * 10 + y2) * 10 + y3;
  const month = m0 * 10 + m1;
  const day = d0 * 10 + d1;
  const hour = h0 * 10 + h1;
  const minute = i0 * 10 + i1;
  const second = s0 * 10 + s1;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    return -1;
  }
  // Years before 1970 give negative instants, which -1 would confuse: the general reader takes those.
  const ms = daysFromCivil(year, month, day) * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000 + fraction;
  return ms >= 0 ? ms : -1;
}

/** Every accepted form, without the fast path (the fast path must agree with it; the tests hold it to that). */
export function parseTimestampBytesGeneral(buf: Uint8Array, start: number, end: number): number {
  while (start < end && (buf[start] === 0x20 || buf[start] === 0x09)) start++;
  while (end > start && (buf[end - 1] === 0x20 || buf[end - 1] === 0x09)) end--;
  const len = end - start;
  if (len < 10) return NaN;
  const year = digits(buf, start, 4);
  if (year < 0 || buf[start + 4] !== 0x2d || buf[start + 7] !== 0x2d) return NaN;
  const month = digits(buf, start + 5, 2);
  const day = digits(buf, start + 8, 2);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  const date = daysFromCivil(year, month, day) * 86_400_000;
  if (len === 10) return date;
  const sep = buf[start + 10];
  const isoT = sep === 0x54 || sep === 0x74; // T or t (RFC 3339 allows both)
  if (!isoT && sep !== 0x20) return NaN;
  let p = start + 11;
  if (end - p < 5 || buf[p + 2] !== 0x3a) return NaN;
  const hour = digits(buf, p, 2);
  const minute = digits(buf, p + 3, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return NaN;
  p += 5;
  let second = 0;
  let millis = 0;
  if (p < end && buf[p] === 0x3a) {
    second = digits(buf, p + 1, 2);
    if (second < 0 || second > 59 || p + 3 > end) return NaN;
    p += 3;
    if (p < end && (buf[p] === 0x2e || buf[p] === 0x2c)) {
      p++;
      let scale = 100;
      const fracStart = p;
      while (p < end && buf[p] >= 0x30 && buf[p] <= 0x39) {
        millis += (buf[p] - 0x30) * scale;
        scale /= 10;
        p++;
      }
      if (p === fracStart) return NaN;
      millis = Math.floor(millis);
    }
  } else if (!isoT) {
    // The space form is the spreadsheet/SQL layout and always has seconds.
    return NaN;
  }
  const local = date + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
  if (p === end) return isoT ? NaN : local;
  if (!isoT && p !== end) {
    return NaN;
  }
  const zone = buf[p];
  if (zone === 0x5a || zone === 0x7a) return p + 1 === end ? local : NaN; // Z or z
  if (zone !== 0x2b && zone !== 0x2d) return NaN;
  const sign = zone === 0x2b ? 1 : -1;
  const rest = end - p - 1;
  let offH: number;
  let offM = 0;
  if (rest === 2) {
    offH = digits(buf, p + 1, 2);
  } else if (rest === 4) {
    offH = digits(buf, p + 1, 2);
    offM = digits(buf, p + 3, 2);
  } else if (rest === 5 && buf[p + 3] === 0x3a) {
    offH = digits(buf, p + 1, 2);
    offM = digits(buf, p + 4, 2);
  } else {
    return NaN;
  }
  if (offH < 0 || offH > 23 || offM < 0 || offM > 59) return NaN;
  return local - sign * (offH * 60 + offM) * 60_000;
}

/** Same rules, for a string (flags, config, values from an API). */
export function parseTimestamp(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  return parseTimestampBytes(bytes, 0, bytes.length);
}

function digits(buf: Uint8Array, at: number, count: number): number {
  // Unsigned compare: a byte below '0' wraps to a huge number, so one test rejects both sides.
  let value = 0;
  for (let i = 0; i < count; i++) {
    const d = (buf[at + i] - 0x30) >>> 0;
    if (d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm); cheaper than Date.UTC per row. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
