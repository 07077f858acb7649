import { scheduleLogin } from '../../simulator/logins.js';
import { loadScenario } from '../../simulator/scenario.js';
import type { Scenario } from '../../simulator/types.js';
import ConnectGuideCommand, { type ConnectGuideResult } from '../../src/commands/ce/connect-guide.js';
import type { GuideStep } from '../../src/core/connect-guide.js';
import { resultOf } from '../helpers/command.js';
import { type SimSession, startSimSession } from '../helpers/simulator.js';

const INTEGRATION = 'ce-integration@acme.example';

describe('ce-connect connect-guide against the simulated org', () => {
  let session: SimSession;

  beforeAll(async () => {
    session = await startSimSession({ scenario: 'ready' });
    await session.loginAs('auditor@acme.example', 'auditor');
  });
  afterAll(async () => session?.stop());
  beforeEach(() => session.sim.reset('ready'));

  const guide = async (args: string[]): Promise<{ exitCode: number; result: ConnectGuideResult; stdout: string }> => {
    const run = await session.run(ConnectGuideCommand, args);
    return { exitCode: run.exitCode, result: resultOf(run), stdout: run.stdout };
  };
  const step = (result: ConnectGuideResult, id: string): GuideStep | undefined => result.steps.find((s) => s.id === id);

  it('fills in the org’s URL, the production sandbox switch and the user, in 2 API calls', async () => {
    const { exitCode, result } = await guide(['--json']);
    expect(exitCode).toBe(0);
    expect(result.instanceUrl).toBe(session.sim.instanceUrl);
    expect(step(result, 'instance-url')?.value).toBe(session.sim.instanceUrl);
    expect(result.sandbox).toBe(false);
    expect(step(result, 'sandbox-toggle')).toMatchObject({
      title: 'Turn "This is a sandbox instance" OFF',
      value: 'off',
    });
    expect(step(result, 'authorize')?.value).toBe(INTEGRATION);
    expect(step(result, 'card-missing')?.detail).toBe(
      'Turn the Salesforce integration off, save, and reload the page; the card appears again.'
    );
    expect(step(result, 'connected')?.detail).toContain('CONNECTED');
    expect(result.integrationUser).toEqual({ username: INTEGRATION, exists: true, active: true });
    expect(result.apiCalls).toBe(2);
    expect(session.sim.requests.filter((r) => r.write)).toHaveLength(0);
  });

  it('prints the steps for people', async () => {
    const { stdout } = await guide([]);
    expect(stdout).toContain(`2. Enter the instance URL: ${session.sim.instanceUrl}`);
    expect(stdout).toContain('3. Turn "This is a sandbox instance" OFF');
    expect(stdout).toContain(`4. Authorize, logging in as ${INTEGRATION}`);
  });

  it('turns the sandbox switch on for a sandbox', async () => {
    const ready = loadScenario('ready');
    const sandbox: Scenario = { ...ready, org: { ...ready.org, isSandbox: true, trialExpirationDate: null } };
    session.sim.reset(sandbox);
    const { result } = await guide(['--json']);
    expect(result.org.kind).toBe('sandbox');
    expect(result.sandbox).toBe(true);
    expect(step(result, 'sandbox-toggle')).toMatchObject({
      title: 'Turn "This is a sandbox instance" ON',
      value: 'on',
    });
  });

  it('--wait reports the new OAuth login when CE authorizes', async () => {
    // Two minutes into a ten-minute wait on the default 15-second checks, in simulated time.
    scheduleLogin(session.sim.org, 120_000, {
      username: INTEGRATION,
      application: 'Gainsight Northpass Data Connector',
      sourceIp: '34.120.8.99',
    });
    const { exitCode, result } = await guide(['--json', '--wait', '10']);
    expect(exitCode).toBe(0);
    expect(result.wait?.login).toMatchObject({
      application: 'Gainsight Northpass Data Connector',
      sourceIp: '34.120.8.99',
      status: 'Success',
      loginType: 'Remote Access 2.0',
    });
    // The scenario's older OAuth login is not mistaken for a new one.
    expect(result.wait?.login?.loginTime).not.toBe('2025-12-02T16:00:00.000+0000');
    const polls = session.sim.requests.filter((r) => r.path.endsWith('/query') && r.method === 'GET').length;
    expect(result.wait?.polls).toBeGreaterThanOrEqual(1);
    expect(polls).toBeLessThanOrEqual((result.wait?.polls ?? 0) + 3);
    // The check that sees it is the first one at or after two minutes, on the planned interval.
    const intervalMs = result.wait?.intervalMs ?? 0;
    expect(intervalMs).toBe(15_000);
    expect(result.wait?.polls).toBe(Math.ceil(120_000 / intervalMs) + 1);
    expect(result.wait?.waitedMs).toBeGreaterThanOrEqual(120_000);
    expect(result.wait?.waitedMs).toBeLessThan(120_000 + intervalMs);
  });

  it('--wait gives up after its bounded number of checks, exit 1, with the likely causes', async () => {
    const { exitCode, result } = await guide(['--json', '--wait', '0.05', '--interval', '1', '--max-polls', '3']);
    expect(exitCode).toBe(1);
    expect(result.wait?.login).toBeUndefined();
    expect(result.wait?.polls).toBe(3);
    expect(result.wait?.causes?.join(' ')).toContain('Authorize');
    // Org facts, the users, the running user's permissions, and the 3 checks.
    expect(result.apiCalls).toBe(6);
  });

  it('--wait explains the permission needed when the login history is not visible', async () => {
    const run = await session.run(ConnectGuideCommand, ['--json', '--wait', '0.05', '-o', 'auditor']);
    expect(run.exitCode).toBe(1);
    const result = resultOf(run);
    expect(result.wait).toMatchObject({ visible: false, missingPermission: 'Manage Users or Monitor Login History' });
  });
});
