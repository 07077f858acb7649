import PackagesCheck from '../../src/commands/ce/packages/check.js';
import { type SimSession, startSimSession } from '../helpers/simulator.js';

describe('ce-connect packages check against the simulated org', () => {
  let session: SimSession;
  beforeAll(async () => {
    session = await startSimSession({ scenario: 'ready' });
  });
  afterAll(async () => session?.stop());

  it('exits 0 on the ready org, reads with two API calls and writes nothing', async () => {
    session.sim.reset('ready');
    const { exitCode, result } = await session.run(PackagesCheck, ['--json']);
    expect(exitCode).toBe(0);
    expect(result?.packages.map((p) => [p.key, p.installed, p.status])).toEqual([
      ['northpass', '2.1.0.3', 'ok'],
      ['connector', '1.0.0.1', 'ok'],
    ]);
    expect(result?.fix).toBeUndefined();
    expect(result?.apiCalls).toBe(2);
    expect(session.sim.requests.filter((r) => r.api !== 'auth')).toHaveLength(2);
    expect(session.sim.requests.some((r) => r.write)).toBe(false);
  });

  it('exits 1 on the outdated org and names both gaps and the fix', async () => {
    session.sim.reset('outdated');
    const { exitCode, json, result } = await session.run(PackagesCheck, ['--json']);
    expect(exitCode).toBe(1);
    expect(result?.packages.map((p) => [p.key, p.installed, p.status])).toEqual([
      ['northpass', '2.0.1.4', 'outdated'],
      ['connector', null, 'missing'],
    ]);
    expect(result?.fix).toBe('ce-connect packages install -o sim');
    expect(json?.warnings).toEqual([
      'Northpass is 2.0.1.4; 2.1 or later is required.',
      'Gainsight Northpass Data Connector is not installed; 1.0 or later is required.',
    ]);
  });

  it('exits 1 on the fresh org with both packages missing, in human output too', async () => {
    session.sim.reset('fresh');
    const { exitCode, stdout, stderr } = await session.run(PackagesCheck, []);
    expect(exitCode).toBe(1);
    expect(stdout).toMatch(/Northpass \(northpass\).*—.*≥ 2\.1.*missing/);
    expect(stdout).toContain('ce-connect packages install -o sim');
    expect(stderr).toContain('Gainsight Northpass Data Connector is not installed');
  });

  it('names the missing permission for a user who may not list installed packages', async () => {
    session.sim.reset('ready');
    await session.loginAs('auditor@acme.example', 'auditor');
    const { exitCode, json } = await session.run(PackagesCheck, ['-o', 'auditor', '--json']);
    expect(exitCode).toBe(1);
    expect(json?.name).toBe('PackagesNotReadable');
    expect(json?.message).toContain('Download AppExchange Packages');
    expect(json?.message).toContain("sObject type 'InstalledSubscriberPackage' is not supported");
    expect(json?.actions?.join(' ')).toContain('PermissionsInstallPackaging');
  });

  it('retries a 503 and then succeeds', async () => {
    session.sim.reset('ready');
    session.sim.faults.add('GET /tooling/query 503x1');
    const { exitCode } = await session.run(PackagesCheck, ['--json']);
    expect(exitCode).toBe(0);
    const tooling = session.sim.requests.filter((r) => r.api === 'tooling').map((r) => r.status);
    expect(tooling).toEqual([503, 200]);
  });

  it('reports REQUEST_LIMIT_EXCEEDED once instead of retrying', async () => {
    session.sim.reset('ready');
    session.sim.faults.add({ kind: 'REQUEST_LIMIT_EXCEEDED', path: '/tooling/query' });
    const { exitCode, json } = await session.run(PackagesCheck, ['--json']);
    expect(exitCode).toBe(1);
    expect(json?.name).toBe('ApiLimitExceeded');
    expect(json?.message).toContain('REQUEST_LIMIT_EXCEEDED');
    // The usage the refusal's Sforce-Limit-Info header reported.
    const limit = session.sim.org.apiLimit.toLocaleString('en-US');
    expect(json?.message).toContain(`reported ${limit} of ${limit} requests used`);
    expect(json?.data).toEqual({ apiUsage: { used: session.sim.org.apiLimit, limit: session.sim.org.apiLimit } });
    expect(session.sim.requests.filter((r) => r.api === 'tooling')).toHaveLength(1);
  });
});
