import type { CsvRecord } from './csv-scanner.js';
import type { ByteSink } from './csv-output.js';
import type { FieldSpec } from './field-fit.js';
import { parseTimestampBytes } from './timestamps.js';

/**
 * The rows `backfill run` sends to Bulk API 2.0: the export's columns that are fields of the object, under the
 * field's API name, values copied as bytes, except date and date-time values, which Bulk API 2.0 only reads in
 * ISO 8601 (https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/datafiles_date_format.htm),
 * so `2025-11-21 10:00:00` becomes `2025-11-21T10:00:00.000Z`. A column that is no field would fail the whole job
 * ("Field name not found"), so it is left out and reported.
 */
export type UploadColumn = { source: number; field: string; kind: 'raw' | 'datetime' | 'date' };

export type UploadLayout = { columns: UploadColumn[]; dropped: string[] };

export function uploadLayout(header: string[], fields: FieldSpec[]): UploadLayout {
  const byName = new Map(fields.map((f) => [f.name.toLowerCase(), f]));
  const columns: UploadColumn[] = [];
  const dropped: string[] = [];
  const seen = new Set<string>();
  header.forEach((name, source) => {
    const field = byName.get(name.trim().toLowerCase());
    if (!field || seen.has(field.name)) {
      dropped.push(name);
      return;
    }
    seen.add(field.name);
    columns.push({
      source,
      field: field.name,
      kind: field.type === 'datetime' ? 'datetime' : field.type === 'date' ? 'date' : 'raw',
    });
  });
  return { columns, dropped };
}

const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;

export function writeUploadHeader(sink: ByteSink, layout: UploadLayout): void {
  sink.text(layout.columns.map((c) => c.field).join(','));
  sink.byte(LF);
}

export function writeUploadRow(sink: ByteSink, rec: CsvRecord, layout: UploadLayout): void {
  const columns = layout.columns;
  for (let i = 0; i < columns.length; i++) {
    if (i > 0) sink.byte(COMMA);
    const column = columns[i];
    const start = rec.fieldStart[column.source];
    const end = rec.fieldEnd[column.source];
    if (column.kind !== 'raw' && end > start) {
      const ms = parseTimestampBytes(rec.buf, start, end);
      if (!Number.isNaN(ms)) {
        const iso = new Date(ms).toISOString();
        sink.text(column.kind === 'date' ? iso.slice(0, 10) : iso);
        continue;
      }
    }
    const quoted = rec.fieldQuoted[column.source] !== 0;
    if (quoted) sink.byte(QUOTE);
    sink.raw(rec.buf, start, end);
    if (quoted) sink.byte(QUOTE);
  }
  sink.byte(LF);
}
