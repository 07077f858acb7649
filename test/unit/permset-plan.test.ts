import { isDuplicateAssignment } from '../../src/org/permset-assignments.js';
import {
  type AssignmentUser,
  type CurrentAssignment,
  countOutcomes,
  expirationInstant,
  planAssignments,
  planLines,
  plannedOutcomes,
  sameExpiration,
} from '../../src/core/permset-plan.js';

const user = (name: string, isActive = true): AssignmentUser => ({
  id: `005${name}`,
  username: `${name}@x.example`,
  isActive,
});
const ann = user('ann');
const bob = user('bob');
const cid = user('cid', false);
const dan = user('dan');
const have = (u: AssignmentUser, expirationDate: string | null = null): CurrentAssignment => ({
  id: `0Pa${u.username}`,
  user: u,
  expirationDate,
});

describe('permission set assignment plan', () => {
  it('inserts what is missing, leaves what matches, skips inactive users and warns about empty rules', () => {
    const plan = planAssignments({
      rules: [
        { index: 0, assignee: { profile: 'Standard User' }, users: [ann, bob, cid] },
        { index: 1, assignee: { username: 'ghost@x.example' }, users: [] },
      ],
      current: [have(bob)],
      prune: false,
    });
    expect(plan.inserts.map((i) => [i.user.username, i.expires, i.rules])).toEqual([
      ['ann@x.example', null, ['profile "Standard User"']],
    ]);
    expect(plan.updates).toEqual([]);
    expect(plan.deletes).toEqual([]);
    expect(plan.unchanged.map((o) => [o.username, o.outcome])).toEqual([
      ['bob@x.example', 'already-assigned'],
      ['cid@x.example', 'skipped-inactive'],
    ]);
    expect(plan.warnings).toEqual(['permissionSet.assignees[1] (username ghost@x.example) matches no user.']);
  });

  it('lets the last rule that selects a user decide the expiration, and updates when it differs', () => {
    const plan = planAssignments({
      rules: [
        { index: 0, assignee: { profile: 'Standard User' }, users: [ann, bob] },
        { index: 1, assignee: { username: 'ann@x.example', expires: '2027-06-30' }, users: [ann] },
      ],
      current: [have(ann, '2027-06-30T00:00:00.000+0000'), have(bob, '2026-01-01T00:00:00.000+0000')],
      prune: false,
    });
    expect(plan.unchanged.map((o) => [o.username, o.outcome])).toEqual([['ann@x.example', 'already-assigned']]);
    expect(plan.updates.map((u) => [u.user.username, u.previous, u.expires])).toEqual([
      ['bob@x.example', '2026-01-01T00:00:00.000+0000', null],
    ]);
    expect(planLines(plan, 'PS')).toEqual([
      "change the expiration of bob@x.example's PS: expires 2026-01-01 → no expiration",
    ]);
  });

  it('removes assignments config does not select only with prune', () => {
    const input = {
      rules: [{ index: 0, assignee: { username: 'ann@x.example' }, users: [ann] }],
      current: [have(ann), have(dan)],
    };
    const kept = planAssignments({ ...input, prune: false });
    expect(kept.deletes).toEqual([]);
    expect(kept.unchanged.find((o) => o.username === 'dan@x.example')?.outcome).toBe('kept-not-in-config');
    const pruned = planAssignments({ ...input, prune: true });
    expect(pruned.deletes.map((d) => d.assignmentId)).toEqual(['0Padan@x.example']);
    expect(planLines(pruned, 'PS')).toEqual(['remove PS from dan@x.example (not in config)']);
    expect(countOutcomes(plannedOutcomes(pruned))).toMatchObject({ removed: 1, 'already-assigned': 1, added: 0 });
  });

  it('leaves an inactive user’s existing assignment alone, even with prune', () => {
    const plan = planAssignments({
      rules: [{ index: 0, assignee: { profile: 'P' }, users: [cid] }],
      current: [have(cid, '2020-01-01T00:00:00.000+0000')],
      prune: true,
    });
    expect(plan.updates).toEqual([]);
    expect(plan.deletes).toEqual([]);
    expect(plan.unchanged[0]).toMatchObject({
      outcome: 'skipped-inactive',
      message: expect.stringContaining('left as it is'),
    });
  });

  it('reads a config date as midnight UTC and compares instants, not text', () => {
    expect(expirationInstant('2027-06-30')).toBe('2027-06-30T00:00:00.000Z');
    expect(expirationInstant('2027-06-30T02:00:00+02:00')).toBe('2027-06-30T00:00:00.000Z');
    expect(expirationInstant(undefined)).toBeNull();
    expect(() => expirationInstant('someday')).toThrow(RangeError);
    expect(sameExpiration('2027-06-30T00:00:00.000+0000', '2027-06-30T00:00:00.000Z')).toBe(true);
    expect(sameExpiration(null, '2027-06-30T00:00:00.000Z')).toBe(false);
    expect(sameExpiration(null, null)).toBe(true);
  });
});

describe('isDuplicateAssignment', () => {
  it('knows an existing assignment by its code or by the words real orgs use', () => {
    expect(isDuplicateAssignment({ code: 'DUPLICATE_VALUE', message: 'duplicate value found' })).toBe(true);
    expect(
      isDuplicateAssignment({ code: 'FIELD_INTEGRITY_EXCEPTION', message: 'Duplicate PermissionSetAssignment' })
    ).toBe(true);
    expect(isDuplicateAssignment({ code: 'FIELD_INTEGRITY_EXCEPTION', message: 'License does not allow it' })).toBe(
      false
    );
  });
});
