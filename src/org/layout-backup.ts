import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type InputError, inputError } from '../core/errors.js';
import { layoutFileName, packageXml } from '../core/layout-names.js';
import type { OrgFacts } from './org-facts.js';
import { ERRORS } from '../core/messages.js';

const KIND = 'ce-connect layout backup';

/** backup.json: what was saved, from which org, with a hash per file so a damaged backup is noticed. */
export type BackupManifest = {
  kind: typeof KIND;
  version: 1;
  orgId: string;
  orgName: string;
  instanceUrl: string;
  createdAt: string;
  apiVersion: string;
  layouts: Array<{ fullName: string; file: string; sha256: string; bytes: number }>;
};

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function stamp(now: Date): string {
  return now.toISOString().replace(/:/g, '-').replace('.', '-');
}

/**
 * Saves layouts exactly as the org returned them into a new timestamped folder under `dir`, laid out as a
 * metadata-format package (package.xml + layouts/) that `layouts rollback` can put back. Returns the folder.
 */
export function writeBackup(dir: string, facts: OrgFacts, layouts: Map<string, Buffer>, now = new Date()): string {
  let folder = resolve(dir, `layouts-${stamp(now)}`);
  for (let n = 2; existsSync(folder); n += 1) folder = resolve(dir, `layouts-${stamp(now)}-${n}`);
  mkdirSync(join(folder, 'layouts'), { recursive: true });
  const manifest: BackupManifest = {
    kind: KIND,
    version: 1,
    orgId: facts.id,
    orgName: facts.name,
    instanceUrl: facts.instanceUrl,
    createdAt: now.toISOString(),
    apiVersion: facts.apiVersion,
    layouts: [],
  };
  for (const [fullName, bytes] of layouts) {
    const file = layoutFileName(fullName);
    writeFileSync(join(folder, file), bytes);
    manifest.layouts.push({ fullName, file, sha256: sha256(bytes), bytes: bytes.length });
  }
  writeFileSync(join(folder, 'package.xml'), packageXml('Layout', [...layouts.keys()], facts.apiVersion));
  writeFileSync(join(folder, 'backup.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return folder;
}

function broken(folder: string, why: string): InputError {
  return inputError(ERRORS, 'InvalidBackup', [folder, why]);
}

/** Reads a backup folder and checks every file against its recorded hash; anything amiss is an InputError. */
export function readBackup(folder: string): { manifest: BackupManifest; files: Map<string, Buffer> } {
  const path = resolve(folder);
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(readFileSync(join(path, 'backup.json'), 'utf8')) as BackupManifest;
  } catch (error) {
    throw broken(path, `backup.json cannot be read (${(error as Error).message})`);
  }
  if (manifest.kind !== KIND || !Array.isArray(manifest.layouts))
    throw broken(path, 'backup.json is not a ce-connect layout backup');
  const files = new Map<string, Buffer>();
  for (const layout of manifest.layouts) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(path, layout.file));
    } catch {
      throw broken(path, `${layout.file} is missing`);
    }
    if (sha256(bytes) !== layout.sha256) throw broken(path, `${layout.file} was changed after the backup was taken`);
    files.set(layout.fullName, bytes);
  }
  return { manifest, files };
}
