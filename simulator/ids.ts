// Record Ids and date-times in the forms the Salesforce APIs use.
export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ID_PATTERN = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/**
 * The 18-character Id: the 15-character case-sensitive Id plus a 3-character suffix that encodes the case of
 * each group of five characters (https://help.salesforce.com/s/articleView?id=000385585).
 */
export function to18(id15: string): string {
  if (id15.length === 18) return id15;
  let suffix = '';
  for (let block = 0; block < 3; block++) {
    let flags = 0;
    for (let bit = 0; bit < 5; bit++) {
      const c = id15.charAt(block * 5 + bit);
      if (c >= 'A' && c <= 'Z') flags += 1 << bit;
    }
    suffix += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345'.charAt(flags);
  }
  return id15 + suffix;
}

export function isIdLike(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

/** Salesforce's REST date-time format: 2026-11-22T04:13:02.000+0000. */
export function formatDateTime(date: Date): string {
  return date.toISOString().replace('Z', '+0000');
}
