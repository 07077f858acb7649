import { SaxesParser } from 'saxes';
import { ERRORS } from './messages.js';
import { inputError } from './errors.js';

/**
 * One element of a scanned document, located by offsets into the original text, so a caller can splice a
 * change into exactly that range and leave every other byte alone.
 */
export type XmlElement = {
  /** The tag name as written, with any prefix (`md:relatedLists`). */
  name: string;
  /** The name without its prefix. */
  local: string;
  /** Offset of the `<` that opens the element. */
  start: number;
  /** Offset just after the `>` of the start tag (equal to `end` for `<x/>`). */
  openEnd: number;
  /** Offset of the `</` of the end tag (equal to `end` for `<x/>`). */
  closeStart: number;
  /** Offset just after the element's last `>`. */
  end: number;
  children: XmlElement[];
  /** The element's own character data (text and CDATA directly inside it), entities decoded. */
  text: string;
  /** Whether a comment sits directly inside the element. */
  hasComments: boolean;
};

export type XmlScan = { text: string; root: XmlElement };

/** Where a problem is: line counted from 1, column counted from 0 (as expat and Python's xml modules count). */
export type XmlLocation = { line: number; column: number };

export function locate(text: string, offset: number): XmlLocation {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 10 || (code === 13 && text.charCodeAt(i + 1) !== 10)) {
      line += 1;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart };
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

/**
 * The offset a syntax error should point at. saxes reports the character after the one it choked on; for a
 * mismatched end tag that is the `>`, but people (and expat, which SOURCES-style checks use) expect the
 * name of the offending tag.
 */
function errorOffset(text: string, position: number, message: string): number {
  if (/close tag|closing tag/i.test(message)) {
    const tagStart = text.lastIndexOf('</', Math.max(0, position - 1));
    if (tagStart >= 0) return tagStart + 2;
  }
  return Math.max(0, Math.min(position - 1, text.length));
}

/**
 * saxes reads an entity reference up to the next `;`, so a bare `&` swallows the rest of the document and the
 * error surfaces far away. Only called once parsing has failed, to point at the real culprit.
 */
function firstBareAmpersand(text: string): number | undefined {
  const pattern =
    /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|&(?!(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z_:][\w.:-]*);)/g;
  for (const match of text.matchAll(pattern)) if (match[0] === '&') return match.index;
  return undefined;
}

/**
 * Parses XML with a real tokenizer (saxes: well-formedness per XML 1.0, positions as string offsets) and
 * returns the element tree with source offsets. Nothing is re-serialised: callers splice the original text.
 * Malformed input is an InputError (exit 2) naming the line and column.
 */
export function scanXml(text: string, source = 'the document'): XmlScan {
  const parser = new SaxesParser({ position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;

  parser.on('opentagstart', (tag) => {
    const start = text.lastIndexOf('<', parser.position - 1);
    const element: XmlElement = {
      name: tag.name,
      local: localName(tag.name),
      start,
      openEnd: -1,
      closeStart: -1,
      end: -1,
      children: [],
      text: '',
      hasComments: false,
    };
    const parent = stack.at(-1);
    if (parent) parent.children.push(element);
    else root = element;
    stack.push(element);
  });
  parser.on('opentag', (tag) => {
    const element = stack.at(-1);
    if (!element) return;
    element.openEnd = parser.position;
    if (tag.isSelfClosing) {
      element.closeStart = parser.position;
    }
  });
  parser.on('closetag', (tag) => {
    const element = stack.pop();
    if (!element) return;
    element.end = parser.position;
    if (!tag.isSelfClosing) element.closeStart = text.lastIndexOf('</', parser.position - 1);
  });
  parser.on('text', (value) => {
    const element = stack.at(-1);
    if (element) element.text += value;
  });
  parser.on('cdata', (value) => {
    const element = stack.at(-1);
    if (element) element.text += value;
  });
  parser.on('comment', () => {
    const element = stack.at(-1);
    if (element) element.hasComments = true;
  });

  try {
    parser.write(text).close();
  } catch (error) {
    let raw = (error as Error).message.replace(/^\d+:\d+:\s*/, '');
    let offset = errorOffset(text, parser.position, raw);
    const ampersand = firstBareAmpersand(text);
    if (ampersand !== undefined && ampersand < offset) {
      raw = 'a bare & (write &amp; for a literal ampersand).';
      offset = ampersand;
    }
    const where = locate(text, offset);
    throw inputError(ERRORS, 'MalformedXml', [source, where.line, where.column, raw], {
      actionTokens: [[where.line, where.column, source]],
      data: { ...where, message: raw },
      cause: error,
    });
  }
  if (!root) {
    throw inputError(ERRORS, 'NoXmlElement', [source], { data: { line: 1, column: 0, message: 'no root element' } });
  }
  return { text, root };
}
