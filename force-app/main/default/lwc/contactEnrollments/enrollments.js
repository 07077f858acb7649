// Pure helpers for contactEnrollments: they turn UI API related-list records into the rows and counts the
// template shows. Records arrive as `{ id, fields: { Api_Name__c: { value, displayValue } } }`, a lookup's
// fields nested under `fields.Lookup__r.value.fields`.
// https://developer.salesforce.com/docs/atlas.en-us.uiapi.meta/uiapi/ui_api_responses_record.htm

import UNTITLED_COURSE from '@salesforce/label/c.CE_Enrollments_Untitled_Course';
import PERCENT from '@salesforce/label/c.CE_Enrollments_Percent';
import PROGRESS_LABEL from '@salesforce/label/c.CE_Enrollments_Progress_Label';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A Custom Label with {0}, {1}, … filled in: labels hold whole phrases, so a translation can move the values.
 */
export function formatLabel(label, ...values) {
  return String(label).replace(/\{(\d+)\}/g, (match, i) => (i < values.length ? String(values[i]) : match));
}

/**
 * The UI API wants `Object.Field` names in `fields` and `sortBy`; admins may type either form.
 */
export function qualifiedFieldName(objectApiName, fieldApiName) {
  const field = (fieldApiName || '').trim();
  const prefix = `${(objectApiName || '').trim()}.`;
  return field.startsWith(prefix) ? field : prefix + field;
}

function unqualified(objectApiName, fieldApiName) {
  const qualified = qualifiedFieldName(objectApiName, fieldApiName);
  return qualified.slice(qualified.indexOf('.') + 1);
}

/**
 * The `{ value, displayValue }` of a field, following `Lookup__r.Name` paths; undefined when absent.
 */
export function fieldOf(record, path) {
  let fields = record && record.fields;
  let field;
  for (const name of path.split('.')) {
    field = fields ? fields[name] : undefined;
    if (!field) {
      return undefined;
    }
    fields = field.value && field.value.fields;
  }
  return field;
}

function valueOf(record, path) {
  const field = fieldOf(record, path);
  return field === undefined || field.value === null ? undefined : field.value;
}

function textOf(record, path) {
  const field = fieldOf(record, path);
  if (!field) {
    return undefined;
  }
  const text = field.displayValue !== null && field.displayValue !== undefined ? field.displayValue : field.value;
  return text === null || text === undefined || text === '' ? undefined : String(text);
}

/**
 * Progress as a number from 0 to 100. An empty or unreadable value means the learner has not started.
 */
export function progressOf(value) {
  const number = typeof value === 'number' ? value : Number.parseFloat(value);
  if (!Number.isFinite(number) || number <= 0) {
    return 0;
  }
  return Math.min(number, 100);
}

/**
 * `completed` at 100 %, `inProgress` above 0 and below 100, `notStarted` at 0 or empty.
 */
export function stateOf(progress) {
  if (progress >= 100) {
    return 'completed';
  }
  return progress > 0 ? 'inProgress' : 'notStarted';
}

function timeOf(value) {
  const time = value === undefined ? Number.NaN : Date.parse(value);
  return Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
}

/**
 * One row for the template. `fields` holds the field API names chosen in App Builder.
 */
export function toEnrollment(record, fields) {
  const { objectApiName } = fields;
  const courseName = textOf(record, unqualified(objectApiName, fields.courseName)) || UNTITLED_COURSE;
  const progress = progressOf(valueOf(record, unqualified(objectApiName, fields.progress)));
  const state = stateOf(progress);
  // Rounded down, so "100%" is only ever shown next to the Completed badge.
  const percent = Math.floor(progress);
  const attempt = valueOf(record, unqualified(objectApiName, fields.attempt));
  const enrolledOn = valueOf(record, unqualified(objectApiName, fields.enrollmentDate));
  return {
    id: record.id,
    courseName,
    progress,
    state,
    isCompleted: state === 'completed',
    progressText: formatLabel(PERCENT, percent),
    progressLabel: formatLabel(PROGRESS_LABEL, courseName, percent),
    attempt,
    hasAttempt: attempt !== undefined,
    enrolledOn,
    hasEnrolledOn: enrolledOn !== undefined,
    // A Date field's value ("2026-01-15") is a calendar day, not an instant: formatting it in the user's
    // time zone would show the day before west of Greenwich. Date/time values keep the user's zone.
    enrolledOnTimeZone: typeof enrolledOn === 'string' && DATE_ONLY.test(enrolledOn) ? 'UTC' : undefined,
    sortKey: timeOf(enrolledOn),
  };
}

/**
 * Newest enrollment first; undated ones last; ties by course name, so the order never depends on the server.
 */
export function newestFirst(a, b) {
  if (a.sortKey !== b.sortKey) {
    return a.sortKey > b.sortKey ? -1 : 1;
  }
  return a.courseName.localeCompare(b.courseName) || String(a.id).localeCompare(String(b.id));
}

/**
 * Counts over the enrollments returned: every one is enrolled; not-started ones count only as enrolled.
 */
export function summarize(enrollments) {
  const counts = { enrolled: enrollments.length, inProgress: 0, completed: 0 };
  for (const enrollment of enrollments) {
    if (enrollment.state !== 'notStarted') {
      counts[enrollment.state] += 1;
    }
  }
  return counts;
}
