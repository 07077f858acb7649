// The Northpass Standard User assignments as a User Access Policy: `permsets policy --write/--check` against the
// project's file, setup's policy step against the simulated org, and the checklist's item.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { jest } from '@jest/globals';
import { fixIntegrationUserAsConfigured, activateUserAccessPolicy } from '../../simulator/admin-playbook.js';
import Checklist from '../../src/commands/ce/checklist.js';
import PermsetsApply from '../../src/commands/ce/permsets/apply.js';
import PermsetsPolicy from '../../src/commands/ce/permsets/policy.js';
import Setup, { type SetupCommandResult } from '../../src/commands/ce/setup.js';
import type { CeConfig } from '../../src/core/config.js';
import { deploySource } from '../../src/org/deploy-source.js';
import type { PolicyDeployResult } from '../../src/org/user-access-policy.js';
import { loadScenario } from '../../simulator/scenario.js';
import { PROJECT_ROOT } from '../helpers/cli.js';
import { resultOf, runCommand } from '../helpers/command.js';
import { connectToSimulator } from '../helpers/org-connection.js';
import { type SimSession, startSimSession } from '../helpers/simulator.js';

jest.setTimeout(60_000);

const NAME = 'Northpass_Standard_User';
const FILE = `force-app/main/default/useraccesspolicies/${NAME}.useraccesspolicy-meta.xml`;
const SHIPPED = JSON.parse(readFileSync(join(PROJECT_ROOT, 'config', 'ce-connect.json'), 'utf8')) as CeConfig;

/** A Salesforce DX project like this one: sfdx-project.json, the config, and the policy file when asked. */
function project(options: { config?: CeConfig; withFile?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'ce-policy-'));
  copyFileSync(join(PROJECT_ROOT, 'sfdx-project.json'), join(dir, 'sfdx-project.json'));
  mkdirSync(join(dir, 'config'));
  writeFileSync(join(dir, 'config', 'ce-connect.json'), JSON.stringify(options.config ?? SHIPPED, null, 2));
  if (options.withFile) {
    mkdirSync(dirname(join(dir, FILE)), { recursive: true });
    copyFileSync(join(PROJECT_ROOT, FILE), join(dir, FILE));
  }
  return dir;
}

function withGroupRule(): CeConfig {
  const config = structuredClone(SHIPPED);
  config.permissionSet.assignees.push({ permissionSetGroup: 'Support_Team' });
  return config;
}

function step(result: SetupCommandResult, id: string) {
  const found = result.steps.find((s) => s.id === id);
  if (!found) throw new Error(`no step ${id}`);
  return found;
}

describe('permsets policy (offline)', () => {
  let session: SimSession;
  // The command needs no org; the session's simulator shows it made no request.
  beforeAll(async () => {
    session = await startSimSession({ scenario: 'ready' });
  });
  afterAll(async () => session?.stop());
  const policy = (dir: string, args: string[]) => runCommand(PermsetsPolicy, [...args, '--json'], { cwd: dir });

  it('--write creates the file config gives, which is the committed one; --check then passes', async () => {
    const dir = project();
    const check = await policy(dir, ['--check']);
    expect(check.exitCode).toBe(1);
    expect(resultOf(check).status).toBe('missing');
    const write = await policy(dir, ['--write']);
    expect(write.exitCode).toBe(0);
    expect(resultOf(write)).toMatchObject({ status: 'created', written: true, file: FILE });
    expect(readFileSync(join(dir, FILE), 'utf8')).toBe(readFileSync(join(PROJECT_ROOT, FILE), 'utf8'));
    expect((await policy(dir, ['--check'])).exitCode).toBe(0);
    expect(session.sim.requests).toHaveLength(0);
  });

  it('--check fails after a config change, naming what differs, until --write changes just that', async () => {
    const dir = project({ config: withGroupRule(), withFile: true });
    const before = readFileSync(join(dir, FILE), 'utf8');
    const check = await policy(dir, ['--check']);
    expect(check.exitCode).toBe(1);
    expect(resultOf(check).status).toBe('differs');
    expect(resultOf(check).differences).toEqual([
      'booleanFilter: the file has "1", config gives "1 OR 2"',
      'userAccessPolicyFilters: config gives #2 PermissionSetGroup equals Support_Team, the file does not',
    ]);
    const write = await policy(dir, ['--write']);
    expect(resultOf(write)).toMatchObject({ status: 'updated', written: true });
    const after = readFileSync(join(dir, FILE), 'utf8');
    const added = after.split('\n').filter((l) => !before.split('\n').includes(l));
    expect(added.map((l) => l.trim())).toEqual([
      '<booleanFilter>1 OR 2</booleanFilter>',
      '<sortOrder>2</sortOrder>',
      '<target>Support_Team</target>',
      '<type>PermissionSetGroup</type>',
    ]);
    expect((await policy(dir, ['--check'])).exitCode).toBe(0);
    const again = await policy(dir, ['--write']);
    expect(resultOf(again)).toMatchObject({ status: 'up-to-date', written: false });
  });

  it('is the same policy for a config of another name: --check passes against the file made from config/ce-connect.json', async () => {
    const dir = project({ withFile: true });
    copyFileSync(join(dir, 'config', 'ce-connect.json'), join(dir, 'config', 'prod.json'));
    const check = await policy(dir, ['--check', '--config', 'config/prod.json']);
    expect(check.exitCode).toBe(0);
    expect(resultOf(check)).toMatchObject({ status: 'up-to-date', differences: [] });
  });

  it('removes the file once config gives no policy, so that file and config agree again', async () => {
    const config = structuredClone(SHIPPED);
    config.permissionSet.assignees = [{ username: 'support.lead@acme.example' }];
    const dir = project({ config, withFile: true });
    const check = await policy(dir, ['--check']);
    expect(check.exitCode).toBe(1);
    expect(resultOf(check)).toMatchObject({ status: 'differs', written: false });
    const write = await policy(dir, ['--write']);
    expect(write.exitCode).toBe(0);
    expect(resultOf(write)).toMatchObject({ status: 'removed', written: true });
    expect(existsSync(join(dir, FILE))).toBe(false);
    expect(resultOf(await policy(dir, ['--check']))).toMatchObject({ status: 'no-rules' });
    expect((await policy(dir, ['--check'])).exitCode).toBe(0);
  });

  it('names the org to read the permission set’s API name from, when sf has a default org', async () => {
    const config = structuredClone(SHIPPED);
    delete config.permissionSet.name;
    const dir = project({ config });
    const previous = process.env.SF_TARGET_ORG;
    process.env.SF_TARGET_ORG = 'acme-prod';
    try {
      const run = await policy(dir, []);
      expect(run.exitCode).toBe(2);
      expect(run.json?.name).toBe('PolicyNeedsPermissionSetName');
      expect(run.json?.actions?.[0]).toBe(
        "Run `ce-connect discover -o acme-prod --write`: it reads the permission set's API name from an org that has the packages."
      );
    } finally {
      if (previous === undefined) delete process.env.SF_TARGET_ORG;
      else process.env.SF_TARGET_ORG = previous;
    }
  });

  it('refuses to write outside the project of the current folder (exit 2, nothing written)', async () => {
    const dir = project();
    const elsewhere = mkdtempSync(join(tmpdir(), 'ce-policy-elsewhere-'));
    const run = await runCommand(
      PermsetsPolicy,
      ['--write', '--json', '--config', join(dir, 'config', 'ce-connect.json')],
      {
        cwd: elsewhere,
      }
    );
    expect(run.exitCode).toBe(2);
    expect(existsSync(join(dir, FILE))).toBe(false);
  });
});

describe('the policy in the org', () => {
  let session: SimSession;

  beforeAll(async () => {
    session = await startSimSession({ scenario: 'ready' });
  });
  afterAll(async () => session?.stop());

  const writes = () => session.sim.requests.filter((r) => r.write);
  const stored = () => session.sim.org.getMetadata('UserAccessPolicy', NAME)?.content ?? '';
  const status = () => session.sim.org.findOne('UserAccessPolicy', (p) => p.DeveloperName === NAME)?.Status;
  const setup = (args: string[], cwd = PROJECT_ROOT) =>
    session.run(Setup, ['--yes', '--json', '--only', 'policy', ...args], { cwd });
  const policyItem = async () =>
    resultOf(await session.run(Checklist, ['--json']))
      .sections.flatMap((s) => s.items)
      .find((i) => i.id === 'permsets.policy');

  it('SDR converts the file and the simulated org takes it: it lands in Design', async () => {
    const { sim, conn } = await connectToSimulator('ready');
    try {
      sim.org.deleteMetadata('UserAccessPolicy', NAME);
      const dir = project({ withFile: true });
      const deployed = await deploySource(conn, {
        projectDir: dir,
        sourceDir: join(dir, 'force-app'),
        namespace: 'northpass',
      });
      expect(deployed).toMatchObject({ status: 'Succeeded', components: 1, failures: [] });
      const content = sim.org.getMetadata('UserAccessPolicy', NAME)?.content ?? '';
      expect(content).toContain('<target>northpass__Northpass_Standard_User</target>');
      expect(content).toContain('<status>Design</status>');
    } finally {
      await sim.stop();
    }
  });

  it('on ready (the same policy, Active): nothing to deploy, and the checklist item passes', async () => {
    session.sim.reset('ready');
    const run = await setup([]);
    expect(run.exitCode).toBe(0);
    const policy = step(resultOf(run), 'policy');
    expect(policy).toMatchObject({ status: 'ok', writes: 0, plan: [] });
    expect(policy.summary).toBe("The org's policy says what config says (Active).");
    expect(writes()).toHaveLength(0);
    expect(await policyItem()).toMatchObject({ status: 'pass', evidence: `${NAME} is Active.` });
  });

  it('refuses to deploy over the Active policy when config changed (exit 2, nothing written), and --force deploys it, deactivating it', async () => {
    session.sim.reset('ready');
    const dir = project({ config: withGroupRule() });
    expect((await runCommand(PermsetsPolicy, ['--write', '--json'], { cwd: dir })).exitCode).toBe(0);
    const before = stored();
    const refused = await setup([], dir);
    expect(refused.exitCode).toBe(2);
    expect(refused.json?.name).toBe('PolicyActive');
    expect(refused.json?.message).toContain('A deploy deactivates it');
    // Each action is a command to paste: setup as it was run, with --force, or without the policy step.
    expect(refused.json?.actions).toEqual([
      'Run `ce-connect setup --yes --json --only policy -o sim --force` to deploy it anyway (the deploy deactivates it), then activate it again in Setup (User Access Policies, automate it).',
      "Or leave the org's policy as it is and run setup without this step: `ce-connect setup --yes --json -o sim --skip policy`.",
    ]);
    expect(writes()).toHaveLength(0);
    expect(stored()).toBe(before);

    const forced = await setup(['--force'], dir);
    expect(forced.exitCode).toBe(0);
    const policy = step(resultOf(forced), 'policy');
    expect(policy).toMatchObject({ status: 'done', writes: 1 });
    expect(policy.plan[0]).toContain('over the Active one (--force), which deactivates it');
    expect((policy.details as PolicyDeployResult).after?.status).toBe('Design');
    expect(policy.fix).toContain('Activate it in Setup');
    expect(status()).toBe('Design');
    expect(stored()).toContain('<target>Support_Team</target>');
    expect(await policyItem()).toMatchObject({ status: 'warn', fix: expect.stringContaining('automate it') });
  });

  it('has permsets apply warn when the project’s file no longer says what config says', async () => {
    session.sim.reset('ready');
    const dir = project({ config: withGroupRule(), withFile: true });
    const run = await session.run(PermsetsApply, ['--json', '--yes'], { cwd: dir });
    expect(run.exitCode).toBe(0);
    expect(resultOf(run).warnings).toEqual([
      expect.stringContaining(
        'The User Access Policy file no longer says what permissionSet.assignees says, so new users get the permission set by other rules than these: booleanFilter'
      ),
    ]);
    expect(resultOf(run).warnings[0]).toContain('ce-connect setup -o sim --only policy');
  });

  it('takes a config of another name: the org’s policy, made from config/ce-connect.json, is the same policy', async () => {
    session.sim.reset('ready');
    const dir = project({ withFile: true });
    copyFileSync(join(dir, 'config', 'ce-connect.json'), join(dir, 'config', 'prod.json'));
    const run = await setup(['--config', 'config/prod.json'], dir);
    expect(run.exitCode).toBe(0);
    expect(step(resultOf(run), 'policy')).toMatchObject({ status: 'ok', writes: 0, plan: [] });
    expect(writes()).toHaveLength(0);
  });

  it('refuses a project file that does not say what config says (exit 2, nothing written)', async () => {
    session.sim.reset('ready');
    const dir = project({ config: withGroupRule(), withFile: true });
    const run = await setup([], dir);
    expect(run.exitCode).toBe(2);
    expect(run.json?.name).toBe('PolicyFileOutOfDate');
    expect(run.json?.actions).toEqual([
      'Run `ce-connect permsets policy --write` to bring the file in line with the config, review and commit the change, then run `ce-connect setup --yes --json --only policy -o sim` again.',
    ]);
    expect(writes()).toHaveLength(0);
  });

  it('checks the project file against config before anything is planned, even when the packages come first', async () => {
    session.sim.reset('outdated');
    const dir = project({ config: withGroupRule(), withFile: true });
    const run = await session.run(Setup, ['--yes', '--json', '--only', 'packages,policy'], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.json?.name).toBe('PolicyFileOutOfDate');
    // Not a package installed: the file was checked before the packages' plan was even read.
    expect(writes()).toHaveLength(0);
    expect(session.sim.requests.some((r) => r.path.includes('PackageInstallRequest'))).toBe(false);
  });

  it('stops with exit 2 when the policy planned after an install would deactivate an Active one, naming what was applied and the commands that continue', async () => {
    session.sim.reset('outdated');
    // The org has config's policy, Active, but someone changed its profile in Setup.
    const changed = readFileSync(
      join(PROJECT_ROOT, 'simulator/scenarios/policies', `${NAME}.useraccesspolicy-meta.xml`),
      'utf8'
    ).replace('<target>Standard</target>', '<target>ReadOnly</target>');
    session.sim.org.putMetadata('UserAccessPolicy', NAME, changed);
    const dir = project({ withFile: true });
    const argv = ['--yes', '--json', '--only', 'packages,policy'];
    const run = await session.run(Setup, argv, { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.json?.name).toBe('PolicyActive');
    expect(run.json?.message).toContain('nothing was deployed');
    expect(run.json?.message).toMatch(
      /Applied before it: packages \(\d+ write\(s\)\); nothing after it was written\.$/
    );
    expect(run.json?.actions).toEqual([
      'Run `ce-connect setup --yes --json --only packages,policy -o sim --force` to deploy it anyway (the deploy deactivates it), then activate it again in Setup (User Access Policies, automate it).',
      "Or leave the org's policy as it is and run setup without this step: `ce-connect setup --yes --json -o sim --only packages`.",
    ]);
    expect(run.json?.data).toMatchObject({ step: 'policy', applied: ['packages'], status: 'Active' });
    // The packages stay installed; the org's policy is untouched.
    expect(stored()).toBe(changed);
    expect(status()).toBe('Active');
    const deploys = session.sim.requests.filter((r) => r.write && r.api === 'soap');
    expect(deploys).toHaveLength(0);

    // The first action continues: the packages are in, so only the policy is left.
    session.sim.requests.length = 0;
    const forced = await session.run(Setup, [...argv, '--force'], { cwd: dir });
    expect(forced.exitCode).toBe(0);
    expect(step(resultOf(forced), 'packages')).toMatchObject({ status: 'ok', writes: 0 });
    expect(step(resultOf(forced), 'policy')).toMatchObject({ status: 'done', writes: 1 });
    expect(stored()).toContain('<target>Standard</target>');
  });

  it('names both causes of a refused deploy, and the command that continues', async () => {
    session.sim.reset('ready');
    session.sim.org.deleteMetadata('UserAccessPolicy', NAME);
    // The auditor sees Setup but may not manage user access policies.
    await session.loginAs('auditor@acme.example', 'auditor');
    const run = await session.run(Setup, ['--yes', '--json', '--only', 'policy', '-o', 'auditor']);
    expect(run.exitCode).toBe(1);
    const policy = step(resultOf(run), 'policy');
    expect(policy.status).toBe('failed');
    expect(policy.summary).toContain('You need the Manage User Access Policies permission');
    expect(policy.fix).toBe(
      'If user access policies are off in this org: turn them on in Setup > User Management Settings > User Access Policies, then run `ce-connect setup --yes --json --only policy -o auditor` again. ' +
        'If the user who runs ce-connect lacks the "Manage User Access Policies" permission (deploying a policy needs it): assign it through a permission set (Setup > Permission Sets > System Permissions), or run as a user who has it, then run `ce-connect setup --yes --json --only policy -o auditor` again.'
    );
    expect(session.sim.org.getMetadata('UserAccessPolicy', NAME)).toBeUndefined();
  });

  it('says which permission is missing when the org will not show its user access policies', async () => {
    session.sim.reset('ready');
    // A Standard User sees no Setup.
    await session.loginAs('jane.doe@acme.example', 'jane');
    const run = await session.run(Setup, ['--yes', '--json', '--only', 'policy', '-o', 'jane']);
    expect(run.exitCode).toBe(0);
    const policy = step(resultOf(run), 'policy');
    expect(policy).toMatchObject({ status: 'manual', writes: 0 });
    expect(policy.summary).toContain("The org's user access policies could not be read: not deployed (INVALID_TYPE");
    expect(policy.fix).toBe(
      'Run it as a user with "View Setup and Configuration" (deploying the policy also needs "Manage User Access Policies"), then run `ce-connect setup --yes --json --only policy -o jane` again.'
    );
    const item = resultOf(await session.run(Checklist, ['--json', '-o', 'jane']))
      .sections.flatMap((s) => s.items)
      .find((i) => i.id === 'permsets.policy');
    expect(item).toMatchObject({
      status: 'warn',
      evidence: expect.stringContaining("Could not read the org's user access policies: INVALID_TYPE"),
      fix: expect.stringContaining('Run it as a user with "View Setup and Configuration"'),
    });
    expect(writes()).toHaveLength(0);
  });

  it('warns in the checklist when the Active policy in the org no longer says what config says', async () => {
    session.sim.reset('ready');
    const changed = (session.sim.org.getMetadata('UserAccessPolicy', NAME)?.content ?? '').replace(
      '<target>Standard</target>',
      '<target>ReadOnly</target>'
    );
    session.sim.org.putMetadata('UserAccessPolicy', NAME, changed);
    expect(status()).toBe('Active');
    expect(await policyItem()).toMatchObject({
      status: 'warn',
      evidence: `${NAME} in the org (Active) no longer says what config says: userAccessPolicyFilters: config gives #1 Profile equals Standard, the org's policy does not; userAccessPolicyFilters: the org's policy has #1 Profile equals ReadOnly, config does not.`,
      fix: expect.stringContaining('`ce-connect setup -o sim --only policy --force`'),
    });
    expect(writes()).toHaveLength(0);
  });

  it('leaves the step to the admin when user access policies are off, and the checklist says which setting', async () => {
    session.sim.reset({ ...loadScenario('ready'), settings: {}, metadata: [] });
    const run = await setup([]);
    expect(run.exitCode).toBe(0);
    const policy = step(resultOf(run), 'policy');
    expect(policy).toMatchObject({ status: 'manual', writes: 0 });
    expect(policy.fix).toContain('Setup > User Management Settings > User Access Policies');
    expect(writes()).toHaveLength(0);
    expect(await policyItem()).toMatchObject({
      status: 'warn',
      evidence: 'User access policies are turned off in this org (User Management Settings).',
      fix: expect.stringContaining('ce-connect setup -o sim --only policy'),
    });
  });

  it('waits for the permission set’s API name in a config from before the policy, without stopping setup', async () => {
    session.sim.reset('ready');
    const config = structuredClone(SHIPPED);
    delete config.permissionSet.name;
    const dir = project({ config });
    const run = await setup([], dir);
    expect(run.exitCode).toBe(0);
    const policy = step(resultOf(run), 'policy');
    expect(policy).toMatchObject({ status: 'manual', writes: 0 });
    expect(policy.fix).toContain('ce-connect discover -o sim --write');
    const item = resultOf(await session.run(Checklist, ['--json'], { cwd: dir }))
      .sections.flatMap((s) => s.items)
      .find((i) => i.id === 'permsets.policy');
    expect(item).toMatchObject({ status: 'warn', evidence: expect.stringContaining('permissionSet.name is not set') });
    expect(writes()).toHaveLength(0);
  });

  it('deploys it on an outdated org; once the admin activates it, a second setup writes nothing and the item passes', async () => {
    session.sim.reset('outdated');
    fixIntegrationUserAsConfigured(session.sim.org, SHIPPED);
    expect(await policyItem()).toMatchObject({
      status: 'warn',
      evidence: `The org has no User Access Policy ${NAME}.`,
    });
    const first = await session.run(Setup, ['--yes', '--json', '--only', 'packages,permsets,policy']);
    expect(first.exitCode).toBe(0);
    expect(step(resultOf(first), 'policy')).toMatchObject({ status: 'done', writes: 1 });
    expect(status()).toBe('Design');
    expect(await policyItem()).toMatchObject({
      status: 'warn',
      evidence: `${NAME} is in Design status: it does not run until it is Active.`,
    });

    activateUserAccessPolicy(session.sim.org, NAME);
    session.sim.requests.length = 0;
    const second = await session.run(Setup, ['--yes', '--json', '--only', 'packages,permsets,policy']);
    expect(second.exitCode).toBe(0);
    expect(resultOf(second).writes).toBe(0);
    expect(writes()).toHaveLength(0);
    expect(step(resultOf(second), 'policy').status).toBe('ok');
    expect(await policyItem()).toMatchObject({ status: 'pass' });
  });
});
