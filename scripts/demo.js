// `npm run demo`: ce-connect against the bundled simulated org (a local test double of Salesforce), from a
// fresh clone, with nothing to set up. It starts the simulator on the `outdated` scenario (Acme's org after the
// November 2025 incident), logs the real `sf` CLI into it in a throw-away HOME, runs the commands below, and
// always stops the simulator and removes the HOME again.
const { spawn } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '..');
const CLI = join(ROOT, 'bin', 'run.mjs');
const SF = join(ROOT, 'node_modules', '@salesforce', 'cli', 'bin', 'run.js');
const SCENARIO = 'outdated';

// The demo's steps, in order: each runs `ce-connect <args> -o sim`. `expectExit` is the exit code a correct
// tool gives on this org (packages check fails on purpose: Northpass is too old, the connector missing).
const STEPS = [
  { title: 'Which CE packages are installed, and are they recent enough?', args: ['packages', 'check'], expectExit: 1 },
  { title: 'What does the org say the CE names are?', args: ['discover'], expectExit: 0 },
];

function run(command, args, env, options = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [command, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: options.capture ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    let output = '';
    if (options.capture) {
      child.stdout.on('data', (c) => (output += c));
      child.stderr.on('data', (c) => (output += c));
    }
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, output }));
  });
}

async function main() {
  const started = Date.now();
  // tsx runs the TypeScript simulator in this process, the same code `ce-connect simulator start` runs.
  require('tsx/cjs/api').register();
  const { startSimulator } = require('./simulator/server.ts');
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
    sim = await startSimulator({ scenario: SCENARIO });
    console.log('='.repeat(100));
    console.log(`THIS IS A SIMULATED ORG, not Salesforce: a local test double at ${sim.instanceUrl},`);
    console.log(
      `loaded from the "${SCENARIO}" scenario (scripts/simulator/scenarios/${SCENARIO}.json): Acme Corp after the`
    );
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
      console.log(`\n# ${step.title}\n$ npx ce-connect ${step.args.join(' ')} -o sim`);
      const { code } = await run(CLI, [...step.args, '-o', 'sim'], env);
      const verdict = code === step.expectExit ? 'as expected for this org' : `UNEXPECTED, expected ${step.expectExit}`;
      console.log(`(exit code ${code}: ${verdict})`);
      if (code !== step.expectExit) failures += 1;
    }
    const writes = sim.requests.filter((r) => r.write).length;
    console.log(
      `\nThe simulated org answered ${sim.requests.length} API requests (${writes} writes) in ${((Date.now() - started) / 1000).toFixed(1)} s.`
    );
    console.log('Against your own org: npx sf org login web --alias prod && npx ce-connect packages check -o prod');
  } finally {
    await cleanUp();
  }
  process.exitCode = failures === 0 ? 0 : 1;
}

main().catch((error) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
