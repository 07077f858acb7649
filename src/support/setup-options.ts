import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { BACKFILL_DEFAULTS, PACKAGE_DEFAULTS } from '../core/defaults.js';
import { parseDuration } from '../core/durations.js';
import { SETUP_STEPS, selectSteps } from '../core/setup-steps.js';
import { DEFAULT_GROUP_WAIT_MINUTES } from '../org/permission-set-groups.js';
import type { SetupOptions } from '../org/setup-runner.js';
import { policySource } from './policy-file.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'setup');

/** The flags that say how setup runs its steps, shared by `setup` and `fleet setup`. */
export const setupRunFlags = {
  only: Flags.string({
    summary: messages.getMessage('flags.only.summary', [SETUP_STEPS.map((s) => s.id).join(', ')]),
  }),
  skip: Flags.string({ summary: messages.getMessage('flags.skip.summary') }),
  'test-email': Flags.string({ summary: messages.getMessage('flags.test-email.summary') }),
  course: Flags.string({ summary: messages.getMessage('flags.course.summary') }),
  'sync-timeout': Flags.string({ summary: messages.getMessage('flags.sync-timeout.summary'), default: '30m' }),
  export: Flags.file({
    summary: messages.getMessage('flags.export.summary'),
    exists: true,
  }),
  'wait-connect': Flags.integer({ summary: messages.getMessage('flags.wait-connect.summary'), min: 1 }),
  'package-wait': Flags.integer({
    summary: messages.getMessage('flags.package-wait.summary'),
    default: PACKAGE_DEFAULTS.waitMinutes,
    min: 1,
  }),
  'installation-key': Flags.string({ summary: messages.getMessage('flags.installation-key.summary') }),
  force: Flags.boolean({ summary: messages.getMessage('flags.force.summary'), default: false }),
  'poll-interval': Flags.integer({
    summary: messages.getMessage('flags.poll-interval.summary'),
    description: messages.getMessage('flags.poll-interval.description'),
    min: 1,
    max: 300,
  }),
  'group-wait': Flags.integer({
    summary: messages.getMessage('flags.group-wait.summary', [String(DEFAULT_GROUP_WAIT_MINUTES)]),
    default: DEFAULT_GROUP_WAIT_MINUTES,
    min: 0,
  }),
};

export type SetupRunFlags = {
  only?: string;
  skip?: string;
  'test-email'?: string;
  course?: string;
  'sync-timeout': string;
  export?: string;
  'wait-connect'?: number;
  'package-wait': number;
  'installation-key'?: string;
  force: boolean;
  'poll-interval'?: number;
  /** Minutes the permsets step waits for permission set groups; DEFAULT_GROUP_WAIT_MINUTES when absent. */
  'group-wait'?: number;
};

/** The longest setup's read retries may go on: its waits add up (each package, the groups, the CE login, the sync, the Bulk jobs). */
export function setupBudgetMs(f: SetupRunFlags): number {
  const minutes =
    f['package-wait'] * 2 +
    (f['group-wait'] ?? DEFAULT_GROUP_WAIT_MINUTES) +
    (f['wait-connect'] ?? 0) +
    parseDuration(f['sync-timeout'], '--sync-timeout') / 60_000 +
    BACKFILL_DEFAULTS.waitMinutes;
  return minutes * 60_000;
}

/**
 * Setup's options from its flags, and the longest its read retries may go on (setupBudgetMs). `org` holds what one
 * org of a fleet has of its own.
 */
export function setupRunOptions(
  f: SetupRunFlags,
  org: {
    alias: string;
    configPath: string;
    backupDir: string;
    outDir: string;
    testEmail?: string;
    exportFile?: string;
    continueCommand?: string;
  },
  calls: Pick<SetupOptions, 'confirm' | 'onEvent'> & { dryRun: boolean }
): { options: SetupOptions; budgetMs: number } {
  const testEmail = org.testEmail ?? f['test-email'];
  const exportFile = org.exportFile ?? f.export;
  const steps = selectSteps({ only: f.only, skip: f.skip, testEmail, exportFile });
  const syncTimeoutMs = parseDuration(f['sync-timeout'], '--sync-timeout');
  const interval = f['poll-interval'] === undefined ? undefined : f['poll-interval'] * 1000;
  return {
    budgetMs: setupBudgetMs(f),
    options: {
      dryRun: calls.dryRun,
      steps,
      alias: org.alias,
      ...(org.continueCommand ? { continueCommand: org.continueCommand } : {}),
      configPath: org.configPath,
      backupDir: org.backupDir,
      outDir: org.outDir,
      testEmail,
      course: f.course,
      syncTimeoutMs,
      pollIntervalSeconds: f['poll-interval'],
      groupWaitMinutes: f['group-wait'] ?? DEFAULT_GROUP_WAIT_MINUTES,
      exportFile,
      waitConnectMinutes: f['wait-connect'],
      policy: policySource(org.configPath),
      force: f.force,
      packages: {
        waitMinutes: f['package-wait'],
        installationKey: f['installation-key'],
        ...(interval === undefined ? {} : { pollSchedule: { firstMs: interval, maxMs: interval, factor: 1 } }),
      },
      confirm: calls.confirm,
      ...(calls.onEvent ? { onEvent: calls.onEvent } : {}),
    },
  };
}
