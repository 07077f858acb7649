import { readFileSync } from 'node:fs';
import {
  AuthRemover,
  Lifecycle,
  Org,
  type ScratchOrgLifecycleEvent,
  StateAggregator,
  scratchOrgCreate,
  scratchOrgLifecycleEventName,
} from '@salesforce/core';
import { Duration } from '@salesforce/kit';
import { parseJsonFile } from '../core/config.js';
import { inputError, operationError } from '../core/errors.js';
import { ERRORS } from '../core/messages.js';

/** A scratch org this run made: its admin, its login (once @salesforce/core has stored it) and its Dev Hub. */
export type ScratchOrg = { username: string; org?: Org; hub: Org; expires?: string };

/**
 * The signup request of the creation under way, as core's lifecycle events report it (each status read carries
 * the ScratchOrgInfo): its Id from the first read, the admin's username once it is Active. One listener for the
 * process, registered once under its own name; each creation reads what its own signup reported.
 */
export type Signup = { id?: string; username?: string };
let signup: Signup = {};
function listenForSignups(): void {
  Lifecycle.getInstance().on<ScratchOrgLifecycleEvent>(
    scratchOrgLifecycleEventName,
    (event) => {
      const info = event.scratchOrgInfo;
      if (info?.Id) signup.id = info.Id;
      if (info?.Status === 'Active') signup.username = info.Username ?? info.SignupUsername;
      return Promise.resolve();
    },
    'ce-connect:scratch-org-signups'
  );
}

/** What the creation under way has made so far: nothing, a signup request, or an org with its admin. */
export function signupInProgress(): Signup {
  return { ...signup };
}

/**
 * The scratch org definition, read and parsed before anything is asked of the Dev Hub: a file that is missing or
 * is not a JSON object is bad input (exit 2), named with the line and column of the first syntax error.
 */
export function readScratchDefinition(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw inputError(ERRORS, 'ScratchDefinitionUnreadable', [file, (error as Error).message], {
      data: { file },
    });
  }
  const value = parseJsonFile(text, file, 'ScratchDefinitionUnreadable');
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw inputError(ERRORS, 'ScratchDefinitionUnreadable', [file, ERRORS.getMessage('ScratchDefinitionNotObject')], {
      data: { file },
    });
  }
  return value as Record<string, unknown>;
}

/**
 * Creates a one-day scratch org from the project's definition file through the Dev Hub, the way
 * `sf org create scratch` does (it is the same @salesforce/core call), so CI can validate against a clean org.
 * When the signup made an org but the creation did not finish (the login or the settings deploy failed), the
 * error carries that org as `scratch`, so the caller can still delete it: an org left behind counts against the
 * Dev Hub's allocations (https://github.com/forcedotcom/cli/issues/202).
 */
export async function createScratchOrg(options: {
  hub: Org;
  /** The definition file's content (readScratchDefinition). */
  orgConfig: Record<string, unknown>;
  durationDays?: number;
  waitMinutes?: number;
  alias?: string;
}): Promise<ScratchOrg & { org: Org }> {
  const { orgConfig } = options;
  listenForSignups();
  signup = {};
  let result;
  try {
    result = await scratchOrgCreate({
      hubOrg: options.hub,
      orgConfig,
      durationDays: options.durationDays ?? 1,
      wait: Duration.minutes(options.waitMinutes ?? 10),
      alias: options.alias,
      tracksSource: false,
    });
  } catch (error) {
    const { username } = signup;
    if (username) {
      const org = await Org.create({ aliasOrUsername: username }).catch(() => undefined);
      Object.assign(error as object, { scratch: { username, org, hub: options.hub } satisfies ScratchOrg });
    }
    throw error;
  }
  if (!result.username) {
    throw operationError(ERRORS, 'ScratchOrgNotCreated');
  }
  return {
    username: result.username,
    org: await Org.create({ aliasOrUsername: result.username }),
    hub: options.hub,
    expires: result.scratchOrgInfo?.ExpirationDate,
  };
}

/**
 * Deletes the scratch org as `sf org delete scratch` does (its ActiveScratchOrg record in the Dev Hub, and the
 * local login). Without a local login (the creation failed before storing it), through the Dev Hub alone.
 */
export async function deleteScratchOrg(scratch: ScratchOrg): Promise<void> {
  if (scratch.org) {
    await scratch.org.delete();
    return;
  }
  const conn = scratch.hub.getConnection();
  const active = await conn.singleRecordQuery<{ Id: string }>(
    `SELECT Id FROM ActiveScratchOrg WHERE SignupUsername = '${scratch.username.replace(/'/g, "\\'")}'`
  );
  await conn.sobject('ActiveScratchOrg').delete(active.Id);
  await forgetLogin(scratch.username);
}

/**
 * Ends a signup request that has not made its org yet (a run stopped while the Dev Hub was still creating it):
 * deleting the ScratchOrgInfo record, which "also deletes the active scratch org" (Salesforce DX Developer Guide,
 * "Manage Scratch Orgs from the Dev Hub Org"), so the org does not appear later and count against the allocations.
 */
export async function deleteSignupRequest(hub: Org, id: string): Promise<void> {
  await hub.getConnection().sobject('ScratchOrgInfo').delete(id);
}

/** Removes the local login of a deleted org, if core stored one (as `sf org delete scratch` does). */
async function forgetLogin(username: string): Promise<void> {
  const state = await StateAggregator.getInstance();
  if (!(await state.orgs.exists(username))) return;
  await (await AuthRemover.create()).removeAuth(username);
}

/**
 * What the Dev Hub has left of its scratch org allocations (`sf org list limits` shows the same), as
 * "ActiveScratchOrgs 0 of 3 left, DailyScratchOrgs 4 of 6 left"; empty when the limits cannot be read.
 */
export async function devHubAllocations(hub: Org): Promise<string | undefined> {
  try {
    const limits = (await hub.getConnection().limits()) as unknown as Record<
      string,
      { Max: number; Remaining: number }
    >;
    const parts = ['ActiveScratchOrgs', 'DailyScratchOrgs']
      .filter((name) => limits[name])
      .map((name) => `${name} ${limits[name].Remaining} of ${limits[name].Max} left`);
    return parts.length > 0 ? parts.join(', ') : undefined;
  } catch {
    return undefined;
  }
}
