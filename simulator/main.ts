// `npm run simulator -- --scenario <name|file> [--org <key>=<scenario>]… [--port N] [--request-log <file>] [--fault <spec>]…`
//
// Runs the simulated org (a local test double of Salesforce, not part of the shipped tool) in the foreground and
// prints one JSON line, {instanceUrl, accessToken, username, orgs}, for scripts to read: the scenario's org, and
// in `orgs` every org the simulator serves (the scenario's `orgs` and each --org), each on its own port. The
// human hint goes to stderr. SIGINT and SIGTERM stop the servers, and that is its normal end: exit 0. Bad
// arguments exit 2.
import { parseArgs } from 'node:util';
import { parseFaultSpec } from './faults.js';
import { startSimulator } from './server.js';

const USAGE = `Usage: npm run simulator -- --scenario <fresh|outdated|ready|devhub|…|file> [--org <key>=<scenario>]… [--port N] [--request-log <file>] [--fault "<METHOD> <path-regex> <kind>[xN][@rate]"]…`;

function fail(message: string, hint?: string): never {
  process.stderr.write(`Error: ${message}\n${hint ? `${hint}\n` : ''}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        scenario: { type: 'string', default: 'ready' },
        port: { type: 'string', default: '0' },
        'request-log': { type: 'string' },
        fault: { type: 'string', multiple: true },
        org: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    fail((error as Error).message, USAGE);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\nSee simulator/README.md.\n`);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail(`--port ${values.port} is not a port number (0–65535).`);
  const faults = (values.fault ?? []).map((spec) => {
    try {
      return parseFaultSpec(spec);
    } catch (error) {
      return fail((error as Error).message);
    }
  });
  const extra = (values.org ?? []).map((spec) => {
    const m = /^([\w.-]+)=(.+)$/.exec(spec);
    return m ? { key: m[1], scenario: m[2] } : fail(`--org ${spec} is not <key>=<scenario>.`, USAGE);
  });
  let sim;
  try {
    sim = await startSimulator({ scenario: values.scenario, port, requestLog: values['request-log'] });
    for (const org of extra) await sim.addOrg(org);
  } catch (error) {
    await sim?.stop();
    fail(
      (error as Error).message,
      'Use --scenario fresh, outdated, ready, ce-sync, pages, devhub or scratch, or the path of a scenario file; pick a free --port.'
    );
  }
  for (const fault of faults) sim.faults.add(fault);
  const orgs = sim.orgs.map(({ key, instanceUrl, accessToken, username }) => ({
    key,
    instanceUrl,
    accessToken,
    username,
  }));
  process.stdout.write(
    `${JSON.stringify({ instanceUrl: sim.instanceUrl, accessToken: sim.accessToken, username: sim.username, orgs })}\n`
  );
  process.stderr.write(
    `Simulated org "${values.scenario}" (not Salesforce) at ${sim.instanceUrl}${
      orgs.length > 1
        ? `, and ${orgs.length - 1} more org(s): ${orgs
            .slice(1)
            .map((o) => `${o.key} at ${o.instanceUrl}`)
            .join(', ')}`
        : ''
    }. Log in with: SF_ACCESS_TOKEN=<accessToken> sf org login access-token --instance-url ${sim.instanceUrl} --alias sim --no-prompt. Ctrl-C stops it.\n`
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sim.stop();
}

await main();
