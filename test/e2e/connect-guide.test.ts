import { jest } from '@jest/globals';
import { scheduleLogin } from '../../simulator/logins.js';
import { loadScenario } from '../../simulator/scenario.js';
import type { Scenario } from '../../simulator/types.js';
import { type SimSession, startSimSession } from '../helpers/simulator.js';

jest.setTimeout(180_000);

type Step = { id: string; title: string; detail: string; value?: string };
type GuideResult = {
  instanceUrl: string;
  sandbox: boolean;
  org: { name: string; kind: string };
  integrationUser: { username: string; exists: boolean; active: boolean };
  steps: Step[];
  warnings: string[];
  wait?: {
    login?: { loginTime: string; application: string; sourceIp: string; status: string; loginType: string };
    visible: boolean;
    polls: number;
    maxPolls: number;
    causes?: string[];
    missingPermission?: string;
  };
  apiCalls: number;
};

const INTEGRATION = 'ce-integration@acme.example';

describe('ce-connect connect-guide against the simulated org', () => {
  let session: SimSession;

  beforeAll(async () => {
    session = await startSimSession({ scenario: 'ready' });
    await session.loginAs('auditor@acme.example', 'auditor');
  });
  afterAll(async () => session?.stop());
  beforeEach(() => session.sim.reset('ready'));

  const guide = async (args: string[]): Promise<{ exitCode: number; result: GuideResult; stdout: string }> => {
    const run = await session.run(['connect-guide', ...args]);
    return { exitCode: run.exitCode, result: run.json?.result as GuideResult, stdout: run.stdout };
  };
  const step = (result: GuideResult, id: string): Step | undefined => result.steps.find((s) => s.id === id);

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
    scheduleLogin(session.sim.org, 5000, {
      username: INTEGRATION,
      application: 'Gainsight Northpass Data Connector',
      sourceIp: '34.120.8.99',
    });
    const { exitCode, result } = await guide(['--json', '--wait', '1', '--interval', '1']);
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
    const run = await session.run(['connect-guide', '--json', '--wait', '0.05', '-o', 'auditor']);
    expect(run.exitCode).toBe(1);
    const result = run.json?.result as GuideResult;
    expect(result.wait).toMatchObject({ visible: false, missingPermission: 'Manage Users or Monitor Login History' });
  });
});
