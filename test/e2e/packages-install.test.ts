// `ce-connect packages install` against the simulated org: every outcome, asserted on --json, exit codes and
// the simulator's request log.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CeConfig } from '../../src/core/config.js';
import { loadScenario } from '../../simulator/scenario.js';
import type { Scenario } from '../../simulator/types.js';
import PackagesCheck from '../../src/commands/ce/packages/check.js';
import PackagesInstall from '../../src/commands/ce/packages/install.js';
import { PROJECT_ROOT } from '../helpers/cli.js';
import { resultOf } from '../helpers/command.js';
import { type SimSession, startSimSession } from '../helpers/simulator.js';
import { addQueryGuard } from '../../simulator/soql.js';

const NP21 = '04t4x000000NP21AAA';
const NP22 = '04t4x000000NP22AAA';
const NP20 = '04t4x000000NP20AAA';
const NC10 = '04t4x000000NC10AAA';
const KEYED = '04t4x000000NC11AAA';
const FAILING = '04t4x000000NC12AAA';
const REPLICATING = '04t4x000000NC13AAA';
const NOT_ON_INSTANCE = '04t4x000000NC14AAA';
const REFUSED_WHILE_COPIED = '04t4x000000NC15AAA';
const NEVER_ARRIVES = '04t4x000000NC16AAA';

const shipped = JSON.parse(readFileSync(join(PROJECT_ROOT, 'config', 'ce-connect.json'), 'utf8')) as CeConfig;
const dir = mkdtempSync(join(tmpdir(), 'ce-connect-install-'));
let configCount = 0;

/** A config file with some package settings changed. */
function configWith(changes: Record<string, Partial<CeConfig['packages'][number]>>): string {
  const config: CeConfig = {
    ...shipped,
    packages: shipped.packages.map((p) => ({ ...p, ...(changes[p.key] ?? {}) })),
  };
  const file = join(dir, `config-${++configCount}.json`);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** The ready org with other packages installed. */
function orgWith(installedPackages: string[], base = 'ready'): Scenario {
  return { ...loadScenario(base), installedPackages };
}

describe('ce-connect packages install', () => {
  let session: SimSession;
  const install = (args: string[] = [], env?: NodeJS.ProcessEnv) =>
    session.run(PackagesInstall, ['--json', ...args], { env });
  const writes = () => session.sim.requests.filter((r) => r.write);
  const installRequests = () => session.sim.org.all('PackageInstallRequest');
  const reset = (scenario: string | Scenario) => {
    session.sim.reset(scenario);
    session.sim.org.flags.packageInstallPolls = 2;
  };

  beforeAll(async () => {
    session = await startSimSession({ scenario: 'fresh' });
  });
  afterAll(async () => session?.stop());
  beforeEach(() => reset('fresh'));

  it('installs both packages into a fresh org, admins only, in order; then check passes and a rerun writes nothing', async () => {
    const first = await install(['--yes']);
    expect(first.exitCode).toBe(0);
    const r = resultOf(first);
    expect(r.packages.map((p) => [p.key, p.action, p.status, p.before, p.after])).toEqual([
      ['northpass', 'install', 'installed', null, '2.1.0.3'],
      ['connector', 'install', 'installed', null, '1.0.0.1'],
    ]);
    expect(r.packages.every((p) => /^0Hf/.test(p.requestId ?? ''))).toBe(true);
    expect(r.writes).toBe(2);
    expect(writes().map((w) => `${w.method} ${w.path}`)).toEqual([
      'POST /services/data/v65.0/tooling/sobjects/PackageInstallRequest',
      'POST /services/data/v65.0/tooling/sobjects/PackageInstallRequest',
    ]);
    // "Install for Admins Only", RSS as configured, no name-conflict renames; Northpass first.
    expect(
      installRequests().map((q) => [
        q.SubscriberPackageVersionKey,
        q.SecurityType,
        q.EnableRss,
        q.NameConflictResolution,
      ])
    ).toEqual([
      [NP21, 'None', true, 'Block'],
      [NC10, 'None', true, 'Block'],
    ]);
    expect(r.apiCalls).toBeLessThanOrEqual(session.sim.requests.length);

    const check = await session.run(PackagesCheck, ['--json']);
    expect(check.exitCode).toBe(0);

    session.sim.requests.length = 0;
    const again = await install(['--yes']);
    expect(again.exitCode).toBe(0);
    expect(resultOf(again).packages.map((p) => p.status)).toEqual(['satisfied', 'satisfied']);
    expect(resultOf(again).writes).toBe(0);
    expect(writes()).toHaveLength(0);
  });

  it('upgrades Northpass and installs the connector in the outdated org; packages check then passes', async () => {
    reset('outdated');
    const run = await install(['--yes']);
    expect(run.exitCode).toBe(0);
    expect(resultOf(run).packages.map((p) => [p.key, p.action, p.status, p.before, p.after])).toEqual([
      ['northpass', 'upgrade', 'upgraded', '2.0.1.4', '2.1.0.3'],
      ['connector', 'install', 'installed', null, '1.0.0.1'],
    ]);
    expect(resultOf(run).packages[0].message).toMatch(/Upgraded Northpass 2\.0\.1\.4 → 2\.1\.0\.3 for admins only/);
    expect((await session.run(PackagesCheck, ['--json'])).exitCode).toBe(0);
  });

  it('makes no write request when everything is already installed', async () => {
    reset('ready');
    const run = await install();
    expect(run.exitCode).toBe(0);
    expect(resultOf(run).packages.map((p) => [p.status, p.action, p.requestId])).toEqual([
      ['satisfied', 'none', null],
      ['satisfied', 'none', null],
    ]);
    expect(resultOf(run).plan).toEqual([]);
    expect(writes()).toHaveLength(0);
  });

  it('leaves a newer installed version alone and says so', async () => {
    reset(orgWith([NP22, NC10]));
    const run = await install();
    expect(run.exitCode).toBe(0);
    const northpass = resultOf(run).packages[0];
    expect(northpass).toMatchObject({ status: 'newer-installed', action: 'none', before: '2.2.0.1', after: '2.2.0.1' });
    expect(northpass.message).toMatch(/newer than the required 2\.1.*never downgraded/);
    expect(writes()).toHaveLength(0);
  });

  it('--dry-run prints the plan and writes nothing, even on production without --yes', async () => {
    const run = await install(['--dry-run']);
    expect(run.exitCode).toBe(0);
    const r = resultOf(run);
    expect(r.plan).toEqual([
      `Install Northpass 2.1.0.3 (${NP21}) for admins only, with its Remote Site Settings enabled`,
      `Install Gainsight Northpass Data Connector 1.0.0.1 (${NC10}) for admins only, with its Remote Site Settings enabled`,
    ]);
    expect(r.packages.map((p) => p.status)).toEqual(['planned', 'planned']);
    expect(writes()).toHaveLength(0);
  });

  it('stops before writing to production without --yes (exit 2)', async () => {
    const run = await install();
    expect(run.exitCode).toBe(2);
    expect(run.json?.name).toBe('ConfirmationRequired');
    expect(run.json?.message).toMatch(/production org[\s\S]*Install Northpass/);
    expect(writes()).toHaveLength(0);
  });

  it('refuses a config version earlier than the installed one (CANNOT_INSTALL_EARLIER_VERSION), writing nothing', async () => {
    reset('ready');
    const config = configWith({ northpass: { minimumVersion: '2.2', versionId: NP20 } });
    const run = await install(['--config', config]);
    expect(run.exitCode).toBe(1);
    const northpass = resultOf(run).packages[0];
    expect(northpass).toMatchObject({ status: 'failed', code: 'CANNOT_INSTALL_EARLIER_VERSION', before: '2.1.0.3' });
    expect(run.json?.warnings?.join('\n')).toMatch(/Northpass 2\.0\.1\.4 .* earlier than the installed 2\.1\.0\.3/);
    expect(run.json?.warnings?.join('\n')).toMatch(/04t id of Northpass 2\.2 or later .* packages\[0\]\.versionId/);
    expect(writes()).toHaveLength(0);
  });

  it('names the variable to set when a key-protected version has no key', async () => {
    reset(orgWith([NP21]));
    const config = configWith({ connector: { versionId: KEYED, installationKeyEnv: 'CE_CONNECTOR_KEY' } });
    const run = await install(['--config', config], { CE_CONNECTOR_KEY: '' });
    expect(run.exitCode).toBe(1);
    expect(resultOf(run).packages[1]).toMatchObject({ status: 'failed', code: 'INSTALL_KEY_REQUIRED' });
    expect(run.json?.warnings?.join('\n')).toMatch(
      /Set the environment variable CE_CONNECTOR_KEY .* or pass --installation-key/
    );
    expect(writes()).toHaveLength(0);
  });

  it('says which key source was refused when the key is wrong', async () => {
    reset(orgWith([NP21]));
    const config = configWith({ connector: { versionId: KEYED, installationKeyEnv: 'CE_CONNECTOR_KEY' } });
    const run = await install(['--config', config], { CE_CONNECTOR_KEY: 'not-the-key' });
    expect(run.exitCode).toBe(1);
    expect(resultOf(run).packages[1]).toMatchObject({ status: 'failed', code: 'INSTALL_KEY_INVALID' });
    expect(run.json?.warnings?.join('\n')).toMatch(
      /refused the installation key from the environment variable CE_CONNECTOR_KEY/
    );
    expect(run.stdout + run.stderr).not.toContain('not-the-key');
    expect(writes()).toHaveLength(0);
  });

  it('installs a key-protected version with --installation-key and never prints the key', async () => {
    reset(orgWith([NP21]));
    const config = configWith({ connector: { versionId: KEYED } });
    const run = await install(['--config', config, '--yes', '--installation-key', 'ce-partner-2026']);
    expect(run.exitCode).toBe(0);
    expect(resultOf(run).packages[1]).toMatchObject({ status: 'installed', after: '1.1.0.2' });
    expect(run.stdout + run.stderr).not.toContain('ce-partner-2026');
    expect(installRequests().map((q) => q.Password)).toEqual([null]);
  });

  it("reports the package's own install error and exits 1", async () => {
    reset(orgWith([NP21]));
    const config = configWith({ connector: { versionId: FAILING } });
    const run = await install(['--config', config, '--yes']);
    expect(run.exitCode).toBe(1);
    const connector = resultOf(run).packages[1];
    expect(connector).toMatchObject({ status: 'failed', code: 'INSTALL_FAILED', after: null });
    expect(connector.requestId).toMatch(/^0Hf/);
    expect(run.json?.warnings?.join('\n')).toMatch(
      /failed to install \(request 0Hf\w+\): npdc: The Remote Site Setting 'Northpass_API'/
    );
    expect(writes()).toHaveLength(1);
  });

  it('waits while the version is PACKAGE_UNAVAILABLE, then installs it', async () => {
    reset(orgWith([NP21]));
    const config = configWith({ connector: { versionId: REPLICATING } });
    const run = await install(['--config', config, '--yes']);
    expect(run.exitCode).toBe(0);
    expect(resultOf(run).packages[1]).toMatchObject({ status: 'installed', after: '1.3.0.1' });
    const spvQueries = session.sim.requests.filter((r) => r.path.endsWith('/tooling/query') && r.method === 'GET');
    expect(spvQueries.length).toBeGreaterThanOrEqual(4); // installed list, 3 version reads, read-back
  });

  it('waits while the org finds no row for the version (not yet on its instance), then installs it', async () => {
    reset(orgWith([NP21]));
    const config = configWith({ connector: { versionId: NOT_ON_INSTANCE } });
    const run = await install(['--config', config, '--yes']);
    expect(run.exitCode).toBe(0);
    expect(resultOf(run).packages[1]).toMatchObject({ status: 'installed', after: '1.4.0.1' });
    expect(installRequests()).toHaveLength(1);
  });

  it('names both causes when the version never appears within --wait, and makes no request', async () => {
    reset(orgWith([NP21]));
    const config = configWith({ connector: { versionId: NEVER_ARRIVES } });
    const run = await install(['--config', config, '--yes', '--wait', '1']);
    expect(run.exitCode).toBe(1);
    const text = [run.json?.message, ...(run.json?.warnings ?? [])].join('\n');
    expect(text).toContain(NEVER_ARRIVES);
    expect(text).toMatch(/not (yet )?(been )?copied|not yet available|still being copied/i);
    expect(text).toMatch(/versionId/);
    expect(installRequests()).toHaveLength(0);
    expect(writes()).toHaveLength(0);
  });

  it('makes the request again after refusals that pass (cross reference, not yet available, locked): one request', async () => {
    reset(orgWith([NP21]));
    const config = configWith({ connector: { versionId: REFUSED_WHILE_COPIED } });
    const run = await install(['--config', config, '--yes']);
    expect(run.exitCode).toBe(0);
    expect(resultOf(run).packages[1]).toMatchObject({ status: 'installed', after: '1.5.0.1' });
    const creates = session.sim.requests.filter(
      (r) => r.method === 'POST' && r.path.endsWith('/PackageInstallRequest')
    );
    expect(creates.map((r) => r.status)).toEqual([400, 400, 400, 201]);
    expect(installRequests()).toHaveLength(1);
  });

  it('makes the request again after a 503 on it, having looked for one the lost answer made: one request', async () => {
    reset('fresh');
    session.sim.faults.add('POST /tooling/sobjects/PackageInstallRequest$ 503x1');
    const run = await install(['--yes']);
    expect(run.exitCode).toBe(0);
    const creates = session.sim.requests.filter(
      (r) => r.method === 'POST' && r.path.endsWith('/PackageInstallRequest')
    );
    expect(creates.map((r) => r.status)).toEqual([503, 201, 201]);
    // Between the refused create and the next one, the org was asked for a running request of that version.
    const refusedAt = session.sim.requests.indexOf(creates[0]);
    const nextAt = session.sim.requests.indexOf(creates[1]);
    const between = session.sim.requests.slice(refusedAt + 1, nextAt);
    expect(between.some((r) => r.method === 'GET' && /\/tooling\/query/.test(r.path))).toBe(true);
    expect(installRequests()).toHaveLength(2);
  });

  it('stops rather than risk a second request when a lost answer cannot be checked', async () => {
    reset('fresh');
    session.sim.faults.add('POST /tooling/sobjects/PackageInstallRequest$ 503x1');
    // After the first look for a running request (before the create), every later Tooling query is refused: the
    // look after the lost answer cannot be made.
    let looks = 0;
    addQueryGuard(session.sim.org, 'PackageInstallRequest', () => {
      if (++looks === 1)
        session.sim.faults.add({ method: 'GET', path: '/tooling/query', kind: 'REQUEST_LIMIT_EXCEEDED' });
    });
    const run = await install(['--yes']);
    expect(run.exitCode).toBe(1);
    const creates = session.sim.requests.filter(
      (r) => r.method === 'POST' && r.path.endsWith('/PackageInstallRequest')
    );
    expect(looks).toBe(1);
    expect(creates.map((r) => r.status)).toEqual([503]);
    expect(installRequests()).toHaveLength(0);
  });

  it('times out with the request id and how to check it, then --resume finishes it and continues', async () => {
    session.sim.org.flags.packageInstallPolls = 40;
    const timedOut = await install(['--yes', '--wait', '0.005']);
    expect(timedOut.exitCode).toBe(1);
    expect(timedOut.json?.status).toBe(1);
    const r = resultOf(timedOut);
    expect(r.packages.map((p) => p.status)).toEqual(['timeout', 'skipped']);
    const requestId = r.packages[0].requestId as string;
    expect(requestId).toMatch(/^0Hf/);
    expect(timedOut.json?.warnings?.join('\n')).toContain(`ce-connect packages install -o sim --resume ${requestId}`);
    expect(timedOut.json?.warnings?.join('\n')).toContain(`sf package install report -i ${requestId} -o sim`);
    expect(writes()).toHaveLength(1);

    session.sim.requests.length = 0;
    const resumed = await install(['--yes', '--resume', requestId]);
    expect(resumed.exitCode).toBe(0);
    expect(resultOf(resumed).packages.map((p) => [p.key, p.status, p.requestId === requestId])).toEqual([
      ['northpass', 'installed', true],
      ['connector', 'installed', false],
    ]);
    // Resuming reads the running request; only the connector's install is a new write.
    expect(writes()).toHaveLength(1);
    expect((await session.run(PackagesCheck, ['--json'])).exitCode).toBe(0);
  });

  it('refuses a --resume value that is not a request id (exit 2)', async () => {
    const run = await install(['--resume', '04t4x000000NP21AAA']);
    expect(run.exitCode).toBe(2);
    expect(run.json?.name).toBe('InvalidRequestId');
  });
});
