import { Flags } from '@salesforce/sf-plugins-core';
import type { ConnectGuide } from '../../core/connect-guide.js';
import { type LoginWatchResult, connectGuide, waitForOAuthLogin } from '../../org/connect-guide.js';
import { CeCommand } from '../../support/ce-command.js';
import * as flags from '../../support/flags.js';
import { targetOrgName } from '../../support/target-org-name.js';

export type ConnectGuideResult = ConnectGuide & { wait?: LoginWatchResult; apiCalls: number };

const minutes = Flags.custom<number>({
  parse: async (input) => {
    const value = Number(input);
    if (input.trim() === '' || !Number.isFinite(value) || value <= 0 || value > 120) {
      throw new Error(
        `--wait takes minutes as a number above 0 and at most 120 (for example 10 or 0.5), not "${input}".`
      );
    }
    return value;
  },
});

const clock = (ms: number): string => {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

export default class ConnectGuideCommand extends CeCommand<ConnectGuideResult> {
  public static readonly summary =
    'Print the CE-side connection steps with this org’s values; optionally wait for the login.';
  public static readonly description =
    'Prints what the CE admin does in Customer Education, filled in for this org: the instance URL to paste (the URL the org login returned), whether to turn on "This is a sandbox instance", which user to log in as, the fix when the "Salesforce Instance Setup" card is missing, and what CONNECTED looks like. With --wait, watches the integration user’s login history for a new OAuth login and reports it (time, application, source IP, status), or exits 1 with the likely causes when none arrives; seeing another user’s logins needs Manage Users or Monitor Login History.';
  public static readonly examples = [
    '<%= config.bin %> <%= command.id %> -o prod',
    '<%= config.bin %> <%= command.id %> -o my-sandbox --wait 15',
    '<%= config.bin %> <%= command.id %> -o prod --json',
  ];
  public static readonly flags = {
    'target-org': flags.targetOrg,
    config: flags.config,
    user: Flags.string({ summary: 'Username CE logs in as (default: integrationUser.username from the config).' }),
    wait: minutes({ summary: 'Minutes to watch for the integration user’s new OAuth login.' }),
    interval: Flags.integer({ summary: 'Seconds between login-history checks.', default: 15, min: 1, max: 300 }),
    'max-polls': Flags.integer({
      summary: 'Most login-history queries over the whole wait (the interval stretches to fit).',
      default: 60,
      min: 2,
      max: 500,
    }),
  };

  public async run(): Promise<ConnectGuideResult> {
    const started = Date.now();
    const { flags: f } = await this.parse(ConnectGuideCommand);
    const { config } = this.loadConfig(f.config);
    const session = await this.openOrg(f['target-org']);
    const targetOrg = targetOrgName(this.argv, f['target-org'].getUsername());
    const guide = await connectGuide(session.conn, config, session.facts, { username: f.user, targetOrg });
    const { user, runner, ...steps } = guide;
    const result: ConnectGuideResult = { ...steps, apiCalls: 0 };

    this.log(`Connect Customer Education to ${guide.org.name} (${guide.org.kind}):`);
    guide.steps.forEach((step, i) => {
      this.log(`${i + 1}. ${step.title}${step.value && step.id === 'instance-url' ? `: ${step.value}` : ''}`);
      this.log(`   ${step.detail}`);
    });
    for (const warning of guide.warnings) this.warn(warning);

    if (f.wait !== undefined) {
      this.spinner.start(`Waiting for ${guide.integrationUser.username} to log in through OAuth`);
      const wait = await waitForOAuthLogin(session.conn, {
        username: guide.integrationUser.username,
        waitMinutes: f.wait,
        intervalSeconds: f.interval,
        maxPolls: f['max-polls'],
        since: started,
        users: { target: user, runner },
        onProgress: (p) => {
          this.spinner.status = `${clock(p.elapsedMs)} of ${clock(p.waitMs)}, ${p.polls}/${p.maxPolls} checks`;
        },
      });
      this.spinner.stop(wait.login ? 'seen' : 'not seen');
      result.wait = wait;
      this.report(wait, targetOrg);
    }
    result.apiCalls = session.calls.count;
    this.log(`${result.apiCalls} API call(s).`);
    return result;
  }

  private report(wait: LoginWatchResult, targetOrg: string): void {
    if (wait.login) {
      const l = wait.login;
      this.log(
        `OAuth login of ${wait.username} at ${l.loginTime}: ${l.application ?? 'unknown app'} from ${l.sourceIp ?? 'unknown IP'}, ${l.loginType ?? ''}/${l.loginSubType ?? ''}, status ${l.status ?? 'unknown'}.`
      );
      this.log(`Next: \`ce-connect integration-user check -o ${targetOrg}\`.`);
      return;
    }
    this.failCheck();
    if (!wait.visible && wait.missingPermission) {
      this.warn(
        `This login cannot see ${wait.username}'s login history: that needs ${wait.missingPermission}. Run the command as an admin with one of them, or check Setup > Users > ${wait.username} > Login History.`
      );
      return;
    }
    this.warn(
      `No new OAuth login of ${wait.username} after ${clock(wait.waitedMs)} (${wait.polls} checks). Likely causes:`
    );
    for (const cause of wait.causes ?? []) this.log(`  - ${cause}`);
  }
}
