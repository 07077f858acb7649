import { open } from 'node:fs/promises';
import { type SkipReason, OUTCOMES } from '../core/backfill-planner.js';
import { CsvScanner } from '../core/csv-scanner.js';
import { writeHumanBytesFast, writeHumanRecord, writeHumanRecordFast } from '../core/csv-output.js';
import { operationError } from '../core/errors.js';
import { ERRORS } from '../core/messages.js';
import { PrivateFile } from './csv-files.js';

/**
 * The second pass's reading: rows of the export by the byte spans pass 1 noted, in large blocks, and the
 * skipped-rows file written from them (by the planning thread, or by the worker thread that read the existing
 * records while the planning thread writes the upsert files).
 */
export type RowSpans = { rows: number; starts: Float64Array; ends: Float64Array };

const READ_BLOCK = 8 * 1024 * 1024;

/**
 * Hands `onRow` the bytes of each wanted row, `block[start, end)`, valid until `beforeRefill` (which runs before
 * the block is read again). A file shorter than pass 1 saw changed in between.
 */
export async function readRows(
  exportPath: string,
  spans: RowSpans,
  want: (row: number) => boolean,
  onRow: (block: Buffer, start: number, end: number, row: number) => void,
  beforeRefill?: () => void
): Promise<void> {
  const { starts, ends } = spans;
  const handle = await open(exportPath, 'r');
  try {
    let block = Buffer.allocUnsafe(READ_BLOCK);
    // The file offsets that block[0, blockBytes) holds.
    let blockStart = 0;
    let blockBytes = 0;
    for (let row = 1; row <= spans.rows; row++) {
      if (!want(row)) continue;
      const rowStart = starts[row];
      const rowEnd = ends[row];
      if (rowEnd > blockStart + blockBytes) {
        beforeRefill?.();
        if (rowEnd - rowStart > block.length) block = Buffer.allocUnsafe(rowEnd - rowStart);
        blockStart = rowStart;
        blockBytes = 0;
        while (blockBytes < block.length) {
          const { bytesRead } = await handle.read(
            block,
            blockBytes,
            block.length - blockBytes,
            blockStart + blockBytes
          );
          if (bytesRead === 0) break;
          blockBytes += bytesRead;
        }
        if (rowEnd > blockStart + blockBytes) throw operationError(ERRORS, 'ExportChanged', [exportPath]);
      }
      onRow(block, rowStart - blockStart, rowEnd - blockStart, row);
    }
  } finally {
    await handle.close();
  }
}

/** What writing skipped.csv needs: per row its outcome (an index into OUTCOMES), span and plainness. */
export type SkippedJob = RowSpans & {
  exportPath: string;
  path: string;
  outcomes: Uint8Array;
  plain: Uint8Array;
  header: Uint8Array;
  hasBom: boolean;
  eol: Uint8Array;
};

const SKIPPED_FROM = 1;
const SKIPPED_TO = 3;

/** Writes skipped.csv: the header with reason and row, then each skipped row in file order. */
export async function writeSkipped(job: SkippedJob): Promise<Record<SkipReason, number>> {
  const reasons = OUTCOMES.map((outcome) => Buffer.from(outcome));
  const written: Record<SkipReason, number> = { existingUpToDate: 0, beforeCutoff: 0, duplicateInFile: 0 };
  const header = Buffer.from(job.header.buffer, job.header.byteOffset, job.header.length);
  const reader = new CsvScanner(job.exportPath, () => undefined);
  const headerRec = reader.reread(header, 0, job.hasBom ? 3 : 0);
  const width = headerRec.fields;
  const file = new PrivateFile(job.path);
  try {
    if (job.hasBom) file.sink.raw(Buffer.from([0xef, 0xbb, 0xbf]), 0, 3);
    writeHumanRecord(file.sink, headerRec, width, ['reason', 'row'], job.eol);
    const { outcomes, plain, eol } = job;
    await readRows(
      job.exportPath,
      job,
      (row) => outcomes[row] >= SKIPPED_FROM && outcomes[row] <= SKIPPED_TO,
      (block, start, end, row) => {
        const code = outcomes[row];
        written[OUTCOMES[code] as SkipReason]++;
        if (plain[row] === 1) {
          writeHumanBytesFast(file.sink, block, start, end, reasons[code], row, eol);
        } else {
          const rec = reader.reread(block.subarray(start, end), row, job.starts[row]);
          writeHumanRecordFast(file.sink, rec, width, reasons[code], row, eol);
        }
      }
    );
  } finally {
    file.close();
  }
  return written;
}
