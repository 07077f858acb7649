/**
 * Small helpers for reading the formatting habits of an existing text (line endings, indentation), so text
 * spliced into it looks like its neighbours.
 */

/** The file's line ending: CRLF when most line breaks are CRLF, else LF (also for a file with no breaks). */
export function detectEol(text: string): '\r\n' | '\n' {
  let crlf = 0;
  let lf = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    if (i > 0 && text.charCodeAt(i - 1) === 13) crlf += 1;
    else lf += 1;
  }
  return crlf > lf ? '\r\n' : '\n';
}

/** Offset of the first character of the line that holds `offset`. */
export function lineStart(text: string, offset: number): number {
  let i = offset;
  while (i > 0) {
    const code = text.charCodeAt(i - 1);
    if (code === 10 || code === 13) break;
    i -= 1;
  }
  return i;
}

/**
 * The whitespace that precedes `offset` on its line when nothing else does (the element starts the line),
 * else undefined.
 */
export function lineIndent(text: string, offset: number): string | undefined {
  const start = lineStart(text, offset);
  const prefix = text.slice(start, offset);
  return /^[ \t]*$/.test(prefix) ? prefix : undefined;
}

/**
 * Offset of the line break that ends the line holding `offset`, when only spaces or tabs lie between; else
 * undefined (something else follows on the same line, or the text ends).
 */
export function blankRestOfLine(text: string, offset: number): number | undefined {
  let i = offset;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i += 1;
  if (i < text.length && (text[i] === '\n' || text[i] === '\r')) return i;
  return undefined;
}

/**
 * Like blankRestOfLine, but a comment that stays on the element's line (`</relatedLists> <!-- why -->`) belongs
 * to it: the line break after such comments, else undefined.
 */
export function commentedRestOfLine(text: string, offset: number): number | undefined {
  let i = offset;
  for (;;) {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i += 1;
    if (!text.startsWith('<!--', i)) break;
    const close = text.indexOf('-->', i + 4);
    if (close < 0 || spansLines(text, i, close)) return undefined;
    i = close + 3;
  }
  if (i < text.length && (text[i] === '\n' || text[i] === '\r')) return i;
  return undefined;
}

/** Whether the text between two offsets contains a line break. */
export function spansLines(text: string, from: number, to: number): boolean {
  return /[\r\n]/.test(text.slice(from, to));
}

export function escapeXmlText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
