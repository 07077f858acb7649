import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { CeError, InputError, inputError } from '../core/errors.js';
import { type LayoutChange, type RelatedListSpec, applyRelatedList } from '../core/related-list-transform.js';
import { ERRORS } from '../core/messages.js';

/** Metadata-format (`.layout`) and source-format (`.layout-meta.xml`) layout files. */
export function isLayoutFile(name: string): boolean {
  return name.endsWith('.layout') || name.endsWith('.layout-meta.xml');
}

/** One layout file to patch, and the name it gets under the output folder. */
export type LayoutInput = { path: string; output: string };

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return walk(path);
      return entry.isFile() && isLayoutFile(entry.name) ? [path] : [];
    });
}

/**
 * The layout files named on the command line: files as given, folders searched for layout files. A file keeps
 * its own name in the output folder; one found in a folder keeps its path below that folder, so two
 * `Contact-Contact Layout.layout` from different folders do not overwrite each other.
 */
export function findLayoutFiles(args: string[]): LayoutInput[] {
  if (args.length === 0) {
    throw inputError(ERRORS, 'NoLayoutFiles');
  }
  const inputs: LayoutInput[] = [];
  for (const arg of args) {
    const path = resolve(arg);
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      throw inputError(ERRORS, 'LayoutPathNotFound', [arg], { data: { path: arg } });
    }
    if (isDir) {
      const found = walk(path);
      if (found.length === 0) {
        throw inputError(ERRORS, 'EmptyLayoutFolder', [arg], { data: { path: arg } });
      }
      inputs.push(...found.map((file) => ({ path: file, output: relative(path, file) })));
    } else if (isLayoutFile(path)) {
      inputs.push({ path, output: basename(path) });
    } else {
      throw inputError(ERRORS, 'NotALayoutFile', [arg], { data: { path: arg } });
    }
  }
  const byOutput = new Map<string, string>();
  for (const input of inputs) {
    const other = byOutput.get(input.output);
    if (other !== undefined && other !== input.path) {
      throw inputError(ERRORS, 'OutputNameClash', [other, input.path, input.output]);
    }
    byOutput.set(input.output, input.path);
  }
  return [...new Map(inputs.map((i) => [i.path, i])).values()];
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A layout's text. The Metadata API reads and writes layouts as UTF-8; anything else is refused. */
export function decodeLayout(bytes: Uint8Array, source: string): string {
  try {
    return UTF8.decode(bytes);
  } catch (error) {
    throw inputError(ERRORS, 'NotUtf8', [source], {
      data: { line: 1, column: 0, message: 'not UTF-8' },
      cause: error,
    });
  }
}

export type PatchStatus = 'changed' | 'unchanged' | 'error';

export type PatchedFile = {
  path: string;
  /** Where the changed file was written; absent when nothing was written. */
  output?: string;
  status: PatchStatus;
  changes: LayoutChange[];
  /** Why the file was skipped: where (line from 1, column from 0) and the bare reason, plus the full message. */
  error?: { line?: number; column?: number; reason: string; message: string };
};

function describeError(error: unknown): PatchedFile['error'] {
  const data =
    error instanceof CeError
      ? (error.data as { line?: number; column?: number; message?: string } | undefined)
      : undefined;
  const message = (error as Error).message;
  return { line: data?.line, column: data?.column, reason: data?.message ?? message, message };
}

/**
 * Patches every file, then writes the changed ones under the output folder, all or nothing: when any input is
 * malformed, every file is still checked and reported, but none is written (the caller exits 2), so a fixed
 * rerun starts from a clean folder instead of a half-written one.
 */
export function patchLayoutFiles(inputs: LayoutInput[], spec: RelatedListSpec, outDir: string): PatchedFile[] {
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) {
    throw inputError(ERRORS, 'OutDirIsFile', [outDir]);
  }
  const writes: Array<{ output: string; xml: string }> = [];
  const results = inputs.map((input): PatchedFile => {
    try {
      const text = decodeLayout(readFileSync(input.path), input.path);
      const result = applyRelatedList(text, spec, input.path);
      if (!result.changed) return { path: input.path, status: 'unchanged', changes: [] };
      const output = join(resolve(outDir), input.output);
      writes.push({ output, xml: result.xml });
      return { path: input.path, output, status: 'changed', changes: result.changes };
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      return { path: input.path, status: 'error', changes: [], error: describeError(error) };
    }
  });
  if (results.some((r) => r.status === 'error')) {
    for (const result of results) delete result.output;
    return results;
  }
  for (const { output, xml } of writes) {
    mkdirSync(dirname(output), { recursive: true });
    writeFileSync(output, xml, 'utf8');
  }
  return results;
}

/** For messages: a path relative to the current folder when it is below it. */
export function shortPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith(`..${sep}`) || rel === '..' ? path : rel;
}
