import { closeSync, fchmodSync, openSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { type CsvRecord, type CsvScanResult, CsvScanner } from '../core/csv-scanner.js';
import { ByteSink } from '../core/csv-output.js';
import { InputError, inputError } from '../core/errors.js';
import { ERRORS } from '../core/messages.js';

const READ_CHUNK = 4 * 1024 * 1024;

/**
 * Streams a CSV file through the scanner with one reused read buffer; unreadable files are bad input (exit 2).
 * `onBlock` runs before the buffer is reused (see CsvScanner).
 */
export async function scanCsvFile(
  path: string,
  onRecord: (rec: CsvRecord) => void,
  onBlock?: () => void
): Promise<CsvScanResult> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw unreadable(path, error);
  }
  try {
    const scanner = new CsvScanner(path, onRecord, onBlock);
    const buffer = Buffer.allocUnsafe(READ_CHUNK);
    for (;;) {
      let read: number;
      try {
        ({ bytesRead: read } = await handle.read(buffer, 0, buffer.length, null));
      } catch (error) {
        throw unreadable(path, error);
      }
      if (read === 0) break;
      scanner.push(buffer.subarray(0, read));
    }
    return scanner.end();
  } catch (error) {
    throw await withLine(path, error);
  } finally {
    await handle.close();
  }
}

/**
 * The scanner places a bad byte by its offset (it counts bytes, not lines, to stay fast); for the admin the
 * error also gets the line, counted from the file once the scan has failed, so an editor can jump to it.
 */
async function withLine(path: string, error: unknown): Promise<unknown> {
  const data = error instanceof InputError ? (error.data as { byteOffset?: number } | undefined) : undefined;
  if (!(error instanceof InputError) || typeof data?.byteOffset !== 'number') return error;
  let line = 1;
  let seen = 0;
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(READ_CHUNK);
    while (seen < data.byteOffset) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, data.byteOffset - seen), null);
      if (bytesRead === 0) break;
      for (let i = 0; i < bytesRead; i++) if (buffer[i] === 0x0a) line++;
      seen += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return new InputError(error.name, `${error.message} That is on line ${line}.`, {
    actions: error.actions,
    data: { ...data, line },
  });
}

function unreadable(path: string, error: unknown): InputError {
  const code = (error as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'it does not exist' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message;
  return inputError(ERRORS, 'FileNotReadable', [path, why], { data: { file: path }, cause: error });
}

/**
 * A file for learner data: created new (never overwriting), readable by its owner only (0600), written through a
 * ByteSink in large synchronous blocks.
 */
export class PrivateFile {
  public readonly sink: ByteSink;
  private readonly fd: number;
  private closed = false;

  public constructor(public readonly path: string) {
    this.fd = openSync(path, 'wx', 0o600);
    // The umask can only remove bits; set the mode explicitly all the same, in case the file system ignores it.
    fchmodSync(this.fd, 0o600);
    this.sink = new ByteSink((data) => {
      let offset = 0;
      while (offset < data.length) offset += writeSync(this.fd, data, offset, data.length - offset);
    });
  }

  public close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sink.drain();
    closeSync(this.fd);
  }
}
