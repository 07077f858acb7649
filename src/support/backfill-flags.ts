import { BACKFILL_DEFAULTS } from '../core/defaults.js';
import { Messages } from '@salesforce/core';
import { Flags, type SfCommand } from '@salesforce/sf-plugins-core';
import type { BackfillSummary } from '../core/backfill-planner.js';
import type { CeConfig } from '../core/config.js';
import { inputError } from '../core/errors.js';
import { parseTimestamp } from '../core/timestamps.js';
import { ERRORS } from '../core/messages.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('ce-connect', 'flags.backfill');

/** The flags `backfill plan` and `backfill run` share: where the cutoff is and which columns to read. */
export const backfillColumnFlags = {
  since: Flags.string({
    summary: messages.getMessage('flags.since.summary'),
    description: messages.getMessage('flags.since.description'),
  }),
  'external-id-column': Flags.string({
    summary: messages.getMessage('flags.external-id-column.summary'),
  }),
  'timestamp-column': Flags.string({
    summary: messages.getMessage('flags.timestamp-column.summary'),
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
  config: CeConfig,
  now: number = Date.now()
): BackfillOptions {
  const sinceText = flags.since ?? config.backfill.since;
  const since = parseTimestamp(sinceText);
  if (Number.isNaN(since)) {
    throw inputError(ERRORS, 'BadSince', [sinceText]);
  }
  // Every row would be older than a cutoff in the future: nothing could be backfilled, so it is surely a typo.
  if (since > now) {
    throw inputError(ERRORS, 'SinceInFuture', [sinceText, new Date(since).toISOString()], {
      actionTokens: [[config.backfill.since]],
    });
  }
  for (const flag of ['external-id-column', 'timestamp-column'] as const) {
    if (flags[flag] !== undefined && flags[flag].trim() === '') {
      throw inputError(ERRORS, 'BadColumnFlag', [flag]);
    }
  }
  return {
    since,
    externalIdColumn: flags['external-id-column'] ?? config.backfill.externalIdColumn,
    timestampColumn: flags['timestamp-column'] ?? config.backfill.timestampColumn,
    rowsPerFile: config.backfill.rowsPerFile ?? BACKFILL_DEFAULTS.rowsPerFile,
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
