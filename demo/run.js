// `npm run demo`: ce-connect against the bundled simulated org (a local test double of Salesforce), from a
// fresh clone, with nothing to set up. It starts the simulator on the `outdated` scenario (Acme's org after the
// November 2025 incident), logs the real `sf` CLI into it in a throw-away HOME, runs the commands below, and
// always stops the simulator and removes the HOME again.
//
// `npm run demo` runs this file through tsx, so it imports the TypeScript simulator as it is; the CLI it runs is
// the built one (bin/run.js), as an admin gets it.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { activateUserAccessPolicy, fixIntegrationUserAsConfigured } from '../simulator/admin-playbook.js';
import { schedulePush } from '../simulator/ce-sync.js';
import { scheduleLogin } from '../simulator/logins.js';
import { startSimulator } from '../simulator/server.js';
import { addQueryGuard } from '../simulator/soql.js';
import { configFor } from '../test/helpers/fleet.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'bin', 'run.js');
const SF = join(ROOT, 'node_modules', '@salesforce', 'cli', 'bin', 'run.js');
const SCENARIO = 'outdated';

// The demo's story, in order. Each CLI step runs `ce-connect <args> -o sim`; `expectExit` is the exit code a
// correct tool gives at that point. `before` plays a person (the Salesforce admin, the CE admin) on the
// simulated org, the way they would act in Setup or in CE between two commands.
const OUT = join(ROOT, 'ce-connect-output', 'demo');
const EXPORT = join(ROOT, 'demo', 'ce-enrollments-export.csv');
const TEST_LEARNER = 'ana.silva@acme.example';
const STEPS = [
  { title: 'Which CE packages are installed, and are they recent enough?', args: ['packages', 'check'], expectExit: 1 },
  { title: 'What would setup change? (a dry run writes nothing)', args: ['setup', '--dry-run'], expectExit: 0 },
  {
    title: 'Run the runbook. It stops at the first failing step, with its fix: the integration user is an admin.',
    args: ['setup', '--yes', '--poll-interval', '1', '--backup-dir', join(OUT, 'backups')],
    expectExit: 1,
  },
  {
    title: 'Run it again with the test enrollment and the CE export: every step, then the backfill.',
    before: playAdminsAndCe,
    args: [
      'setup',
      '--yes',
      '--poll-interval',
      '1',
      // The simulated CE answers within seconds: short waits make their polls come seconds apart too.
      '--wait-connect',
      '1',
      '--sync-timeout',
      '2m',
      '--test-email',
      TEST_LEARNER,
      '--course',
      'Admin Essentials',
      '--export',
      EXPORT,
      '--out-dir',
      join(OUT, 'backfill'),
      '--backup-dir',
      join(OUT, 'backups'),
    ],
    expectExit: 0,
  },
  {
    title: 'Backfilled enrollments carry no Contact: link them by learner email.',
    args: ['enrollments', 'relink', '--yes'],
    expectExit: 0,
  },
  {
    title: 'Safe to run again: a second setup (same export) plans nothing and writes nothing.',
    before: activatePolicy,
    args: ['setup', '--yes', '--export', EXPORT, '--out-dir', join(OUT, 'backfill-again'), '--json'],
    expectExit: 0,
    expectWrites: 0,
  },
  {
    title: 'The verification checklist, with the backfill, as a report to paste into a ticket.',
    args: [
      'checklist',
      '--backfill-dir',
      join(OUT, 'backfill'),
      '--format',
      'html',
      '--out',
      join(OUT, 'checklist.html'),
    ],
    expectExit: 0,
  },
  { title: 'And on the terminal:', args: ['checklist', '--backfill-dir', join(OUT, 'backfill')], expectExit: 0 },
];

/**
 * Between the failed and the full setup: the Salesforce admin follows the integration-user fix, and the CE
 * admin reconnects (an OAuth login as the integration user once setup starts waiting for it) and enrolls the
 * test learner (CE pushes the record a moment after setup starts looking for it).
 */
function playAdminsAndCe(sim) {
  const config = JSON.parse(readFileSync(join(ROOT, 'config', 'ce-connect.json'), 'utf8'));
  const changes = fixIntegrationUserAsConfigured(sim.org, config);
  console.log('[The Salesforce admin follows the fix in Setup (played on the simulated org):]');
  for (const change of changes) console.log(`  - ${change}`);
  console.log(
    '[The CE admin reconnects as the integration user and enrolls a test learner (played by the simulator).]'
  );
  const once = (object, action) => {
    let done = false;
    addQueryGuard(sim.org, object, () => {
      if (!done) action();
      done = true;
    });
  };
  // The learner is enrolled only once CE is connected: setup reads the Enrollment object earlier too (planning
  // the backfill), and a record pushed then would predate the test enrollment's wait.
  once('LoginHistory', () => {
    scheduleLogin(sim.org, 1500, { username: config.integrationUser.username, sourceIp: '203.0.113.24' });
    once(config.enrollment.object, () =>
      schedulePush(sim.org, {
        afterMs: 1500,
        email: TEST_LEARNER,
        courseName: 'Admin Essentials',
        courseId: 'crs-101',
        progress: 0,
      })
    );
  });
}

/** The Salesforce admin activates the User Access Policy setup deployed (it lands in Design), as Setup does. */
function activatePolicy(sim) {
  console.log('[The Salesforce admin activates the User Access Policy in Setup (played on the simulated org):]');
  console.log(`  - ${activateUserAccessPolicy(sim.org, 'Northpass_Standard_User')}`);
}

/**
 * The same tool on a consultancy's fleet: a second simulator serving the `fleet` scenario's eight orgs, each logged
 * in with the sf CLI under its own alias and listed with a config of its own, checked by one `fleet checklist`.
 * Some orgs fail on purpose (outdated ones, a revoked login, an exhausted API allowance), so it exits 1.
 */
async function fleetChapter(env) {
  const fleet = await startSimulator({ scenario: 'fleet' });
  try {
    const dir = join(OUT, 'fleet-input');
    mkdirSync(join(dir, 'configs'), { recursive: true });
    console.log(
      `\n# Many orgs: ${fleet.orgs.length} more simulated orgs (simulator/scenarios/fleet.json), one sf login each.`
    );
    // Two logins at a time: each is an sf process, and the machine may be busy.
    const queue = [...fleet.orgs];
    const login = async () => {
      for (let org = queue.shift(); org; org = queue.shift()) {
        // Umbrella's stored login predates the revocation of its session (the scenario's fault, put back below).
        org.faults.clear();
        const done = await run(
          SF,
          ['org', 'login', 'access-token', '--instance-url', org.instanceUrl, '--alias', org.key, '--no-prompt'],
          { ...env, SF_ACCESS_TOKEN: org.accessToken },
          { capture: true }
        );
        if (done.code !== 0) throw new Error(`sf org login access-token failed for ${org.key}:\n${done.output}`);
        writeFileSync(join(dir, 'configs', `${org.key}.json`), configFor(org));
      }
    };
    await Promise.all([login(), login()]);
    for (const org of fleet.orgs) org.reset();
    const list = join(dir, 'orgs.csv');
    writeFileSync(list, ['org,config', ...fleet.orgs.map((o) => `${o.key},configs/${o.key}.json`)].join('\n') + '\n');
    console.log(readFileSync(list, 'utf8').trimEnd());
    const args = ['fleet', 'checklist', '--orgs', list, '--out-dir', join(OUT, 'fleet')];
    console.log(
      `\n# Check the whole fleet in one process, with one report.\n$ npx ce-connect ${args.map(quote).join(' ')}`
    );
    const { code } = await run(CLI, args, env);
    const verdict = code === 1 ? 'as expected: some orgs fail on purpose' : 'UNEXPECTED, expected 1';
    console.log(`(exit code ${code}: ${verdict})`);
    console.log(
      `The fleet's report: ${join(OUT, 'fleet', 'fleet.html')}; for the CE admin: ${join(OUT, 'fleet', 'ce-handoff.csv')}`
    );
    return code === 1 ? 0 : 1;
  } finally {
    await fleet.stop();
  }
}

function quote(arg) {
  return /[\s"']/.test(arg) ? `"${arg}"` : arg;
}

function run(command, args, env, options = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [command, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: options.capture ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    let output = '';
    let stdout = '';
    if (options.capture) {
      child.stdout.on('data', (c) => {
        output += c;
        stdout += c;
      });
      child.stderr.on('data', (c) => (output += c));
    }
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, output, stdout }));
  });
}

async function main() {
  const started = Date.now();
  // The simulator runs in this process: the same code `npm run simulator` runs.
  const home = mkdtempSync(join(tmpdir(), 'ce-connect-demo-'));
  const env = {
    HOME: home,
    USERPROFILE: home,
    SF_DISABLE_TELEMETRY: 'true',
    SF_DISABLE_AUTOUPDATE: 'true',
    SF_SKIP_NEW_VERSION_CHECK: 'true',
    SF_DISABLE_LOG_FILE: 'true',
    SF_USE_PROGRESS_BAR: 'false',
    NODE_NO_WARNINGS: '1',
  };
  let sim;
  const cleanUp = async () => {
    if (sim) await sim.stop();
    sim = undefined;
    rmSync(home, { recursive: true, force: true });
  };
  process.once('SIGINT', () => cleanUp().finally(() => process.exit(130)));
  let failures = 0;
  try {
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    sim = await startSimulator({ scenario: SCENARIO });
    console.log('='.repeat(100));
    console.log(`THIS IS A SIMULATED ORG, not Salesforce: a local test double at ${sim.instanceUrl},`);
    console.log(`loaded from the "${SCENARIO}" scenario (simulator/scenarios/${SCENARIO}.json): Acme Corp after the`);
    console.log(
      'November 2025 token revocation, with Northpass 2.0.1 and no Data Connector. Nothing leaves this machine.'
    );
    console.log('='.repeat(100));
    const login = await run(
      SF,
      ['org', 'login', 'access-token', '--instance-url', sim.instanceUrl, '--alias', 'sim', '--no-prompt'],
      { ...env, SF_ACCESS_TOKEN: sim.accessToken },
      { capture: true }
    );
    if (login.code !== 0) throw new Error(`sf org login access-token failed:\n${login.output}`);
    console.log(`\n$ sf org login access-token --instance-url ${sim.instanceUrl} --alias sim   (in a throw-away HOME)`);
    console.log(`Logged in as ${sim.username}.`);
    for (const step of STEPS) {
      if (step.before) step.before(sim);
      console.log(`\n# ${step.title}\n$ npx ce-connect ${step.args.map(quote).join(' ')} -o sim`);
      const { code, stdout } = await run(
        CLI,
        [...step.args, '-o', 'sim'],
        { ...env, ...step.env },
        {
          capture: step.expectWrites !== undefined,
        }
      );
      let verdict = code === step.expectExit ? 'as expected' : `UNEXPECTED, expected ${step.expectExit}`;
      if (step.expectWrites !== undefined) {
        const writes = JSON.parse(stdout).result.writes;
        console.log(`(--json result: writes = ${writes})`);
        if (writes !== step.expectWrites) verdict = `UNEXPECTED, expected ${step.expectWrites} writes`;
      }
      console.log(`(exit code ${code}: ${verdict})`);
      if (!verdict.startsWith('as expected')) failures += 1;
    }
    console.log(`\nThe HTML report: ${join(OUT, 'checklist.html')}`);
    failures += await fleetChapter(env);
    const writes = sim.requests.filter((r) => r.write).length;
    console.log(
      `\nThe simulated org answered ${sim.requests.length} API requests (${writes} writes) in ${((Date.now() - started) / 1000).toFixed(1)} s.`
    );
    console.log('Against your own org: npx sf org login web --alias prod && npx ce-connect setup -o prod --dry-run');
  } finally {
    await cleanUp();
  }
  process.exitCode = failures === 0 ? 0 : 1;
}

main().catch((error) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
