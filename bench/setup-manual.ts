import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { CeConfig } from '../src/core/config.js';
import { layoutFullName, selectLayouts, type LayoutListing } from '../src/core/layout-names.js';
import { relatedListSpec } from '../src/core/related-list-spec.js';
import { applyRelatedList } from '../src/core/related-list-transform.js';
import { soqlString } from '../src/core/soql-text.js';
import { parseVersion, satisfies } from '../src/core/versions.js';
import { type BenchSide, type Output, ROOT, SF } from './setup-side.js';
import type { NotComparable } from './setup-report.js';

/**
 * Side B of `npm run bench:setup`: the runbook done by hand with plain `sf` commands, scripted the way an admin
 * would script it (read each command's --json, decide the next one). The file edit between retrieve and deploy
 * uses the project's related-list transform: the point is the org traffic, not who edits the XML.
 */
type Envelope = { status?: number; result?: unknown; message?: string; data?: unknown };

function result<T>(output: Output, what: string): T {
  const envelope = output.json as Envelope | undefined;
  if (output.exitCode !== 0 || envelope?.result === undefined) {
    throw new Error(`${what} failed (exit ${output.exitCode}): ${envelope?.message ?? output.stderr.slice(0, 2000)}`);
  }
  return envelope.result as T;
}

/** An argument as the admin would type it: paths relative to the project folder or the repository, quoted. */
function shown(side: BenchSide, arg: string): string {
  let text = arg;
  if (arg.startsWith(side.dir)) text = relative(side.dir, arg) || '.';
  else if (arg.startsWith(ROOT)) text = relative(ROOT, arg);
  return /[\s"']/.test(text) ? `"${text}"` : text;
}

const sf = (side: BenchSide, step: string, args: string[]): Promise<Output> =>
  side.exec(step, SF, args, `sf ${args.map((a) => shown(side, a)).join(' ')}`);

/** The usernames config names, the profile and filter rules resolved with one Bulk API query (as `sf` can). */
async function assignees(side: BenchSide, config: CeConfig): Promise<string[]> {
  const usernames: string[] = [];
  const conditions: string[] = [];
  for (const rule of config.permissionSet.assignees) {
    if ('username' in rule) usernames.push(rule.username);
    else if ('profile' in rule) conditions.push(`Profile.Name = ${soqlString(rule.profile)}`);
    else if ('userFilter' in rule) conditions.push(`(${rule.userFilter})`);
    else throw new Error('bench:setup does not resolve permission-set-group assignees by hand');
  }
  if (conditions.length > 0) {
    // `sf data query` asks the org for `?columns=true`, which the simulated org refuses (it is not a documented
    // REST parameter); `sf data export bulk` runs the same SOQL through a Bulk API 2.0 query job.
    const file = join(side.dir, 'assignees.csv');
    const soql = `SELECT Username FROM User WHERE IsActive = true AND (${conditions.join(' OR ')})`;
    const output = await sf(side, 'permsets: find users', [
      'data',
      'export',
      'bulk',
      '--query',
      soql,
      '--output-file',
      file,
      '--wait',
      '5',
    ]);
    result(output, 'sf data export bulk');
    const rows = parse(readFileSync(file, 'utf8'), { columns: true }) as Array<{ Username: string }>;
    usernames.push(...rows.map((row) => row.Username));
  }
  return [...new Set(usernames)];
}

/** The folder holding package.xml under a metadata-format retrieve (sf nests the zip's own folder). */
function metadataRoot(dir: string): string {
  if (existsSync(join(dir, 'package.xml'))) return dir;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const found = metadataRoot(join(dir, entry.name));
    if (found) return found;
  }
  return '';
}

export async function runManualSide(side: BenchSide, config: CeConfig, exportFile: string): Promise<NotComparable[]> {
  const notes: NotComparable[] = [];

  // Packages: what is installed, then each package below its minimum version, in config order.
  type Installed = { SubscriberPackageNamespace?: string; SubscriberPackageVersionNumber?: string };
  const installed = result<Installed[]>(
    await sf(side, 'packages: list', ['package', 'installed', 'list']),
    'sf package installed list'
  );
  for (const spec of config.packages) {
    const have = installed.find((p) => p.SubscriberPackageNamespace === spec.namespace);
    const recent =
      have?.SubscriberPackageVersionNumber !== undefined &&
      satisfies(parseVersion(have.SubscriberPackageVersionNumber), parseVersion(spec.minimumVersion));
    if (recent) continue;
    const args = ['package', 'install', '--package', spec.versionId, '--security-type', 'AdminsOnly'];
    result(
      await sf(side, `packages: ${spec.key}`, [...args, '--wait', '5', '--no-prompt']),
      `sf package install ${spec.versionId}`
    );
  }

  // Permission set: one command for every user config names; a user who already has it is a DUPLICATE_VALUE.
  const users = await assignees(side, config);
  const permset = `${config.permissionSet.namespace}__${config.permissionSet.name ?? config.permissionSet.label.replace(/\W+/g, '_')}`;
  const assign = await sf(side, 'permsets: assign', [
    'org',
    'assign',
    'permset',
    '--name',
    permset,
    ...users.flatMap((u) => ['--on-behalf-of', u]),
  ]);
  const outcome = ((assign.json as Envelope | undefined)?.result ?? {}) as {
    successes?: unknown[];
    failures?: Array<{ name: string; message: string }>;
  };
  const failures = outcome.failures ?? [];
  const unexpected = failures.filter((f) => !/duplicate/i.test(f.message));
  if (unexpected.length > 0 || outcome.successes === undefined) {
    throw new Error(`sf org assign permset failed: ${JSON.stringify(unexpected.length ? unexpected : assign.json)}`);
  }
  side.runs[side.runs.length - 1].note =
    `${outcome.successes.length} assigned, ${failures.length} already assigned (exit ${assign.exitCode})`;
  if (config.permissionSet.assignees.some((a) => a.expires)) {
    notes.push({
      step: 'permsets',
      reason:
        '`sf org assign permset` has no expiration flag: side B leaves the configured ExpirationDate unset (setup sets it).',
    });
  }

  // Layouts: list, retrieve the targets in metadata format, edit the files, deploy the folder.
  const listing = result<LayoutListing[]>(
    await sf(side, 'layouts: list', ['org', 'list', 'metadata', '--metadata-type', 'Layout']),
    'sf org list metadata'
  );
  const targets = selectLayouts(listing.map(layoutFullName), config.layouts.targets);
  const retrieved = join(side.dir, 'retrieved');
  result(
    await sf(side, 'layouts: retrieve', [
      'project',
      'retrieve',
      'start',
      ...targets.flatMap((name) => ['--metadata', `Layout:${name}`]),
      '--target-metadata-dir',
      retrieved,
      '--unzip',
      '--wait',
      '10',
    ]),
    'sf project retrieve start'
  );
  const root = metadataRoot(retrieved);
  if (!root) throw new Error(`No package.xml under ${retrieved}`);
  const spec = relatedListSpec(config);
  const changed = side.local(
    'layouts: edit files',
    'scripted edit of the retrieved files (related-list transform)',
    () => {
      const folder = join(root, 'layouts');
      let count = 0;
      for (const file of readdirSync(folder)) {
        const path = join(folder, file);
        const patched = applyRelatedList(readFileSync(path, 'utf8'), spec, file);
        if (patched.changed) writeFileSync(path, patched.xml);
        if (patched.changed) count += 1;
      }
      return count;
    }
  );
  side.runs[side.runs.length - 1].note = `${changed} of ${targets.length} changed`;
  if (changed > 0) {
    result(
      await sf(side, 'layouts: deploy', ['project', 'deploy', 'start', '--metadata-dir', root, '--wait', '10']),
      'sf project deploy start'
    );
  }

  // Backfill: the export as it is, upserted on the External ID. Rows that fail make sf exit 1 with the job id.
  const upsert = await sf(side, 'backfill: upsert', [
    'data',
    'upsert',
    'bulk',
    '--sobject',
    config.enrollment.object,
    '--file',
    exportFile,
    '--external-id',
    config.enrollment.externalIdField,
    '--wait',
    '5',
  ]);
  const jobId = ((upsert.json as Envelope | undefined)?.data as { jobId?: string } | undefined)?.jobId;
  if (upsert.exitCode !== 0 && jobId) {
    // The error says to read the failed rows with this command; an admin does.
    const results = result<{ successfulRecords: number; failedRecords: number; failedFilePath?: string }>(
      await sf(side, 'backfill: results', ['data', 'bulk', 'results', '--job-id', jobId]),
      'sf data bulk results'
    );
    const failedFile = results.failedFilePath ? join(side.dir, results.failedFilePath) : '';
    const errors = failedFile && existsSync(failedFile) ? failedErrors(readFileSync(failedFile, 'utf8')) : [];
    side.runs[side.runs.length - 2].note =
      `${results.successfulRecords} upserted, ${results.failedRecords} failed${errors.length ? `: ${errors.join(', ')}` : ''}`;
  } else {
    result(upsert, 'sf data upsert bulk');
  }
  notes.push({
    step: 'backfill',
    reason:
      'side B uploads the export as it is; setup first drops rows before backfill.since, keeps the newest copy of a repeated External ID and skips rows Salesforce already holds newer (and it writes the outcome files).',
  });
  return notes;
}

/** The distinct error codes in a Bulk API failed-records file (`sf__Error` is `CODE:message`). */
function failedErrors(csv: string): string[] {
  const rows = parse(csv, { columns: true }) as Array<{ sf__Error?: string }>;
  return [...new Set(rows.map((row) => (row.sf__Error ?? '').split(':')[0]).filter(Boolean))];
}
