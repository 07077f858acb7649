import { jest } from '@jest/globals';
import { loadScenario } from '../../simulator/scenario.js';
import { type Simulator, startSimulator } from '../../simulator/server.js';
import type { Scenario } from '../../simulator/types.js';

jest.setTimeout(60_000);

type Json = Record<string, unknown>;

/** A REST call to one org with its admin's session (plain HTTP: the simulator's own behaviour is under test). */
async function api(org: { instanceUrl: string; accessToken: string }, path: string, init: RequestInit = {}) {
  const response = await fetch(`${org.instanceUrl}/services/data/v62.0${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${org.accessToken}`, 'Content-Type': 'application/json', ...init.headers },
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Json & Json[] };
}

const control = async (base: string, path: string, init: RequestInit = {}) => {
  const response = await fetch(`${base}/__sim/${path}`, {
    ...init,
    headers: { 'Content-Type': 'application/json' },
  });
  return { status: response.status, body: (await response.json()) as Json & Json[] };
};

describe('one simulator serving several orgs', () => {
  let sim: Simulator;

  afterEach(async () => sim?.stop());

  it("serves a scenario's orgs on their own URLs, with their own org Ids, usernames, variations and request logs", async () => {
    const scenario: Scenario = {
      ...loadScenario('ready'),
      orgs: [
        { key: 'acme-eu', scenario: 'ready', org: { ...loadScenario('ready').org, name: 'Acme EU' } },
        { key: 'globex', scenario: 'outdated', usernameSuffix: '.globex' },
      ],
    };
    sim = await startSimulator({ scenario });
    expect(sim.orgs.map((o) => o.key)).toEqual(['ready', 'acme-eu', 'globex']);
    expect(new Set(sim.orgs.map((o) => o.instanceUrl)).size).toBe(3);
    expect(new Set(sim.orgs.map((o) => o.orgId)).size).toBe(3);
    const eu = sim.getOrg('acme-eu');
    const globex = sim.getOrg('globex');
    if (!eu || !globex) throw new Error('orgs missing');
    // Usernames are unique across orgs, as in Salesforce: a taken one gets the key as a suffix.
    expect([sim.username, eu.username, globex.username]).toEqual([
      'admin@acme.example',
      'admin@acme.example.acme-eu',
      'admin@acme.example.globex',
    ]);

    const name = async (org: typeof eu) =>
      (await api(org, '/query?q=SELECT+Name+FROM+Organization')).body.records as unknown as Array<{ Name: string }>;
    expect((await name(eu))[0].Name).toBe('Acme EU');
    expect((await name(globex))[0].Name).toBe('Acme Corp');
    // A session of one org is not a session of another.
    expect((await api({ instanceUrl: eu.instanceUrl, accessToken: globex.accessToken }, '/limits')).status).toBe(401);

    expect(eu.requests.map((r) => [r.org, r.path, r.status])).toEqual([
      ['acme-eu', '/services/data/v62.0/query', 200],
      ['acme-eu', '/services/data/v62.0/limits', 401],
    ]);
    expect(globex.requests).toHaveLength(1);
    expect(sim.requests).toHaveLength(0);
    expect(sim.allRequests().map((r) => r.org)).toEqual(['acme-eu', 'globex', 'acme-eu']);
    const listed = await control(sim.instanceUrl, 'orgs');
    expect(listed.body.map((o) => [o.key, o.requests, o.writes, o.status])).toEqual([
      ['ready', 0, 0, 'active'],
      ['acme-eu', 2, 0, 'active'],
      ['globex', 1, 0, 'active'],
    ]);
    // Each org's port answers the control API for that org.
    expect((await control(eu.instanceUrl, 'requests')).body).toHaveLength(2);
  });

  it('adds an org at run time over the control API, and deletes it', async () => {
    sim = await startSimulator({ scenario: 'ready' });
    const added = await control(sim.instanceUrl, 'orgs', {
      method: 'POST',
      body: JSON.stringify({ scenario: 'outdated', key: 'late' }),
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ key: 'late', username: 'admin@acme.example.late' });
    const late = added.body as unknown as { instanceUrl: string; accessToken: string };
    expect((await api(late, '/limits')).status).toBe(200);
    expect(sim.getOrg('late')?.requests).toHaveLength(1);
    const unknown = await control(sim.instanceUrl, 'orgs', {
      method: 'POST',
      body: JSON.stringify({ scenario: 'nope' }),
    });
    expect(unknown.status).toBe(400);

    expect((await control(sim.instanceUrl, 'orgs/late', { method: 'DELETE' })).status).toBe(200);
    expect(sim.getOrg('late')?.status).toBe('deleted');
    await expect(fetch(`${late.instanceUrl}/services/data`)).rejects.toThrow();
    expect((await control(sim.instanceUrl, 'orgs/late/requests')).body).toHaveLength(1);
    expect((await control(sim.instanceUrl, 'orgs/ready', { method: 'DELETE' })).status).toBe(400);
  });

  it('serves fifty orgs made from one scenario in one process, each with its own log', async () => {
    sim = await startSimulator({ scenario: 'fresh' });
    const orgs = await Promise.all(
      Array.from({ length: 49 }, (_v, i) => sim.addOrg({ scenario: 'ready', key: `org-${i + 1}` }))
    );
    expect(sim.orgs).toHaveLength(50);
    expect(new Set(sim.orgs.map((o) => o.orgId)).size).toBe(50);
    expect(new Set(sim.orgs.map((o) => o.username)).size).toBe(50);
    await Promise.all(orgs.map((org) => api(org, '/limits')));
    expect(orgs.every((org) => org.requests.length === 1 && org.requests[0].org === org.key)).toBe(true);
    // Record Ids differ between orgs, as they do in Salesforce.
    const userIds = sim.orgs.map((o) => o.org.userByUsername(o.username)?.Id);
    expect(new Set(userIds).size).toBe(50);
  });
});

describe('a simulated Dev Hub', () => {
  let sim: Simulator;
  const hub = (): { instanceUrl: string; accessToken: string } => sim;
  const signup = {
    OrgName: 'ce-connect validation',
    Edition: 'Enterprise',
    Features: 'API;EnableSetPasswordInApi',
    DurationDays: 1,
    ConnectedAppConsumerKey: 'PlatformCLI',
    ConnectedAppCallbackUrl: 'http://localhost:1717/OauthRedirect',
  };

  beforeAll(async () => {
    sim = await startSimulator({
      scenario: {
        ...loadScenario('devhub'),
        devHub: { activeScratchOrgs: 1, dailyScratchOrgs: 2, readsUntilActive: 2 },
      },
    });
  });
  afterAll(async () => sim?.stop());
  beforeEach(() => sim.reset());

  const read = async (id: string) => (await api(hub(), `/sobjects/ScratchOrgInfo/${id}`)).body;

  it('answers the Dev Hub check, and moves a signup from New to Active over its reads into a new org', async () => {
    expect((await api(hub(), '/query?q=SELECT+Id+FROM+ScratchOrgInfo+limit+1')).status).toBe(200);
    const created = await api(hub(), '/sobjects/ScratchOrgInfo', { method: 'POST', body: JSON.stringify(signup) });
    expect(created.status).toBe(201);
    const id = String(created.body.id);
    expect((await read(id)).Status).toBe('New');
    expect((await read(id)).Status).toBe('Creating');
    expect(sim.orgs).toHaveLength(1);
    const active = await read(id);
    expect(active).toMatchObject({
      Status: 'Active',
      Edition: 'Enterprise',
      SignupInstance: expect.stringMatching(/S$/),
    });
    const scratch = sim.orgs[1];
    expect(scratch).toMatchObject({
      createdBy: sim.key,
      instanceUrl: active.LoginUrl,
      username: active.SignupUsername,
    });
    expect(scratch.org.facts).toMatchObject({
      name: 'ce-connect validation',
      edition: 'Enterprise Edition',
      isSandbox: true,
    });
    expect(scratch.org.flags.features).toEqual(['API', 'EnableSetPasswordInApi']);
    expect(String(active.ScratchOrg)).toBe(scratch.orgId.slice(0, 15));
    // The status reads wrote nothing; the signup request did.
    expect(sim.requests.filter((r) => r.write).map((r) => r.method)).toEqual(['POST']);

    // The auth code is exchanged once, for the client and callback it was issued to.
    const exchange = (code: unknown) =>
      fetch(`${String(active.LoginUrl)}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: String(code),
          client_id: 'PlatformCLI',
          redirect_uri: 'http://localhost:1717/OauthRedirect',
        }),
      });
    const tokens = (await (await exchange(active.AuthCode)).json()) as Json;
    expect(tokens).toMatchObject({ instance_url: scratch.instanceUrl, token_type: 'Bearer' });
    expect(String(tokens.id)).toContain(`/id/${scratch.orgId}/`);
    const again = await exchange(active.AuthCode);
    expect([again.status, await again.json()]).toEqual([
      400,
      { error: 'invalid_grant', error_description: 'expired authorization code' },
    ]);
    const session = { instanceUrl: scratch.instanceUrl, accessToken: String(tokens.access_token) };
    expect((await api(session, '/query?q=SELECT+OrganizationType,IsSandbox+FROM+Organization')).body.records).toEqual([
      expect.objectContaining({ OrganizationType: 'Enterprise Edition', IsSandbox: true }),
    ]);
    // Not a Dev Hub itself.
    expect((await api(session, '/query?q=SELECT+Id+FROM+ScratchOrgInfo+limit+1')).status).toBe(400);
  });

  it('enforces its allocations with the errors a Dev Hub gives, and frees one when the scratch org is deleted', async () => {
    const create = () => api(hub(), '/sobjects/ScratchOrgInfo', { method: 'POST', body: JSON.stringify(signup) });
    const first = await create();
    expect(first.status).toBe(201);
    const limits = (await api(hub(), '/limits')).body;
    expect(limits.ActiveScratchOrgs).toEqual({ Max: 1, Remaining: 0 });
    expect(limits.DailyScratchOrgs).toEqual({ Max: 2, Remaining: 1 });
    const refused = await create();
    expect(refused).toEqual({
      status: 400,
      body: [
        {
          errorCode: 'LIMIT_EXCEEDED',
          message: 'The signup request failed because this organization has reached its active scratch org limit',
        },
      ],
    });
    const id = String(first.body.id);
    for (let i = 0; i < 3; i++) await read(id);
    const scratchKey = sim.orgs[1].key;
    const active = (
      await api(
        hub(),
        `/query?q=SELECT+Id+FROM+ActiveScratchOrg+WHERE+SignupUsername='${String((await read(id)).SignupUsername)}'`
      )
    ).body.records as unknown as Array<{ Id: string }>;
    expect((await api(hub(), `/sobjects/ActiveScratchOrg/${active[0].Id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await read(id)).Status).toBe('Deleted');
    await new Promise((resolve) => setImmediate(resolve));
    expect(sim.getOrg(scratchKey)?.status).toBe('deleted');

    expect((await create()).status).toBe(201);
    // The third signup of the day is refused whatever became of the others.
    const ids = (await api(hub(), '/query?q=SELECT+Id+FROM+ScratchOrgInfo')).body.records as unknown as Array<{
      Id: string;
    }>;
    for (const row of ids) await api(hub(), `/sobjects/ScratchOrgInfo/${row.Id}`, { method: 'DELETE' });
    expect((await create()).body).toEqual([
      {
        errorCode: 'LIMIT_EXCEEDED',
        message: 'The signup request failed because this organization has reached its daily scratch org signup limit',
      },
    ]);
  });

  it('makes partner edition orgs only as a partner business org, and ends a signup request deleted while it runs', async () => {
    const partner = { ...signup, Edition: 'Partner Enterprise' };
    const create = () => api(hub(), '/sobjects/ScratchOrgInfo', { method: 'POST', body: JSON.stringify(partner) });
    expect(await create()).toEqual({
      status: 400,
      body: [
        {
          errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY',
          message:
            "You don't have permission to create Partner Edition organizations. To enable this functionality, please log a case in the Partner Community.",
          fields: ['Edition'],
        },
      ],
    });
    const shipped = loadScenario('devhub');
    sim.reset({ ...shipped, devHub: { activeScratchOrgs: 1, dailyScratchOrgs: 2, partnerBusinessOrg: true } });
    const made = await create();
    expect(made.status).toBe(201);
    // Deleted while still New: the request is gone, and no org is made by the reads core would go on making.
    const id = String(made.body.id);
    expect((await read(id)).Status).toBe('New');
    expect((await api(hub(), `/sobjects/ScratchOrgInfo/${id}`, { method: 'DELETE' })).status).toBe(204);
    for (let i = 0; i < 3; i++) expect((await api(hub(), `/sobjects/ScratchOrgInfo/${id}`)).status).toBe(404);
    expect(sim.orgs).toHaveLength(1);
    sim.reset({ ...shipped, devHub: { activeScratchOrgs: 1, dailyScratchOrgs: 2, readsUntilActive: 2 } });
  });

  it('is not a Dev Hub without the setting: ScratchOrgInfo does not exist there', async () => {
    sim.reset('ready');
    expect((await api(hub(), '/query?q=SELECT+Id+FROM+ScratchOrgInfo+limit+1')).body).toEqual([
      expect.objectContaining({ errorCode: 'INVALID_TYPE' }),
    ]);
    sim.reset('devhub');
  });
});
