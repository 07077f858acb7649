import { Flags, type SfCommand } from '@salesforce/sf-plugins-core';
import type { BackfillSummary } from '../core/backfill-planner.js';
import type { CeConfig } from '../core/config.js';
import { InputError } from '../core/errors.js';
import { parseTimestamp } from '../core/timestamps.js';

/** The flags `backfill plan` and `backfill run` share: where the cutoff is and which columns to read. */
export const backfillColumnFlags = {
  since: Flags.string({
    summary: 'Keep rows changed at or after this time (default: backfill.since in the config, 2025-11-20T00:00:00Z).',
    description: 'ISO 8601 with Z or an offset, a date (midnight UTC), or YYYY-MM-DD HH:MM:SS (UTC).',
  }),
  'external-id-column': Flags.string({
    summary: 'Header of the External ID column (default: backfill.externalIdColumn in the config).',
  }),
  'timestamp-column': Flags.string({
    summary: 'Header of the last-changed timestamp column (default: backfill.timestampColumn in the config).',
  }),
};

export type BackfillOptions = {
  since: number;
  externalIdColumn: string;
  timestampColumn: string;
  rowsPerFile: number;
};

export function resolveBackfillOptions(
  flags: { since?: string; 'external-id-column'?: string; 'timestamp-column'?: string },
  config: CeConfig
): BackfillOptions {
  const sinceText = flags.since ?? config.backfill.since;
  const since = parseTimestamp(sinceText);
  if (Number.isNaN(since)) {
    throw new InputError('BadSince', `--since "${sinceText}" is not a time ce-connect understands.`, {
      actions: ['Use 2025-11-20, 2025-11-20T00:00:00Z, 2025-11-20T01:00:00+01:00 or "2025-11-20 00:00:00" (UTC).'],
    });
  }
  for (const flag of ['external-id-column', 'timestamp-column'] as const) {
    if (flags[flag] !== undefined && flags[flag].trim() === '') {
      throw new InputError('BadColumnFlag', `--${flag} is empty.`, { actions: [`Pass the column's header name.`] });
    }
  }
  return {
    since,
    externalIdColumn: flags['external-id-column'] ?? config.backfill.externalIdColumn,
    timestampColumn: flags['timestamp-column'] ?? config.backfill.timestampColumn,
    rowsPerFile: config.backfill.rowsPerFile ?? 50_000,
  };
}

/** The counts as a table, and where the files are. Silent under --json (SfCommand's log and table are). */
export function printSummary<T>(command: SfCommand<T>, summary: BackfillSummary, outDir: string): void {
  command.table({
    data: [
      { outcome: 'input rows', rows: summary.input },
      { outcome: 'to upsert', rows: summary.toUpsert },
      { outcome: 'skipped: already up to date in Salesforce', rows: summary.skipped.existingUpToDate },
      { outcome: 'skipped: before the cutoff', rows: summary.skipped.beforeCutoff },
      { outcome: 'skipped: duplicate in the file', rows: summary.skipped.duplicateInFile },
      { outcome: 'rejected (see rejected.csv)', rows: summary.rejected },
    ],
  });
  command.log(`Files in ${outDir}: ${[...summary.files, 'skipped.csv', 'rejected.csv', 'summary.json'].join(', ')}`);
}
