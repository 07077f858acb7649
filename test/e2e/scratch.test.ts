import { jest } from '@jest/globals';
import { type KeyObject, generateKeyPairSync, sign } from 'node:crypto';
import { AuthInfo, StateAggregator } from '@salesforce/core';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Scratch, { type ScratchResult } from '../../src/commands/ce/scratch.js';
import type { ScratchItem } from '../../src/core/scratch-validation.js';
import { loadScenario } from '../../simulator/scenario.js';
import type { SimOrg } from '../../simulator/server.js';
import type { Scenario } from '../../simulator/types.js';
import { PROJECT_ROOT } from '../helpers/cli.js';
import { resultOf, runCommand } from '../helpers/command.js';
import { editFile, projectCopy } from '../helpers/project.js';
import { type SimSession, startSimSession } from '../helpers/simulator.js';

jest.setTimeout(120_000);

const project = projectCopy;
const edit = editFile;

// `ce-connect scratch` in process against a simulated Dev Hub: the scratch org is a second org of the same
// simulator, made, logged into, deployed to and deleted through @salesforce/core as against a real Dev Hub.
describe('ce-connect scratch -v <simulated Dev Hub>', () => {
  let session: SimSession;

  beforeAll(async () => {
    session = await startSimSession({ scenario: 'devhub', alias: 'devhub' });
  });
  afterAll(async () => session?.stop());
  // The shipped Dev Hub answers New at the first status read and Active at the next, a second later by
  // @salesforce/core's poll; the other tests take a hub whose signups are Active at the first read.
  const hub = (devHub: Partial<NonNullable<Scenario['devHub']>> = {}): Scenario => {
    const shipped = loadScenario('devhub');
    return {
      ...shipped,
      devHub: { ...(shipped.devHub as NonNullable<Scenario['devHub']>), readsUntilActive: 0, ...devHub },
    };
  };
  beforeEach(() => session.sim.reset(hub()));

  const scratch = (argv: string[], cwd = project()) =>
    runCommand(Scratch, ['-v', 'devhub', ...argv, '--json'], { cwd });
  const scratchOrgs = (): SimOrg[] => session.sim.orgs.filter((o) => o.createdBy === session.sim.key);
  const hubWrites = () =>
    session.sim.requests.filter((r) => r.write).map((r) => `${r.method} ${r.path.replace(/^.*\/sobjects\//, '')}`);
  const deletedAtEnd = () => {
    const writes = hubWrites();
    expect(writes[writes.length - 1]).toMatch(/^DELETE ActiveScratchOrg\/2AS/);
  };

  it('creates a scratch org, installs both packages, deploys force-app, assigns the permission set, passes the checklist and deletes the org', async () => {
    session.sim.reset('devhub');
    const dir = project();
    const report = join(dir, 'checklist.html');
    const run = await scratch(['--report', report], dir);
    expect({ exitCode: run.exitCode, said: run.json?.message }).toEqual({ exitCode: 0, said: undefined });
    const result = resultOf(run);
    expect(result.stages.map((s) => [s.id, s.status])).toEqual([
      ['create', 'done'],
      ['packages', 'done'],
      ['deploy', 'done'],
      ['setup', 'done'],
      ['checklist', 'done'],
      ['delete', 'done'],
    ]);
    // The layout, the page, the two bundles, the labels and the User Access Policy.
    expect(result).toMatchObject({ kept: false, deleted: true, deployed: 6, validated: true, report });
    expect(result.stages[0].summary).toMatch(
      /^test-\w+@example\.com \(Enterprise Edition, 00D\w+\), expires \d{4}-\d\d-\d\d$/
    );
    expect(result.stages[1].summary).toContain('Northpass');

    // The scratch org as the run left it: both packages at the required versions, force-app deployed with the
    // namespace filled in, the permission set assigned to its admin; then deleted.
    const [org] = scratchOrgs();
    expect(org.status).toBe('deleted');
    expect(org.username).toBe(result.username);
    const versions = org.org
      .all('InstalledSubscriberPackage')
      .map((p) => org.org.get('SubscriberPackageVersion', String(p.SubscriberPackageVersionId)))
      .map((v) => `${String(v?.MajorVersion)}.${String(v?.MinorVersion)}`);
    expect(versions.sort()).toEqual(['1.0', '2.1']);
    expect(org.org.getMetadata('FlexiPage', 'Contact_Enrollments_Record_Page')?.content).toContain(
      'northpass__Enrollments__r'
    );
    expect(org.org.listMetadata('LightningComponentBundle').map((c) => c.fullName)).toEqual([
      'contactEnrollments',
      'ldsErrors',
    ]);
    const admin = org.org.userByUsername(org.username);
    const assigned = org.org
      .find('PermissionSetAssignment', (a) => a.AssigneeId === admin?.Id)
      .map((a) => org.org.get('PermissionSet', String(a.PermissionSetId))?.Label);
    expect(assigned).toContain('Northpass Standard User');
    expect(org.org.getMetadata('Settings', 'LightningExperience')?.content).toContain('enableS1DesktopEnabled');

    // Every item a scratch org can prove passed, each by its id, in the --json result and in the report.
    const items = result.checklist?.items ?? [];
    const status = (id: string) => items.find((i) => i.id === id)?.status;
    expect(
      ['packages.northpass', 'packages.connector', 'packages.admins-only', 'permsets.assignments'].map(status)
    ).toEqual(['pass', 'pass', 'pass', 'pass']);
    const required = items.filter((i) => i.required);
    expect(required.map((i) => i.id)).toEqual(
      expect.arrayContaining([
        'packages.northpass',
        'packages.connector',
        'packages.admins-only',
        'permsets.assignments',
        'layouts.Contact-Contact Layout',
        'layouts.Contact-northpass__Northpass Contact Layout',
        'pages.(system default)',
      ])
    );
    // Each required item passed, but the User Access Policy: the scratch config assigns by username, which no
    // policy filter expresses, so that check does not apply (skipped, nothing to fix).
    expect(required.filter((i) => i.status !== 'pass').map((i) => [i.id, i.status, i.fix])).toEqual([
      ['permsets.policy', 'skip', undefined],
    ]);
    expect(items.filter((i) => !i.required).map((i) => i.id.split('.')[0])).toEqual(
      expect.arrayContaining(['integration-user', 'connection', 'sync'])
    );
    const html = readFileSync(report, 'utf8');
    const rows = new Map(
      [...html.matchAll(/<tr data-id="([^"]+)" data-status="(\w+)">/g)].map((m) => [m[1].replace(/&quot;/g, '"'), m[2]])
    );
    for (const item of items) expect([item.id, rows.get(item.id)]).toEqual([item.id, item.status]);
    expect(rows.get('packages.connector')).toBe('pass');
    expect(rows.get('packages.admins-only')).toBe('pass');
    // The report's fixes do not name the deleted org: they say <org>.
    expect(html).not.toContain(String(result.username));
    expect(html).toContain('-o &lt;org&gt;');
    expect(statSync(report).mode & 0o777).toBe(0o600);
    // The layout backups went to the run's own folder, removed with the org: nothing in the project, no path shown.
    expect(existsSync(join(dir, 'ce-connect-backups'))).toBe(false);
    expect(existsSync(join(dir, 'ce-connect-output'))).toBe(false);
    expect(result.stages[3].summary).toMatch(/^1 added; 1 of 2 Contact layout\(s\) changed$/);
    expect(result.checklist?.fail).toBeGreaterThan(0); // the CE connection and sync need CE itself
    expect(hubWrites()).toEqual([
      'POST ScratchOrgInfo',
      `DELETE ActiveScratchOrg/${String(session.sim.org.all('ActiveScratchOrg', { includeDeleted: true })[0].Id)}`,
    ]);
    expect(session.sim.org.all('ScratchOrgInfo').map((i) => i.Status)).toEqual(['Deleted']);
    // core read the signup until it was Active: New at the first read, Active at the second.
    expect(session.sim.requests.filter((r) => r.method === 'GET' && /ScratchOrgInfo\/2SR/.test(r.path))).toHaveLength(
      2
    );
  });

  it('works with a Dev Hub logged in with the JWT bearer flow (sf org login jwt): the scratch org is logged in the same way', async () => {
    // A connected app with a certificate, as the org-validation workflow's SF_JWT_* secrets need; the Dev Hub logged
    // in as @salesforce/core does it for `sf org login jwt` (AuthInfo with the client id and the private key file).
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const keyFile = join(mkdtempSync(join(tmpdir(), 'ce-jwt-')), 'server.key');
    writeFileSync(keyFile, privateKey, { mode: 0o600 });
    const clientId = '3MVG9ce-connect-ci';
    // CI logs in as a user of its own, pre-authorized for the app (the Dev Hub's admin keeps its own login).
    const ci = 'ci.devhub@acme.example';
    const shipped = hub();
    session.sim.reset({
      ...shipped,
      users: [
        ...shipped.users,
        { username: ci, firstName: 'CI', lastName: 'Dev Hub', profile: 'System Administrator' },
      ],
      connectedApps: [{ name: 'ce-connect CI', consumerKey: clientId, certificate: publicKey, approvedUsers: [ci] }],
    });
    const login = await AuthInfo.create({
      username: ci,
      oauth2Options: { clientId, privateKeyFile: keyFile, loginUrl: session.sim.instanceUrl },
    });
    await login.save();
    await login.handleAliasAndDefaultSettings({ alias: 'jwthub', setDefault: false, setDefaultDevHub: false });
    expect(
      session.sim.requests.filter((r) => r.api === 'auth' && r.method === 'POST').map((r) => [r.operation, r.status])
    ).toEqual([['urn:ietf:params:oauth:grant-type:jwt-bearer', 200]]);

    const run = await runCommand(Scratch, ['-v', 'jwthub', '--json'], { cwd: project() });
    expect(run.exitCode).toBe(0);
    expect(resultOf(run)).toMatchObject({ validated: true, deleted: true });
    // The signup named the Dev Hub's connected app, and the new org took a JWT signed with the Dev Hub's key for its
    // admin: no auth code was exchanged.
    const [info] = session.sim.org.all('ScratchOrgInfo', { includeDeleted: true });
    expect(info.ConnectedAppConsumerKey).toBe(clientId);
    const [org] = scratchOrgs();
    const grants = org.requests.filter((r) => /oauth2\/token/.test(r.path)).map((r) => [r.operation, r.status]);
    expect(grants).toEqual([['urn:ietf:params:oauth:grant-type:jwt-bearer', 200]]);
    expect(org.status).toBe('deleted');

    // The checks a real org makes: another key, another user, another audience are refused.
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const assertion = (claims: Record<string, unknown>, key: KeyObject | string = privateKey) => {
      const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const body = `${part({ alg: 'RS256' })}.${part({ iss: clientId, sub: ci, aud: session.sim.instanceUrl, exp: Date.now() + 300, ...claims })}`;
      return `${body}.${sign('RSA-SHA256', Buffer.from(body), key).toString('base64url')}`;
    };
    const token = async (jwt: string) => {
      const response = await fetch(`${session.sim.instanceUrl}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jwt }),
      });
      return [response.status, ((await response.json()) as { error_description?: string }).error_description];
    };
    expect(await token(assertion({}))).toEqual([200, undefined]);
    expect(await token(assertion({}, other))).toEqual([400, 'invalid assertion']);
    expect(await token(assertion({ iss: 'someone-else' }))).toEqual([400, 'client identifier invalid']);
    expect(await token(assertion({ sub: 'nobody@example.com' }))).toEqual([400, "user hasn't approved this consumer"]);
    expect(await token(assertion({ aud: 'https://test.salesforce.com' }))).toEqual([400, 'audience is invalid']);
    expect(await token(assertion({ exp: Math.floor(Date.now() / 1000) - 60 }))).toEqual([400, 'expired assertion']);
  });

  it('run twice in a row creates two orgs and leaves none, not even their alias or login', async () => {
    const usernames: string[] = [];
    for (const attempt of [1, 2]) {
      const run = await scratch(['--alias', 'ce-scratch']);
      expect({ attempt, exitCode: run.exitCode }).toEqual({ attempt, exitCode: 0 });
      usernames.push(String(resultOf(run).username));
      deletedAtEnd();
    }
    StateAggregator.clearInstance();
    const state = await StateAggregator.getInstance();
    expect(state.aliases.get('ce-scratch')).toBeNull();
    for (const username of usernames) expect(await state.orgs.exists(username)).toBe(false);
    expect(scratchOrgs().map((o) => o.status)).toEqual(['deleted', 'deleted']);
    expect(new Set(scratchOrgs().map((o) => o.orgId)).size).toBe(2);
    expect(session.sim.org.all('ActiveScratchOrg')).toEqual([]);
    expect(session.sim.orgs.filter((o) => o.status === 'active').map((o) => o.key)).toEqual([session.sim.key]);
  });

  it('keeps the org with --keep (its alias, its layout backups), and then the Dev Hub refuses the next one at its limit: stage named, the exact rerun command, exit 1', async () => {
    session.sim.reset(hub({ activeScratchOrgs: 1 }));
    const kept = await scratch(['--keep', '--alias', 'ce-scratch']);
    expect(kept.exitCode).toBe(0);
    const result = resultOf(kept);
    expect(result).toMatchObject({ kept: true, deleted: false, validated: true });
    expect(result.stages.at(-1)).toMatchObject({ id: 'delete', status: 'skipped' });
    expect(scratchOrgs().map((o) => o.status)).toEqual(['active']);
    expect(hubWrites()).toEqual(['POST ScratchOrgInfo']);
    // The org is known locally under the alias the run gave it, and its layout backups stay with it, named.
    const aliases = (await StateAggregator.getInstance()).aliases;
    expect(aliases.resolveUsername('ce-scratch')).toBe(result.username);
    const backups = /originals in (\S+)$/.exec(result.stages[3].summary)?.[1];
    expect(backups).toMatch(/ce-connect-scratch-/);
    expect(existsSync(String(backups))).toBe(true);

    const flags = ['--duration-days', '2', '--definition-file', 'config/project-scratch-def.json'];
    const refused = await scratch(flags);
    expect(refused.exitCode).toBe(1);
    expect(refused.json).toMatchObject({ name: 'ScratchLimitReached', status: 1 });
    expect(refused.json?.message).toContain('stopped at "Create the scratch org"');
    expect(refused.json?.message).toContain('reached its active scratch org limit');
    expect(refused.json?.message).toContain('ActiveScratchOrgs 0 of 1 left');
    expect(refused.json?.message).toContain('No scratch org was created.');
    expect(refused.json?.actions?.join(' ')).toContain('sf org delete scratch');
    expect(refused.json?.actions?.at(-1)).toBe(
      'Then run `ce-connect scratch -v devhub --duration-days 2 --definition-file config/project-scratch-def.json --json` again.'
    );
    const data = refused.json?.data as ScratchResult;
    expect(data.stages.map((s) => [s.id, s.status])).toEqual([
      ['create', 'failed'],
      ['packages', 'not-run'],
      ['deploy', 'not-run'],
      ['setup', 'not-run'],
      ['checklist', 'not-run'],
      ['delete', 'skipped'],
    ]);
    expect(scratchOrgs()).toHaveLength(1);
  });

  it('names the create stage when the Dev Hub has used up its daily signups: no org left, exit 1', async () => {
    // DailyScratchOrgs counts the signups of a rolling 24 hours, deleted orgs too: the first run's org is deleted
    // and still counts.
    session.sim.reset(hub({ dailyScratchOrgs: 1 }));
    expect((await scratch([])).exitCode).toBe(0);
    const refused = await scratch([]);
    expect(refused.exitCode).toBe(1);
    expect(refused.json).toMatchObject({ name: 'ScratchLimitReached', status: 1 });
    expect(refused.json?.message).toContain('stopped at "Create the scratch org"');
    expect(refused.json?.message).toContain('reached its daily scratch org signup limit');
    expect(refused.json?.message).toContain('DailyScratchOrgs 0 of 1 left');
    expect(refused.json?.message).toContain('No scratch org was created.');
    expect(refused.json?.data).toMatchObject({ failedStage: 'create', kept: false, deleted: false });
    expect(refused.json?.actions?.join(' ')).toContain('sf org list limits -o devhub');
    expect(scratchOrgs().map((o) => o.status)).toEqual(['deleted']);
    expect(session.sim.org.all('ActiveScratchOrg')).toEqual([]);
  });

  it('names the create stage when the signup ends in Status Error (SignupFailedError): no org left, exit 1', async () => {
    session.sim.reset(hub({ signupErrorCode: 'C-1007' }));
    const run = await scratch([]);
    expect(run.exitCode).toBe(1);
    expect(run.json).toMatchObject({ name: 'ScratchStageFailed', status: 1 });
    expect(run.json?.message).toContain('stopped at "Create the scratch org"');
    // @salesforce/core's own words for the error code, and its advice first among the actions.
    expect(run.json?.message).toContain('The username provided to the org:create command is already in use');
    expect(run.json?.message).toContain('No scratch org was created.');
    expect(run.json?.actions?.[0]).toContain('sfdx_dev_scratch_orgs_error_codes');
    expect(run.json?.data).toMatchObject({ failedStage: 'create', kept: false, deleted: false });
    expect(session.sim.org.all('ScratchOrgInfo').map((i) => [i.Status, i.ErrorCode])).toEqual([['Error', 'C-1007']]);
    expect(scratchOrgs()).toEqual([]);
    expect(session.sim.org.all('ActiveScratchOrg')).toEqual([]);
  });

  it('refuses a malformed definition file with exit 2, naming the place, before asking the Dev Hub anything', async () => {
    const dir = project((d) =>
      writeFileSync(join(d, 'config', 'broken-def.json'), '{\n  "edition": "Developer",\n}\n')
    );
    const run = await scratch(['--definition-file', 'config/broken-def.json'], dir);
    expect(run.exitCode).toBe(2);
    expect(run.json).toMatchObject({ name: 'ScratchDefinitionUnreadable', status: 2 });
    expect(run.json?.message).toContain('config/broken-def.json:3:1');
    expect(run.json?.data).toMatchObject({ line: 3, column: 1 });
    expect(run.json?.actions?.join(' ')).toContain('Nothing was asked of the Dev Hub');
    expect(session.sim.requests.filter((r) => /ScratchOrgInfo/.test(r.path))).toEqual([]);
    expect(hubWrites()).toEqual([]);

    const notAnObject = await scratch(
      ['--definition-file', 'config/list-def.json'],
      project((d) => writeFileSync(join(d, 'config', 'list-def.json'), '[]\n'))
    );
    expect(notAnObject.exitCode).toBe(2);
    expect(notAnObject.json?.message).toContain('it is not a JSON object');
    expect(hubWrites()).toEqual([]);
  });

  it('does not validate when a required checklist item fails: each item with its evidence, the org deleted, the exact rerun command, exit 1', async () => {
    // A scratch org whose Sales app shows Contacts on its own record page, one without Enrollments: the setup
    // completes the layouts, but the page an app user sees still hides Enrollments.
    const pages = join(PROJECT_ROOT, 'simulator', 'scenarios', 'pages');
    const template = join(mkdtempSync(join(tmpdir(), 'ce-scratch-scenario-')), 'scratch-sales-page.json');
    writeFileSync(
      template,
      JSON.stringify({
        extends: 'scratch',
        metadata: [
          { type: 'CustomApplication', fullName: 'Sales', file: join(pages, 'Sales.app-meta.xml') },
          {
            type: 'FlexiPage',
            fullName: 'Sales_Contact_Page',
            file: join(pages, 'Sales_Contact_Page.flexipage-meta.xml'),
          },
        ],
      })
    );
    session.sim.reset(hub({ scratchOrgScenario: template }));
    const dir = project();
    const run = await scratch(['--duration-days', '2', '--report', 'checklist.html'], dir);
    expect(run.exitCode).toBe(1);
    expect(run.json).toMatchObject({ name: 'ScratchNotValidated', status: 1 });
    const data = run.json?.data as ScratchResult;
    expect(data).toMatchObject({ validated: false, deleted: true, kept: false });
    expect(data.failedStage).toBeUndefined();
    expect(data.stages.map((s) => s.status)).toEqual(['done', 'done', 'done', 'done', 'done', 'done']);
    const failing = (data.checklist?.items ?? []).filter((i: ScratchItem) => i.required && i.status === 'fail');
    expect(failing.map((i) => i.id)).toEqual([expect.stringMatching(/^pages\..*Sales/)]);
    expect(run.json?.message).toContain('1 required checklist item(s) did not pass');
    expect(run.json?.message).toContain(`FAIL ${failing[0].title}: ${failing[0].evidence}`);
    expect(run.json?.message).toMatch(/The scratch org test-\w+@example\.com was deleted\./);
    expect(run.json?.actions).toEqual([
      `${failing[0].title}: ${String(failing[0].fix)}`,
      'To look at the org, run it with --keep: `ce-connect scratch -v devhub --duration-days 2 --report checklist.html --json --keep`',
      'Then run `ce-connect scratch -v devhub --duration-days 2 --report checklist.html --json` again.',
    ]);
    expect(failing[0].fix).not.toContain('test-');
    expect(readFileSync(join(dir, 'checklist.html'), 'utf8')).toMatch(
      /data-id="pages\.[^"]*Sales[^"]*" data-status="fail"/
    );
    expect(scratchOrgs().map((o) => o.status)).toEqual(['deleted']);
    deletedAtEnd();
  });

  it('deletes an org whose signup failed after it was made (its settings did not deploy), naming the create stage', async () => {
    // A scratch org that refuses its first Metadata API deploy: the settings deploy sf sends right after the signup.
    const template = join(mkdtempSync(join(tmpdir(), 'ce-scratch-scenario-')), 'scratch-no-settings.json');
    writeFileSync(
      template,
      JSON.stringify({
        extends: 'scratch',
        faults: [{ method: 'POST', path: '/services/Soap/m/', operation: 'deploy', kind: '500', count: 1 }],
      })
    );
    session.sim.reset(hub({ scratchOrgScenario: template }));
    const run = await scratch([]);
    expect(run.exitCode).toBe(1);
    expect(run.json?.message).toContain('stopped at "Create the scratch org"');
    expect(run.json?.message).toMatch(/The scratch org test-\w+@example\.com was deleted\./);
    expect(run.json?.data).toMatchObject({ failedStage: 'create', deleted: true });
    expect(scratchOrgs().map((o) => o.status)).toEqual(['deleted']);
    deletedAtEnd();
  });

  it('says so, with the command that deletes it, when the Dev Hub refuses to delete the org', async () => {
    // The Dev Hub's daily API requests are used up just as the run ends.
    session.sim.faults.add({ method: 'DELETE', path: '/sobjects/ActiveScratchOrg/', kind: 'REQUEST_LIMIT_EXCEEDED' });
    const run = await scratch([]);
    expect(run.exitCode).toBe(1);
    expect(run.json?.message).toContain('stopped at "Delete the scratch org"');
    expect(run.json?.message).toMatch(
      /The scratch org (test-\w+@example\.com) could not be deleted; it expires on its own in 1 day\(s\)\./
    );
    const username = (run.json?.data as ScratchResult).username;
    expect(run.json?.actions?.[0]).toBe(
      `Delete it by hand: \`sf org delete scratch -o ${String(username)} --no-prompt\`.`
    );
    expect(run.json?.data).toMatchObject({ failedStage: 'delete', deleted: false, validated: true });
    expect(scratchOrgs().map((o) => o.status)).toEqual(['active']);
  });

  it('stops at a package install error, names the stage and deletes the org', async () => {
    const dir = project((d) => edit(d, 'config/ce-connect.json', '04t4x000000NC10AAA', '04t4x000000NC12AAA'));
    const run = await scratch([], dir);
    expect(run.exitCode).toBe(1);
    expect(run.json?.name).toBe('ScratchStageFailed');
    expect(run.json?.message).toContain('stopped at "Install the CE packages"');
    expect(run.json?.message).toContain('Remote Site Setting');
    expect(run.json?.message).toMatch(/The scratch org test-\w+@example\.com was deleted\./);
    const data = run.json?.data as ScratchResult;
    expect(data).toMatchObject({ failedStage: 'packages', deleted: true, kept: false });
    expect(data.stages.find((s) => s.id === 'deploy')?.status).toBe('not-run');
    expect(scratchOrgs().map((o) => o.status)).toEqual(['deleted']);
    deletedAtEnd();
  });

  it('stops at a deploy failure, names the component and its problem, and keeps the org with --keep', async () => {
    const dir = project((d) =>
      edit(
        d,
        'force-app/main/default/lwc/contactEnrollments/contactEnrollments.js-meta.xml',
        '<target>lightning__RecordPage</target>',
        '<target>lightning__RecordPag</target>'
      )
    );
    const run = await scratch(['--keep'], dir);
    expect(run.exitCode).toBe(1);
    expect(run.json?.message).toContain('stopped at "Deploy force-app"');
    expect(run.json?.message).toContain(
      'LightningComponentBundle:contactEnrollments: Invalid target: lightning__RecordPag'
    );
    expect(run.json?.message).toContain('is kept (--keep)');
    expect(run.json?.data).toMatchObject({ failedStage: 'deploy', kept: true, deleted: false });
    expect(scratchOrgs().map((o) => o.status)).toEqual(['active']);
    expect(hubWrites()).toEqual(['POST ScratchOrgInfo']);
  });

  it('stops at a deploy failure without --keep and deletes the org', async () => {
    const failing = await scratch(
      [],
      project((d) =>
        edit(
          d,
          'force-app/main/default/layouts/Contact-Contact Layout.layout-meta.xml',
          '<field>Title</field>',
          '<field>Nickname__c</field>'
        )
      )
    );
    expect(failing.exitCode).toBe(1);
    expect(failing.json?.message).toContain('In field: field - no CustomField named Contact.Nickname__c found');
    expect(failing.json?.data).toMatchObject({ failedStage: 'deploy', deleted: true });
    expect(scratchOrgs().map((o) => o.status)).toEqual(['deleted']);
    deletedAtEnd();
  });
});
