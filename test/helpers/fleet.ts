// A fleet of simulated orgs the way an admin lists it: one simulator serves every org, each under the alias of its
// key in the session's HOME, each with its own config (an org's usernames carry its own suffix, as usernames are
// unique across Salesforce, so each org's config names its own integration user and assignees).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimOrg } from '../../simulator/server.js';
import { PROJECT_ROOT } from './cli.js';
import { loginInProcess } from './simulator.js';

const ADMIN = 'admin@acme.example';

/** The project's config with the org's usernames (`…@acme.example<suffix>`). */
export function configFor(org: SimOrg): string {
  const suffix = org.username.startsWith(ADMIN) ? org.username.slice(ADMIN.length) : '';
  const text = readFileSync(join(PROJECT_ROOT, 'config', 'ce-connect.json'), 'utf8');
  return text.replace(/"\$schema": "[^"]*",?\s*/, '').replace(/@acme\.example(?=")/g, `@acme.example${suffix}`);
}

/**
 * Logs every org in under its key (its stored login taken before any fault the scenario gives it), writes each
 * org's config beside the list, and writes the list (`org,config`) to `dir/orgs.csv`.
 */
export async function listFleet(orgs: readonly SimOrg[], dir: string, aliased: string[] = []): Promise<string> {
  mkdirSync(join(dir, 'configs'), { recursive: true });
  const rows = ['org,config'];
  for (const org of orgs) {
    org.faults.clear();
    if (!aliased.includes(org.key)) await loginInProcess(org.instanceUrl, org.accessToken, org.key);
    writeFileSync(join(dir, 'configs', `${org.key}.json`), configFor(org));
    rows.push(`${org.key},configs/${org.key}.json`);
  }
  const list = join(dir, 'orgs.csv');
  writeFileSync(list, `${rows.join('\n')}\n`);
  return list;
}
