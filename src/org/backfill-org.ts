import type { Connection } from '@salesforce/core';
import type { ExportHeader, RowCheck } from '../core/backfill-planner.js';
import type { CeConfig } from '../core/config.js';
import { CsvScanner, recordTexts } from '../core/csv-scanner.js';
import { inputError, operationError } from '../core/errors.js';
import { type FieldSpec, makeRowCheck } from '../core/field-fit.js';
import type { IdIndex } from '../core/id-index.js';
import { parseTimestampBytes } from '../core/timestamps.js';
import type { ExistingStats } from './backfill-plan.js';
import { bulkQueryCsv } from './bulk2-query.js';
import { ERRORS } from '../core/messages.js';

/** The org side of `backfill plan -o`: the Enrollment object's fields, and the records it already holds. */

type DescribeField = {
  name: string;
  type: string;
  length?: number;
  precision?: number;
  scale?: number;
  restrictedPicklist?: boolean;
  picklistValues?: Array<{ value: string; active: boolean }>;
  createable?: boolean;
  updateable?: boolean;
};

/** Reads the Enrollment object's fields (one describe call); a missing object is a config problem. */
export async function describeEnrollment(conn: Connection, config: CeConfig): Promise<FieldSpec[]> {
  let describe: { fields: DescribeField[] };
  try {
    describe = (await conn.describe(config.enrollment.object)) as unknown as { fields: DescribeField[] };
  } catch (error) {
    throw inputError(ERRORS, 'EnrollmentObjectMissing', [config.enrollment.object, (error as Error).message], {
      cause: error,
    });
  }
  const names = new Set(describe.fields.map((f) => f.name));
  for (const field of [config.enrollment.externalIdField, config.enrollment.timestampField]) {
    if (!names.has(field)) {
      throw inputError(ERRORS, 'EnrollmentFieldMissing', [config.enrollment.object, field]);
    }
  }
  return describe.fields
    .filter((f) => f.createable !== false || f.updateable !== false)
    .map((f) => ({
      name: f.name,
      type: f.type,
      length: f.length,
      precision: f.precision,
      scale: f.scale,
      restrictedPicklist: f.restrictedPicklist,
      picklistValues: f.picklistValues?.filter((p) => p.active).map((p) => p.value),
    }));
}

/** The per-row field check for the export, built from one describe. */
export async function fieldCheckFor(
  conn: Connection,
  config: CeConfig
): Promise<(header: ExportHeader) => RowCheck | undefined> {
  const fields = await describeEnrollment(conn, config);
  return (header) => makeRowCheck(header.names, fields);
}

export type OrgQueryOptions = { pollIntervalMs?: number; timeoutMs?: number; maxRecords?: number };

/**
 * Fills the index with every Enrollment's External ID and timestamp from ONE Bulk API 2.0 query job, page by page
 * into the CSV scanner, so a million records never sit in memory as objects.
 */
export function existingFromOrg(conn: Connection, config: CeConfig, options: OrgQueryOptions = {}) {
  return async (index: IdIndex): Promise<ExistingStats & { jobId: string; pages: number }> => {
    const { object, externalIdField, timestampField } = config.enrollment;
    const stats = { source: `${object} in the org`, records: 0, withTimestamp: 0, ignored: 0, jobId: '', pages: 0 };
    const soql = `SELECT ${externalIdField}, ${timestampField} FROM ${object} WHERE ${externalIdField} != null`;
    // Column positions come from the first page's header. Later pages repeat the header (or, some clients
    // report, do not): a first row equal to the header is skipped, anything else is data.
    let header: string[] | undefined;
    let idAt = -1;
    let tsAt = -1;
    const result = await bulkQueryCsv(
      conn,
      soql,
      (page) => {
        const scanner = new CsvScanner('Bulk API query results', (rec) => {
          if (rec.index === 0) {
            const names = recordTexts(rec);
            if (!header) {
              header = names;
              idAt = names.indexOf(externalIdField);
              tsAt = names.indexOf(timestampField);
              return;
            }
            if (names.join('\u0000') === header.join('\u0000')) return;
          }
          if (idAt < 0 || rec.fields <= Math.max(idAt, tsAt) || rec.fieldStart[idAt] === rec.fieldEnd[idAt]) {
            stats.ignored++;
            return;
          }
          const ts = tsAt < 0 ? NaN : parseTimestampBytes(rec.buf, rec.fieldStart[tsAt], rec.fieldEnd[tsAt]);
          index.addExisting(rec.buf, rec.fieldStart[idAt], rec.fieldEnd[idAt], ts);
          stats.records++;
          if (!Number.isNaN(ts)) stats.withTimestamp++;
        });
        scanner.push(page);
        scanner.end();
      },
      {
        pollIntervalMs: options.pollIntervalMs ?? 2000,
        timeoutMs: options.timeoutMs ?? 30 * 60_000,
        maxRecords: options.maxRecords ?? 100_000,
      }
    );
    if (header && idAt < 0) {
      throw operationError(ERRORS, 'QueryColumnMissing', [externalIdField, header.join(', ')]);
    }
    stats.jobId = result.jobId;
    stats.pages = result.pages;
    return stats;
  };
}
