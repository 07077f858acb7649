/**
 * Building SOQL text safely: string literals, date-time literals, and IN lists split so each query stays short.
 */

/**
 * A SOQL string literal. Backslash and single quote are escaped, and the control characters SOQL has escapes for
 * (https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm).
 */
export function soqlString(value: string): string {
  const escaped = value.replace(/[\\'"\n\r\t\b\f]/g, (c) => {
    switch (c) {
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      case '\b':
        return '\\b';
      case '\f':
        return '\\f';
      default:
        return `\\${c}`;
    }
  });
  return `'${escaped}'`;
}

/** A SOQL date-time literal (unquoted, UTC): 2026-11-22T04:13:02Z. Milliseconds are dropped (SOQL has none). */
export function soqlDateTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * REST sends a query in the URL, and Salesforce caps the URI plus headers at 16,384 bytes (Help article 000386264,
 * "Maximum number of rows returned by SOQL queries over the REST API"), well below SOQL's own 100,000-character
 * limit. 8,000 URL-encoded characters per query leaves room for the path and the headers.
 */
export const MAX_ENCODED_QUERY = 8000;

/**
 * Splits values into as few queries as possible, each `render(list)` where list is a comma-separated run of
 * SOQL string literals, every query at most maxEncoded characters once URL-encoded. Duplicates are dropped
 * (first one kept). A single value too long for any query throws.
 */
export function inListQueries(
  values: string[],
  render: (list: string) => string,
  maxEncoded = MAX_ENCODED_QUERY
): string[] {
  const unique = [...new Set(values)];
  const base = encodeURIComponent(render('')).length;
  const queries: string[] = [];
  let batch: string[] = [];
  let size = base;
  const comma = encodeURIComponent(',').length;
  for (const value of unique) {
    const literal = soqlString(value);
    const cost = encodeURIComponent(literal).length + (batch.length > 0 ? comma : 0);
    if (base + encodeURIComponent(literal).length > maxEncoded) {
      throw new RangeError(`A value is too long for one query: ${value.slice(0, 40)}…`);
    }
    if (size + cost > maxEncoded) {
      queries.push(render(batch.join(',')));
      batch = [];
      size = base;
    }
    size += encodeURIComponent(literal).length + (batch.length > 0 ? comma : 0);
    batch.push(literal);
  }
  if (batch.length > 0) queries.push(render(batch.join(',')));
  return queries;
}
