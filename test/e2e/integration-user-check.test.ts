import { loadScenario } from '../../simulator/scenario.js';
import type { Scenario } from '../../simulator/types.js';
import IntegrationUserCheck, { type IntegrationUserCheckResult } from '../../src/commands/ce/integration-user/check.js';
import type { Finding } from '../../src/core/integration-user-audit.js';
import { resultOf } from '../helpers/command.js';
import { type SimSession, startSimSession } from '../helpers/simulator.js';

const INTEGRATION = 'ce-integration@acme.example';

/** The ready org with the integration user changed (profile, activity) or with an extra profile. */
function readyWith(change: (s: Scenario) => void): Scenario {
  const scenario = structuredClone(loadScenario('ready')) as Scenario;
  change(scenario);
  return scenario;
}

describe('ce-connect integration-user check against the simulated org', () => {
  let session: SimSession;

  beforeAll(async () => {
    session = await startSimSession({ scenario: 'ready' });
    await session.loginAs('auditor@acme.example', 'auditor');
  });
  afterAll(async () => session?.stop());
  beforeEach(() => session.sim.reset('ready'));

  const finding = (result: IntegrationUserCheckResult, id: string): Finding => {
    const found = result.findings.find((f) => f.id === `integration-user.${id}`);
    if (!found) throw new Error(`no finding ${id} in ${JSON.stringify(result.findings.map((f) => f.id))}`);
    return found;
  };
  const audit = async (args: string[] = []): Promise<{ exitCode: number; result: IntegrationUserCheckResult }> => {
    const run = await session.run(IntegrationUserCheck, ['--json', ...args]);
    return { exitCode: run.exitCode, result: resultOf(run) };
  };

  it('passes a minimal integration user on the API-only integration profile, read-only and in 5 API calls', async () => {
    const { exitCode, result } = await audit();
    expect(exitCode).toBe(0);
    expect(result.ok).toBe(true);
    expect(result.findings.map((f) => [f.id, f.status])).toEqual([
      ['integration-user.exists', 'pass'],
      ['integration-user.active', 'pass'],
      ['integration-user.api-enabled', 'pass'],
      ['integration-user.admin-permissions', 'pass'],
      ['integration-user.licence', 'pass'],
      ['integration-user.object-access', 'pass'],
      ['integration-user.oauth-tokens', 'pass'],
    ]);
    expect(finding(result, 'api-enabled').reason).toBe('From profile "Minimum Access - API Only Integrations".');
    expect(finding(result, 'object-access').reason).toContain(
      'northpass__Enrollment__c: read, create, edit (from permission set "CE Integration")'
    );
    expect(result.tokens).toEqual([
      expect.objectContaining({ appName: 'Gainsight Northpass Data Connector', flagged: false }),
    ]);
    expect(session.sim.requests.filter((r) => r.write)).toHaveLength(0);
    expect(result.apiCalls).toBe(5);
  });

  it('fails an administrator, naming each permission and its profile, permission set or group', async () => {
    session.sim.reset('outdated');
    const { exitCode, result } = await audit();
    expect(exitCode).toBe(1);
    expect(result.ok).toBe(false);
    const admin = finding(result, 'admin-permissions');
    expect(admin.status).toBe('fail');
    expect(admin.reason).toContain('Modify All Data (ModifyAllData) from profile "System Administrator"');
    expect(admin.reason).toContain(
      'View All Data (ViewAllData) from profile "System Administrator", permission set group "Legacy Integration"'
    );
    expect(admin.reason).toContain(
      'Author Apex (AuthorApex) from profile "System Administrator", permission set "Integration Extras"'
    );
    expect(admin.reason).toContain('Customize Application (CustomizeApplication)');
    expect(admin.reason).toContain('Manage Users (ManageUsers)');
    expect(admin.fix).toContain('remove permission set "Integration Extras"');
    expect(admin.fix).toContain('remove ce-integration@acme.example from permission set group "Legacy Integration"');
    expect(admin.details).toContainEqual({
      permission: 'ViewAllData',
      label: 'View All Data',
      sources: [
        { kind: 'profile', name: 'System Administrator' },
        { kind: 'permission set group', name: 'Legacy Integration' },
      ],
    });
    const licence = finding(result, 'licence');
    expect(licence.status).toBe('warn');
    expect(licence.reason).toContain('licence Salesforce, profile System Administrator');
    expect(licence.reason).toContain('API-only');
  });

  it('flags OAuth tokens of apps other than the CE connector, with how to revoke them', async () => {
    session.sim.reset('outdated');
    const { result } = await audit();
    const tokens = finding(result, 'oauth-tokens');
    expect(tokens.status).toBe('warn');
    expect(tokens.reason).toContain(
      'Northpass (last used 2025-11-19, 48211 uses) — not the CE connector; last used before 2025-11-20, before the incident'
    );
    expect(tokens.reason).toContain('Salesforce CLI');
    expect(tokens.fix).toContain('Connected Apps OAuth Usage');
    expect(result.tokens.map((t) => [t.appName, t.flagged])).toEqual([
      ['Northpass', true],
      ['Salesforce CLI', true],
    ]);
  });

  it('fails an inactive user', async () => {
    session.sim.reset(
      readyWith((s) => {
        const user = s.users.find((u) => u.username === INTEGRATION);
        if (user) user.isActive = false;
      })
    );
    const { exitCode, result } = await audit();
    expect(exitCode).toBe(1);
    expect(finding(result, 'active')).toMatchObject({ status: 'fail', reason: expect.stringContaining('inactive') });
  });

  it('fails a user without API Enabled', async () => {
    session.sim.reset(
      readyWith((s) => {
        s.profiles.push({ name: 'Integration (no API)', userLicense: 'Salesforce Integration', permissions: {} });
        const user = s.users.find((u) => u.username === INTEGRATION);
        if (user) user.profile = 'Integration (no API)';
      })
    );
    const { exitCode, result } = await audit();
    expect(exitCode).toBe(1);
    expect(finding(result, 'api-enabled')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('API Enabled'),
    });
    expect(finding(result, 'licence').status).toBe('warn');
  });

  it('fails missing object access, naming the object and the access', async () => {
    session.sim.reset('fresh');
    const { exitCode, result } = await audit();
    expect(exitCode).toBe(1);
    const access = finding(result, 'object-access');
    expect(access.status).toBe('fail');
    expect(access.reason).toBe('Missing read on Contact; read, create, edit on northpass__Enrollment__c.');
  });

  it('fails a user that does not exist, with --user', async () => {
    const { exitCode, result } = await audit(['--user', 'nobody@acme.example']);
    expect(exitCode).toBe(1);
    expect(result.findings).toEqual([
      expect.objectContaining({
        id: 'integration-user.exists',
        status: 'fail',
        reason: 'No user with username nobody@acme.example.',
      }),
    ]);
  });

  it('warns, naming Customize Application, when the running user cannot see other users’ tokens', async () => {
    const run = await session.run(IntegrationUserCheck, ['--json', '-o', 'auditor']);
    expect(run.exitCode).toBe(0);
    const result = resultOf(run);
    const tokens = finding(result, 'oauth-tokens');
    expect(tokens.status).toBe('warn');
    expect(tokens.reason).toContain('lacks "Customize Application"');
    expect(result.tokens).toEqual([]);
  });
});
