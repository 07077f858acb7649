import type { FieldDef } from './types.js';

// The fields every sObject has (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/system_fields.htm),
// and the label Setup derives from an API name when a scenario gives none.
export const SYSTEM_FIELDS: FieldDef[] = [
  { name: 'Id', type: 'id', nillable: false, readOnly: true, label: 'Record ID' },
  { name: 'IsDeleted', type: 'boolean', readOnly: true, defaultValue: false },
  { name: 'CreatedDate', type: 'datetime', readOnly: true },
  { name: 'CreatedById', type: 'reference', referenceTo: ['User'], relationshipName: 'CreatedBy', readOnly: true },
  { name: 'LastModifiedDate', type: 'datetime', readOnly: true },
  {
    name: 'LastModifiedById',
    type: 'reference',
    referenceTo: ['User'],
    relationshipName: 'LastModifiedBy',
    readOnly: true,
  },
  { name: 'SystemModstamp', type: 'datetime', readOnly: true },
];

export function labelFor(name: string): string {
  const base = name.replace(/^[a-zA-Z0-9]+__(?=.*__c$)/, '').replace(/__(c|r)$/, '');
  return base.replace(/_/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2');
}
