// The Northpass package refuses to overwrite an Enrollment with an older copy: an update whose source timestamp
// is older than the stored one fails with "Cannot update record due to old timestamp". CE's guide to importing
// historic learner data says this error is expected and means Salesforce already holds a newer copy
// (support.northpass.com/knowledge/import-historic-learner-data-into-salesforce, ../shared/reference/northpass.md §2).
// Which field holds the timestamp is not public; the simulated package calls it <ns>__Last_Synced_At__c. The error
// code is the one Salesforce gives validation rules and trigger addError() calls:
// https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm
import type { OrgState } from '../org-state.js';

const ENROLLMENT = /__Enrollment__c$/;
const TIMESTAMP = /__Last_Synced_At__c$/;

export function setup(org: OrgState): void {
  org.addRule('*', 'beforeUpdate', ({ object, record, previous, changes }) => {
    if (!ENROLLMENT.test(object) || !previous) return undefined;
    const field = Object.keys(changes).find((name) => TIMESTAMP.test(name));
    if (!field) return undefined;
    const incoming = Date.parse(String(record[field] ?? '').replace(/\+0000$/, 'Z'));
    const stored = Date.parse(String(previous[field] ?? '').replace(/\+0000$/, 'Z'));
    if (Number.isNaN(incoming) || Number.isNaN(stored) || incoming >= stored) return undefined;
    return { errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Cannot update record due to old timestamp' };
  });
}
