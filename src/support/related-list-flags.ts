import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'flags.related-list');

/** Flags that override `layouts.relatedList` in the config, shared by `layouts patch` and `layouts apply`. */
export const relatedListFlags = {
  'related-list': Flags.string({
    summary: messages.getMessage('flags.related-list.summary'),
    description: messages.getMessage('flags.related-list.description'),
  }),
  fields: Flags.string({ summary: messages.getMessage('flags.fields.summary') }),
  'sort-field': Flags.string({ summary: messages.getMessage('flags.sort-field.summary') }),
  'sort-order': Flags.string({ summary: messages.getMessage('flags.sort-order.summary'), options: ['Asc', 'Desc'] }),
  'exclude-buttons': Flags.string({ summary: messages.getMessage('flags.exclude-buttons.summary') }),
  'custom-buttons': Flags.string({ summary: messages.getMessage('flags.custom-buttons.summary') }),
};
