import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { type CeConfig, parseConfig } from '../core/config.js';
import { InputError } from '../core/errors.js';

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
  throw new InputError(
    'ConfigNotFound',
    project
      ? `No config: ${join(project, CONFIG_IN_PROJECT)} does not exist.`
      : `No config: ${resolve(from)} is not inside a Salesforce DX project (no sfdx-project.json here or above) and has no ${CONFIG_IN_PROJECT}.`,
    {
      actions: [
        'Run the command from your Salesforce DX project, with its settings in config/ce-connect.json (the ce-connect project ships one to start from).',
        'Or pass the file with --config <file>.',
      ],
    }
  );
}

export function loadConfig(flag: string | undefined): { path: string; config: CeConfig } {
  const path = resolveConfigPath(flag);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError('ConfigNotFound', `Cannot read the config file ${path}: ${(error as Error).message}`, {
      actions: ['Pass --config <file>, or run from a folder that has config/ce-connect.json.'],
    });
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
  throw new InputError(
    'ConfigOutsideProject',
    project
      ? `Nothing was written: ${path} is outside the project ${project}.`
      : `Nothing was written: ${resolve(from)} is not inside a Salesforce DX project (no sfdx-project.json here or above), and --write only edits the config of the project it runs in.`,
    {
      actions: [
        'Run the command from your Salesforce DX project folder (the one with sfdx-project.json).',
        'Or leave out --write to only see the differences.',
      ],
    }
  );
}

/** Writes the whole file or nothing: a temporary file beside it, then a rename over it. */
export function writeFileAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

/**
 * The project a command deploys from (scratch): its folder and default package directory, as sfdx-project.json
 * names them. Outside a project it is a usage error, raised before anything is created.
 */
export function requireProject(from: string = process.cwd()): { dir: string; sourceDir: string } {
  const dir = findProjectDir(from);
  if (!dir) {
    throw new InputError(
      'NotInProject',
      `${resolve(from)} is not inside a Salesforce DX project (no sfdx-project.json here or above): there is no metadata to deploy. Nothing was created.`,
      { actions: ['Run the command from your copy of the ce-connect project (the folder with sfdx-project.json).'] }
    );
  }
  const project = JSON.parse(readFileSync(join(dir, 'sfdx-project.json'), 'utf8')) as {
    packageDirectories?: Array<{ path: string; default?: boolean }>;
  };
  const packages = project.packageDirectories ?? [];
  const main = packages.find((p) => p.default) ?? packages[0];
  return { dir, sourceDir: join(dir, main?.path ?? 'force-app') };
}
