import { assertRunAccounted, isOldTimestampError } from '../../src/core/backfill-outcomes.js';
import { ByteSink } from '../../src/core/csv-output.js';
import { type CsvRecord, CsvScanner } from '../../src/core/csv-scanner.js';
import { OperationError } from '../../src/core/errors.js';
import { type FieldSpec, makeRowCheck, misfit } from '../../src/core/field-fit.js';
import { uploadLayout, writeUploadHeader, writeUploadRow } from '../../src/core/upload-row.js';

const FIELDS: FieldSpec[] = [
  { name: 'ns__External_Id__c', type: 'string', length: 20 },
  { name: 'ns__Email__c', type: 'email', length: 80 },
  { name: 'ns__Progress__c', type: 'percent', precision: 5, scale: 2 },
  { name: 'ns__Attempt__c', type: 'int' },
  { name: 'ns__Done__c', type: 'boolean' },
  { name: 'ns__Started__c', type: 'date' },
  { name: 'ns__Synced__c', type: 'datetime' },
  { name: 'ns__Contact__c', type: 'reference' },
  { name: 'ns__Status__c', type: 'picklist', picklistValues: ['Open', 'Done'], restrictedPicklist: true },
];
const field = (name: string): FieldSpec => FIELDS.find((f) => f.name === `ns__${name}__c`) as FieldSpec;

function records(text: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  // Records are only valid inside the callback: keep copies for the test.
  const scanner = new CsvScanner('t.csv', (rec) => {
    const buf = Buffer.from(rec.buf.subarray(rec.start, rec.end));
    const shift = rec.start;
    out.push({
      ...rec,
      buf,
      start: 0,
      end: buf.length,
      fieldStart: rec.fieldStart.slice(0, rec.fields).map((v) => v - shift),
      fieldEnd: rec.fieldEnd.slice(0, rec.fields).map((v) => v - shift),
      fieldQuoted: rec.fieldQuoted.slice(0, rec.fields),
    });
  });
  scanner.push(Buffer.from(text));
  scanner.end();
  return out;
}

describe('values against Salesforce field types', () => {
  it.each([
    ['Email', 'ann@example.com', undefined],
    ['Email', 'not-an-email', /an email address/],
    ['Progress', '99.5', undefined],
    ['Progress', '1000', /at most 3 digits/],
    ['Progress', 'lots', /a number/],
    ['Attempt', '2', undefined],
    ['Attempt', '2.5', /a whole number/],
    ['Done', 'true', undefined],
    ['Done', 'maybe', /true or false/],
    ['Started', '2025-11-20', undefined],
    ['Started', '20/11/2025', /a date/],
    ['Synced', '2025-11-20 10:00:00', undefined],
    ['Synced', '2025-11-20T10:00:00', /a date and time/],
    ['Contact', '003000000000001AAA', undefined],
    ['Contact', 'ann', /record ID/],
    ['Status', 'Done', undefined],
    ['Status', 'Maybe', /picklist/],
    ['External_Id', 'x'.repeat(21), /21 characters long; the field holds 20/],
    ['External_Id', '', undefined],
  ])('%s %j', (name, value, expected) => {
    const problem = misfit(field(name), value);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toMatch(expected);
  });

  it('checks only the columns that name fields, case-insensitively', () => {
    const [header, good, bad] = records('NS__EMAIL__C,Note\nann@example.com,=x\nnope,ok\n');
    const check = makeRowCheck(['NS__EMAIL__C', 'Note'], FIELDS);
    expect(header.fields).toBe(2);
    expect(check?.(good)).toBeUndefined();
    expect(check?.(bad)).toMatch(/NS__EMAIL__C|ns__Email__c/);
    expect(makeRowCheck(['Note'], FIELDS)).toBeUndefined();
  });
});

describe('Bulk API upload rows', () => {
  it('keeps field columns under their API names, drops the rest, and writes dates in ISO 8601', () => {
    const [header, row] = records(
      'ns__external_id__c,Learner Name,ns__Synced__c,ns__Started__c,ns__Progress__c\n"a,1",Ann,2025-11-20 10:00:00,2025-11-21T23:30:00-02:00,"5"\n'
    );
    const names = ['ns__external_id__c', 'Learner Name', 'ns__Synced__c', 'ns__Started__c', 'ns__Progress__c'];
    const layout = uploadLayout(names, FIELDS);
    expect(header.fields).toBe(5);
    expect(layout.dropped).toEqual(['Learner Name']);
    const chunks: Buffer[] = [];
    const sink = new ByteSink((data) => chunks.push(Buffer.from(data)));
    writeUploadHeader(sink, layout);
    writeUploadRow(sink, row, layout);
    sink.drain();
    expect(Buffer.concat(chunks).toString()).toBe(
      'ns__External_Id__c,ns__Synced__c,ns__Started__c,ns__Progress__c\n"a,1",2025-11-20T10:00:00.000Z,2025-11-22,"5"\n'
    );
  });
});

describe('run outcomes', () => {
  it('recognises the package refusal of an older copy', () => {
    expect(isOldTimestampError('FIELD_CUSTOM_VALIDATION_EXCEPTION:Cannot update record due to old timestamp: --')).toBe(
      true
    );
    expect(isOldTimestampError('REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --')).toBe(false);
  });

  it('throws when the results do not add up to the planned rows', () => {
    const base = {
      input: 10,
      toUpsert: 6,
      skipped: { existingUpToDate: 2, beforeCutoff: 1, duplicateInFile: 0 },
      rejected: 1,
      files: [],
    };
    expect(() =>
      assertRunAccounted({ ...base, upsert: { created: 3, updated: 1, existingNewer: 1, failed: 1, unprocessed: 0 } })
    ).not.toThrow();
    expect(() =>
      assertRunAccounted({ ...base, upsert: { created: 3, updated: 1, existingNewer: 1, failed: 0, unprocessed: 0 } })
    ).toThrow(OperationError);
  });
});
