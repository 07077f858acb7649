import { readFileSync } from 'node:fs';
import { Org, scratchOrgCreate } from '@salesforce/core';
import { Duration } from '@salesforce/kit';
import { inputError, operationError } from '../core/errors.js';
import { ERRORS } from '../core/messages.js';

export type ScratchOrg = { username: string; org: Org };

/**
 * Creates a one-day scratch org from the project's definition file through the Dev Hub, the way
 * `sf org create scratch` does (it is the same @salesforce/core call), so CI can validate against a clean org.
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
  const result = await scratchOrgCreate({
    hubOrg: options.hub,
    orgConfig,
    durationDays: options.durationDays ?? 1,
    wait: Duration.minutes(options.waitMinutes ?? 10),
    alias: options.alias,
    tracksSource: false,
  });
  if (!result.username) {
    throw operationError(ERRORS, 'ScratchOrgNotCreated');
  }
  return { username: result.username, org: await Org.create({ aliasOrUsername: result.username }) };
}

export async function deleteScratchOrg(org: Org): Promise<void> {
  await org.delete();
}
