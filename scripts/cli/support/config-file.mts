import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CeConfig, parseConfig } from '../../core/config.js';
import { InputError } from '../../core/errors.js';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const DEFAULT_CONFIG = join('config', 'ce-connect.json');

/**
 * The config path a command uses: the --config flag; else config/ce-connect.json in the current folder (an
 * admin's own copy of the project); else the one shipped with ce-connect.
 */
export function resolveConfigPath(flag: string | undefined): string {
  if (flag) return resolve(flag);
  const local = resolve(DEFAULT_CONFIG);
  return existsSync(local) ? local : join(PROJECT_ROOT, DEFAULT_CONFIG);
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
