import { parseConfig } from '../../src/core/config.js';
import { type InstalledPackage, describeGaps, packageStatuses } from '../../src/core/package-status.js';
import { parseVersion } from '../../src/core/versions.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../helpers/cli.js';

const config = parseConfig(readFileSync(join(PROJECT_ROOT, 'config', 'ce-connect.json'), 'utf8'), 'config');

const installed = (name: string, namespace: string | null, version: string): InstalledPackage => ({
  packageId: `033${name}`,
  name,
  namespace,
  versionId: `04t${version}`,
  versionName: version,
  version: parseVersion(version),
});

describe('package statuses', () => {
  it('accepts any build of the required release and later releases, compared as numbers', () => {
    const statuses = packageStatuses(config.packages, [
      installed('Northpass', 'northpass', '2.1.0.3'),
      installed('Gainsight Northpass Data Connector', 'npdc', '1.10'),
    ]);
    expect(statuses.map((s) => s.status)).toEqual(['ok', 'ok']);
    expect(describeGaps(statuses)).toEqual([]);
  });

  it('calls 2.0.1 outdated against 2.1 and names a missing package', () => {
    const statuses = packageStatuses(config.packages, [installed('Northpass', 'northpass', '2.0.1.4')]);
    expect(statuses.map((s) => [s.key, s.installed, s.status])).toEqual([
      ['northpass', '2.0.1.4', 'outdated'],
      ['connector', null, 'missing'],
    ]);
    expect(describeGaps(statuses)).toEqual([
      'Northpass is 2.0.1.4; 2.1 or later is required.',
      'Gainsight Northpass Data Connector is not installed; 1.0 or later is required.',
    ]);
  });

  it('finds a package by name when the configured namespace was a wrong guess, and reports the real one', () => {
    const [northpass] = packageStatuses(config.packages, [installed('Northpass', 'gnp', '2.9')]);
    expect(northpass).toMatchObject({ namespace: 'gnp', status: 'ok' });
  });

  it('does not mistake an unrelated package with a similar namespace', () => {
    const [northpass] = packageStatuses(config.packages, [installed('Northpass Reports', 'northpassrpt', '3.0')]);
    expect(northpass.status).toBe('missing');
  });
});
