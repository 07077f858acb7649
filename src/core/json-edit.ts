import { type FormattingOptions, type JSONPath, applyEdits, findNodeAtLocation, modify, parseTree } from 'jsonc-parser';
import { ERRORS } from './messages.js';
import { inputError } from './errors.js';

/** RFC 6901 JSON pointer → the path jsonc-parser takes (array indices as numbers). */
function toPath(pointer: string, tree: ReturnType<typeof parseTree>): JSONPath {
  const keys =
    pointer === ''
      ? []
      : pointer
          .slice(1)
          .split('/')
          .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
  const path: JSONPath = [];
  let node = tree;
  for (const key of keys) {
    const segment = node?.type === 'array' && /^\d+$/.test(key) ? Number(key) : key;
    path.push(segment);
    node = node ? findNodeAtLocation(node, [segment]) : undefined;
  }
  return path;
}

/**
 * Replaces existing values by JSON pointer and leaves every other byte of the text as it was, so the change
 * reads as a minimal diff (jsonc-parser's modify/applyEdits, formatted as the config is: two spaces, "\n").
 * Pointers must exist in the document: a discovery replaces what the config says, it never invents settings.
 */
export function replaceValues(text: string, edits: Array<{ pointer: string; value: unknown }>): string {
  const formattingOptions: FormattingOptions = { tabSize: 2, insertSpaces: true, eol: '\n' };
  let out = text;
  for (const edit of edits) {
    const tree = parseTree(out);
    const path = toPath(edit.pointer, tree);
    if (!tree || !findNodeAtLocation(tree, path)) {
      throw inputError(ERRORS, 'ConfigPathMissing', [edit.pointer]);
    }
    out = applyEdits(out, modify(out, path, edit.value, { formattingOptions }));
  }
  return out;
}
