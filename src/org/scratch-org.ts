import { readFileSync } from 'node:fs';
import { Org, scratchOrgCreate } from '@salesforce/core';
import { Duration } from '@salesforce/kit';
import { inputError, operationError } from '../core/errors.js';
import { ERRORS } from '../core/messages.js';

export type ScratchOrg = { username: string; org: Org; expires?: string };

/**
 * Creates a one-day scratch org from the project's definition file through the Dev Hub, the way
 * `sf org create scratch` does (it is the same @salesforce/core call), so CI can validate against a clean org.
 * When the signup made an org but could not finish (its settings failed to deploy), the error carries that org
 * as `scratch`, so the caller can still delete it.
 */
export async function createScratchOrg(options: {
  hub: Org;
  definitionFile: string;
  durationDays?: number;
  waitMinutes?: number;
  alias?: string;
}): Promise<ScratchOrg> {
  let orgConfig: Record<string, unknown>;
  try {
    orgConfig = JSON.parse(readFileSync(options.definitionFile, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw inputError(ERRORS, 'ScratchDefinitionUnreadable', [options.definitionFile, (error as Error).message]);
  }
  if (!(await options.hub.determineIfDevHubOrg())) {
    throw inputError(ERRORS, 'NotADevHub', [options.hub.getUsername() ?? 'The target']);
  }
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
    // sfdx-core's "A scratch org was created with username X, but the settings failed to deploy": the org exists.
    const username = (error as { data?: { username?: unknown } }).data?.username;
    if (typeof username === 'string') {
      const org = await Org.create({ aliasOrUsername: username }).catch(() => undefined);
      if (org) Object.assign(error as object, { scratch: { username, org } satisfies ScratchOrg });
    }
    throw error;
  }
  if (!result.username) {
    throw operationError(ERRORS, 'ScratchOrgNotCreated');
  }
  return {
    username: result.username,
    org: await Org.create({ aliasOrUsername: result.username }),
    expires: result.scratchOrgInfo?.ExpirationDate,
  };
}

export async function deleteScratchOrg(org: Org): Promise<void> {
  await org.delete();
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
