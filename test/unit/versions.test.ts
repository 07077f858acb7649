import { compareReleases, compareVersions, formatVersion, parseVersion, satisfies } from '../../src/core/versions.js';

describe('package versions', () => {
  it('fills missing parts with zero', () => {
    expect(parseVersion('2.1')).toEqual({ major: 2, minor: 1, patch: 0, build: 0 });
    expect(parseVersion('2.1.0.3')).toEqual({ major: 2, minor: 1, patch: 0, build: 3 });
  });

  it('compares parts as numbers, so 2.10 is newer than 2.9', () => {
    expect(compareReleases(parseVersion('2.10'), parseVersion('2.9'))).toBeGreaterThan(0);
    expect(satisfies(parseVersion('2.9.5'), parseVersion('2.10'))).toBe(false);
  });

  it('accepts any build of the required release', () => {
    expect(satisfies(parseVersion('2.1.0.3'), parseVersion('2.1'))).toBe(true);
    expect(satisfies(parseVersion('2.0.9.99'), parseVersion('2.1'))).toBe(false);
    expect(compareVersions(parseVersion('2.1.0.3'), parseVersion('2.1.0.2'))).toBeGreaterThan(0);
  });

  it('rejects text that is not a version, naming where it came from', () => {
    expect(() => parseVersion('two', '/packages/0/minimumVersion')).toThrow(/\/packages\/0\/minimumVersion: "two"/);
  });

  it('formats to the requested number of parts', () => {
    expect(formatVersion(parseVersion('2.1.4.7'), 3)).toBe('2.1.4');
  });
});
