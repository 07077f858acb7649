import type { Connection } from '@salesforce/core';
import type { CeConfig, PackageSpec } from '../../core/config.js';
import { inputError } from '../../core/errors.js';
import { ERRORS } from '../../core/messages.js';
import { type PackageRef, decide } from '../../core/package-install.js';
import { type InstalledPackage, findInstalled } from '../../core/package-status.js';
import { formatVersion } from '../../core/versions.js';
import { followRequest, applyFollowed } from './follow.js';
import {
  type PackageInstallOutcome,
  type PackagesInstallResult,
  type InstallOptions,
  type RequestRow,
  errorCode,
  installedOrFail,
  outcomeBase,
} from './model.js';

// Picking up an install request (0Hf…) that an earlier run left running.
const REQUEST_ID = /^0Hf[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$/;

export type ResumeResult = { outcome: PackageInstallOutcome; installed: InstalledPackage[] };

/**
 * Waits for an install request made earlier (a run that timed out) and reports it as that package's outcome.
 * Reads only: the request is already in Salesforce's hands.
 */
export async function resumePackageInstall(
  conn: Connection,
  config: CeConfig,
  requestId: string,
  options: InstallOptions
): Promise<ResumeResult> {
  if (!REQUEST_ID.test(requestId)) {
    throw inputError(ERRORS, 'InvalidRequestId', [requestId]);
  }
  const before = await installedOrFail(conn, options.alias ?? '<org>');
  let first: RequestRow;
  try {
    first = (await conn.tooling.retrieve('PackageInstallRequest', requestId)) as unknown as RequestRow;
  } catch (error) {
    if (['NOT_FOUND', 'INVALID_ID_FIELD', 'MALFORMED_ID'].includes(errorCode(error))) {
      throw inputError(ERRORS, 'RequestNotFound', [requestId]);
    }
    throw error;
  }
  const versionId = first.SubscriberPackageVersionKey;
  const index = config.packages.findIndex((p) => p.versionId.slice(0, 15) === versionId.slice(0, 15));
  const spec: PackageSpec = config.packages[index] ?? {
    key: versionId,
    name: `package version ${versionId}`,
    namespace: '',
    minimumVersion: '0',
    versionId,
  };
  const decision = decide(spec, before);
  const outcome = outcomeBase(spec, decision.before, decision.action === 'none' ? 'install' : decision.action);
  outcome.requestId = requestId;
  const ref: PackageRef = { spec, index: Math.max(index, 0), target: null };
  const followed = await followRequest(conn, requestId, spec, options, true);
  if (followed.status === 'SUCCESS') {
    const installed = await installedOrFail(conn, options.alias ?? '<org>');
    const now = findInstalled(spec, installed);
    outcome.after = now ? formatVersion(now.version) : null;
    outcome.target = outcome.after;
    const upgraded = decision.before !== null && decision.before !== outcome.after;
    outcome.action = decision.before === null ? 'install' : 'upgrade';
    outcome.status = upgraded ? 'upgraded' : 'installed';
    outcome.message = `Request ${requestId} finished: ${spec.name} ${upgraded ? `${decision.before} → ` : ''}${outcome.after ?? '?'} is installed for admins only.`;
    return { outcome, installed };
  }
  applyFollowed(outcome, followed, options, ref);
  return { outcome, installed: before };
}

/** Puts a resumed request's outcome in place of its package's "nothing to do" line. */
export function mergeResumed(result: PackagesInstallResult, resumed: PackageInstallOutcome): PackagesInstallResult {
  const packages = result.packages.map((p) =>
    p.key === resumed.key && (p.status === 'satisfied' || p.status === 'newer-installed')
      ? { ...resumed, after: p.after }
      : p
  );
  if (!packages.some((p) => p.key === resumed.key)) packages.unshift(resumed);
  return { ...result, packages };
}
