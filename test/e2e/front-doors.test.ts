// The `ce-connect` bin as an admin runs it: a real Node process on the compiled lib/, which is where start-up,
// oclif's command lookup from the manifest, the `ce` topic mapping and the exit code reach the shell. Every
// other command test runs in process; these are the ones a process is the point of.
import { jest } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BackfillPlan from '../../src/commands/ce/backfill/plan.js';
import Checklist from '../../src/commands/ce/checklist.js';
import ConfigCheck from '../../src/commands/ce/config/check.js';
import EnrollmentsUnlinked from '../../src/commands/ce/enrollments/unlinked.js';
import IntegrationUserCheck from '../../src/commands/ce/integration-user/check.js';
import LayoutsApply from '../../src/commands/ce/layouts/apply.js';
import PackagesCheck from '../../src/commands/ce/packages/check.js';
import PermsetsApply from '../../src/commands/ce/permsets/apply.js';
import SyncVerify from '../../src/commands/ce/sync/verify.js';
import { runCli } from '../helpers/cli.js';
import { type CommandClass, runCommand } from '../helpers/command.js';
import { type SimSession, startSimSession } from '../helpers/simulator.js';

// A Node start-up is about a second on a quiet machine, several under load.
jest.setTimeout(60_000);

describe('the ce-connect bin', () => {
  it('lists its commands in --help, without the ce topic', async () => {
    const { exitCode, stdout } = await runCli(['--help']);
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/packages/);
    expect(stdout).not.toContain('ce-connect ce ');
  });

  it('prints its version', async () => {
    const { exitCode, stdout } = await runCli(['--version']);
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/^ce-connect\/\d+\.\d+\.\d+/);
  });

  it('exits 2 on an unknown flag, naming it', async () => {
    const { exitCode, stderr } = await runCli(['config', 'check', '--no-such-flag']);
    expect(exitCode).toBe(2);
    expect(stderr).toContain('--no-such-flag');
  });

  it('shows the bare bin in a command help, and accepts the ce topic too', async () => {
    const help = await runCli(['packages', 'check', '--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('$ ce-connect packages check -o prod');
    expect(help.stdout).not.toContain('ce-connect ce ');
    const withTopic = await runCli(['ce', 'config', 'check', '--json']);
    expect(withTopic.exitCode).toBe(0);
  });
});

// One command of every topic through bin/run.js against the simulated org, compared with the same command run in
// process: the same exit code, envelope status and result fields, so the in-process tests speak for the bin.
describe('one command per topic through the bin, as in process', () => {
  let session: SimSession;
  const dir = mkdtempSync(join(tmpdir(), 'ce-front-door-'));
  const exportFile = join(dir, 'export.csv');
  writeFileSync(
    exportFile,
    'northpass__External_Id__c,northpass__Learner_Email__c,northpass__Last_Synced_At__c\nnp-1,a@acme.example,2025-12-01T08:00:00Z\n'
  );

  beforeAll(async () => {
    session = await startSimSession({ scenario: 'ready' });
  });
  afterAll(() => session.stop());

  const cases: Array<[string, CommandClass<unknown>, string[], boolean]> = [
    ['packages check', PackagesCheck, [], true],
    ['config check', ConfigCheck, [], false],
    ['integration-user check', IntegrationUserCheck, [], true],
    ['permsets apply', PermsetsApply, ['--dry-run'], true],
    ['layouts apply', LayoutsApply, ['--dry-run'], true],
    ['enrollments unlinked', EnrollmentsUnlinked, [], true],
    ['sync verify', SyncVerify, ['--email', 'nobody@acme.example', '--timeout', '1s'], true],
    ['backfill plan', BackfillPlan, ['--export', exportFile, '--existing', exportFile], false],
    ['checklist', Checklist, [], true],
  ];

  it.each(cases)('%s', async (words, Command, argv, needsOrg) => {
    const org = needsOrg ? ['-o', session.alias] : [];
    const out = (side: string): string[] => (words === 'backfill plan' ? ['--out-dir', join(dir, side)] : []);
    session.sim.reset('ready');
    const viaBin = await runCli([...words.split(' '), ...argv, ...org, ...out('bin'), '--json'], {
      env: session.env,
    });
    session.sim.reset('ready');
    const inProcess = await runCommand(Command, [...argv, ...org, ...out('in-process'), '--json']);
    expect(viaBin.json).toBeDefined();
    expect(viaBin.exitCode).toBe(inProcess.exitCode);
    expect(viaBin.json?.status).toBe(inProcess.json?.status);
    expect(viaBin.json?.name).toBe(inProcess.json?.name);
    expect(Object.keys((viaBin.json?.result ?? {}) as object).sort()).toEqual(
      Object.keys(inProcess.result ?? {}).sort()
    );
  });
});
