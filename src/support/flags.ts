import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'flags');

/** `-o/--target-org`: any `sf` alias or username, resolved through the user's `sf` logins. */
export const targetOrg = Flags.requiredOrg({
  char: 'o',
  summary: messages.getMessage('flags.target-org.summary'),
  required: true,
});

export const config = Flags.file({
  summary: messages.getMessage('flags.config.summary'),
  description: messages.getMessage('flags.config.description'),
});

export const dryRun = Flags.boolean({
  summary: messages.getMessage('flags.dry-run.summary'),
  default: false,
});

export const yes = Flags.boolean({
  char: 'y',
  summary: messages.getMessage('flags.yes.summary'),
  default: false,
});
