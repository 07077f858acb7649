import type { RowCheck } from './backfill-planner.js';
import { type CsvRecord, fieldText } from './csv-scanner.js';
import { parseTimestamp } from './timestamps.js';

/**
 * Does a CSV value fit the Salesforce field it will be loaded into? Catching this while planning turns a row the
 * Bulk API would fail (or, worse, a job it would fail whole) into a rejected row with a reason.
 * Field types and the value formats Bulk API 2.0 accepts:
 * https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/datafiles_date_format.htm
 * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/field_types.htm
 */
export type FieldSpec = {
  name: string;
  type: string;
  length?: number;
  precision?: number;
  scale?: number;
  picklistValues?: string[];
  restrictedPicklist?: boolean;
};

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)$/;
const INTEGER = /^[+-]?\d+$/;
const BOOLEAN = /^(true|false|1|0|yes|no)$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const SALESFORCE_ID = /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/;

/** Why `value` does not fit `field`, or undefined when it does. Empty values always fit (they clear the field). */
export function misfit(field: FieldSpec, value: string): string | undefined {
  if (value === '') return undefined;
  const bad = (what: string): string => `value "${value.slice(0, 40)}" in column ${field.name} is not ${what}`;
  switch (field.type) {
    case 'double':
    case 'currency':
    case 'percent': {
      if (!NUMBER.test(value.trim())) return bad('a number');
      if (field.precision !== undefined && field.scale !== undefined) {
        const whole = value.trim().replace(/^[+-]/, '').split('.')[0].replace(/^0+/, '');
        if (whole.length > field.precision - field.scale) {
          return bad(`a number with at most ${field.precision - field.scale} digits before the decimal point`);
        }
      }
      return undefined;
    }
    case 'int': {
      const n = Number(value.trim());
      return INTEGER.test(value.trim()) && n >= -2147483648 && n <= 2147483647 ? undefined : bad('a whole number');
    }
    case 'boolean':
      return BOOLEAN.test(value.trim()) ? undefined : bad('true or false');
    case 'date':
    case 'datetime':
      return Number.isNaN(parseTimestamp(value))
        ? bad(field.type === 'date' ? 'a date' : 'a date and time')
        : undefined;
    case 'email':
      if (!EMAIL.test(value.trim())) return bad('an email address');
      break;
    case 'id':
    case 'reference':
      return SALESFORCE_ID.test(value.trim()) ? undefined : bad('a Salesforce record ID');
    case 'picklist':
      if (field.restrictedPicklist && field.picklistValues && !field.picklistValues.includes(value)) {
        return bad(`one of the picklist values (${field.picklistValues.slice(0, 5).join(', ')}…)`);
      }
      break;
    default:
      break;
  }
  if (field.length !== undefined && field.length > 0 && [...value].length > field.length) {
    return `value in column ${field.name} is ${[...value].length} characters long; the field holds ${field.length}`;
  }
  return undefined;
}

/** A row check over the export columns that name fields of the object (others are not loaded, so not checked). */
export function makeRowCheck(header: string[], fields: FieldSpec[]): RowCheck | undefined {
  const byName = new Map(fields.map((f) => [f.name.toLowerCase(), f]));
  const checked = header.flatMap((name, column) => {
    const field = byName.get(name.toLowerCase());
    return field ? [{ column, field }] : [];
  });
  if (checked.length === 0) return undefined;
  return (rec: CsvRecord): string | undefined => {
    for (const { column, field } of checked) {
      if (rec.fieldStart[column] === rec.fieldEnd[column]) continue;
      const problem = misfit(field, fieldText(rec, column));
      if (problem) return problem;
    }
    return undefined;
  };
}
