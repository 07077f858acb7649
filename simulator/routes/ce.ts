// Control routes for the simulated CE connector (no session, not logged as API calls, like the rest of /__sim/):
// POST /__sim/ce/enrollments schedules a push ({afterMs | afterSeconds, email, courseName, courseId, progress,
// externalId, link, asUser, fields}); GET lists what was scheduled and pushed. See ../ce-sync.ts.
import { pushLog, schedulePush, type ScheduledPush } from '../ce-sync.js';
import type { Route } from '../types.js';

export const routes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/__sim\/ce\/enrollments\/?$/,
    api: 'control',
    handle: (_req, _m, org) => ({ status: 200, body: pushLog(org) }),
  },
  {
    method: 'POST',
    pattern: /^\/__sim\/ce\/enrollments\/?$/,
    api: 'control',
    handle(req, _m, org) {
      try {
        return { status: 201, body: schedulePush(org, (req.json ?? {}) as ScheduledPush) };
      } catch (error) {
        return { status: 400, body: [{ message: (error as Error).message, errorCode: 'BAD_REQUEST' }] };
      }
    },
  },
];
