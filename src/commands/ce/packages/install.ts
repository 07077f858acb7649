import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { findingText } from '../../../core/admins-only.js';
import { formatElapsed } from '../../../core/package-install.js';
import { installPackages } from '../../../org/packages/install.js';
import {
  DEFAULT_WAIT_MINUTES,
  type InstallOptions,
  type InstallProgress,
  type PackageInstallOutcome,
  type PackagesInstallResult,
} from '../../../org/packages/model.js';
import { CeCommand } from '../../../support/ce-command.js';
import * as flags from '../../../support/flags.js';
import { targetOrgName } from '../../../support/target-org-name.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'packages.install');

export type PackagesInstallCommandResult = PackagesInstallResult & { org: string; apiCalls: number };

const minutes = Flags.custom<number>({
  parse: async (input) => {
    const value = Number(input);
    if (input.trim() === '' || !Number.isFinite(value) || value < 0) {
      throw new Error(`--wait takes minutes as a number ≥ 0 (for example 20 or 0.5), not "${input}".`);
    }
    return value;
  },
});

const SYMBOL: Record<string, string> = {
  satisfied: '✔',
  'newer-installed': '✔',
  installed: '✔',
  upgraded: '✔',
  planned: '→',
  failed: '✘',
  timeout: '…',
  skipped: '–',
};

export default class PackagesInstall extends CeCommand<PackagesInstallCommandResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly flags = {
    'target-org': flags.targetOrg,
    config: flags.config,
    'dry-run': flags.dryRun,
    yes: flags.yes,
    wait: minutes({
      char: 'w',
      summary: messages.getMessage('flags.wait.summary', [String(DEFAULT_WAIT_MINUTES)]),
      default: DEFAULT_WAIT_MINUTES,
    }),
    'installation-key': Flags.string({
      char: 'k',
      summary: messages.getMessage('flags.installation-key.summary'),
    }),
    resume: Flags.string({
      summary: messages.getMessage('flags.resume.summary'),
      exclusive: ['dry-run'],
    }),
    'poll-interval': Flags.integer({
      summary: messages.getMessage('flags.poll-interval.summary'),
      min: 1,
      max: 300,
    }),
  };

  public async run(): Promise<PackagesInstallCommandResult> {
    const { flags: f } = await this.parse(PackagesInstall);
    const { path: configPath, config } = this.loadConfig(f.config);
    const session = await this.openOrg(f['target-org'], f.wait * 60_000);
    const alias = targetOrgName(this.argv, f['target-org'].getUsername());
    const interval = f['poll-interval'] === undefined ? undefined : f['poll-interval'] * 1000;
    const options: InstallOptions = {
      dryRun: f['dry-run'],
      waitMinutes: f.wait,
      installationKey: f['installation-key'],
      alias,
      configPath,
      onProgress: (event) => this.showProgress(event),
      // A stop while a request runs continues by following it.
      onRequest: (_spec, requestId) => {
        this.continueWith = () => `ce-connect packages install -o ${alias} --resume ${requestId}`;
      },
      ...(interval ? { pollSchedule: { firstMs: interval, maxMs: interval, factor: 1 } } : {}),
    };

    if (f.resume) this.spinner.start(`Following install request ${f.resume}`);
    const result = await installPackages(session.conn, config, {
      ...options,
      resumeRequestId: f.resume,
      confirm: async (plan) => {
        this.spinner.stop();
        await this.confirmProductionWrite(session, plan, f.yes);
      },
    });
    this.spinner.stop();
    return this.report({ ...result, org: session.facts.name, apiCalls: session.calls.count }, alias);
  }

  /** Admins only, as the org has it: each profile or permission set beyond administrators with its fix. */
  private reportAccess(result: PackagesInstallCommandResult, alias: string): void {
    const { access } = result;
    if (!access) return;
    if (access.unreadable) {
      this.warn(access.unreadable.reason);
      return;
    }
    if (access.findings.length === 0) {
      this.log(`✔ ${messages.getMessage('access.ok', [access.namespaces.map((ns) => `${ns}__`).join(', ')])}`);
      return;
    }
    for (const finding of access.findings) {
      finding.fix = finding.fix.replace(/<org>/g, alias);
      this.warn(messages.getMessage('access.finding', [findingText(finding), finding.fix]));
    }
    const failing = access.findings.filter((f) => f.status === 'fail').length;
    if (failing > 0) this.log(`✘ ${messages.getMessage('access.failed', [failing])}`);
  }

  private progressKey = '';

  private showProgress(event: InstallProgress): void {
    const key = `${event.phase}:${event.key}:${event.requestId ?? ''}`;
    const what =
      event.phase === 'availability'
        ? `Waiting for ${event.name} to become available`
        : `Installing ${event.name} (request ${event.requestId ?? '?'})`;
    if (key !== this.progressKey) {
      if (this.progressKey) this.spinner.stop();
      this.spinner.start(what);
      this.progressKey = key;
    }
    const now = Date.now();
    const deadline = new Date(event.deadline).toLocaleTimeString();
    this.spinner.status = `${event.status} · ${formatElapsed(now - event.startedAt)} elapsed · deadline ${deadline} (${formatElapsed(event.deadline - now)} left) · ${event.polls} status read(s)`;
  }

  private report(result: PackagesInstallCommandResult, alias: string): PackagesInstallCommandResult {
    this.table({
      data: result.packages.map((p) => ({
        package: p.name,
        before: p.before ?? '—',
        after: p.after ?? '—',
        outcome: p.status,
        request: p.requestId ?? '',
      })),
    });
    const failing = (p: PackageInstallOutcome): boolean => ['failed', 'timeout', 'skipped'].includes(p.status);
    // Failures are printed once, in the error below (with what fixes them).
    for (const p of result.packages.filter((x) => !failing(x))) this.log(`${SYMBOL[p.status] ?? ''} ${p.message}`);
    if (result.dryRun && result.plan.length > 0) this.log('Dry run: nothing was written.');
    this.reportAccess(result, alias);
    const failed = result.packages.filter(failing);
    if (failed.length === 0) {
      this.log(`${result.writes} install request(s), ${result.apiCalls} API calls.`);
      if (!result.dryRun && result.writes > 0) this.log(`Check: ce-connect packages check -o ${alias}`);
      if (!result.ok) this.failCheck();
      return result;
    }
    // A failed install is a finished run with a result, like a failed check: the per-package outcomes are the
    // `--json` result, each failure with its fix, and the exit code is 1.
    for (const p of failed) this.warn(p.fix ? `${p.message}\n${p.fix}` : p.message);
    this.failCheck();
    return result;
  }
}
