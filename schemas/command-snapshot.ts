// command-snapshot.json: every command's flags and aliases, in the format of @salesforce/plugin-command-snapshot,
// so that a renamed or removed flag shows as a change. Read from the command classes themselves: each command's
// own `flags` and the base flags every sf command takes (SfCommand's `baseFlags`, `--flags-dir`, and `--json` when
// `enableJsonFlag` is on), combined as oclif combines them when it parses.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type CommandFile, ROOT, commandFiles } from './result-schema.js';

export const SNAPSHOT_FILE = join(ROOT, 'command-snapshot.json');

export type SnapshotEntry = {
  alias: string[];
  command: string;
  flagAliases: string[];
  flagChars: string[];
  flags: string[];
  plugin: string;
};

type FlagLike = { char?: string; aliases?: string[] };
type CommandClass = {
  aliases?: string[];
  flags?: Record<string, FlagLike>;
  baseFlags?: Record<string, FlagLike>;
  enableJsonFlag?: boolean;
};

const sorted = (values: string[]): string[] => [...values].sort();

/** The snapshot entry of one command class, as plugin-command-snapshot writes it. */
export function snapshotEntry(id: string, command: CommandClass, plugin: string): SnapshotEntry {
  const flags: Record<string, FlagLike> = {
    ...(command.enableJsonFlag ? { json: {} } : {}),
    ...command.baseFlags,
    ...command.flags,
  };
  return {
    alias: (command.aliases ?? []).filter((alias) => alias !== id),
    command: id,
    flagAliases: sorted(Object.values(flags).flatMap((flag) => flag.aliases ?? [])),
    flagChars: sorted(Object.values(flags).flatMap((flag) => (flag.char ? [flag.char] : []))),
    flags: sorted(Object.keys(flags)),
    plugin,
  };
}

/** Every command's entry, sorted by command id. Imports each command module. */
export async function commandSnapshot(files: CommandFile[] = commandFiles()): Promise<SnapshotEntry[]> {
  const { name } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string };
  const entries: SnapshotEntry[] = [];
  for (const { id, file } of files) {
    const module = (await import(pathToFileURL(file).href)) as { default?: CommandClass };
    if (typeof module.default !== 'function') throw new Error(`${file}: no default-exported command class`);
    entries.push(snapshotEntry(id, module.default, name));
  }
  return entries;
}

export function snapshotText(entries: SnapshotEntry[]): string {
  return `${JSON.stringify(entries, null, 2)}\n`;
}
