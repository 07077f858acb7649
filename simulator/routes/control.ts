// The simulator's own control API under /__sim/: faults, the request log, reset, the clock and extra logins.
// These requests need no session and are not logged as API calls.
import type { FaultSpec } from '../faults.js';
import type { Simulator } from '../server.js';
import type { Route } from '../types.js';

export function controlRoutes(sim: Simulator): Route[] {
  const ok = (body: unknown = { ok: true }) => ({ status: 200, body });
  const bad = (message: string) => ({ status: 400, body: [{ message, errorCode: 'BAD_REQUEST' }] });
  return [
    { method: 'GET', pattern: /^\/__sim\/faults\/?$/, api: 'control', handle: () => ok(sim.faults.list()) },
    {
      // Body: one fault ({kind, method, path, count, rate, latencyMs}), {faults: [...]}, or {spec: "GET /query 503x1"}.
      method: 'POST',
      pattern: /^\/__sim\/faults\/?$/,
      api: 'control',
      handle(req) {
        const body = (req.json ?? {}) as { faults?: FaultSpec[]; spec?: string | string[] } & Partial<FaultSpec>;
        try {
          const specs: Array<FaultSpec | string> =
            body.faults ?? (body.spec ? [body.spec].flat() : [body as FaultSpec]);
          return ok(specs.map((s) => sim.faults.add(s)));
        } catch (error) {
          return bad((error as Error).message);
        }
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/__sim\/faults\/?$/,
      api: 'control',
      handle: () => {
        sim.faults.clear();
        return ok();
      },
    },
    { method: 'GET', pattern: /^\/__sim\/requests\/?$/, api: 'control', handle: () => ok(sim.requests) },
    {
      method: 'DELETE',
      pattern: /^\/__sim\/requests\/?$/,
      api: 'control',
      handle: () => {
        sim.requests.length = 0;
        return ok();
      },
    },
    {
      method: 'POST',
      pattern: /^\/__sim\/reset\/?$/,
      api: 'control',
      handle(req) {
        const body = (req.json ?? {}) as { scenario?: string };
        try {
          sim.reset(body.scenario);
        } catch (error) {
          return bad((error as Error).message);
        }
        return ok({ ok: true, scenario: sim.scenario.name ?? body.scenario });
      },
    },
    {
      method: 'POST',
      pattern: /^\/__sim\/clock\/?$/,
      api: 'control',
      handle(req) {
        const body = (req.json ?? {}) as { advanceMs?: number };
        sim.org.advance(Number(body.advanceMs ?? 0));
        return ok({ now: sim.org.now().toISOString() });
      },
    },
    {
      method: 'POST',
      pattern: /^\/__sim\/token\/?$/,
      api: 'control',
      handle(req) {
        const body = (req.json ?? {}) as { username?: string };
        try {
          return ok({ accessToken: sim.tokenFor(String(body.username)), username: body.username });
        } catch (error) {
          return bad((error as Error).message);
        }
      },
    },
  ];
}
