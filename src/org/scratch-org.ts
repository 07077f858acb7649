import { readFileSync } from 'node:fs';
import { Org, scratchOrgCreate } from '@salesforce/core';
import { Duration } from '@salesforce/kit';
import { InputError, OperationError } from '../core/errors.js';

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
    throw new InputError(
      'ScratchDefinitionUnreadable',
      `Cannot read the scratch org definition ${options.definitionFile}: ${(error as Error).message}`,
      { actions: ['Pass --definition-file <file>, or restore config/project-scratch-def.json.'] }
    );
  }
  if (!(await options.hub.determineIfDevHubOrg())) {
    throw new InputError('NotADevHub', `${options.hub.getUsername() ?? 'The target'} is not a Dev Hub org.`, {
      actions: ['Pass a Dev Hub with -v/--target-dev-hub, or enable Dev Hub in that org (Setup > Dev Hub).'],
    });
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
    throw new OperationError('ScratchOrgNotCreated', 'The Dev Hub did not return a scratch org username.', {
      actions: [
        'Check the Dev Hub limits with `sf org list limits -o <dev hub>` (ActiveScratchOrgs, DailyScratchOrgs).',
      ],
    });
  }
  return { username: result.username, org: await Org.create({ aliasOrUsername: result.username }) };
}

export async function deleteScratchOrg(org: Org): Promise<void> {
  await org.delete();
}
