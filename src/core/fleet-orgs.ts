import { CsvScanner, recordTexts } from './csv-scanner.js';
import { inputError } from './errors.js';
import { FLEET_TEXTS } from './messages.js';

/**
 * One org of a fleet run: the name `sf` knows it by (an alias or a username) and what differs for it from the
 * run's own flags. Paths are as written in the list, resolved by the caller against the list's folder.
 */
export type FleetOrg = {
  org: string;
  /** A config file of its own (config/ce-connect.json of another project, say). */
  config?: string;
  /** The CE export to backfill from (setup only). */
  export?: string;
  /** The test learner's email for the sync check (setup only). */
  testEmail?: string;
};

type Field = Exclude<keyof FleetOrg, 'org'>;

// Column names as an admin writes them in a spreadsheet; `alias` and `username` are other names of `org`.
const COLUMNS: Record<string, keyof FleetOrg> = {
  org: 'org',
  alias: 'org',
  username: 'org',
  config: 'config',
  export: 'export',
  'test-email': 'testEmail',
  testemail: 'testEmail',
  test_email: 'testEmail',
};

const FIELDS: Field[] = ['config', 'export', 'testEmail'];

/** The org list of `fleet … --orgs <file>`: CSV with a header row, or JSON (an array of names or objects). */
export function parseFleetOrgs(text: string, source: string): FleetOrg[] {
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  const orgs = trimmed.startsWith('[') || trimmed.startsWith('{') ? fromJson(trimmed, source) : fromCsv(text, source);
  if (orgs.length === 0) throw inputError(FLEET_TEXTS, 'NoOrgs', [source]);
  const seen = new Map<string, number>();
  orgs.forEach((entry, index) => {
    const key = entry.org.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      throw inputError(FLEET_TEXTS, 'DuplicateOrg', [source, entry.org, first + 1, index + 1], {
        data: { file: source, org: entry.org },
      });
    }
    seen.set(key, index);
  });
  return orgs;
}

function fromCsv(text: string, source: string): FleetOrg[] {
  const rows: Array<{ values: string[]; line: number }> = [];
  const buffer = Buffer.from(text, 'utf8');
  // A record's offset counts bytes: its line is one more than the line breaks before it, counted as the rows come.
  let line = 1;
  let counted = 0;
  const scanner = new CsvScanner(source, (record) => {
    for (let at = buffer.indexOf(0x0a, counted); at >= 0 && at < record.offset; at = buffer.indexOf(0x0a, at + 1)) {
      line += 1;
    }
    counted = record.offset;
    rows.push({ values: recordTexts(record), line });
  });
  scanner.push(buffer);
  scanner.end();
  const [header, ...data] = rows;
  if (!header) return [];
  const columns = header.values.map((name, i) => {
    const field = COLUMNS[name.trim().toLowerCase()];
    if (!field) {
      throw inputError(FLEET_TEXTS, 'UnknownOrgColumn', [source, name, i + 1], {
        data: { file: source, line: header.line, column: i + 1 },
      });
    }
    return field;
  });
  const orgColumn = columns.indexOf('org');
  if (orgColumn < 0) throw inputError(FLEET_TEXTS, 'NoOrgColumn', [source, header.values.join(', ')]);
  return data
    .filter((row) => row.values.some((v) => v.trim() !== ''))
    .map((row) => {
      const org = (row.values[orgColumn] ?? '').trim();
      if (org === '') {
        throw inputError(FLEET_TEXTS, 'EmptyOrg', [`${source}:${row.line}`], {
          data: { file: source, line: row.line, column: orgColumn + 1 },
        });
      }
      const entry: FleetOrg = { org };
      columns.forEach((field, i) => {
        const value = (row.values[i] ?? '').trim();
        if (field !== 'org' && value !== '') entry[field] = value;
      });
      return entry;
    });
}

function fromJson(text: string, source: string): FleetOrg[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw inputError(FLEET_TEXTS, 'OrgsNotJson', [source, (error as Error).message]);
  }
  // `{ "orgs": [...] }` is the same list with room for a comment beside it.
  const list =
    parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as { orgs?: unknown }).orgs : parsed;
  const base = list === parsed ? '' : '/orgs';
  if (!Array.isArray(list)) throw inputError(FLEET_TEXTS, 'OrgsNotAList', [source, base || '/']);
  return list.map((item: unknown, index): FleetOrg => {
    const path = `${base}/${index}`;
    const bad = (at: string, what: string): Error =>
      inputError(FLEET_TEXTS, 'BadOrgEntry', [`${source} ${at}`, what], { data: { file: source, path: at } });
    if (typeof item === 'string') {
      if (item.trim() === '') throw bad(path, 'is empty');
      return { org: item.trim() };
    }
    if (!item || typeof item !== 'object' || Array.isArray(item)) throw bad(path, 'is neither a name nor an object');
    const record = item as Record<string, unknown>;
    const entry: Partial<FleetOrg> = {};
    for (const [key, value] of Object.entries(record)) {
      const field = COLUMNS[key.toLowerCase()];
      if (!field) throw bad(`${path}/${key}`, 'is not a setting of an org (org, config, export, testEmail)');
      if (typeof value !== 'string' || value.trim() === '') throw bad(`${path}/${key}`, 'must be a non-empty string');
      entry[field] = value.trim();
    }
    if (!entry.org) throw bad(`${path}/org`, 'is required');
    return { org: entry.org, ...Object.fromEntries(FIELDS.flatMap((f) => (entry[f] ? [[f, entry[f]]] : []))) };
  });
}

/** The same list as CSV, for `failed-orgs.csv`: it can be passed back to `--orgs` as it is. */
export function fleetOrgsCsv(orgs: FleetOrg[], quote: (text: string) => string): string {
  const header = ['org', 'config', 'export', 'test-email'];
  const rows = orgs.map((o) => [o.org, o.config ?? '', o.export ?? '', o.testEmail ?? ''].map(quote).join(','));
  return `${[header.join(','), ...rows].join('\n')}\n`;
}
