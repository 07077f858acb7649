import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import type { ConnectGuide } from '../../core/connect-guide.js';
import { type LoginWatchResult, connectGuide, waitForOAuthLogin } from '../../org/connect-guide.js';
import { CeCommand } from '../../support/ce-command.js';
import * as flags from '../../support/flags.js';
import { targetOrgName } from '../../support/target-org-name.js';
import { clock as localClock } from '../../org/clock.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'connect-guide');

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
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly flags = {
    'target-org': flags.targetOrg,
    config: flags.config,
    user: Flags.string({ summary: messages.getMessage('flags.user.summary') }),
    wait: minutes({ summary: messages.getMessage('flags.wait.summary') }),
    interval: Flags.integer({ summary: messages.getMessage('flags.interval.summary'), default: 15, min: 1, max: 300 }),
    'max-polls': Flags.integer({
      summary: messages.getMessage('flags.max-polls.summary'),
      default: 60,
      min: 2,
      max: 500,
    }),
  };

  public async run(): Promise<ConnectGuideResult> {
    const started = localClock().now();
    const { flags: f } = await this.parse(ConnectGuideCommand);
    const { config } = this.loadConfig(f.config);
    const session = await this.openOrg(f['target-org'], f.wait === undefined ? undefined : f.wait * 60_000);
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
