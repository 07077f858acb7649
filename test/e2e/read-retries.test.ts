// Reads retried on 502/503/504 and dropped connections, with the org layer's backoff (the simulated clock makes
// its waits instant), and writes never retried: each answer is in the simulated org's request log.
import LayoutsApply from '../../src/commands/ce/layouts/apply.js';
import PackagesCheck from '../../src/commands/ce/packages/check.js';
import PermsetsApply from '../../src/commands/ce/permsets/apply.js';
import { DEFAULT_RETRY } from '../../src/core/retry.js';
import { type SimSession, startSimSession } from '../helpers/simulator.js';

describe('read retries against the simulated org', () => {
  let session: SimSession;
  beforeAll(async () => {
    session = await startSimSession({ scenario: 'ready' });
  });
  afterAll(async () => session?.stop());

  const tooling = (): number[] => session.sim.requests.filter((r) => r.api === 'tooling').map((r) => r.status);

  it('retries a query refused with 503 until it is answered, and counts every attempt', async () => {
    session.sim.reset('ready');
    session.sim.faults.add('GET /tooling/query 503x3');
    const before = session.sim.org.now().getTime();
    const { exitCode, result } = await session.run(PackagesCheck, ['--json']);
    expect(exitCode).toBe(0);
    expect(tooling()).toEqual([503, 503, 503, 200]);
    expect(result?.apiCalls).toBe(5);
    // Three backoff waits, each at least half of its window (1 s, 2 s, 4 s), on the org layer's clock.
    expect(session.sim.org.now().getTime() - before).toBeGreaterThanOrEqual(3500);
  });

  it('retries a query whose connection was dropped', async () => {
    session.sim.reset('ready');
    session.sim.faults.add('GET /tooling/query resetx1');
    const { exitCode, result } = await session.run(PackagesCheck, ['--json']);
    expect(exitCode).toBe(0);
    expect(tooling()).toEqual([0, 200]);
    expect(result?.packages.map((p) => p.status)).toEqual(['ok', 'ok']);
  });

  it('retries a 502 from the gateway in front of the Metadata API', async () => {
    session.sim.reset('ready');
    session.sim.faults.add({ api: 'soap', operation: 'listMetadata', kind: '502', count: 1 });
    const { exitCode } = await session.run(LayoutsApply, ['--dry-run', '--json']);
    expect(exitCode).toBe(0);
    const list = session.sim.requests.filter((r) => r.operation === 'listMetadata').map((r) => r.status);
    expect(list).toEqual([502, 200]);
  });

  it('gives up after the policy’s attempts and reports the refusal', async () => {
    session.sim.reset('ready');
    session.sim.faults.add('GET /tooling/query 503');
    const { exitCode, json } = await session.run(PackagesCheck, ['--json']);
    expect(exitCode).toBe(1);
    expect(tooling()).toEqual(Array.from({ length: DEFAULT_RETRY.attempts }, () => 503));
    expect(json?.name).toBe('OrgUnavailable');
    expect(json?.message).toContain('Server temporarily unavailable');
    expect(json?.actions?.join('\n')).toContain('continue with: ce-connect packages check --json -o sim');
  });

  it('names the same stop for a gateway that keeps answering 502', async () => {
    session.sim.reset('ready');
    session.sim.faults.add('GET /tooling/query 502');
    const { exitCode, json } = await session.run(PackagesCheck, ['--json']);
    expect(exitCode).toBe(1);
    expect(json?.name).toBe('OrgUnavailable');
    expect(tooling()).toHaveLength(DEFAULT_RETRY.attempts);
  });

  it('retries a Metadata API status read (a SOAP POST), not the retrieve it follows', async () => {
    session.sim.reset('ready');
    session.sim.faults.add({ api: 'soap', operation: 'checkRetrieveStatus', kind: '503', count: 2 });
    const { exitCode } = await session.run(LayoutsApply, ['--dry-run', '--json']);
    expect(exitCode).toBe(0);
    const soap = session.sim.requests.filter((r) => r.api === 'soap').map((r) => `${r.operation}:${r.status}`);
    // The SOAP form of a 503: HTTP 500 with the fault code SERVER_UNAVAILABLE.
    expect(soap.filter((s) => s.startsWith('checkRetrieveStatus')).slice(0, 3)).toEqual([
      'checkRetrieveStatus:500',
      'checkRetrieveStatus:500',
      'checkRetrieveStatus:200',
    ]);
    expect(soap.filter((s) => s === 'retrieve:200')).toHaveLength(1);
  });

  it('never retries a refused write', async () => {
    session.sim.reset('outdated');
    session.sim.faults.add('POST .* 503');
    const { exitCode } = await session.run(PermsetsApply, ['--yes', '--json']);
    expect(exitCode).toBe(1);
    const posts = session.sim.requests.filter((r) => r.method === 'POST' && r.api !== 'auth');
    expect(posts.map((r) => r.status)).toEqual([503]);
  });
});
