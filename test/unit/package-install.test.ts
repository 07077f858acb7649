import type { Connection } from '@salesforce/core';
import type { PackageSpec } from '../../src/core/config.js';
import {
  DEFAULT_POLL_SCHEDULE,
  classifyInstallErrors,
  decide,
  formatElapsed,
  keyInvalidMessage,
  maxPolls,
  planLine,
  pollDelay,
  soqlString,
} from '../../src/core/package-install.js';
import type { InstalledPackage } from '../../src/core/package-status.js';
import { applyPackageInstall } from '../../src/org/packages/apply.js';
import { checkPackages } from '../../src/org/packages/check.js';
import { planPackageInstall } from '../../src/org/packages/plan.js';
import { parseConfig } from '../../src/core/config.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../helpers/cli.js';

const spec: PackageSpec = {
  key: 'northpass',
  name: 'Northpass',
  namespace: 'northpass',
  minimumVersion: '2.9',
  versionId: '04t4x000000NP21AAA',
  enableRss: true,
};
const installed = (version: string): InstalledPackage[] => {
  const [major, minor, patch, build] = version.split('.').map(Number);
  return [
    {
      packageId: '0334x000000NPASAAA',
      name: 'Northpass',
      namespace: 'northpass',
      versionId: '04t4x000000NP20AAA',
      versionName: version,
      version: { major, minor, patch, build },
    },
  ];
};

describe('decide', () => {
  it('installs a missing package', () => {
    expect(decide(spec, [])).toEqual({ action: 'install', before: null, newer: false });
  });
  it('upgrades an older release, comparing numbers not strings (2.10 > 2.9)', () => {
    expect(decide(spec, installed('2.8.5.1')).action).toBe('upgrade');
    expect(decide(spec, installed('2.10.0.1'))).toEqual({ action: 'none', before: '2.10.0.1', newer: true });
  });
  it('accepts any build of the required release, and calls it satisfied rather than newer', () => {
    expect(decide(spec, installed('2.9.0.7'))).toEqual({ action: 'none', before: '2.9.0.7', newer: false });
  });
});

describe('classifyInstallErrors', () => {
  it.each([
    ['CANNOT_INSTALL_EARLIER_VERSION: 2.0 is earlier', 'CANNOT_INSTALL_EARLIER_VERSION'],
    ['Invalid InstallationKey for SubscriberPackageVersion', 'INSTALL_KEY_INVALID'],
    ['Please provide installationkey when querying', 'INSTALL_KEY_REQUIRED'],
    ['PACKAGE_UNAVAILABLE: not yet', 'PACKAGE_UNAVAILABLE'],
    ["npdc: The Remote Site Setting 'X' could not be created", 'INSTALL_FAILED'],
  ])('%s → %s', (message, code) => {
    expect(classifyInstallErrors([message])).toBe(code);
  });
});

describe('poll schedule', () => {
  it('starts at 2 s and backs off to 15 s', () => {
    expect([0, 1, 2, 3, 4, 5, 20].map((i) => pollDelay(DEFAULT_POLL_SCHEDULE, i))).toEqual([
      2000, 3000, 4500, 6750, 10125, 15000, 15000,
    ]);
  });
  it('keeps a 20-minute wait to at most 84 status reads, and a 60-minute one to 4 a minute', () => {
    expect(maxPolls(DEFAULT_POLL_SCHEDULE, 20 * 60_000)).toBeLessThanOrEqual(84);
    expect(maxPolls(DEFAULT_POLL_SCHEDULE, 60 * 60_000)).toBeLessThanOrEqual(5 + 4 * 60);
    expect(maxPolls(DEFAULT_POLL_SCHEDULE, 1000)).toBe(1);
  });
});

describe('wording', () => {
  it('formats elapsed time', () => {
    expect([0, 65_000, 3_723_000].map(formatElapsed)).toEqual(['0:00', '1:05', '1:02:03']);
  });
  it('escapes an installation key for a SOQL literal', () => {
    expect(soqlString("it's a \\ key")).toBe("'it\\'s a \\\\ key'");
  });
  it('plans an upgrade with before and target, admins only', () => {
    expect(planLine(spec, 'upgrade', '2.8.0.1', '2.9.0.3')).toBe(
      'Upgrade Northpass 2.8.0.1 → 2.9.0.3 (04t4x000000NP21AAA) for admins only, with its Remote Site Settings enabled'
    );
  });
  it('names where a refused key came from, never the key', () => {
    const message = keyInvalidMessage({ spec, index: 0, target: '2.9.0.3' }, { kind: 'env', name: 'NP_KEY' });
    expect(message).toMatch(/from the environment variable NP_KEY/);
  });
});

describe('applyPackageInstall against a stub connection', () => {
  const config = parseConfig(readFileSync(join(PROJECT_ROOT, 'config', 'ce-connect.json'), 'utf8'), 'config');
  // Northpass 2.0.1 installed, connector installed: only Northpass needs work.
  const installedRows = [
    {
      SubscriberPackageId: '0334x000000NPASAAA',
      SubscriberPackage: { Name: 'Northpass', NamespacePrefix: 'northpass' },
      SubscriberPackageVersion: {
        Id: '04t4x000000NP20AAA',
        Name: '2.0.1',
        MajorVersion: 2,
        MinorVersion: 0,
        PatchVersion: 1,
        BuildNumber: 4,
      },
    },
    {
      SubscriberPackageId: '0334x000000NCONAAA',
      SubscriberPackage: { Name: 'Gainsight Northpass Data Connector', NamespacePrefix: 'npdc' },
      SubscriberPackageVersion: {
        Id: '04t4x000000NC10AAA',
        Name: '1.0',
        MajorVersion: 1,
        MinorVersion: 0,
        PatchVersion: 0,
        BuildNumber: 1,
      },
    },
  ];
  const spvRow = {
    Id: '04t4x000000NP21AAA',
    Name: 'Northpass 2.1',
    MajorVersion: 2,
    MinorVersion: 1,
    PatchVersion: 0,
    BuildNumber: 3,
    IsPasswordProtected: false,
    InstallValidationStatus: 'NO_ERRORS_DETECTED',
  };

  function stub(finalRequest: Record<string, unknown>, running: Array<{ Id: string }> = []) {
    const created: Array<Record<string, unknown>> = [];
    const conn = {
      // Once a package is in, its access is read back (admins only): no profile or permission set reaches it here.
      query: async () => ({ records: [], totalSize: 0, done: true }),
      tooling: {
        query: async (soql: string) => ({
          records: soql.includes('InstalledSubscriberPackage')
            ? installedRows
            : soql.includes('FROM PackageInstallRequest')
              ? running
              : [spvRow],
          totalSize: 1,
          done: true,
        }),
        create: async (_type: string, body: Record<string, unknown>) => {
          created.push(body);
          return { id: '0Hf000000000001AAA', success: true, errors: [] };
        },
        retrieve: async () => ({
          Id: '0Hf000000000001AAA',
          SubscriberPackageVersionKey: '04t4x000000NP21AAA',
          ...finalRequest,
        }),
      },
    } as unknown as Connection;
    return { conn, created };
  }
  const options = { dryRun: false, alias: 'prod', configPath: 'config/ce-connect.json', sleep: async () => undefined };

  it('makes the request again after a refusal that passes ("not yet available"), within the wait', async () => {
    const { conn, created } = stub({ Status: 'SUCCESS', Errors: null });
    const create = (conn as unknown as { tooling: { create: (t: string, b: unknown) => Promise<unknown> } }).tooling;
    const original = create.create;
    let refusals = 1;
    create.create = async (type, body) => {
      if (refusals-- > 0) throw new Error('This package is not yet available. Try again later.');
      return original(type, body);
    };
    const result = await applyPackageInstall(conn, config, await planPackageInstall(conn, config, options), options);
    expect(created).toHaveLength(1);
    expect(result.packages[0]).toMatchObject({ requestId: '0Hf000000000001AAA' });
    // Followed to SUCCESS (the stub's installed list never changes, so the read-back is what fails here).
    expect(result.packages[0].code).not.toBe('INSTALL_FAILED');
    expect(result.packages[0].message).toContain('reported SUCCESS');
  });

  it('waits out a version the org shows no row for, as real orgs do while copying it, then names both causes', async () => {
    const created: unknown[] = [];
    const conn = {
      tooling: {
        query: async (soql: string) => ({
          records: soql.includes('InstalledSubscriberPackage') ? installedRows : [],
          totalSize: 0,
          done: true,
        }),
        create: async (_type: string, body: unknown) => {
          created.push(body);
          return { id: '0Hf000000000001AAA', success: true, errors: [] };
        },
      },
    } as unknown as Connection;
    const planned = await planPackageInstall(conn, config, options);
    expect(planned.items[0].outcome.status).toBe('planned');
    const result = await applyPackageInstall(conn, config, planned, { ...options, waitMinutes: 0 });
    expect(created).toEqual([]);
    expect(result.packages[0]).toMatchObject({ status: 'failed', code: 'VERSION_NOT_FOUND' });
    expect(result.packages[0].message).toMatch(/became visible to this org in 0 minute\(s\).*still being copied/);
    expect(result.packages[0].fix).toMatch(/packages\[0\]\.versionId .* again later/);
  });

  it('maps an ERROR request that ends in CANNOT_INSTALL_EARLIER_VERSION to its fix', async () => {
    // The pre-flight said NO_ERRORS_DETECTED, but a later version landed in between (another admin, a push upgrade).
    const { conn } = stub({
      Status: 'ERROR',
      Errors: { errors: [{ message: 'CANNOT_INSTALL_EARLIER_VERSION: 2.2 is installed' }] },
    });
    const result = await applyPackageInstall(conn, config, await planPackageInstall(conn, config, options), options);
    expect(result.ok).toBe(false);
    expect(result.packages[0]).toMatchObject({
      status: 'failed',
      code: 'CANNOT_INSTALL_EARLIER_VERSION',
      requestId: '0Hf000000000001AAA',
    });
    expect(result.packages[0].fix).toMatch(/packages\[0\]\.versionId of config\/ce-connect\.json/);
  });

  it('sends SecurityType None, EnableRss from config and Block, and no Password for an unprotected version', async () => {
    const { conn, created } = stub({ Status: 'IN_PROGRESS', Errors: null });
    const result = await applyPackageInstall(conn, config, await planPackageInstall(conn, config, options), {
      ...options,
      waitMinutes: 0,
    });
    expect(created).toEqual([
      {
        SubscriberPackageVersionKey: '04t4x000000NP21AAA',
        SecurityType: 'None',
        EnableRss: true,
        NameConflictResolution: 'Block',
      },
    ]);
    expect(result.packages[0]).toMatchObject({ status: 'timeout', code: 'TIMEOUT' });
    expect(result.packages[0].message).toContain('ce-connect packages install -o prod --resume 0Hf000000000001AAA');
  });

  it('follows that request instead of making a second one', async () => {
    const { conn, created } = stub({ Status: 'SUCCESS', Errors: null }, [{ Id: '0Hf000000000009AAA' }]);
    const seen: string[] = [];
    const result = await applyPackageInstall(conn, config, await planPackageInstall(conn, config, options), {
      ...options,
      onRequest: (_spec, id) => seen.push(id),
    });
    expect(created).toEqual([]);
    expect(seen[0]).toBe('0Hf000000000009AAA');
    expect(result.packages[0]).toMatchObject({ requestId: '0Hf000000000009AAA' });
    expect(result.writes).toBe(0);
  });
});

describe('checkPackages', () => {
  const config = parseConfig(readFileSync(join(PROJECT_ROOT, 'config', 'ce-connect.json'), 'utf8'), 'config');
  const conn = (query: () => Promise<unknown>) => ({ tooling: { query } }) as unknown as Connection;

  it('passes an installed package at the required version and fails a missing one, with the fix', async () => {
    const rows = [
      {
        SubscriberPackageId: '0334x000000NPASAAA',
        SubscriberPackage: { Name: 'Northpass', NamespacePrefix: 'northpass' },
        SubscriberPackageVersion: {
          Id: '04t4x000000NP21AAA',
          Name: '2.1',
          MajorVersion: 2,
          MinorVersion: 1,
          PatchVersion: 0,
          BuildNumber: 3,
        },
      },
    ];
    const items = await checkPackages(
      conn(async () => ({ records: rows, totalSize: 1, done: true })),
      config
    );
    expect(items.map((i) => [i.id, i.status])).toEqual([
      ['packages.northpass', 'pass'],
      ['packages.connector', 'fail'],
    ]);
    expect(items[1].fix).toBe('ce-connect packages install -o <org>');
  });

  it('skips, naming the permission, when the user cannot list installed packages', async () => {
    const refused = Object.assign(new Error("sObject type 'InstalledSubscriberPackage' is not supported."), {
      errorCode: 'INVALID_TYPE',
    });
    const items = await checkPackages(
      conn(async () => {
        throw refused;
      }),
      config
    );
    expect(items.map((i) => i.status)).toEqual(['skip', 'skip']);
    expect(items[0].fix).toMatch(/Download AppExchange Packages/);
  });
});
