import { jest } from '@jest/globals';
import { StateAggregator } from '@salesforce/core';
import type { ScratchResult } from '../../src/commands/ce/scratch.js';
import { loadScenario } from '../../simulator/scenario.js';
import type { SimOrg } from '../../simulator/server.js';
import type { Scenario } from '../../simulator/types.js';
import { type CliProcess, startCli } from '../helpers/cli.js';
import type { Envelope } from '../helpers/command.js';
import { projectCopy } from '../helpers/project.js';
import { type SimSession, startSimSession } from '../helpers/simulator.js';

jest.setTimeout(180_000);

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

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
});
