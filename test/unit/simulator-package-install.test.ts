// The simulated org's package install: SubscriberPackageVersion pre-flight and PackageInstallRequest, over HTTP.
import { type Simulator, startSimulator } from '../../simulator/server.js';

const NP20 = '04t4x000000NP20AAA';
const NP21 = '04t4x000000NP21AAA';
const NC10 = '04t4x000000NC10AAA';
const KEYED = '04t4x000000NC11AAA';
const FAILING = '04t4x000000NC12AAA';
const REPLICATING = '04t4x000000NC13AAA';

describe('simulated package install', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ scenario: 'outdated' });
  });
  afterAll(async () => sim?.stop());
  beforeEach(() => sim.reset('outdated'));

  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> => {
    const res = await fetch(`${sim.instanceUrl}/services/data/v62.0/tooling${path}`, {
      method,
      headers: { Authorization: `Bearer ${sim.accessToken}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  };
  const spv = (id: string, key?: string) =>
    call(
      'GET',
      `/query?q=${encodeURIComponent(
        `SELECT Id, InstallValidationStatus, IsPasswordProtected FROM SubscriberPackageVersion WHERE Id = '${id}'${
          key === undefined ? '' : ` AND InstallationKey = '${key.replace(/'/g, "\\'")}'`
        }`
      )}`
    );
  const create = (fields: Record<string, unknown>) => call('POST', '/sobjects/PackageInstallRequest', fields);
  const read = (id: string) => call('GET', `/sobjects/PackageInstallRequest/${id}`);
  const installedVersion = () =>
    sim.org.findOne('InstalledSubscriberPackage', (r) => r.SubscriberPackageId === '0334x000000NPASAAA')
      ?.SubscriberPackageVersionId;

  it('reports PACKAGE_UNAVAILABLE for a version still replicating, then NO_ERRORS_DETECTED', async () => {
    const statuses: string[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await spv(REPLICATING)).json.records[0].InstallValidationStatus);
    expect(statuses).toEqual(['PACKAGE_UNAVAILABLE', 'PACKAGE_UNAVAILABLE', 'NO_ERRORS_DETECTED']);
  });

  it('answers CANNOT_INSTALL_EARLIER_VERSION for a version older than the installed one', async () => {
    sim.reset('ready');
    expect((await spv(NP20)).json.records[0].InstallValidationStatus).toBe('CANNOT_INSTALL_EARLIER_VERSION');
    expect((await spv(NP21)).json.records[0].InstallValidationStatus).toBe('NO_ERRORS_DETECTED');
  });

  it('answers a key-protected version only with its key', async () => {
    const missing = await spv(KEYED);
    expect(missing.status).toBe(400);
    expect(missing.json[0].errorCode).toBe('INSTALL_KEY_REQUIRED');
    const wrong = await spv(KEYED, "it's wrong");
    expect(wrong.json[0].errorCode).toBe('INSTALL_KEY_INVALID');
    const right = await spv(KEYED, 'ce-partner-2026');
    expect(right.status).toBe(200);
    expect(right.json.records[0]).toMatchObject({
      IsPasswordProtected: true,
      InstallValidationStatus: 'NO_ERRORS_DETECTED',
    });
  });

  it('runs an upgrade through IN_PROGRESS for a number of reads, then applies it; reads are not writes', async () => {
    sim.org.flags.packageInstallPolls = 2;
    const created = await create({
      SubscriberPackageVersionKey: NP21,
      SecurityType: 'None',
      EnableRss: true,
      NameConflictResolution: 'Block',
    });
    expect(created.status).toBe(201);
    expect(created.json.id).toMatch(/^0Hf/);
    const statuses: string[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await read(created.json.id)).json.Status);
    expect(statuses).toEqual(['IN_PROGRESS', 'IN_PROGRESS', 'SUCCESS']);
    expect(installedVersion()).toBe(NP21);
    expect(sim.requests.map((r) => [r.method, r.write])).toEqual([
      ['POST', true],
      ['GET', false],
      ['GET', false],
      ['GET', false],
    ]);
    const stored = sim.org.get('PackageInstallRequest', created.json.id);
    expect(stored).toMatchObject({ SecurityType: 'None', EnableRss: true, NameConflictResolution: 'Block' });
  });

  it('accepts the lower-case security type the sf CLI sends', async () => {
    const created = await create({ SubscriberPackageVersionKey: NC10, SecurityType: 'none' });
    expect(created.status).toBe(201);
    expect(sim.org.get('PackageInstallRequest', created.json.id)?.SecurityType).toBe('None');
  });

  it('ends an install of an earlier version in ERROR with CANNOT_INSTALL_EARLIER_VERSION', async () => {
    sim.reset('ready');
    sim.org.flags.packageInstallPolls = 0;
    const created = await create({ SubscriberPackageVersionKey: NP20, SecurityType: 'None' });
    const done = await read(created.json.id);
    expect(done.json.Status).toBe('ERROR');
    expect(done.json.Errors.errors[0].message).toMatch(/^CANNOT_INSTALL_EARLIER_VERSION: /);
    expect(installedVersion()).toBe(NP21);
  });

  it("ends a failing version's install in ERROR with the package's own message and installs nothing", async () => {
    sim.org.flags.packageInstallPolls = 1;
    const created = await create({ SubscriberPackageVersionKey: FAILING, SecurityType: 'None' });
    expect((await read(created.json.id)).json.Status).toBe('IN_PROGRESS');
    const done = await read(created.json.id);
    expect(done.json).toMatchObject({
      Status: 'ERROR',
      Errors: { errors: [{ message: expect.stringMatching(/Remote Site Setting/) }] },
    });
    expect(
      sim.org.findOne('InstalledSubscriberPackage', (r) => r.SubscriberPackageId === '0334x000000NCONAAA')
    ).toBeUndefined();
  });

  it('checks the installation key on create and never echoes it', async () => {
    expect((await create({ SubscriberPackageVersionKey: KEYED })).json[0].errorCode).toBe('INSTALL_KEY_REQUIRED');
    expect((await create({ SubscriberPackageVersionKey: KEYED, Password: 'nope' })).json[0].errorCode).toBe(
      'INSTALL_KEY_INVALID'
    );
    const keyNotNeeded = await create({ SubscriberPackageVersionKey: NC10, Password: 'ce-partner-2026' });
    expect(keyNotNeeded.status).toBe(400);
    expect(keyNotNeeded.json[0].message).toMatch(/doesn’t require an installation key/);
    const ok = await create({ SubscriberPackageVersionKey: KEYED, Password: 'ce-partner-2026', SecurityType: 'None' });
    expect(ok.status).toBe(201);
    expect(JSON.stringify((await read(ok.json.id)).json)).not.toContain('ce-partner-2026');
  });

  it('refuses unknown versions and client-set read-only fields', async () => {
    const unknown = await create({ SubscriberPackageVersionKey: '04t000000000000AAA' });
    expect(unknown.json[0].errorCode).toBe('INVALID_ID_FIELD');
    const status = await create({ SubscriberPackageVersionKey: NC10, Status: 'SUCCESS' });
    expect(status.json[0].errorCode).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
    expect(sim.requests.filter((r) => r.write)).toHaveLength(0);
  });
});
