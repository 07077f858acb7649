import { InputError } from './errors';

/** Where a value sits in a JSON text: [start, end) offsets, keyed by JSON pointer (RFC 6901). */
export type ValueSpans = Map<string, { start: number; end: number }>;

const escapePointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** Finds the text span of every value in a JSON document, so single values can be replaced in place. */
export function locateValues(text: string): ValueSpans {
  const spans: ValueSpans = new Map();
  let pos = 0;
  const fail = (what: string): never => {
    throw new InputError('ConfigNotJson', `Cannot edit the config: ${what} at offset ${pos}.`);
  };
  const ws = (): void => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const str = (): string => {
    const start = pos;
    pos++;
    while (pos < text.length && text[pos] !== '"') pos += text[pos] === '\\' ? 2 : 1;
    if (text[pos] !== '"') fail('unterminated string');
    pos++;
    return JSON.parse(text.slice(start, pos)) as string;
  };
  const value = (pointer: string): void => {
    ws();
    const start = pos;
    const c = text[pos];
    if (c === '{') {
      pos++;
      ws();
      if (text[pos] === '}') pos++;
      else {
        for (;;) {
          ws();
          if (text[pos] !== '"') fail('expected a key');
          const key = str();
          ws();
          if (text[pos++] !== ':') fail('expected ":"');
          value(`${pointer}/${escapePointer(key)}`);
          ws();
          const next = text[pos++];
          if (next === '}') break;
          if (next !== ',') fail('expected "," or "}"');
        }
      }
    } else if (c === '[') {
      pos++;
      ws();
      if (text[pos] === ']') pos++;
      else {
        for (let i = 0; ; i++) {
          value(`${pointer}/${i}`);
          ws();
          const next = text[pos++];
          if (next === ']') break;
          if (next !== ',') fail('expected "," or "]"');
        }
      }
    } else if (c === '"') {
      str();
    } else {
      const match = /^(?:true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(pos));
      if (!match) fail('unexpected character');
      pos += (match as RegExpExecArray)[0].length;
    }
    spans.set(pointer, { start, end: pos });
  };
  value('');
  return spans;
}

function lineIndent(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? '';
}

/**
 * Renders a replacement in the style of the value it replaces: arrays of scalars that spanned several lines
 * stay one item per line at the same indentation; everything else is compact JSON.
 */
function render(text: string, span: { start: number; end: number }, value: unknown): string {
  const old = text.slice(span.start, span.end);
  if (Array.isArray(value) && old.includes('\n') && value.length > 0) {
    const itemIndent = /\n([ \t]*)\S/.exec(old)?.[1] ?? `${lineIndent(text, span.start)}  `;
    return `[\n${value.map((v) => `${itemIndent}${JSON.stringify(v)}`).join(',\n')}\n${lineIndent(text, span.start)}]`;
  }
  return JSON.stringify(value);
}

/**
 * Replaces existing values by JSON pointer and leaves every other byte of the text as it was, so the change
 * reads as a minimal diff. Pointers must exist in the document.
 */
export function replaceValues(text: string, edits: Array<{ pointer: string; value: unknown }>): string {
  const spans = locateValues(text);
  const located = edits.map((edit) => {
    const span = spans.get(edit.pointer);
    if (!span) throw new InputError('ConfigPathMissing', `The config has no value at ${edit.pointer} to replace.`);
    return { ...edit, span };
  });
  located.sort((a, b) => b.span.start - a.span.start);
  let out = text;
  for (const edit of located) {
    out = out.slice(0, edit.span.start) + render(text, edit.span, edit.value) + out.slice(edit.span.end);
  }
  return out;
}
