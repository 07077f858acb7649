// The simulator's own control API under /__sim/: each org's port answers for that org (faults, its request log,
// reset, its clock, extra logins), and every port lists, adds and deletes the simulator's orgs.
// These requests need no session and are not logged as API calls.
import type { FaultSpec } from '../faults.js';
import type { SimOrg, Simulator } from '../server.js';
import type { Route } from '../types.js';

export function controlRoutes(org: SimOrg, sim: Simulator): Route[] {
  const ok = (body: unknown = { ok: true }, status = 200) => ({ status, body });
  const bad = (message: string, status = 400) => ({ status, body: [{ message, errorCode: 'BAD_REQUEST' }] });
  return [
    { method: 'GET', pattern: /^\/__sim\/faults\/?$/, api: 'control', handle: () => ok(org.faults.list()) },
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
          return ok(specs.map((s) => org.faults.add(s)));
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
        org.faults.clear();
        return ok();
      },
    },
    { method: 'GET', pattern: /^\/__sim\/requests\/?$/, api: 'control', handle: () => ok(org.requests) },
    {
      method: 'DELETE',
      pattern: /^\/__sim\/requests\/?$/,
      api: 'control',
      handle: () => {
        org.requests.length = 0;
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
          org.reset(body.scenario);
        } catch (error) {
          return bad((error as Error).message);
        }
        return ok({ ok: true, scenario: org.scenario.name ?? body.scenario });
      },
    },
    {
      method: 'POST',
      pattern: /^\/__sim\/clock\/?$/,
      api: 'control',
      handle(req) {
        const body = (req.json ?? {}) as { advanceMs?: number };
        org.org.advance(Number(body.advanceMs ?? 0));
        return ok({ now: org.org.now().toISOString() });
      },
    },
    {
      method: 'POST',
      pattern: /^\/__sim\/token\/?$/,
      api: 'control',
      handle(req) {
        const body = (req.json ?? {}) as { username?: string };
        try {
          return ok({ accessToken: org.tokenFor(String(body.username)), username: body.username });
        } catch (error) {
          return bad((error as Error).message);
        }
      },
    },
    // ---- the simulator's orgs: the same answers on every port ------------------------------------------------
    // GET: every org with its URL, status, and its own counters (requests, writes, API usage).
    { method: 'GET', pattern: /^\/__sim\/orgs\/?$/, api: 'control', handle: () => ok(sim.summaries()) },
    {
      // Body: {scenario, key?, usernameSuffix?}; answers 201 with the new org's URL and admin session.
      method: 'POST',
      pattern: /^\/__sim\/orgs\/?$/,
      api: 'control',
      async handle(req) {
        const body = (req.json ?? {}) as { scenario?: string; key?: string; usernameSuffix?: string };
        if (typeof body.scenario !== 'string') return bad('Name the scenario: {"scenario": "ready"}.');
        try {
          const added = await sim.addOrg({
            scenario: body.scenario,
            key: body.key,
            usernameSuffix: body.usernameSuffix,
          });
          const { key, instanceUrl, accessToken, username, orgId } = added;
          return ok({ key, instanceUrl, accessToken, username, orgId }, 201);
        } catch (error) {
          return bad((error as Error).message);
        }
      },
    },
    {
      method: 'GET',
      pattern: /^\/__sim\/orgs\/([\w.-]+)\/requests\/?$/,
      api: 'control',
      handle(_req, m) {
        const found = sim.getOrg(m[1]);
        return found ? ok(found.requests) : bad(`No org "${m[1]}" in this simulator.`, 404);
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/__sim\/orgs\/([\w.-]+)\/?$/,
      api: 'control',
      async handle(_req, m) {
        try {
          await sim.deleteOrg(m[1]);
        } catch (error) {
          return bad((error as Error).message, sim.getOrg(m[1]) ? 400 : 404);
        }
        return ok();
      },
    },
  ];
}
