import { ERRORS } from './messages.js';
import { inputError } from './errors.js';

/** A package version as Salesforce numbers it: major.minor.patch.build. */
export type Version = { major: number; minor: number; patch: number; build: number };

const VERSION_PATTERN = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?$/;

/**
 * Parses "2.1", "2.1.0" or "2.1.0.3". Missing parts are 0, so "2.1" is 2.1.0.0; this matches how Setup
 * shows 1GP versions (patch and build omitted when zero).
 */
export function parseVersion(text: string, where = 'version'): Version {
  const match = VERSION_PATTERN.exec(text.trim());
  if (!match) {
    throw inputError(ERRORS, 'InvalidVersion', [where, text]);
  }
  const [major, minor, patch, build] = match.slice(1).map((part) => (part === undefined ? 0 : Number(part)));
  return { major, minor, patch, build };
}

/**
 * Compares (major, minor, patch) as numbers: 2.10 > 2.9. The build number is ignored because a required
 * version names a release, and every build of it (2.1.0.3) satisfies "2.1".
 */
export function compareReleases(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** Compares full versions including the build number, for "same version installed" decisions. */
export function compareVersions(a: Version, b: Version): number {
  return compareReleases(a, b) || a.build - b.build;
}

export function satisfies(installed: Version, minimum: Version): boolean {
  return compareReleases(installed, minimum) >= 0;
}

export function formatVersion(version: Version, parts: 2 | 3 | 4 = 4): string {
  return [version.major, version.minor, version.patch, version.build].slice(0, parts).join('.');
}
