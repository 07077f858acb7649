import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { type CeConfig, parseConfig } from '../core/config.js';
import { inputError } from '../core/errors.js';
import { ERRORS } from '../core/messages.js';

const CONFIG_IN_PROJECT = join('config', 'ce-connect.json');

/**
 * The Salesforce DX project the command runs in: the nearest folder, from the current one up, that holds
 * sfdx-project.json (as `sf project deploy start` finds it). Undefined outside any project.
 */
export function findProjectDir(from: string = process.cwd()): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'sfdx-project.json'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The config a command uses: the --config flag; else config/ce-connect.json in the current folder or a parent,
 * up to the project folder. Never the copy inside the installed tool: an admin's settings live in their project.
 */
export function resolveConfigPath(flag: string | undefined, from: string = process.cwd()): string {
  if (flag) return resolve(flag);
  const project = findProjectDir(from);
  const stop = project ?? dirname(resolve(from));
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, CONFIG_IN_PROJECT);
    if (existsSync(candidate)) return candidate;
    if (dir === stop || dirname(dir) === dir) break;
  }
  throw project
    ? inputError(ERRORS, 'ConfigNotFoundInProject', [join(project, CONFIG_IN_PROJECT)], { name: 'ConfigNotFound' })
    : inputError(ERRORS, 'ConfigNotFoundOutsideProject', [resolve(from), CONFIG_IN_PROJECT], {
        name: 'ConfigNotFound',
      });
}

export function loadConfig(flag: string | undefined): { path: string; config: CeConfig } {
  const path = resolveConfigPath(flag);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw inputError(ERRORS, 'ConfigNotFound', [path, (error as Error).message]);
  }
  return { path, config: parseConfig(text, path) };
}

/**
 * Where `discover --write` may write: only a config inside the Salesforce DX project of the current folder,
 * so a run from elsewhere never edits a file the admin did not mean (or the tool's own copy).
 */
export function assertWritableConfig(path: string, from: string = process.cwd()): void {
  const project = findProjectDir(from);
  const inside = project !== undefined && !relative(project, path).startsWith('..');
  if (inside) return;
  throw project
    ? inputError(ERRORS, 'ConfigOutsideOfProject', [path, project], { name: 'ConfigOutsideProject' })
    : inputError(ERRORS, 'ConfigOutsideProject', [resolve(from)]);
}

/**
 * Writes the whole file or nothing: a new temporary file beside it (created, never opened through an existing
 * link), then a rename over it. The rename replaces a symbolic link at `path` instead of writing through it,
 * and the file gets `mode` even when one with looser permissions was there.
 */
export function writeFileAtomically(path: string, text: string, mode = 0o644): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode, flag: 'wx' });
  chmodSync(temporary, mode);
  renameSync(temporary, path);
}

/**
 * The project a command deploys from (scratch): its folder and default package directory, as sfdx-project.json
 * names them. Outside a project it is a usage error, raised before anything is created.
 */
export function requireProject(from: string = process.cwd()): { dir: string; sourceDir: string } {
  const dir = findProjectDir(from);
  if (!dir) {
    throw inputError(ERRORS, 'NotInProject', [resolve(from)]);
  }
  const project = JSON.parse(readFileSync(join(dir, 'sfdx-project.json'), 'utf8')) as {
    packageDirectories?: Array<{ path: string; default?: boolean }>;
  };
  const packages = project.packageDirectories ?? [];
  const main = packages.find((p) => p.default) ?? packages[0];
  return { dir, sourceDir: join(dir, main?.path ?? 'force-app') };
}
