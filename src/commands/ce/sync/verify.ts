import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { inputError } from '../../../core/errors.js';
import { formatDuration, parseDuration, parseSince } from '../../../core/durations.js';
import { type WaitProgress, type WaitResult, waitForEnrollment } from '../../../org/enrollment-wait.js';
import { observeServerClock } from '../../../org/server-clock.js';
import { CeCommand } from '../../../support/ce-command.js';
import * as flags from '../../../support/flags.js';
import { targetOrgName } from '../../../support/target-org-name.js';
import { clock as orgClock } from '../../../org/clock.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'sync.verify');

export type SyncVerifyResult = WaitResult & {
  org: { id: string; name: string; kind: string; instanceUrl: string };
  /** Every API call of the command: the org query, the polls and the Contact lookup. */
  totalApiCalls: number;
};

/** Exit code after Ctrl-C: 128 + SIGINT, as shells and sf itself report an interrupted command. */
const INTERRUPTED = 130;

export default class SyncVerify extends CeCommand<SyncVerifyResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly flags = {
    'target-org': flags.targetOrg,
    config: flags.config,
    email: Flags.string({ summary: messages.getMessage('flags.email.summary'), required: true }),
    course: Flags.string({ summary: messages.getMessage('flags.course.summary') }),
    since: Flags.string({
      summary: messages.getMessage('flags.since.summary'),
      description: messages.getMessage('flags.since.description'),
    }),
    timeout: Flags.string({
      summary: messages.getMessage('flags.timeout.summary'),
    }),
  };

  public async run(): Promise<SyncVerifyResult> {
    const { flags: f } = await this.parse(SyncVerify);
    const { config } = this.loadConfig(f.config);
    const timeoutMs = f.timeout ? parseDuration(f.timeout, '--timeout') : config.sync.timeoutMinutes * 60_000;
    const email = f.email.trim();
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw inputError(messages, 'BadEmail', [f.email]);
    const org = f['target-org'];
    const alias = targetOrgName(this.argv, org.getUsername());
    const controller = new AbortController();
    // sf's own handler exits at once on Ctrl-C; from here on, stop polling instead and report what was seen.
    // Installed before the first request, so a Ctrl-C during the org query is caught as well.
    const previous = process.listeners('SIGINT');
    process.removeAllListeners('SIGINT');
    const onSigint = (): void => controller.abort();
    process.on('SIGINT', onSigint);
    // Watch the Date headers from the very first answer (the org query) so "now" is the org's.
    const clock = observeServerClock(org.getConnection());
    const session = await this.openOrg(org, timeoutMs);
    const since = f.since ? parseSince(f.since, clock.now() ?? Date.now()) : undefined;

    const json = this.jsonEnabled();
    // A terminal gets a spinner whose status ticks every second; logs (CI, pipes) get one line per poll.
    const live = !json && Boolean(process.stderr.isTTY);
    const started = orgClock().now();
    const deadline = new Date(started + timeoutMs).toISOString().slice(11, 19);
    let status = '';
    const show = (): void => {
      this.spinner.status = `${formatDuration(orgClock().now() - started)} elapsed of ${formatDuration(timeoutMs)} (deadline ${deadline} UTC)${status}`;
    };
    const ticker = live ? setInterval(show, 1000) : undefined;
    const onProgress = (event: WaitProgress): void => {
      if (json) return;
      if (event.kind === 'plan') {
        this.log(
          `Waiting for an enrollment of ${email} created or updated since ${event.since} (${event.sinceSource}).`
        );
        this.log(`Schedule: ${event.schedule}.`);
        if (live) this.spinner.start(`Polling ${session.facts.name}`);
        return;
      }
      const next = event.nextPollInMs === undefined ? '' : `, next in ${formatDuration(event.nextPollInMs)}`;
      status = ` · ${event.polls} poll(s)${next}${event.error ? ` · last poll failed: ${event.error}` : ''}`;
      if (live) show();
      else
        this.logToStderr(
          `poll ${event.polls}: ${formatDuration(event.elapsedMs)} elapsed of ${formatDuration(event.timeoutMs)} (deadline ${deadline} UTC)${status.replace(/^ · \d+ poll\(s\)/, '')}`
        );
    };
    let result: WaitResult;
    try {
      result = await waitForEnrollment(session.conn, config, {
        email,
        course: f.course,
        since,
        timeoutMs,
        maxApiCalls: config.sync.maxApiCalls,
        callsBefore: session.calls.count,
        alias,
        signal: controller.signal,
        onProgress,
      });
    } finally {
      if (ticker) clearInterval(ticker);
      process.removeListener('SIGINT', onSigint);
      for (const listener of previous) process.on('SIGINT', listener as () => void);
    }
    if (live) this.spinner.stop(result.status);
    const output: SyncVerifyResult = {
      ...result,
      org: {
        id: session.facts.id,
        name: session.facts.name,
        kind: session.facts.kind,
        instanceUrl: session.facts.instanceUrl,
      },
      totalApiCalls: session.calls.count,
    };
    this.report(output);
    if (result.status === 'timeout') this.failCheck();
    if (result.status === 'interrupted') process.exitCode = INTERRUPTED;
    return output;
  }

  private report(r: SyncVerifyResult): void {
    const calls = `${r.polls} poll(s), ${r.totalApiCalls} API call(s) of ${r.plan.maxApiCalls}`;
    const seen = (label: string, rec: NonNullable<WaitResult['record']>): void =>
      this.table({
        data: [
          { item: label, value: `${rec.id}${rec.name ? ` (${rec.name})` : ''}` },
          { item: 'course', value: [rec.courseName, rec.courseId].filter(Boolean).join(' · ') || '(none)' },
          { item: 'progress', value: rec.progress === null ? '(none)' : `${rec.progress}%` },
          { item: 'last modified', value: rec.lastModifiedDate },
        ],
      });
    if (r.status === 'found' && r.record) {
      this.log(`Found after ${formatDuration(r.foundAfterMs ?? r.elapsedMs)} (${calls}).`);
      seen('record', r.record);
      if (r.linkage?.state === 'linked') this.log(`It is ${r.linkage.reason}.`);
      else if (r.linkage) this.warn(`It is ${r.linkage.reason}. ${r.linkage.fix}`);
      return;
    }
    if (r.status === 'interrupted')
      this.log(`Stopped after ${formatDuration(r.elapsedMs)} (${calls}); nothing new seen.`);
    else this.log(`No enrollment of ${r.email} arrived within ${formatDuration(r.timeoutMs)} (${calls}).`);
    if (r.olderRecord) seen('newest older record', r.olderRecord);
    if (r.errors.length > 0) this.warn(`${r.errors.length} poll(s) failed; the last: ${r.errors[r.errors.length - 1]}`);
    if (r.causes) {
      this.log('Likely causes, most likely first:');
      r.causes.forEach((c, i) => this.log(`  ${i + 1}. ${c.cause} Check: ${c.check}`));
    }
  }
}
