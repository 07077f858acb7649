import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { csvQuote } from '../core/csv-output.js';
import { inputError } from '../core/errors.js';
import { type FleetOrg, fleetOrgsCsv } from '../core/fleet-orgs.js';
import {
  type FleetCommand,
  type FleetSummary,
  fleetItemsCsv,
  handoffCsv,
  renderFleetHtml,
} from '../core/fleet-report.js';
import { FLEET_TEXTS } from '../core/messages.js';
import type { FleetRow } from '../org/fleet.js';
import { writeFileAtomically } from './config-file.js';

/** What a fleet run was asked to do, kept in its folder so `--resume` does the same for the orgs that are left. */
export type FleetRunMeta<S = Record<string, unknown>> = {
  command: FleetCommand;
  startedAt: string;
  /** The orgs as listed, with paths made absolute. */
  orgs: FleetOrg[];
  /** The settings that decide what is done to every org (the config, the setup flags). */
  settings: S;
};

const META = 'fleet.json';
const ORGS = 'orgs';
const ROW = 'row.json';

/** A folder name for an org: aliases and usernames as they are, anything else a file name cannot hold replaced. */
export function orgFolderName(org: string): string {
  return org.replace(/[^\w.@+-]/g, '_');
}

/**
 * The folder of one fleet run: `fleet.json` (what was asked), `orgs/<org>/row.json` (each org's outcome, written
 * the moment the org finishes, so a killed run loses no finished org), each org's own report beside it, and the
 * fleet's reports at the top.
 */
export class FleetFolder<S = Record<string, unknown>> {
  private constructor(
    public readonly dir: string,
    public readonly meta: FleetRunMeta<S>
  ) {}

  /** A new run's folder; a folder that already holds a run is refused, with the resume command. */
  public static create<S>(dir: string, meta: FleetRunMeta<S>): FleetFolder<S> {
    if (existsSync(join(dir, META))) {
      throw inputError(FLEET_TEXTS, 'RunFolderInUse', [dir], { actionTokens: [[meta.command, dir]] });
    }
    mkdirSync(join(dir, ORGS), { recursive: true, mode: 0o700 });
    writeFileAtomically(join(dir, META), `${JSON.stringify(meta, null, 2)}\n`, 0o600);
    return new FleetFolder(dir, meta);
  }

  /** An earlier run's folder, to finish it. */
  public static open<S>(dir: string, command: FleetCommand): FleetFolder<S> {
    let meta: FleetRunMeta<S>;
    try {
      meta = JSON.parse(readFileSync(join(dir, META), 'utf8')) as FleetRunMeta<S>;
    } catch {
      throw inputError(FLEET_TEXTS, 'NotARunFolder', [dir]);
    }
    if (meta.command !== command) {
      throw inputError(FLEET_TEXTS, 'OtherRunFolder', [dir, meta.command], { actionTokens: [[meta.command, dir]] });
    }
    return new FleetFolder(dir, meta);
  }

  /** An org's folder of this run, made when missing. */
  public orgDir(org: string): string {
    const dir = this.orgPath(org);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  /** The outcome of an org, kept the moment it finishes. Owner-only: results name users and their emails. */
  public saveRow<R>(row: FleetRow<R>): void {
    writeFileAtomically(join(this.orgDir(row.org), ROW), `${JSON.stringify(row, null, 2)}\n`, 0o600);
  }

  /** The orgs an earlier run finished, by their name in the list. */
  public finishedRows<R>(): Map<string, FleetRow<R>> {
    const rows = new Map<string, FleetRow<R>>();
    const root = join(this.dir, ORGS);
    if (!existsSync(root)) return rows;
    for (const name of readdirSync(root)) {
      const file = join(root, name, ROW);
      if (!existsSync(file)) continue;
      const row = JSON.parse(readFileSync(file, 'utf8')) as FleetRow<R>;
      rows.set(row.org, row);
    }
    return rows;
  }

  /** Writes an org's own report beside its row (owner-only: it names users and their emails). */
  public writeOrgReport(org: string, file: string, text: string): void {
    writeFileAtomically(join(this.orgDir(org), file), text, 0o600);
  }

  /** A file of an org's folder, as the fleet's page links it: relative to the run's folder. */
  public orgFile(org: string, file: string): string {
    return `${ORGS}/${orgFolderName(org)}/${file}`;
  }

  /** An org's folder of this run, as a path: nothing is made (see orgDir). */
  public orgPath(org: string): string {
    return join(this.dir, ORGS, orgFolderName(org));
  }

  /**
   * The fleet's reports: the summary, the items, the page, the hand-off sheet and, when any org did not pass, the
   * list of those orgs to pass back to `--orgs`. Returns the files written.
   */
  public writeReports(summary: FleetSummary, failed: FleetOrg[]): string[] {
    const files: Array<[string, string]> = [
      ['fleet-summary.json', `${JSON.stringify(summary, null, 2)}\n`],
      ['fleet-items.csv', fleetItemsCsv(summary)],
      ['fleet.html', renderFleetHtml(summary)],
      ['ce-handoff.csv', handoffCsv(summary)],
    ];
    if (failed.length > 0) files.push(['failed-orgs.csv', fleetOrgsCsv(failed, csvQuote)]);
    for (const [name, text] of files) writeFileAtomically(join(this.dir, name), text, 0o600);
    return files.map(([name]) => join(this.dir, name));
  }
}
