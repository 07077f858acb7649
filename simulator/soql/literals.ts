// SOQL literals: parsing them by type, checking them against the field, comparing values and LIKE patterns.
import { SimError } from '../errors.js';
import type { FieldDef } from '../types.js';
import { malformed, unsupported } from './common.js';

export type Literal = { type: string; value: unknown };

export function isText(field: FieldDef): boolean {
  return ['string', 'textarea', 'email', 'phone', 'url', 'picklist', 'id', 'reference'].includes(field.type);
}

export function parseLiteral(raw: string, type: string): Literal {
  switch (type) {
    case 'STRING': {
      const inner = raw.startsWith("'") && raw.endsWith("'") ? raw.slice(1, -1) : raw;
      return {
        type,
        value: inner
          .replace(/\\(.)/g, (_m, c: string) => ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' })[c] ?? `\\${c}`)
          .replace(/\\([\\'"])/g, '$1'),
      };
    }
    case 'INTEGER':
    case 'DECIMAL':
      return { type, value: Number(raw) };
    case 'BOOLEAN':
      return { type, value: raw.toUpperCase() === 'TRUE' };
    case 'NULL':
      return { type, value: null };
    case 'DATE':
      return { type, value: raw };
    case 'DATETIME': {
      const ms = Date.parse(raw.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
      if (Number.isNaN(ms)) throw malformed(`invalid date-time literal ${raw}`);
      return { type, value: new Date(ms).toISOString().replace('Z', '+0000') };
    }
    case 'DATE_LITERAL':
    case 'DATE_N_LITERAL':
      throw unsupported(`The date literal ${raw}`);
    default:
      throw unsupported(`The literal ${raw}`);
  }
}

/** Each field type accepts only some literal forms; anything else is INVALID_QUERY_FILTER_OPERATOR, as in SOQL. */
export function checkLiteralType(field: FieldDef, literal: Literal): void {
  if (literal.type === 'NULL' || field.type === 'anyType') return;
  const ok: Record<string, string[]> = {
    boolean: ['BOOLEAN'],
    int: ['INTEGER'],
    double: ['INTEGER', 'DECIMAL'],
    percent: ['INTEGER', 'DECIMAL'],
    currency: ['INTEGER', 'DECIMAL'],
    date: ['DATE'],
    datetime: ['DATETIME'],
  };
  const allowed = ok[field.type] ?? ['STRING'];
  if (!allowed.includes(literal.type)) {
    const expected = field.type === 'datetime' ? 'dateTime' : field.type;
    throw new SimError(
      400,
      'INVALID_QUERY_FILTER_OPERATOR',
      `value of filter criterion for field '${field.name}' must be of type ${expected}${
        isText(field) ? '' : ' and should not be enclosed in quotes'
      }`
    );
  }
}

export function compareValues(field: FieldDef, a: unknown, b: unknown): number {
  switch (field.type) {
    case 'int':
    case 'double':
    case 'percent':
    case 'currency':
      return Number(a) - Number(b);
    case 'boolean':
      return Number(a) - Number(b);
    case 'datetime':
      return Date.parse(String(a).replace('+0000', 'Z')) - Date.parse(String(b).replace('+0000', 'Z'));
    case 'id':
    case 'reference':
      // Ids compare exactly (they are case-sensitive); both sides are 18-character here.
      return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
    default: {
      // Text comparisons in SOQL are case-insensitive.
      const x = String(a).toLowerCase();
      const y = String(b).toLowerCase();
      return x < y ? -1 : x > y ? 1 : 0;
    }
  }
}

export function likeToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) {
      source += pattern[++i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    } else if (c === '%') source += '.*';
    else if (c === '_') source += '.';
    else source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'is');
}
