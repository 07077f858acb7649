import { Flags } from '@salesforce/sf-plugins-core';

/** Flags that override `layouts.relatedList` in the config, shared by `layouts patch` and `layouts apply`. */
export const relatedListFlags = {
  'related-list': Flags.string({
    summary: 'Related list name, <ChildObject>.<LookupField>.',
    description: 'Defaults to <enrollment.object>.<enrollment.contactField> from the config.',
  }),
  fields: Flags.string({ summary: 'Comma-separated columns, in display order (NAME for the record name).' }),
  'sort-field': Flags.string({ summary: 'Column to sort by.' }),
  'sort-order': Flags.string({ summary: 'Sort direction.', options: ['Asc', 'Desc'] }),
  'exclude-buttons': Flags.string({ summary: 'Comma-separated standard buttons to hide (New).' }),
  'custom-buttons': Flags.string({ summary: 'Comma-separated custom buttons to show.' }),
};
