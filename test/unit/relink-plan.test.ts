import {
  chunk,
  emailsToMatch,
  groupUnlinked,
  normaliseEmail,
  relinkCounts,
  relinkPlanLines,
  relinkUpdates,
  type UnlinkedEnrollment,
} from '../../src/core/relink-plan.js';

const enr = (id: string, email: string | null): UnlinkedEnrollment => ({ id, name: `E-${id}`, email, course: 'C' });

describe('relink plan', () => {
  const enrollments = [
    enr('a2', ' Omar.Haddad@ACME.example '),
    enr('a1', 'omar.haddad@acme.example'),
    enr('b1', 'pat@globex.example'),
    enr('c1', 'nobody@nowhere.example'),
    enr('d1', null),
    enr('d2', '   '),
  ];
  const contacts = [
    { id: '003B', name: 'Pat Jones', email: 'PAT@globex.example' },
    { id: '003A', name: 'Pat Jones', email: 'pat@globex.example ' },
    { id: '003O', name: 'Omar Haddad', email: 'omar.haddad@acme.example' },
    { id: '003O', name: 'Omar Haddad', email: 'omar.haddad@acme.example' }, // the same Contact from two batches
  ];

  it('normalises emails: trimmed, lower case, empty for none', () => {
    expect(normaliseEmail('  A@B.example ')).toBe('a@b.example');
    expect(normaliseEmail(null)).toBe('');
  });

  it('asks for each distinct email once', () => {
    expect(emailsToMatch(enrollments)).toEqual([
      'nobody@nowhere.example',
      'omar.haddad@acme.example',
      'pat@globex.example',
    ]);
  });

  it('groups by normalised email and decides: one Contact links, several are ambiguous, none unmatched', () => {
    const groups = groupUnlinked(enrollments, contacts);
    expect(
      groups.map((g) => [g.email, g.decision, g.enrollments.map((e) => e.id), g.contacts.map((c) => c.id)])
    ).toEqual([
      ['omar.haddad@acme.example', 'link', ['a1', 'a2'], ['003O']],
      ['pat@globex.example', 'ambiguous', ['b1'], ['003A', '003B']],
      ['nobody@nowhere.example', 'unmatched', ['c1'], []],
      ['', 'no-email', ['d1', 'd2'], []],
    ]);
  });

  it('updates only the unambiguous ones, with a plan line per email', () => {
    const groups = groupUnlinked(enrollments, contacts);
    expect(relinkUpdates(groups)).toEqual([
      { id: 'a1', contactId: '003O', email: 'omar.haddad@acme.example' },
      { id: 'a2', contactId: '003O', email: 'omar.haddad@acme.example' },
    ]);
    expect(relinkPlanLines(groups)).toEqual([
      'link 2 enrollments of omar.haddad@acme.example to Contact Omar Haddad (003O)',
    ]);
    expect(relinkCounts(groups)).toEqual({
      link: 2,
      ambiguous: 1,
      unmatched: 1,
      'no-email': 2,
      enrollments: 6,
      emails: 3,
    });
  });

  it('has nothing to do when nothing is unlinked', () => {
    const groups = groupUnlinked([], contacts);
    expect(relinkUpdates(groups)).toEqual([]);
    expect(relinkPlanLines(groups)).toEqual([]);
  });

  it('chunks into collections of at most 200', () => {
    const sizes = chunk(
      Array.from({ length: 401 }, (_, i) => i),
      200
    ).map((c) => c.length);
    expect(sizes).toEqual([200, 200, 1]);
  });
});
