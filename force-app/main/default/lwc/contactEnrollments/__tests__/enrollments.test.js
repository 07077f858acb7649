import { fieldOf, newestFirst, progressOf, qualifiedFieldName, stateOf, summarize, toEnrollment } from '../enrollments';

const FIELDS = {
  objectApiName: 'ns__Enrollment__c',
  courseName: 'ns__Course_Name__c',
  progress: 'ns__Progress__c',
  attempt: 'ns__Attempt__c',
  enrollmentDate: 'ns__Enrolled__c',
};

function record(id, values) {
  const fields = {};
  for (const [name, value] of Object.entries(values)) {
    fields[name] = { displayValue: null, value };
  }
  return { id, fields };
}

describe('qualifiedFieldName', () => {
  it('prefixes the object to a bare name and leaves a qualified one alone', () => {
    expect(qualifiedFieldName('ns__Enrollment__c', 'ns__Progress__c')).toBe('ns__Enrollment__c.ns__Progress__c');
    expect(qualifiedFieldName('ns__Enrollment__c', 'ns__Enrollment__c.ns__Progress__c')).toBe(
      'ns__Enrollment__c.ns__Progress__c'
    );
  });

  it('qualifies a lookup path', () => {
    expect(qualifiedFieldName('ns__Enrollment__c', 'ns__Course__r.Name')).toBe('ns__Enrollment__c.ns__Course__r.Name');
  });
});

describe('fieldOf', () => {
  it('follows a lookup into the related record', () => {
    const enrollment = {
      fields: {
        ns__Course__r: { displayValue: null, value: { fields: { Name: { displayValue: null, value: 'CPQ' } } } },
      },
    };

    expect(fieldOf(enrollment, 'ns__Course__r.Name')).toEqual({ displayValue: null, value: 'CPQ' });
    expect(fieldOf(enrollment, 'ns__Course__r.Missing')).toBeUndefined();
    expect(fieldOf(enrollment, 'Missing__c.Name')).toBeUndefined();
  });
});

describe('progressOf and stateOf', () => {
  it.each([
    [null, 0, 'notStarted'],
    [undefined, 0, 'notStarted'],
    ['', 0, 'notStarted'],
    [-5, 0, 'notStarted'],
    [0, 0, 'notStarted'],
    [0.5, 0.5, 'inProgress'],
    ['42', 42, 'inProgress'],
    [99.9, 99.9, 'inProgress'],
    [100, 100, 'completed'],
    [130, 100, 'completed'],
  ])('reads %p as %p, %s', (value, progress, state) => {
    expect(progressOf(value)).toBe(progress);
    expect(stateOf(progressOf(value))).toBe(state);
  });
});

describe('toEnrollment', () => {
  it('keeps the time zone of the user for a date/time value', () => {
    const row = toEnrollment(record('1', { ns__Enrolled__c: '2026-01-20T23:30:00.000Z' }), FIELDS);

    expect(row.enrolledOn).toBe('2026-01-20T23:30:00.000Z');
    expect(row.enrolledOnTimeZone).toBeUndefined();
  });

  it('prefers the display value of the course name and names a course that has none', () => {
    const named = record('1', {});
    named.fields.ns__Course_Name__c = { displayValue: 'Admin (EN)', value: 'Admin' };

    expect(toEnrollment(named, FIELDS).courseName).toBe('Admin (EN)');
    expect(toEnrollment(record('2', { ns__Course_Name__c: null }), FIELDS).courseName).toBe('Untitled course');
  });
});

describe('newestFirst', () => {
  it('orders by date descending, undated and unreadable dates last, then by course name', () => {
    const rows = [
      record('a', { ns__Course_Name__c: 'B', ns__Enrolled__c: '2025-01-01' }),
      record('b', { ns__Course_Name__c: 'Z', ns__Enrolled__c: null }),
      record('c', { ns__Course_Name__c: 'A', ns__Enrolled__c: '2025-01-01' }),
      record('d', { ns__Course_Name__c: 'C', ns__Enrolled__c: '2026-03-01T09:00:00.000Z' }),
      record('e', { ns__Course_Name__c: 'Y', ns__Enrolled__c: 'not a date' }),
    ].map((r) => toEnrollment(r, FIELDS));

    expect(rows.sort(newestFirst).map((row) => row.id)).toEqual(['d', 'c', 'a', 'e', 'b']);
  });
});

describe('summarize', () => {
  it('counts every enrollment as enrolled and not-started ones as nothing else', () => {
    const rows = [0, null, 10, 99, 100, 100].map((progress, i) =>
      toEnrollment(record(String(i), { ns__Progress__c: progress }), FIELDS)
    );

    expect(summarize(rows)).toEqual({ enrolled: 6, inProgress: 2, completed: 2 });
  });
});
