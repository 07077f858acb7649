import { pathToFileURL } from 'node:url';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseConfig } from '../src/core/config.js';
import { fixIntegrationUserAsConfigured } from '../simulator/admin-playbook.js';
import { type SimOrg, type Simulator, startSimulator } from '../simulator/server.js';
import { listFleet } from '../test/helpers/fleet.js';
import { sfEnv } from '../test/helpers/simulator.js';
import { CE_CONNECT, ROOT, spawnNode } from './setup-side.js';

/**
 * `npm run bench:fleet [-- --orgs 50 --setup-orgs 20]`: what one process over many orgs saves against one command
 * per org, as whole processes with their start-up, all against one simulator serving every org.
 *   1. `ce-connect fleet checklist` over N orgs against N sequential `ce-connect checklist -o <org>` processes on
 *      the same orgs: wall times, API calls per org (the simulator's count), and the per-item verdicts compared.
 *   2. `ce-connect fleet setup` over M outdated orgs whose package installs take a while (each install request
 *      stays in progress for several status reads, at the install wait's own pace) against one single-org
 *      `ce-connect setup` of one such org: the fleet's installs overlap instead of queueing.
 * Prints the figures and the ratios and writes bench/results/fleet.json.
 */
type Output = { exitCode: number; json?: { result?: unknown; message?: string }; ms: number; stderr: string };

/** `ce-connect <args>` as an admin runs it, timed whole, start-up included. */
async function run(args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): Promise<Output> {
  const started = process.hrtime.bigint();
  const out = await spawnNode(CE_CONNECT, args, cwd, env);
  return {
    exitCode: out.exitCode,
    json: out.json as Output['json'],
    ms: Number(process.hrtime.bigint() - started) / 1e6,
    stderr: out.stderr,
  };
}

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

type Item = { id: string; status: string };
type ChecklistJson = { apiCalls: number; sections: Array<{ items: Item[] }> };
type FleetJson = {
  ok: boolean;
  writes: number;
  orgs: Array<{ org: string; status: string; apiCalls: number; writes: number; checks: Item[] }>;
};

/**
 * Serves `count` orgs from the scenarios in turn, each logged in under its key in the bench's own HOME with a
 * config of its own (its usernames carry its own suffix); returns them and the list `fleet` reads.
 */
async function fleetOf(
  sim: Simulator,
  prefix: string,
  scenarios: string[],
  count: number,
  dir: string
): Promise<{ orgs: SimOrg[]; list: string }> {
  const orgs: SimOrg[] = [];
  for (let i = 0; i < count; i++) {
    orgs.push(await sim.addOrg({ key: `${prefix}-${i + 1}`, scenario: scenarios[i % scenarios.length] }));
  }
  const folder = join(dir, prefix);
  mkdirSync(folder, { recursive: true });
  return { orgs, list: await listFleet(orgs, folder) };
}

async function checklistBench(sim: Simulator, count: number, env: NodeJS.ProcessEnv, dir: string) {
  // Mostly ready orgs, some outdated and some with Lightning pages to check, as a consultancy's list would be.
  const { orgs, list } = await fleetOf(sim, 'check', ['ready', 'ready', 'ready', 'outdated', 'pages'], count, dir);
  const counts = (): number[] => orgs.map((o) => o.requests.length);
  const clear = (): void => orgs.forEach((o) => (o.requests.length = 0));

  clear();
  const fleet = await run(
    ['fleet', 'checklist', '--orgs', list, '--out-dir', join(dir, 'fleet-checklist'), '--json'],
    env
  );
  const fleetCalls = counts();
  const fleetResult = fleet.json?.result as FleetJson | undefined;
  if (!fleetResult) throw new Error(`fleet checklist gave no result: ${fleet.json?.message ?? fleet.stderr}`);

  clear();
  let sequentialMs = 0;
  const singles: ChecklistJson[] = [];
  for (const org of orgs) {
    const config = join(dirname(list), 'configs', `${org.key}.json`);
    const single = await run(['checklist', '-o', org.key, '--config', config, '--json'], env);
    sequentialMs += single.ms;
    singles.push(single.json?.result as ChecklistJson);
  }
  const singleCalls = counts();

  const mismatches = orgs.flatMap((org, i) => {
    const a = fleetResult.orgs.find((o) => o.org === org.key)?.checks.map((c) => `${c.id}=${c.status}`) ?? [];
    const b = singles[i]?.sections.flatMap((s) => s.items).map((c) => `${c.id}=${c.status}`) ?? [];
    return a.join(',') === b.join(',') && fleetCalls[i] === singleCalls[i] ? [] : [org.key];
  });
  return {
    orgs: count,
    fleetMs: Math.round(fleet.ms),
    sequentialMs: Math.round(sequentialMs),
    ratio: Number((fleet.ms / sequentialMs).toFixed(3)),
    apiCallsPerOrg: { fleetMedian: median(fleetCalls), sequentialMedian: median(singleCalls) },
    sameVerdictsAndCalls: mismatches.length === 0,
    mismatches,
  };
}

async function setupBench(sim: Simulator, count: number, env: NodeJS.ProcessEnv, dir: string) {
  const { orgs, list: all } = await fleetOf(sim, 'setup', ['outdated'], count + 1, dir);
  const configOf = (org: SimOrg): string => join(dirname(all), 'configs', `${org.key}.json`);
  for (const org of orgs) {
    // As the admin leaves it after the integration-user audit's fix, so every step can pass.
    fixIntegrationUserAsConfigured(org.org, parseConfig(readFileSync(configOf(org), 'utf8'), configOf(org)));
    // Each install request stays in progress for 4 status reads: with the install wait's own schedule (2 s, then
    // half as long again each time), about 16 s per package, 32 s for the two.
    org.org.flags.packageInstallPolls = 4;
  }
  const [single, ...fleetOrgs] = orgs;
  const list = join(dir, 'setup-orgs.csv');
  writeFileSync(list, ['org,config', ...fleetOrgs.map((o) => `${o.key},${configOf(o)}`)].join('\n'));
  const work = mkdtempSync(join(dir, 'work-'));

  const one = await run(['setup', '-o', single.key, '--config', configOf(single), '--yes', '--json'], env, work);
  const fleet = await run(
    ['fleet', 'setup', '--orgs', list, '--yes', '--out-dir', join(dir, 'fleet-setup'), '--json'],
    env,
    work
  );
  const fleetResult = fleet.json?.result as FleetJson | undefined;
  return {
    orgs: count,
    singleSetupMs: Math.round(one.ms),
    singleOk: one.exitCode === 0,
    fleetSetupMs: Math.round(fleet.ms),
    fleetOk: fleetResult?.ok ?? false,
    ratio: Number((fleet.ms / one.ms).toFixed(2)),
    apiCallsPerOrg: median(fleetOrgs.map((o) => o.requests.length)),
    singleApiCalls: single.requests.length,
    fleetWrites: fleetResult?.writes,
    fleetError: fleetResult ? undefined : (fleet.json?.message ?? fleet.stderr.slice(0, 500)),
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ce-bench-fleet-'));
  const home = join(dir, 'home');
  mkdirSync(home);
  // Every login of the bench goes to its own HOME, read by @salesforce/core when it is first asked.
  process.env.HOME = home;
  process.env.USERPROFILE = home;
  const env = sfEnv(home);
  const sim = await startSimulator({ scenario: 'ready' });
  try {
    const checklist = await checklistBench(sim, flag('--orgs', 50), env, dir);
    console.log(
      `fleet checklist over ${checklist.orgs} orgs: ${checklist.fleetMs} ms; ${checklist.orgs} sequential checklist processes: ${checklist.sequentialMs} ms; ratio ${checklist.ratio} (target ≤ 0.10)`
    );
    console.log(
      `API calls per org (median): fleet ${checklist.apiCallsPerOrg.fleetMedian}, single ${checklist.apiCallsPerOrg.sequentialMedian}; same verdicts and calls for every org: ${checklist.sameVerdictsAndCalls ? 'yes' : `no (${checklist.mismatches.join(', ')})`}`
    );
    const setup = process.argv.includes('--skip-setup')
      ? undefined
      : await setupBench(sim, flag('--setup-orgs', 20), env, dir);
    if (setup) {
      console.log(
        `one single-org setup with slow installs: ${setup.singleSetupMs} ms (ok: ${setup.singleOk}); fleet setup over ${setup.orgs} such orgs: ${setup.fleetSetupMs} ms (ok: ${setup.fleetOk}); ratio ${setup.ratio} (target ≤ 2.00)`
      );
      console.log(
        `API calls per org (median): fleet setup ${setup.apiCallsPerOrg}, single setup ${setup.singleApiCalls}`
      );
      if (setup.fleetError) console.log(`fleet setup failed: ${setup.fleetError}`);
    }
    const out = join(ROOT, 'bench', 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(
      join(out, 'fleet.json'),
      `${JSON.stringify({ date: new Date().toISOString(), node: process.version, checklist, setup }, null, 2)}\n`
    );
    console.log('Written: bench/results/fleet.json');
  } finally {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
