/**
 * Runs `setup` and `checklist` against a real org, through the real CLI, with @salesforce/cli-plugins-testkit.
 *
 * Needs one of:
 *   TESTKIT_AUTH_URL      an sfdx auth URL (`sf org display --verbose`) of a sandbox or scratch org to set up;
 *   TESTKIT_ORG_USERNAME  the username of an org already authenticated on this machine.
 * Without them every test is skipped, and the run says so.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { execCmd, TestSession } from '@salesforce/cli-plugins-testkit';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const haveOrg = Boolean(process.env.TESTKIT_AUTH_URL || process.env.TESTKIT_ORG_USERNAME);
const describeWithOrg = haveOrg ? describe : describe.skip;

if (!haveOrg) {
  process.stdout.write('NUTs skipped: set TESTKIT_AUTH_URL or TESTKIT_ORG_USERNAME to run them against a real org.\n');
}

type Envelope<T> = { status: number; result: T };

describeWithOrg('ce-connect against a real org', () => {
  let session: TestSession;
  let username: string;

  beforeAll(async () => {
    process.env.TESTKIT_EXECUTABLE_PATH = join(PROJECT_ROOT, 'bin', 'run.js');
    session = await TestSession.create({
      project: { sourceDir: PROJECT_ROOT },
      devhubAuthStrategy: process.env.TESTKIT_AUTH_URL ? 'AUTH_URL' : 'NONE',
    });
    username = process.env.TESTKIT_ORG_USERNAME ?? session.hubOrg.username ?? '';
  });

  afterAll(async () => {
    await session?.clean();
  });

  it('sets the org up and a second run writes nothing', () => {
    const first = execCmd<{ ok: boolean }>(`setup -o ${username} --yes --json`, { ensureExitCode: 0 });
    expect((first.jsonOutput as Envelope<{ ok: boolean }>).result.ok).toBe(true);
    const second = execCmd<{ writes: number }>(`setup -o ${username} --yes --json`, { ensureExitCode: 0 });
    expect((second.jsonOutput as Envelope<{ writes: number }>).result.writes).toBe(0);
  });

  it('passes the checklist', () => {
    const run = execCmd<{ summary: { ok: boolean } }>(`checklist -o ${username} --json`, { ensureExitCode: 0 });
    expect((run.jsonOutput as Envelope<{ summary: { ok: boolean } }>).result.summary.ok).toBe(true);
  });
});
