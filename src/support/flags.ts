import { Flags } from '@salesforce/sf-plugins-core';

/** `-o/--target-org`: any `sf` alias or username, resolved through the user's `sf` logins. */
export const targetOrg = Flags.requiredOrg({
  char: 'o',
  summary: 'Username or alias of the target org (as set up with `sf org login`).',
  required: true,
});

export const config = Flags.file({
  summary: 'Desired-state config file.',
  description: 'Defaults to config/ce-connect.json in the current folder, or in the ce-connect project.',
});

export const dryRun = Flags.boolean({
  summary: 'Show the plan; write nothing to the org.',
  default: false,
});

export const yes = Flags.boolean({
  char: 'y',
  summary: 'Do not ask for confirmation before writing to a production org.',
  default: false,
});
