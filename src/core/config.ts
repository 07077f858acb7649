import { createRequire } from 'node:module';
import { Ajv, type ErrorObject } from 'ajv';
import { type ParseError, parse as parseJsonc, printParseErrorCode } from 'jsonc-parser';
import { parseVersion } from './versions.js';
import { ERRORS } from './messages.js';
import { inputError } from './errors.js';

export type SortOrder = 'Asc' | 'Desc';

export type PackageSpec = {
  key: string;
  name: string;
  namespace: string;
  minimumVersion: string;
  versionId: string;
  enableRss?: boolean;
  installationKeyEnv?: string;
};

export type EnrollmentSpec = {
  object: string;
  contactField: string;
  relationshipName?: string;
  externalIdField: string;
  timestampField: string;
  emailField: string;
  courseNameField?: string;
  courseIdField?: string;
  progressField?: string;
  enrollmentDateField?: string;
  attemptField?: string;
};

export type Assignee =
  | { username: string; expires?: string }
  | { profile: string; expires?: string }
  | { permissionSet: string; expires?: string }
  | { permissionSetGroup: string; expires?: string }
  | { userFilter: string; expires?: string };

export type RelatedListConfig = {
  fields: string[];
  sortField: string;
  sortOrder: SortOrder;
  excludeButtons: string[];
  customButtons?: string[];
};

export type PagesConfig = {
  targets?: string[];
  component?: 'dynamicRelatedList' | 'contactEnrollments';
  /** Region by page name ("*" for any page), for pages with no related lists to stand beside. */
  regions?: Record<string, string>;
  relatedList?: {
    fields?: string[];
    sortField?: string;
    sortOrder?: SortOrder;
    rows?: number;
    label?: string;
    showActionBar?: boolean;
    actions?: string[];
  };
};

export type CeConfig = {
  unverified?: string[];
  packages: PackageSpec[];
  enrollment: EnrollmentSpec;
  permissionSet: { label: string; namespace: string; name?: string; assignees: Assignee[] };
  integrationUser: {
    username: string;
    connectedApps?: string[];
    objectAccess?: Array<{ object: string; access: Array<'read' | 'create' | 'edit'> }>;
  };
  layouts: { targets: string[]; relatedList: RelatedListConfig };
  pages?: PagesConfig;
  sync: { timeoutMinutes: number; maxApiCalls: number };
  backfill: { since: string; externalIdColumn: string; timestampColumn: string; rowsPerFile?: number };
};

/** One problem in the config, located by its JSON pointer (RFC 6901) so editors and people can find it. */
export type ConfigProblem = { path: string; message: string };

// The schema is one file, config/ce-connect.schema.json, shipped beside lib/ so that editors can also point a
// config's "$schema" at it; from src/core and lib/core it is the same two folders up.
const schema = createRequire(import.meta.url)('../../config/ce-connect.schema.json') as object;
// Compiled at every command start, so compiled plainly: the schema is checked against JSON Schema's meta-schema
// by a unit test instead of here, and ajv's code optimiser is off (half the compile time; validation speed does
// not matter for one small file).
const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false, code: { optimize: false } });
const validateSchema = ajv.compile<CeConfig>(schema);

function describe(error: ErrorObject): ConfigProblem {
  const path = error.instancePath === '' ? '/' : error.instancePath;
  switch (error.keyword) {
    case 'additionalProperties': {
      const extra = String((error.params as { additionalProperty: string }).additionalProperty);
      return { path: `${error.instancePath}/${extra}`, message: `unknown setting "${extra}"` };
    }
    case 'required': {
      const missing = String((error.params as { missingProperty: string }).missingProperty);
      return { path: `${error.instancePath}/${missing}`, message: 'is required' };
    }
    case 'enum': {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v));
      return { path, message: `must be one of ${allowed.join(', ')}` };
    }
    case 'pattern': {
      const description = (error.parentSchema as { description?: string } | undefined)?.description;
      return { path, message: `has the wrong form${description ? `: ${description}` : ''}` };
    }
    default:
      return { path, message: error.message ?? 'is invalid' };
  }
}

/** `oneOf` failures repeat each branch's complaint; keep one line per path and drop the branch noise. */
function simplify(errors: ErrorObject[]): ConfigProblem[] {
  const oneOfPaths = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  const problems: ConfigProblem[] = [];
  for (const error of errors) {
    if (oneOfPaths.has(error.instancePath) && (error.keyword === 'required' || error.keyword === 'oneOf')) continue;
    problems.push(describe(error));
  }
  for (const path of oneOfPaths) {
    problems.push({
      path,
      message: 'must name exactly one of username, profile, permissionSet, permissionSetGroup or userFilter',
    });
  }
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path} ${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Rules a JSON Schema cannot express. */
function semanticProblems(config: CeConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const keys = new Set<string>();
  config.packages.forEach((pkg, index) => {
    if (keys.has(pkg.key)) problems.push({ path: `/packages/${index}/key`, message: `"${pkg.key}" is used twice` });
    keys.add(pkg.key);
    try {
      parseVersion(pkg.minimumVersion);
    } catch {
      problems.push({ path: `/packages/${index}/minimumVersion`, message: 'is not a version number' });
    }
  });
  if (Number.isNaN(Date.parse(config.backfill.since))) {
    problems.push({ path: '/backfill/since', message: `"${config.backfill.since}" is not a valid date` });
  }
  config.permissionSet.assignees.forEach((assignee, index) => {
    if (assignee.expires !== undefined && Number.isNaN(Date.parse(assignee.expires))) {
      problems.push({ path: `/permissionSet/assignees/${index}/expires`, message: 'is not a valid date' });
    }
  });
  return problems;
}

/** Checks a parsed config; returns every problem found, empty when the config is usable. */
export function findConfigProblems(value: unknown): ConfigProblem[] {
  if (!validateSchema(value)) return simplify(validateSchema.errors ?? []);
  return semanticProblems(value);
}

/**
 * Parses the text of a config file into a typed config, or throws an InputError (exit 2) that lists every
 * problem with its JSON path.
 */
export function parseConfig(text: string, source: string): CeConfig {
  const value = parseJsonFile(text, source, 'ConfigNotJson', [[source]]);
  const problems = findConfigProblems(value);
  if (problems.length > 0) {
    const lines = problems.map((p) => `  ${p.path}: ${p.message}`);
    throw inputError(ERRORS, 'InvalidConfig', [source, problems.length, lines.join('\n')], {
      actionTokens: [[source]],
      data: { problems },
    });
  }
  return value as unknown as CeConfig;
}

/** The Metadata API name of the Enrollments related list on Contact layouts: <ChildObject>.<LookupField>. */
export function relatedListName(config: CeConfig): string {
  return `${config.enrollment.object}.${config.enrollment.contactField}`;
}

/**
 * A JSON file's text as a value, or the error `key` (exit 2) naming the file with the line and column of its first
 * syntax error.
 */
export function parseJsonFile(text: string, source: string, key: string, actionTokens: unknown[][] = []): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const where = jsonErrorLocation(text);
    throw inputError(
      ERRORS,
      key,
      [where ? `${source}:${where.line}:${where.column}` : source, where?.reason ?? (error as Error).message],
      {
        actionTokens,
        data: where ? { file: source, line: where.line, column: where.column } : { file: source },
      }
    );
  }
}

/** Where the first JSON syntax error of a text is, as a line and column (1-based) an editor can jump to. */
export function jsonErrorLocation(text: string): { line: number; column: number; reason: string } | undefined {
  const errors: ParseError[] = [];
  parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false });
  const first = errors[0];
  if (!first) return undefined;
  const before = text.slice(0, first.offset);
  const line = before.split('\n').length;
  const column = first.offset - (before.lastIndexOf('\n') + 1) + 1;
  return { line, column, reason: printParseErrorCode(first.error) };
}
