import type { Connection } from '@salesforce/core';
import type { CheckItem } from '../../core/checklist.js';
import type { CeConfig } from '../../core/config.js';
import { packageStatuses } from '../../core/package-status.js';
import { readInstalledPackages } from '../installed-packages.js';

/** Checklist items: one per package, pass when installed at the required version or later. */
export async function checkPackages(conn: Connection, config: CeConfig): Promise<CheckItem[]> {
  const listing = await readInstalledPackages(conn);
  if (!listing.readable) {
    return config.packages.map((spec) => ({
      id: `packages.${spec.key}`,
      title: `${spec.name} ${spec.minimumVersion} or later installed`,
      status: 'skip',
      evidence: `Installed packages are not readable: ${listing.reason}`,
      fix: `Run the checklist as a user with "${listing.missingPermission}".`,
    }));
  }
  return packageStatuses(config.packages, listing.packages).map((s) => ({
    id: `packages.${s.key}`,
    title: `${s.name} ${s.required} or later installed`,
    status: s.status === 'ok' ? 'pass' : 'fail',
    evidence: s.installed
      ? `${s.name} ${s.installed} is installed (${s.installedVersionId}).`
      : `${s.name} is not installed.`,
    ...(s.status === 'ok' ? {} : { fix: 'ce-connect packages install -o <org>' }),
  }));
}
