/** Splits text into lines that keep their own line terminators, so joining them gives the bytes back. */
export function lines(text: string): string[] {
  return text.split(/(?<=\n)/);
}

/**
 * Where `after` differs from `before`, when `after` is `before` plus one contiguous run of whole lines: those
 * lines and the 1-based line number of the first. `undefined` when the change is anything else.
 */
export function insertion(before: string, after: string): { inserted: string[]; firstLine: number } | undefined {
  const a = lines(before);
  const b = lines(after);
  let head = 0;
  while (head < a.length && a[head] === b[head]) head += 1;
  let tail = 0;
  while (tail < a.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail += 1;
  if (head + tail !== a.length) return undefined;
  if ([...b.slice(0, head), ...b.slice(b.length - tail)].join('') !== before) return undefined;
  return { inserted: b.slice(head, b.length - tail), firstLine: head + 1 };
}
