import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { StateAggregator } from '@salesforce/core';
import type { ScratchResult } from '../../src/commands/ce/scratch.js';
import { loadScenario } from '../../simulator/scenario.js';
import type { SimOrg } from '../../simulator/server.js';
import type { Scenario } from '../../simulator/types.js';
import { type CliProcess, PROJECT_ROOT, startCli } from '../helpers/cli.js';
import type { Envelope } from '../helpers/command.js';
import { projectCopy } from '../helpers/project.js';
import { type SimSession, loginInProcess, startSimSession } from '../helpers/simulator.js';

jest.setTimeout(180_000);

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The script of a step of the org-validation workflow's scratch job, as the runner hands it to bash. */
function workflowStep(name: string): string {
  const workflow = readFileSync(join(PROJECT_ROOT, '.github', 'workflows', 'org-validation.yml'), 'utf8');
  const job = workflow.slice(workflow.indexOf('\n  scratch:\n'), workflow.indexOf('\n  sandbox:\n'));
  const from = job.indexOf(`- name: ${name}\n`);
  if (from < 0) throw new Error(`No step "${name}" in the scratch job`);
  const next = job.indexOf('\n      - ', from);
  const step = job.slice(from, next < 0 ? undefined : next + 1);
  const block = /\n\s+run: \|\n((?:\s{10}.*\n)+)/.exec(step);
  if (block) return block[1].replace(/^ {10}/gm, '');
  const line = /\n\s+run: (.+)\n/.exec(step);
  if (!line) throw new Error(`No run in the step "${name}" of the scratch job`);
  return line[1];
}

/**
 * Starts a workflow step's script in the checkout as the runner does for `shell: bash` (the script written to a
 * file, run with `bash --noprofile --norc -eo pipefail <file>`), with this test's sf home.
 */
function startStep(script: string, env: NodeJS.ProcessEnv) {
  const file = join(mkdtempSync(join(tmpdir(), 'ce-runner-step-')), 'step.sh');
  writeFileSync(file, `${script}\n`);
  const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const ended = new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
  return { child, ended };
}

const runStep = (script: string, env: NodeJS.ProcessEnv) => startStep(script, env).ended;

// Real processes: Ctrl-C and a CI runner cancelling the job are signals to the CLI's process, and 130 and 143 are
// that process's exit codes. The Dev Hub and its scratch orgs are simulated; the CLI logs in as the Dev Hub from
// this file's HOME.
describe('ce-connect scratch, interrupted', () => {
  let session: SimSession;
  beforeAll(async () => {
    session = await startSimSession({ scenario: 'devhub', alias: 'devhub', clock: 'real' });
  });
  afterAll(async () => session?.stop());

  const hub = (devHub: Partial<NonNullable<Scenario['devHub']>> = {}): Scenario => {
    const shipped = loadScenario('devhub');
    return { ...shipped, devHub: { ...(shipped.devHub as NonNullable<Scenario['devHub']>), ...devHub } };
  };
  const scratchOrgs = (): SimOrg[] => session.sim.orgs.filter((o) => o.createdBy === session.sim.key);
  const hubWrites = () =>
    session.sim.requests.filter((r) => r.write).map((r) => `${r.method} ${r.path.replace(/^.*\/sobjects\//, '')}`);

  /** Starts `scratch` as a process, and waits until `ready` says the run is where the signal should land. */
  async function startThenSignal(args: string[], ready: () => boolean, signal: NodeJS.Signals) {
    const cli: CliProcess = startCli(['scratch', '-v', 'devhub', ...args, '--json'], {
      cwd: projectCopy(),
      env: session.env,
    });
    let exited = false;
    void cli.ended.then(() => (exited = true));
    try {
      const deadline = Date.now() + 90_000;
      while (!ready() && !exited && Date.now() < deadline) await pause(25);
      expect({ ready: ready(), exited }).toEqual({ ready: true, exited: false });
      cli.child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), 60_000)));
      const ended = await Promise.race([cli.ended, hung]);
      clearTimeout(timer);
      if (ended === 'hung') throw new Error(`scratch did not end after ${signal}:\n${cli.output()}`);
      return { ...ended, envelope: JSON.parse(ended.stdout) as Envelope<never> & { data: ScratchResult } };
    } finally {
      if (!exited) cli.child.kill('SIGKILL');
    }
  }

  it('deletes the scratch org on Ctrl-C while the packages install, then exits 130 saying so', async () => {
    session.sim.reset(hub({ readsUntilActive: 0 }));
    // The first package install request has reached the new scratch org: the run is in its packages stage.
    const installing = () =>
      scratchOrgs().some((o) => o.requests.some((r) => r.method === 'POST' && /PackageInstallRequest/.test(r.path)));
    const run = await startThenSignal([], installing, 'SIGINT');
    if (run.exitCode !== 130) process.stderr.write(run.stderr);
    expect(run.exitCode).toBe(130);
    expect(run.envelope).toMatchObject({ name: 'ScratchInterrupted', status: 130 });
    expect(run.envelope.message).toContain('stopped by SIGINT during "Install the CE packages"');
    expect(run.envelope.message).toMatch(/The scratch org test-\w+@example\.com was deleted\./);
    const data = run.envelope.data;
    expect(data).toMatchObject({ interrupted: 'SIGINT', deleted: true, kept: false, validated: false });
    expect(data.stages.map((s) => [s.id, s.status])).toEqual([
      ['create', 'done'],
      ['packages', 'interrupted'],
      ['deploy', 'not-run'],
      ['setup', 'not-run'],
      ['checklist', 'not-run'],
      ['delete', 'done'],
    ]);
    expect(run.envelope.actions?.at(-1)).toBe('Run `ce-connect scratch -v devhub --json` again.');
    // The Dev Hub's last write deleted the org; the org is gone, and so is its local login.
    expect(hubWrites().at(-1)).toMatch(/^DELETE ActiveScratchOrg\/2AS/);
    expect(scratchOrgs().map((o) => o.status)).toEqual(['deleted']);
    expect(session.sim.org.all('ActiveScratchOrg')).toEqual([]);
    StateAggregator.clearInstance();
    expect(await (await StateAggregator.getInstance()).orgs.exists(String(data.username))).toBe(false);
  });

  it('ends the signup request on SIGTERM while the Dev Hub is still making the org, then exits 143: no org left', async () => {
    // A Dev Hub that takes its time: the signup stays New for as long as this test lasts.
    session.sim.reset(hub({ readsUntilActive: 1_000 }));
    const statusRead = () =>
      session.sim.requests.some((r) => r.method === 'GET' && /sobjects\/ScratchOrgInfo\/2SR/.test(r.path));
    const run = await startThenSignal(['--alias', 'ce-scratch'], statusRead, 'SIGTERM');
    if (run.exitCode !== 143) process.stderr.write(run.stderr);
    expect(run.exitCode).toBe(143);
    expect(run.envelope).toMatchObject({ name: 'ScratchInterrupted', status: 143 });
    expect(run.envelope.message).toContain('stopped by SIGTERM during "Create the scratch org"');
    const [request] = session.sim.org.all('ScratchOrgInfo', { includeDeleted: true });
    expect(run.envelope.message).toContain(`signup request ${String(request.Id)} was deleted, so no org is left`);
    expect(run.envelope.data).toMatchObject({
      interrupted: 'SIGTERM',
      signupRequest: { id: request.Id, ended: true },
      kept: false,
    });
    expect(run.envelope.data.stages.map((s) => [s.id, s.status])).toEqual([
      ['create', 'interrupted'],
      ['packages', 'not-run'],
      ['deploy', 'not-run'],
      ['setup', 'not-run'],
      ['checklist', 'not-run'],
      ['delete', 'done'],
    ]);
    expect(hubWrites()).toEqual(['POST ScratchOrgInfo', `DELETE ScratchOrgInfo/${String(request.Id)}`]);
    expect(session.sim.org.all('ScratchOrgInfo')).toEqual([]);
    expect(scratchOrgs()).toEqual([]);
  });
  // The workflow's own clean-up step, as the runner runs it after a job that was killed outright (SIGKILL: no
  // chance to clean up): it deletes what the run left, an org under the run's alias or a signup still running.
  it.each([
    ['an org logged in under the alias (killed while the packages install)', 0, 'installing'],
    ['a signup the Dev Hub was still working on (killed before the org was made)', 2, 'signup'],
  ] as const)('the workflow clean-up step deletes %s', async (_what, readsUntilActive, killAt) => {
    session.sim.reset(hub({ readsUntilActive }));
    const cli = startCli(['scratch', '-v', 'devhub', '--alias', 'ce-scratch', '--json'], {
      cwd: projectCopy(),
      env: session.env,
    });
    const reached =
      killAt === 'installing'
        ? () => scratchOrgs().some((o) => o.requests.some((r) => /PackageInstallRequest/.test(r.path)))
        : () => session.sim.requests.some((r) => r.method === 'GET' && /sobjects\/ScratchOrgInfo\/2SR/.test(r.path));
    const deadline = Date.now() + 90_000;
    while (!reached() && Date.now() < deadline) await pause(25);
    cli.child.kill('SIGKILL');
    await cli.ended;
    expect(reached()).toBe(true);
    expect(session.sim.org.all('ScratchOrgInfo').map((i) => i.Status)).toEqual([
      killAt === 'installing' ? 'Active' : 'New',
    ]);

    const step = await runStep(workflowStep('Clean up'), session.env);
    if (step.code !== 0) process.stderr.write(step.output);
    expect(step.code).toBe(0);
    // The org is gone from the Dev Hub: its request Deleted, no active scratch org, the simulated org closed.
    expect(session.sim.org.all('ScratchOrgInfo').map((i) => i.Status)).toEqual(['Deleted']);
    expect(session.sim.org.all('ActiveScratchOrg')).toEqual([]);
    expect(scratchOrgs().map((o) => o.status)).toEqual(['deleted']);
    // The step logs out of every org, the Dev Hub included: log it in again for the next test.
    StateAggregator.clearInstance();
    expect(await (await StateAggregator.getInstance()).orgs.exists(session.sim.username)).toBe(false);
    await loginInProcess(session.sim.instanceUrl, session.sim.accessToken, 'devhub');
  });
  // The runner signals the step's entry process, the shell (SIGINT at a cancel, SIGTERM 7.5 s later): the step
  // execs ce-connect, so the shell's signal is ce-connect's, which deletes the org.
  it("the workflow's scratch step takes the runner's SIGINT: the org is deleted, exit 130", async () => {
    session.sim.reset(hub({ readsUntilActive: 0 }));
    const runnerTemp = mkdtempSync(join(tmpdir(), 'ce-runner-temp-'));
    const step = startStep(workflowStep('Scratch org, setup, checklist'), { ...session.env, RUNNER_TEMP: runnerTemp });
    const installing = () =>
      scratchOrgs().some((o) => o.requests.some((r) => r.method === 'POST' && /PackageInstallRequest/.test(r.path)));
    const deadline = Date.now() + 90_000;
    while (!installing() && step.child.exitCode === null && Date.now() < deadline) await pause(25);
    expect(installing()).toBe(true);
    step.child.kill('SIGINT');
    const { code, output } = await step.ended;
    if (code !== 130) process.stderr.write(output);
    expect(code).toBe(130);
    expect(output).toContain('stopped by SIGINT during "Install the CE packages"');
    expect(output).toMatch(/The scratch org test-\w+@example\.com was deleted\./);
    expect(scratchOrgs().map((o) => o.status)).toEqual(['deleted']);
    expect(hubWrites().at(-1)).toMatch(/^DELETE ActiveScratchOrg\/2AS/);
  });
});
