/**
 * The tool has two front doors, `ce-connect <command>` and `sf ce <command>`, and one set of texts, which name
 * commands the first way. Run through `sf`, every command a text names is shown the way that works there.
 * Only `ce-connect` followed by one of the tool's own first command words is a command: "the ce-connect
 * project" stays as it is.
 */
export function rewriteCommands(text: string, prefix: string, words: ReadonlySet<string>): string {
  return text.replace(/(?:npx )?ce-connect (?=([a-z][\w-]*))/g, (whole: string, word: string) =>
    words.has(word) ? `${prefix} ` : whole
  );
}

/** Every string inside a JSON-like value, rewritten; everything else kept. */
export function rewriteStrings(value: unknown, rewrite: (text: string) => string): unknown {
  if (typeof value === 'string') return rewrite(value);
  if (Array.isArray(value)) return value.map((item) => rewriteStrings(item, rewrite));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, rewriteStrings(item, rewrite)]));
  }
  return value;
}
