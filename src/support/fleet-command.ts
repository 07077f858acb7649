import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { inputError } from '../core/errors.js';
import { type FleetOrg, parseFleetOrgs } from '../core/fleet-orgs.js';
import {
  type FleetCheck,
  type FleetCommand,
  type FleetOrgOutcome,
  type FleetSummary,
  type FleetSummaryOrg,
  summariseFleet,
} from '../core/fleet-report.js';
import { FLEET_TEXTS } from '../core/messages.js';
import { type FleetEntry, type FleetEvent, type FleetRow, connectedOrgNames } from '../org/fleet.js';
import { loadConfig, resolveConfigPath } from './config-file.js';
import { FleetFolder } from './fleet-output.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'flags.fleet');

/** The most orgs one run works on at once: beyond it the machine, not the orgs, sets the pace. */
export const MAX_CONCURRENCY = 16;

/**
 * --resume: the run's folder, whose list and settings the resumed run keeps, so flags that would change them are
 * refused beside it (`also` names a command's own).
 */
export function resumeFlag(also: string[]) {
  return Flags.directory({
    summary: messages.getMessage('flags.resume.summary'),
    exists: true,
    exclusive: ['orgs', 'all-connected', 'config', 'out-dir', ...also],
  });
}

/** The flags both fleet commands share: which orgs, how many at once, and where the run's folder is. */
export const fleetFlags = {
  orgs: Flags.file({ summary: messages.getMessage('flags.orgs.summary'), exists: true, exclusive: ['all-connected'] }),
  'all-connected': Flags.boolean({ summary: messages.getMessage('flags.all-connected.summary'), default: false }),
  resume: resumeFlag([]),
  config: Flags.file({ summary: messages.getMessage('flags.config.summary') }),
  concurrency: Flags.integer({
    summary: messages.getMessage('flags.concurrency.summary', [MAX_CONCURRENCY]),
    default: 4,
    min: 1,
    max: MAX_CONCURRENCY,
  }),
  'max-failures': Flags.integer({ summary: messages.getMessage('flags.max-failures.summary'), min: 1 }),
  'max-api-calls-per-org': Flags.integer({
    summary: messages.getMessage('flags.max-api-calls-per-org.summary'),
    min: 1,
  }),
  'out-dir': Flags.directory({ summary: messages.getMessage('flags.out-dir.summary') }),
};

export type FleetFlags = {
  orgs?: string;
  'all-connected': boolean;
  resume?: string;
  config?: string;
  'out-dir'?: string;
};

/** Every org's config, read and checked before any org is opened: a bad one is exit 2 with its file named. */
export function fleetEntries(orgs: FleetOrg[], defaultConfig: string | undefined): FleetEntry[] {
  return orgs.map((entry) => {
    const { path, config } = loadConfig(entry.config ?? defaultConfig);
    return { ...entry, config, configPath: path };
  });
}

/** Paths in an org list are relative to the list's folder; made absolute, they stay right in a resumed run. */
function absolute(orgs: FleetOrg[], base: string): FleetOrg[] {
  return orgs.map((o) => ({
    ...o,
    ...(o.config ? { config: resolve(base, o.config) } : {}),
    ...(o.export ? { export: resolve(base, o.export) } : {}),
  }));
}

/** The run's config for orgs that name none: --config, else the project's (absolute, so a resume finds it anywhere). */
function defaultConfigPath(flag: string | undefined): string | undefined {
  if (flag) return resolve(flag);
  try {
    return resolveConfigPath(undefined);
  } catch {
    // No project config: every org must name its own, which fleetEntries says when one does not.
    return undefined;
  }
}

export type FleetStart<S> = {
  folder: FleetFolder<S>;
  /** Every org of the run, with its config read and checked. */
  entries: FleetEntry[];
  /** The orgs an earlier run (--resume) finished. */
  finished: Map<string, FleetRow<unknown>>;
};

/**
 * The run's orgs and folder: a new run from --orgs or --all-connected, or the earlier run --resume names (whose
 * finished orgs are not run again). Every org's config and `check` run before a new run's folder is made, so a bad
 * input (exit 2) leaves nothing behind and the same command can simply be run again.
 */
export async function startFleetRun<S extends { config?: string }>(
  command: FleetCommand,
  flags: FleetFlags,
  settings: S,
  now: Date,
  check: (entries: FleetEntry[], dir: string) => void = () => undefined
): Promise<FleetStart<S>> {
  if (flags.resume) {
    const folder = FleetFolder.open<S>(resolve(flags.resume), command);
    const finished = folder.finishedRows();
    const entries = fleetEntries(folder.meta.orgs, folder.meta.settings.config);
    check(
      entries.filter((e) => !finished.has(e.org)),
      folder.dir
    );
    return { folder, entries, finished };
  }
  let orgs: FleetOrg[];
  if (flags.orgs) {
    const path = resolve(flags.orgs);
    orgs = absolute(parseFleetOrgs(readFileSync(path, 'utf8'), flags.orgs), dirname(path));
  } else if (flags['all-connected']) {
    orgs = (await connectedOrgNames()).map((org) => ({ org }));
    if (orgs.length === 0) throw inputError(FLEET_TEXTS, 'NoConnectedOrgs');
  } else {
    throw inputError(FLEET_TEXTS, 'NoOrgList', [], { actionTokens: [[command]] });
  }
  const config = defaultConfigPath(flags.config);
  const stored = { ...settings, ...(config ? { config } : {}) };
  const entries = fleetEntries(orgs, config);
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const dir = resolve(flags['out-dir'] ?? join('ce-connect-output', `fleet-${command}-${stamp}`));
  check(entries, dir);
  const folder = FleetFolder.create<S>(dir, { command, startedAt: now.toISOString(), orgs, settings: stored });
  return { folder, entries, finished: new Map() };
}

/** One line per org as it starts and finishes (and for setup, per step), prefixed with the org's name. */
export function fleetLine<R>(event: FleetEvent<R>, describe: (row: FleetRow<R>) => string): string | undefined {
  if (event.kind === 'start') return undefined;
  if (event.kind === 'progress') return `[${event.org}] ${event.message}`;
  const { row } = event;
  const mark = row.status === 'ok' ? '✔' : row.status === 'failed' ? '✘' : '–';
  const who = row.name ? ` (${row.name}, ${row.kind})` : '';
  const why = row.failure && row.status !== 'ok' ? ` — ${row.failure.message}` : '';
  return `${mark} ${row.org}${who}: ${describe(row)}${why} (${row.apiCalls} API calls, ${(row.durationMs / 1000).toFixed(1)} s)`;
}

/** The summary of the whole run, in the list's order, with the rows of an earlier run where this one did not run. */
function fleetSummary<R>(
  folder: FleetFolder<unknown>,
  rows: Map<string, FleetRow<R>>,
  entries: FleetEntry[],
  describe: (row: FleetRow<R>) => { checks: FleetCheck[]; report?: string },
  finishedAt: Date
): FleetSummary {
  const users = new Map(entries.map((e) => [e.org, e.config.integrationUser.username]));
  const orgs = folder.meta.orgs.map((listed): FleetSummaryOrg => {
    const row = rows.get(listed.org);
    if (!row) {
      return { org: listed.org, status: 'not-run', writes: 0, apiCalls: 0, durationMs: 0, checks: [] };
    }
    const { checks, report } = describe(row);
    // The work's own result (the report, the setup result) stays in the org's row.json, not in the summary.
    const { failure } = row;
    const outcome = Object.fromEntries(
      Object.entries(row).filter(([key]) => key !== 'failure' && key !== 'result')
    ) as FleetOrgOutcome;
    return {
      ...outcome,
      ...(failure ? { firstError: failure } : {}),
      checks,
      ...(report ? { report } : {}),
      ...(users.get(row.org) ? { integrationUsername: users.get(row.org) } : {}),
    };
  });
  return summariseFleet(folder.meta.command, orgs, {
    startedAt: folder.meta.startedAt,
    finishedAt: finishedAt.toISOString(),
  });
}

export type FleetEnd<R> = {
  summary: FleetSummary;
  rows: Map<string, FleetRow<R>>;
  files: string[];
  /** The orgs that did not pass, as failed-orgs.csv lists them (each with its config, export and test email). */
  failed: FleetOrg[];
  /** The table of orgs for the terminal. */
  table: Array<Record<string, string>>;
};

/**
 * The end of a fleet run: this run's rows beside an earlier run's, the summary, the fleet's reports (with
 * failed-orgs.csv when an org did not pass: it lists each such org with everything it ran with, so `--orgs`
 * takes it back as it is) and the table of orgs, `extra` adding the command's own column.
 */
export function completeFleetRun<R>(
  start: FleetStart<unknown>,
  rows: Array<FleetRow<R>>,
  options: {
    describe: (row: FleetRow<R>) => { checks: FleetCheck[]; report?: string };
    listed: (entry: FleetEntry) => FleetOrg;
    extra: (org: FleetSummaryOrg, row: FleetRow<R> | undefined) => Record<string, string>;
  }
): FleetEnd<R> {
  const { folder, entries } = start;
  const all = new Map<string, FleetRow<R>>([
    ...(start.finished as Map<string, FleetRow<R>>),
    ...rows.map((r) => [r.org, r] as const),
  ]);
  const summary = fleetSummary(folder, all, entries, options.describe, new Date());
  const failed = entries.filter((e) => all.get(e.org)?.status !== 'ok').map(options.listed);
  const files = folder.writeReports(summary, failed);
  const table = summary.orgs.map((o) => ({
    org: o.org,
    status: o.status,
    ...options.extra(o, all.get(o.org)),
    'API calls': String(o.apiCalls),
    'first error': o.firstError ? `${o.firstError.message}${o.firstError.fix ? `\n${o.firstError.fix}` : ''}` : '',
  }));
  return { summary, rows: all, files, failed, table };
}
