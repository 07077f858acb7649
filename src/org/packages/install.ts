import type { Connection } from '@salesforce/core';
import type { CeConfig } from '../../core/config.js';
import { applyPackageInstall, dryRunResult } from './apply.js';
import type { InstallOptions, PackageInstallOutcome, PackagesInstallResult } from './model.js';
import { planPackageInstall } from './plan.js';
import { mergeResumed, resumePackageInstall } from './resume.js';

export type InstallFlowOptions = InstallOptions & {
  /** An install request (0Hf…) an earlier run left running: followed to its end first. */
  resumeRequestId?: string;
  /** Called with the plan before the first write, to show it and have it confirmed; throws to stop. */
  confirm?: (plan: string[]) => Promise<void>;
};

/**
 * `packages install` from start to end: resume a request if asked, plan (reads only), confirm, and (unless dry-run)
 * apply. `setup` runs the same plan and apply functions, as two of its phases: it plans every step before it
 * confirms once and applies any.
 */
export async function installPackages(
  conn: Connection,
  config: CeConfig,
  options: InstallFlowOptions
): Promise<PackagesInstallResult> {
  let resumed: PackageInstallOutcome | undefined;
  if (options.resumeRequestId) {
    resumed = (await resumePackageInstall(conn, config, options.resumeRequestId, options)).outcome;
    if (resumed.status !== 'installed' && resumed.status !== 'upgraded') {
      return { ok: false, dryRun: options.dryRun, writes: 0, plan: [], packages: [resumed] };
    }
  }
  const planned = await planPackageInstall(conn, config, options);
  if (options.dryRun) {
    const result = dryRunResult(planned);
    return resumed ? mergeResumed(result, resumed) : result;
  }
  await options.confirm?.(planned.plan);
  const result = await applyPackageInstall(conn, config, planned, options);
  return resumed ? mergeResumed(result, resumed) : result;
}
