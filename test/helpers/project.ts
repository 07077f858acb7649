// A throw-away copy of the project (sfdx-project.json, .forceignore, config, force-app without the LWC tests) for
// commands that deploy the source or create scratch orgs from it, so a test may change any file of it.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from './cli.js';

export function projectCopy(change?: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'ce-scratch-project-'));
  for (const file of ['sfdx-project.json', '.forceignore']) cpSync(join(PROJECT_ROOT, file), join(dir, file));
  cpSync(join(PROJECT_ROOT, 'config'), join(dir, 'config'), { recursive: true });
  cpSync(join(PROJECT_ROOT, 'force-app', 'main'), join(dir, 'force-app', 'main'), { recursive: true });
  rmSync(join(dir, 'force-app/main/default/lwc/contactEnrollments/__tests__'), { recursive: true, force: true });
  change?.(dir);
  return dir;
}

/** Replaces the first `from` in a file of the copy; fails when the file has none, so a stale edit is noticed. */
export function editFile(dir: string, file: string, from: string, to: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} has no ${from}`);
  writeFileSync(path, text.replace(from, to));
}
