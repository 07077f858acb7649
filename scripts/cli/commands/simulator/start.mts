import { Command, Flags } from '@oclif/core';
import { parseFaultSpec } from '../../../simulator/faults.js';
import { startSimulator } from '../../../simulator/server.js';

export type SimulatorStartResult = { instanceUrl: string; accessToken: string; username: string };

// A plain oclif command rather than an SfCommand: SfCommand turns SIGINT/SIGTERM into exit code 130, and this
// command's normal way to end is a signal, after which it stops the server and exits 0.
export default class SimulatorStart extends Command {
  public static readonly summary = 'Run the simulated org (a local test double of Salesforce) in the foreground.';
  public static readonly description =
    'Starts a local HTTP server on 127.0.0.1 that speaks the Salesforce APIs ce-connect uses, loaded from a scenario, and prints one JSON line with instanceUrl, accessToken and username. Log in to it with `SF_ACCESS_TOKEN=<accessToken> sf org login access-token --instance-url <instanceUrl> --alias sim --no-prompt` (in a throw-away HOME). Stops on Ctrl-C or SIGTERM. See scripts/simulator/README.md.';
  public static readonly examples = [
    '<%= config.bin %> <%= command.id %> --scenario outdated',
    '<%= config.bin %> <%= command.id %> --scenario ready --port 8787 --request-log requests.jsonl --fault "GET /query 503x1"',
  ];
  public static readonly flags = {
    scenario: Flags.string({
      summary: 'A shipped scenario (fresh, outdated, ready) or the path of a scenario JSON file.',
      default: 'ready',
    }),
    port: Flags.integer({ summary: 'Port on 127.0.0.1; 0 picks a free one.', default: 0, min: 0, max: 65535 }),
    'request-log': Flags.file({ summary: 'Append one JSON line per API request to this file.' }),
    fault: Flags.string({
      summary: 'Inject a fault: "<METHOD> <path-regex> <kind>[xN][@rate]", e.g. "GET /query 503x1". Repeatable.',
      multiple: true,
    }),
  };

  public async run(): Promise<void> {
    const { flags } = await this.parse(SimulatorStart);
    const faults = (flags.fault ?? []).map((spec) => {
      try {
        return parseFaultSpec(spec);
      } catch (error) {
        return this.error((error as Error).message, { exit: 2 });
      }
    });
    let sim;
    try {
      sim = await startSimulator({ scenario: flags.scenario, port: flags.port, requestLog: flags['request-log'] });
    } catch (error) {
      return this.error((error as Error).message, {
        exit: 2,
        suggestions: ['Use --scenario fresh, outdated or ready, or the path of a scenario file; pick a free --port.'],
      });
    }
    for (const fault of faults) sim.faults.add(fault);
    const ready: SimulatorStartResult = {
      instanceUrl: sim.instanceUrl,
      accessToken: sim.accessToken,
      username: sim.username,
    };
    process.stdout.write(`${JSON.stringify(ready)}\n`);
    // stdout carries only the JSON line (scripts read it); the human hint goes to stderr.
    process.stderr.write(
      `Simulated org "${flags.scenario}" (not Salesforce) at ${sim.instanceUrl}. Log in with: SF_ACCESS_TOKEN=<accessToken> sf org login access-token --instance-url ${sim.instanceUrl} --alias sim --no-prompt. Ctrl-C stops it.\n`
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await sim.stop();
  }
}
