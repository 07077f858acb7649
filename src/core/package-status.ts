import type { PackageSpec } from './config.js';
import { type Version, compareReleases, formatVersion, parseVersion } from './versions.js';

/** A package as the org reports it (Tooling InstalledSubscriberPackage with its relationships). */
export type InstalledPackage = {
  packageId: string;
  name: string;
  namespace: string | null;
  versionId: string;
  versionName: string;
  version: Version;
};

export type PackageStatusKind = 'ok' | 'missing' | 'outdated';

export type PackageStatus = {
  key: string;
  name: string;
  namespace: string;
  /** The installed version as major.minor.patch.build, or null when the package is not installed. */
  installed: string | null;
  installedVersionId: string | null;
  required: string;
  status: PackageStatusKind;
};

/**
 * Finds the installed package for a required one: by namespace (the stable identity of a managed package),
 * else by name, because the config's namespace may still be a guess.
 */
export function findInstalled(spec: PackageSpec, installed: InstalledPackage[]): InstalledPackage | undefined {
  const ns = spec.namespace.toLowerCase();
  return (
    installed.find((p) => (p.namespace ?? '').toLowerCase() === ns) ??
    installed.find((p) => p.name.trim().toLowerCase() === spec.name.trim().toLowerCase())
  );
}

/** Compares each required package with what is installed, (major, minor, patch) as numbers. */
export function packageStatuses(required: PackageSpec[], installed: InstalledPackage[]): PackageStatus[] {
  return required.map((spec) => {
    const found = findInstalled(spec, installed);
    const minimum = parseVersion(spec.minimumVersion, `minimumVersion of package ${spec.key}`);
    const status: PackageStatusKind = !found
      ? 'missing'
      : compareReleases(found.version, minimum) < 0
        ? 'outdated'
        : 'ok';
    return {
      key: spec.key,
      name: spec.name,
      namespace: found?.namespace ?? spec.namespace,
      installed: found ? formatVersion(found.version) : null,
      installedVersionId: found?.versionId ?? null,
      required: spec.minimumVersion,
      status,
    };
  });
}

/** One sentence per package that needs work, naming the gap. */
export function describeGaps(statuses: PackageStatus[]): string[] {
  return statuses
    .filter((s) => s.status !== 'ok')
    .map((s) =>
      s.status === 'missing'
        ? `${s.name} is not installed; ${s.required} or later is required.`
        : `${s.name} is ${s.installed}; ${s.required} or later is required.`
    );
}
