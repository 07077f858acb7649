import { Messages } from '@salesforce/core/messages';

// The texts of the errors that the org and core layers raise, one entry per error name (messages/errors.md), read
// with sf's Messages like every command's own file. Only the messages module of @salesforce/core is loaded.
Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
export const ERRORS = Messages.loadMessages('ce-connect', 'errors');

/** The texts of the Contact record page verdicts and checklist items (messages/pages.md). */
export const PAGE_TEXTS = Messages.loadMessages('ce-connect', 'pages');

/** The texts of `fleet` runs: the org list's errors, the findings and the reports (messages/fleet.md). */
export const FLEET_TEXTS = Messages.loadMessages('ce-connect', 'fleet');
