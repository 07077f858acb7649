import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type InputError, inputError } from '../core/errors.js';
import { packageXml } from '../core/layout-names.js';
import type { OrgFacts } from './org-facts.js';
import { ERRORS } from '../core/messages.js';

/** A metadata type that `apply` backs up and `rollback` puts back, with where its files go. */
export type MetadataKind = {
  type: 'Layout' | 'FlexiPage';
  folder: string;
  suffix: string;
  /** The word for one component in messages and the backup folder's name. */
  noun: string;
  /** The command that wrote the backup, for messages. */
  command: string;
  /** backup.json's list key (`layouts` for layouts, as every backup taken so far has it). */
  listKey: 'layouts' | 'pages';
};

export const LAYOUTS: MetadataKind = {
  type: 'Layout',
  folder: 'layouts',
  suffix: 'layout',
  noun: 'layout',
  command: 'layouts apply',
  listKey: 'layouts',
};

export const PAGES: MetadataKind = {
  type: 'FlexiPage',
  folder: 'flexipages',
  suffix: 'flexipage',
  noun: 'page',
  command: 'pages apply',
  listKey: 'pages',
};

type Entry = { fullName: string; file: string; sha256: string; bytes: number };

/** backup.json: what was saved, from which org, with a hash per file so a damaged backup is noticed. */
export type BackupManifest = {
  kind: string;
  version: 1;
  orgId: string;
  orgName: string;
  instanceUrl: string;
  createdAt: string;
  apiVersion: string;
} & { [key in MetadataKind['listKey']]?: Entry[] };

function kindName(kind: MetadataKind): string {
  return `ce-connect ${kind.noun} backup`;
}

/** The file a component is saved as in a backup, as a metadata-format package names it. */
function backupFileName(kind: MetadataKind, fullName: string): string {
  return `${kind.folder}/${fullName}.${kind.suffix}`;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function stamp(now: Date): string {
  return now.toISOString().replace(/:/g, '-').replace('.', '-');
}

/**
 * Saves components exactly as the org returned them into a new timestamped folder under `dir`, laid out as a
 * metadata-format package (package.xml + the type's folder) that `rollback` can put back. Returns the folder.
 */
export function writeBackup(
  kind: MetadataKind,
  dir: string,
  facts: OrgFacts,
  components: Map<string, Buffer>,
  now = new Date()
): string {
  const base = `${kind.folder}-${stamp(now)}`;
  let folder = resolve(dir, base);
  for (let n = 2; existsSync(folder); n += 1) folder = resolve(dir, `${base}-${n}`);
  mkdirSync(join(folder, kind.folder), { recursive: true });
  const entries: Entry[] = [];
  const manifest: BackupManifest = {
    kind: kindName(kind),
    version: 1,
    orgId: facts.id,
    orgName: facts.name,
    instanceUrl: facts.instanceUrl,
    createdAt: now.toISOString(),
    apiVersion: facts.apiVersion,
    [kind.listKey]: entries,
  };
  for (const [fullName, bytes] of components) {
    const file = backupFileName(kind, fullName);
    writeFileSync(join(folder, file), bytes);
    entries.push({ fullName, file, sha256: sha256(bytes), bytes: bytes.length });
  }
  writeFileSync(join(folder, 'package.xml'), packageXml(kind.type, [...components.keys()], facts.apiVersion));
  writeFileSync(join(folder, 'backup.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return folder;
}

function broken(kind: MetadataKind, folder: string, why: string): InputError {
  return inputError(ERRORS, 'InvalidBackup', [folder, kind.noun, why], { actionTokens: [[kind.command]] });
}

/** Reads a backup folder and checks every file against its recorded hash; anything amiss is an InputError. */
export function readBackup(
  kind: MetadataKind,
  folder: string
): { manifest: BackupManifest; files: Map<string, Buffer> } {
  const path = resolve(folder);
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(readFileSync(join(path, 'backup.json'), 'utf8')) as BackupManifest;
  } catch (error) {
    throw broken(kind, path, `backup.json cannot be read (${(error as Error).message})`);
  }
  const entries = manifest[kind.listKey];
  if (manifest.kind !== kindName(kind) || !Array.isArray(entries))
    throw broken(kind, path, `backup.json is not a ${kindName(kind)}`);
  const files = new Map<string, Buffer>();
  for (const entry of entries) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(path, entry.file));
    } catch {
      throw broken(kind, path, `${entry.file} is missing`);
    }
    if (sha256(bytes) !== entry.sha256)
      throw broken(kind, path, `${entry.file} was changed after the backup was taken`);
    files.set(entry.fullName, bytes);
  }
  return { manifest, files };
}
