import { describeLinkage, timeoutCauses } from '../../src/core/sync-diagnosis.js';

describe('describeLinkage', () => {
  it('reports a linked record', () => {
    expect(describeLinkage('a@x.example', '003A', [], 'prod')).toEqual({
      state: 'linked',
      contactId: '003A',
      reason: 'linked to Contact 003A',
    });
  });

  it('explains an unlinked record with no matching Contact', () => {
    const l = describeLinkage('a@x.example', null, [], 'prod');
    expect(l).toMatchObject({ state: 'unlinked', cause: 'no-contact' });
    expect(l.reason).toBe('in Unlinked Enrollments: no Contact has the email a@x.example');
    expect(l.state === 'unlinked' && l.fix).toContain('ce-connect enrollments relink -o prod');
  });

  it('explains an unlinked record with several matching Contacts', () => {
    const contacts = [
      { id: '003A', name: 'A', email: 'a@x.example' },
      { id: '003B', name: 'B', email: 'a@x.example' },
    ];
    const l = describeLinkage('a@x.example', null, contacts, 'prod');
    expect(l).toMatchObject({ state: 'unlinked', cause: 'several-contacts' });
    expect(l.reason).toContain('2 Contacts share the email a@x.example (003A, 003B)');
  });

  it('points at relink when a Contact exists now', () => {
    const l = describeLinkage('a@x.example', null, [{ id: '003A', name: 'A', email: 'a@x.example' }], 'prod');
    expect(l).toMatchObject({ state: 'unlinked', cause: 'contact-exists' });
  });
});

describe('timeoutCauses', () => {
  it('lists authorization, then the integration user, then the packages, each with its check', () => {
    expect(timeoutCauses('prod').map((c) => c.check)).toEqual([
      'ce-connect connect-guide -o prod',
      'ce-connect integration-user check -o prod',
      'ce-connect packages check -o prod',
    ]);
  });
});
