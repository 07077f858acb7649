import { parentPort, workerData } from 'node:worker_threads';
import { ExistingCollector, existingReader } from '../core/existing-records.js';
import { hashBytes } from '../core/id-index.js';
import { scanCsvFile } from './csv-files.js';
import { type SkippedJob, writeSkipped } from './outcome-files.js';

/**
 * A worker thread that reads an existing-records file while the planner reads the export: it sends back the
 * usable records (see ExistingBatch), or `undefined` when the file has a problem. The planner then reads the file
 * itself, so the error the admin sees is the one a read in the planner's own thread gives, word for word. After
 * the records it can write skipped.csv in pass 2; if that fails, the planner writes it itself, for the same reason.
 */
export type ExistingWorkerInput = { path: string; idColumn: string; timestampColumn: string };

async function main(): Promise<void> {
  const { path, idColumn, timestampColumn } = workerData as ExistingWorkerInput;
  const collector = new ExistingCollector(hashBytes);
  const reader = existingReader(path, idColumn, timestampColumn, collector.counts, collector.take);
  try {
    await scanCsvFile(path, reader.onRecord);
  } catch {
    parentPort?.postMessage(undefined);
    return;
  }
  if (!reader.sawHeader()) {
    parentPort?.postMessage(undefined);
    return;
  }
  const batch = collector.batch();
  // Handed over, not copied.
  const buffers = [batch.ids.buffer, batch.ends.buffer, batch.hashes.buffer, batch.timestamps.buffer] as ArrayBuffer[];
  parentPort?.postMessage(batch, buffers);
  // Then, if the planner asks, skipped.csv while it writes the other files (nothing, if the message is empty).
  parentPort?.once('message', (job: SkippedJob | undefined) => {
    if (!job) return;
    writeSkipped(job).then(
      (written) => parentPort?.postMessage({ written }),
      () => parentPort?.postMessage({ written: undefined })
    );
  });
}

void main();
