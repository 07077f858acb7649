import { parentPort, workerData } from 'node:worker_threads';
import { ExistingCollector, existingReader } from '../core/existing-records.js';
import { hashBytes } from '../core/id-index.js';
import { scanCsvFile } from './csv-files.js';

/**
 * A worker thread that reads an existing-records file while the planner reads the export: it sends back the
 * usable records (see ExistingBatch), or `undefined` when the file has a problem. The planner then reads the file
 * itself, so the error the admin sees is the one a read in the planner's own thread gives, word for word.
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
}

void main();
