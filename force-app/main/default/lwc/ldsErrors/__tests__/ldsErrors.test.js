import { reduceErrors } from 'c/ldsErrors';

describe('reduceErrors', () => {
  it('returns no messages when there is no error', () => {
    expect(reduceErrors(undefined)).toEqual([]);
    expect(reduceErrors([])).toEqual([]);
  });

  it('reads body.message of a UI API FetchResponse', () => {
    const error = { ok: false, status: 404, statusText: 'Not Found', body: { message: 'The record was deleted.' } };

    expect(reduceErrors(error)).toEqual(['The record was deleted.']);
  });

  it('reads every message of a body that is an array', () => {
    const error = {
      ok: false,
      status: 400,
      statusText: 'Bad Request',
      body: [
        { errorCode: 'INVALID_FIELD', message: 'No such column A__c.' },
        { errorCode: 'INVALID_FIELD', message: 'No such column B__c.' },
      ],
    };

    expect(reduceErrors(error)).toEqual(['No such column A__c.', 'No such column B__c.']);
  });

  it('reads the page and field errors of a record save', () => {
    const error = {
      body: {
        message: 'An error occurred while trying to update the record.',
        output: {
          errors: [{ message: 'Progress must be between 0 and 100.' }],
          fieldErrors: {},
        },
        pageErrors: [{ message: 'Insufficient access.' }],
        fieldErrors: { Name: [{ message: 'Required field.' }] },
      },
    };

    expect(reduceErrors(error)).toEqual([
      'An error occurred while trying to update the record.',
      'Insufficient access.',
      'Required field.',
      'Progress must be between 0 and 100.',
    ]);
  });

  it('falls back to statusText when the body says nothing', () => {
    expect(reduceErrors({ ok: false, status: 503, statusText: 'Service Unavailable', body: {} })).toEqual([
      'Service Unavailable',
    ]);
  });

  it('reads JavaScript errors and strings, flattens arrays and drops repeats', () => {
    expect(reduceErrors([new TypeError('x is undefined'), 'Offline', 'Offline'])).toEqual([
      'x is undefined',
      'Offline',
    ]);
  });

  it('says "Unknown error" rather than nothing for an error it cannot read', () => {
    expect(reduceErrors({ status: 500 })).toEqual(['Unknown error']);
  });
});
