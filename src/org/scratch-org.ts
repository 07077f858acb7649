import { readFileSync } from 'node:fs';
import {
  Lifecycle,
  Org,
  type ScratchOrgLifecycleEvent,
  scratchOrgCreate,
  scratchOrgLifecycleEventName,
} from '@salesforce/core';
import { Duration } from '@salesforce/kit';
import { inputError, operationError } from '../core/errors.js';
import { ERRORS } from '../core/messages.js';

/** A scratch org this run made: its admin, its login (once @salesforce/core has stored it) and its Dev Hub. */
export type ScratchOrg = { username: string; org?: Org; hub: Org; expires?: string };

/**
 * The signup core last reported active (its lifecycle events carry the ScratchOrgInfo). One listener for the
 * process, registered once under its own name; each creation reads what its own signup reported.
 */
let activeSignup: string | undefined;
function listenForSignups(): void {
  Lifecycle.getInstance().on<ScratchOrgLifecycleEvent>(
    scratchOrgLifecycleEventName,
    (event) => {
      const info = event.scratchOrgInfo;
      if (info?.Status === 'Active') activeSignup = info.Username ?? info.SignupUsername;
      return Promise.resolve();
    },
    'ce-connect:scratch-org-signups'
  );
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
  definitionFile: string;
  durationDays?: number;
  waitMinutes?: number;
  alias?: string;
}): Promise<ScratchOrg & { org: Org }> {
  let orgConfig: Record<string, unknown>;
  try {
    orgConfig = JSON.parse(readFileSync(options.definitionFile, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw inputError(ERRORS, 'ScratchDefinitionUnreadable', [options.definitionFile, (error as Error).message]);
  }
  if (!(await options.hub.determineIfDevHubOrg())) {
    throw inputError(ERRORS, 'NotADevHub', [options.hub.getUsername() ?? 'The target']);
  }
  listenForSignups();
  activeSignup = undefined;
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
    const username = activeSignup;
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
