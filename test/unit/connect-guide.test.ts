import { buildConnectGuide } from '../../src/core/connect-guide.js';
import { isOAuthLogin, likelyCauses, newOAuthLogins, pollPlan, type LoginRow } from '../../src/core/login-watch.js';

const base = {
  orgName: 'Acme',
  instanceUrl: 'https://acme.my.salesforce.com',
  username: 'int@acme.example',
  user: { isActive: true },
  targetOrg: 'prod',
};

describe('connect guide', () => {
  it('turns the sandbox switch off for production and on for sandboxes and scratch orgs', () => {
    const prod = buildConnectGuide({ ...base, kind: 'production' });
    expect(prod.sandbox).toBe(false);
    expect(prod.steps.find((s) => s.id === 'sandbox-toggle')).toMatchObject({ value: 'off' });
    expect(prod.warnings).toEqual([]);
    for (const kind of ['sandbox', 'scratch'] as const) {
      const guide = buildConnectGuide({ ...base, kind, instanceUrl: 'https://acme--uat.sandbox.my.salesforce.com' });
      expect(guide.steps.find((s) => s.id === 'sandbox-toggle')).toMatchObject({
        title: 'Turn "This is a sandbox instance" ON',
        value: 'on',
      });
    }
  });

  it('fills in the URL and the user, and warns about a missing user or a URL that is not My Domain', () => {
    const guide = buildConnectGuide({
      ...base,
      kind: 'production',
      user: null,
      instanceUrl: 'https://na224.salesforce.com',
    });
    expect(guide.steps.map((s) => s.id)).toEqual([
      'open',
      'instance-url',
      'sandbox-toggle',
      'authorize',
      'card-missing',
      'connected',
    ]);
    expect(guide.steps[1].value).toBe('https://na224.salesforce.com');
    expect(guide.steps[3].value).toBe('int@acme.example');
    expect(guide.warnings).toHaveLength(2);
    expect(guide.warnings[1]).toContain('ce-connect integration-user check -o prod');
  });
});

describe('login watch', () => {
  const row = (id: string, extra: Partial<LoginRow>): LoginRow => ({
    id,
    loginTime: `2026-01-01T00:0${id}:00.000+0000`,
    application: 'CE',
    loginType: 'Application',
    loginSubType: null,
    status: 'Success',
    sourceIp: '1.2.3.4',
    ...extra,
  });

  it('recognises OAuth logins by type or sub-type and ignores the baseline', () => {
    expect(isOAuthLogin(row('1', { loginType: 'Remote Access 2.0' }))).toBe(true);
    expect(isOAuthLogin(row('1', { loginSubType: 'OauthRefreshToken' }))).toBe(true);
    expect(isOAuthLogin(row('1', {}))).toBe(false);
    const rows = [
      row('3', { loginSubType: 'OauthWebServer' }),
      row('2', { loginType: 'Remote Access 2.0' }),
      row('1', {}),
    ];
    expect(newOAuthLogins(rows, new Set(['2'])).map((r) => r.id)).toEqual(['3']);
  });

  it('stretches the interval so a long wait stays within the poll budget', () => {
    expect(pollPlan(1, 15, 60)).toEqual({ waitMs: 60_000, intervalMs: 15_000, maxPolls: 5 });
    expect(pollPlan(30, 15, 60)).toEqual({ waitMs: 1_800_000, intervalMs: 30_509, maxPolls: 59 });
  });

  it('puts failed attempts first among the likely causes', () => {
    const causes = likelyCauses('int@acme.example', [row('1', { status: 'Invalid Password' })]);
    expect(causes[0]).toContain('Invalid Password');
    expect(causes.some((c) => c.includes('int@acme.example'))).toBe(true);
  });
});
