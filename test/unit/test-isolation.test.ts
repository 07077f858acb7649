import os from 'node:os';

describe('the test environment', () => {
  it('points HOME and os.homedir() at a throw-away folder, never the real home', () => {
    expect(os.homedir()).toBe(process.env.HOME);
    expect(os.homedir()).toContain('ce-connect-test-home-');
  });

  it('switches off the sf CLI network side effects', () => {
    expect(process.env.SF_DISABLE_TELEMETRY).toBe('true');
    expect(process.env.SF_DISABLE_AUTOUPDATE).toBe('true');
    expect(process.env.SF_SKIP_NEW_VERSION_CHECK).toBe('true');
  });
});
