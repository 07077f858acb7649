import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Messages } from '@salesforce/core';
import { Flags } from '@salesforce/sf-plugins-core';
import { inputError } from '../core/errors.js';
import { type FleetOrg, parseFleetOrgs } from '../core/fleet-orgs.js';
import {
  type FleetCheck,
  type FleetCommand,
  type FleetSummary,
  type FleetSummaryOrg,
  summariseFleet,
} from '../core/fleet-report.js';
import { FLEET_TEXTS } from '../core/messages.js';
import { type FleetEntry, type FleetEvent, type FleetRow, connectedOrgNames } from '../org/fleet.js';
import { loadConfig } from './config-file.js';
import { FleetFolder } from './fleet-output.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'flags.fleet');

/** The most orgs one run works on at once: beyond it the machine, not the orgs, sets the pace. */
export const MAX_CONCURRENCY = 16;

/** The flags both fleet commands share: which orgs, how many at once, and where the run's folder is. */
export const fleetFlags = {
  orgs: Flags.file({ summary: messages.getMessage('flags.orgs.summary'), exists: true, exclusive: ['all-connected'] }),
  'all-connected': Flags.boolean({ summary: messages.getMessage('flags.all-connected.summary'), default: false }),
  resume: Flags.directory({
    summary: messages.getMessage('flags.resume.summary'),
    exists: true,
    exclusive: ['orgs', 'all-connected', 'config', 'out-dir'],
  }),
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

/**
 * The run's folder and orgs: a new run from --orgs or --all-connected, or the earlier run --resume names, whose
 * finished orgs are not run again.
 */
export async function openFleetRun<S>(
  command: FleetCommand,
  flags: FleetFlags,
  settings: S,
  now: Date
): Promise<{ folder: FleetFolder<S>; finished: Map<string, FleetRow<unknown>> }> {
  if (flags.resume) {
    const folder = FleetFolder.open<S>(resolve(flags.resume), command);
    return { folder, finished: folder.finishedRows() };
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
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const dir = resolve(flags['out-dir'] ?? join('ce-connect-output', `fleet-${command}-${stamp}`));
  const folder = FleetFolder.create<S>(dir, { command, startedAt: now.toISOString(), orgs, settings });
  return { folder, finished: new Map() };
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
export function fleetSummary<R>(
  folder: FleetFolder<unknown>,
  rows: Map<string, FleetRow<R>>,
  entries: Map<string, { integrationUsername?: string }>,
  describe: (row: FleetRow<R>) => { checks: FleetCheck[]; report?: string },
  finishedAt: Date
): FleetSummary {
  const orgs = folder.meta.orgs.map((listed): FleetSummaryOrg => {
    const row = rows.get(listed.org);
    if (!row) {
      return { org: listed.org, status: 'not-run', writes: 0, apiCalls: 0, durationMs: 0, checks: [] };
    }
    const { checks, report } = describe(row);
    return {
      org: row.org,
      status: row.status,
      ...(row.orgId ? { orgId: row.orgId, name: row.name, kind: row.kind, instanceUrl: row.instanceUrl } : {}),
      writes: row.writes,
      apiCalls: row.apiCalls,
      ...(row.apiRemaining === undefined ? {} : { apiRemaining: row.apiRemaining }),
      durationMs: row.durationMs,
      ...(row.failure ? { firstError: row.failure } : {}),
      checks,
      ...(report ? { report } : {}),
      ...(entries.get(row.org)?.integrationUsername
        ? { integrationUsername: entries.get(row.org)?.integrationUsername }
        : {}),
    };
  });
  return summariseFleet(folder.meta.command, orgs, {
    startedAt: folder.meta.startedAt,
    finishedAt: finishedAt.toISOString(),
  });
}

/**
 * The end of a fleet run: the fleet's reports written (with failed-orgs.csv when any org did not pass) and the
 * table of orgs for the terminal, `extra` adding the command's own column.
 */
export function finishFleetRun(
  folder: FleetFolder<unknown>,
  summary: FleetSummary,
  rows: Map<string, FleetRow<unknown>>,
  extra: (org: FleetSummaryOrg) => Record<string, string>
): { files: string[]; failed: FleetOrg[]; table: Array<Record<string, string>> } {
  const failed = folder.meta.orgs.filter((o) => rows.get(o.org)?.status !== 'ok');
  const files = folder.writeReports(summary, failed);
  const table = summary.orgs.map((o) => ({
    org: o.org,
    status: o.status,
    ...extra(o),
    'API calls': String(o.apiCalls),
    'first error': o.firstError ? `${o.firstError.message}${o.firstError.fix ? `\n${o.firstError.fix}` : ''}` : '',
  }));
  return { files, failed, table };
}
