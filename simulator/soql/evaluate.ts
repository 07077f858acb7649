// Evaluating a parsed query over the org's records: field paths, SELECT, WHERE and ORDER BY.
import type { Condition, FieldType as ParsedField, OrderByClause, Query, Subquery } from '@jetstreamapp/soql-parser-js';
import { SimError } from '../errors.js';
import { type OrgState, isIdLike, to18 } from '../org-state.js';
import type { FieldDef, ObjectDef, SObjectRecord } from '../types.js';
import { type OutputRecord, type QueryOptions, type QueryOutcome, malformed, unsupported } from './common.js';
import { checkLiteralType, compareValues, isText, type Literal, likeToRegExp, parseLiteral } from './literals.js';
import { type Expr, ExprParser, type ValueQueryLike, tokenize } from './where.js';

type ResolvedPath = { steps: FieldDef[]; field: FieldDef; canonical: string[] };

export class Context {
  public constructor(
    private readonly org: OrgState,
    private readonly options: QueryOptions,
    private readonly alias?: string
  ) {}

  public run(object: ObjectDef, query: Query | Subquery, parentFilter?: (r: SObjectRecord) => boolean): QueryOutcome {
    this.checkClauses(query);
    const fields = query.fields ?? [];
    const isCount = fields.some((f) => f.type === 'FieldFunctionExpression');
    if (isCount) {
      const fn = fields[0];
      if (
        fields.length !== 1 ||
        fn.type !== 'FieldFunctionExpression' ||
        fn.functionName.toUpperCase() !== 'COUNT' ||
        fn.parameters.length > 0
      ) {
        throw unsupported('An aggregate function other than COUNT()');
      }
    }
    const where = new ExprParser(tokenize(query.where)).parse();
    let rows = this.org.all(object.name, { includeDeleted: this.options.includeDeleted });
    if (parentFilter) rows = rows.filter(parentFilter);
    if (where) rows = rows.filter((r) => this.matches(object, r, where));
    if (query.orderBy) rows = this.sort(object, rows, query.orderBy);
    if (query.offset !== undefined) {
      if (query.offset > 2000) {
        throw new SimError(400, 'NUMBER_OUTSIDE_VALID_RANGE', 'Maximum SOQL offset allowed is 2000');
      }
      rows = rows.slice(query.offset);
    }
    if (query.limit !== undefined) rows = rows.slice(0, query.limit);
    if (isCount) return { totalSize: rows.length, records: [] };
    const selectors = fields.map((f) => this.selector(object, f));
    return { totalSize: rows.length, records: rows.map((r) => this.project(object, r, selectors)) };
  }

  private checkClauses(query: Query | Subquery): void {
    if (query.groupBy) throw unsupported('GROUP BY');
    if (query.having) throw unsupported('HAVING');
    if (query.withDataCategory) throw unsupported('WITH DATA CATEGORY');
    if (query.for) throw unsupported('FOR VIEW/UPDATE/REFERENCE');
    if (query.update) throw unsupported('UPDATE TRACKING/VIEWSTAT');
    if (query.usingScope) throw unsupported('USING SCOPE');
    if (!query.fields || query.fields.length === 0) throw malformed('SELECT list is empty');
  }

  // ---- paths ----

  private stripAlias(path: string): string {
    if (this.alias && path.toLowerCase().startsWith(`${this.alias.toLowerCase()}.`))
      return path.slice(this.alias.length + 1);
    return path;
  }

  /** Resolves `A.B.Field` against the schema: INVALID_FIELD for an unknown relationship or field. */
  public resolve(object: ObjectDef, rawPath: string): ResolvedPath {
    const parts = this.stripAlias(rawPath).split('.');
    const steps: FieldDef[] = [];
    const canonical: string[] = [];
    let current = object;
    for (const rel of parts.slice(0, -1)) {
      const lower = rel.toLowerCase();
      const step = current.fields.find((f) => f.type === 'reference' && f.relationshipName?.toLowerCase() === lower);
      if (!step || !step.referenceTo?.length) {
        throw new SimError(
          400,
          'INVALID_FIELD',
          `Didn't understand relationship '${rel}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`
        );
      }
      const next = this.org.getObject(step.referenceTo[0]);
      if (!next) throw malformed(`relationship ${rel} points at an unknown object`);
      steps.push(step);
      canonical.push(step.relationshipName as string);
      current = next;
    }
    const last = parts[parts.length - 1];
    const field = current.fields.find((f) => f.name.toLowerCase() === last.toLowerCase());
    if (!field) {
      throw new SimError(
        400,
        'INVALID_FIELD',
        `No such column '${last}' on entity '${current.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`
      );
    }
    canonical.push(field.name);
    return { steps, field, canonical };
  }

  private valueAt(record: SObjectRecord, path: ResolvedPath): unknown {
    let current: SObjectRecord | undefined = record;
    for (const step of path.steps) {
      const id: unknown = current[step.name];
      if (typeof id !== 'string') return null;
      current = this.org.getById(id)?.record;
      if (!current) return null;
    }
    const value = current[path.field.name];
    return value === undefined ? null : value;
  }

  // ---- SELECT ----

  private selector(object: ObjectDef, field: ParsedField): (record: SObjectRecord, out: OutputRecord) => void {
    switch (field.type) {
      case 'Field':
      case 'FieldRelationship': {
        if ('alias' in field && field.alias) throw unsupported('A field alias');
        const raw =
          field.type === 'Field' ? field.field : (field.rawValue ?? [...field.relationships, field.field].join('.'));
        const path = this.resolve(object, raw);
        return (record, out) => this.place(record, path, out);
      }
      case 'FieldSubquery':
        return this.subquerySelector(object, field.subquery);
      case 'FieldTypeof':
        throw unsupported('TYPEOF');
      default:
        throw unsupported(`The function ${(field as { functionName?: string }).functionName ?? ''}()`);
    }
  }

  /** Writes a (possibly nested) value into the output row the way REST does: parents as nested records or null. */
  private place(record: SObjectRecord, path: ResolvedPath, out: OutputRecord): void {
    let target: Record<string, unknown> = out;
    let current: SObjectRecord | undefined = record;
    for (let i = 0; i < path.steps.length; i++) {
      const step = path.steps[i];
      const key = path.canonical[i];
      const id: unknown = current?.[step.name];
      const parent: { object: ObjectDef; record: SObjectRecord } | undefined =
        typeof id === 'string' ? this.org.getById(id) : undefined;
      if (!parent) {
        target[key] = null;
        return;
      }
      if (target[key] === undefined || target[key] === null)
        target[key] = { attributes: this.attributes(parent.object, parent.record) };
      target = target[key] as Record<string, unknown>;
      current = parent.record;
    }
    const value = current?.[path.field.name];
    target[path.field.name] = value === undefined ? null : value;
  }

  private subquerySelector(object: ObjectDef, sub: Subquery): (record: SObjectRecord, out: OutputRecord) => void {
    const rel = this.org
      .childRelationships(object.name)
      .find((c) => c.relationshipName?.toLowerCase() === sub.relationshipName.toLowerCase());
    if (!rel || !rel.relationshipName) {
      throw new SimError(
        400,
        'INVALID_TYPE',
        `Didn't understand relationship '${sub.relationshipName}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`
      );
    }
    const child = this.org.requireObject(rel.childSObject);
    const name = rel.relationshipName;
    const inner = new Context(this.org, { ...this.options, includeDeleted: false });
    return (record, out) => {
      const result = inner.run(child, sub, (c) => c[rel.field] === record.Id);
      out[name] =
        result.records.length === 0 ? null : { totalSize: result.totalSize, done: true, records: result.records };
    };
  }

  private attributes(object: ObjectDef, record: SObjectRecord): { type: string; url: string } {
    const version = this.options.apiVersion ?? '62.0';
    const base =
      this.options.api === 'tooling'
        ? `/services/data/v${version}/tooling/sobjects`
        : `/services/data/v${version}/sobjects`;
    return { type: object.name, url: `${base}/${object.name}/${record.Id}` };
  }

  private project(
    object: ObjectDef,
    record: SObjectRecord,
    selectors: Array<(record: SObjectRecord, out: OutputRecord) => void>
  ): OutputRecord {
    const out: OutputRecord = { attributes: this.attributes(object, record) };
    for (const select of selectors) select(record, out);
    return out;
  }

  // ---- WHERE ----

  private matches(object: ObjectDef, record: SObjectRecord, expr: Expr): boolean {
    switch (expr.kind) {
      case 'and':
        return expr.items.every((e) => this.matches(object, record, e));
      case 'or':
        return expr.items.some((e) => this.matches(object, record, e));
      case 'not':
        return !this.matches(object, record, expr.item);
      default:
        return this.condition(object, record, expr.cond);
    }
  }

  private condition(object: ObjectDef, record: SObjectRecord, cond: Condition | ValueQueryLike): boolean {
    if (!('field' in cond)) throw unsupported('A function in a WHERE clause');
    const path = this.resolve(object, cond.field);
    if (path.field.filterable === false) {
      throw new SimError(
        400,
        'INVALID_QUERY_FILTER_OPERATOR',
        `field '${path.field.name}' can not be filtered in a query call`
      );
    }
    const actual = this.valueAt(record, path);
    const op = cond.operator;
    if ('valueQuery' in cond && cond.valueQuery) {
      if (op !== 'IN' && op !== 'NOT IN') throw malformed('a subquery needs IN or NOT IN');
      const values = this.semiJoin(cond.valueQuery).map((v) => this.normalize(path.field, v));
      const hit = values.some((v) => this.equals(path.field, actual, v));
      return op === 'IN' ? hit : !hit;
    }
    const c = cond as Condition & { value: string | string[]; literalType?: string | string[] };
    if (op === 'INCLUDES' || op === 'EXCLUDES') throw unsupported(op);
    const literals = this.literals(path.field, c);
    if (op === 'IN' || op === 'NOT IN') {
      const hit = literals.some((l) => this.equals(path.field, actual, l.value));
      return op === 'IN' ? hit : !hit;
    }
    if (Array.isArray(c.value)) throw malformed(`operator ${op} needs a single value`);
    const literal = literals[0];
    const text = String(literal.value);
    switch (op) {
      case '=':
        return this.equals(path.field, actual, literal.value);
      case '!=':
        return !this.equals(path.field, actual, literal.value);
      case 'LIKE':
        if (!isText(path.field))
          throw new SimError(400, 'INVALID_QUERY_FILTER_OPERATOR', `invalid operator on ${path.field.name}: LIKE`);
        return typeof actual === 'string' && likeToRegExp(text).test(actual);
      case '<':
      case '>':
      case '<=':
      case '>=': {
        if (path.field.type === 'boolean') {
          throw new SimError(400, 'INVALID_QUERY_FILTER_OPERATOR', `invalid operator on boolean field: ${op}`);
        }
        if (actual === null || literal.value === null) return false;
        const cmp = compareValues(path.field, actual, literal.value);
        return op === '<' ? cmp < 0 : op === '>' ? cmp > 0 : op === '<=' ? cmp <= 0 : cmp >= 0;
      }
      default:
        throw unsupported(`The operator ${op}`);
    }
  }

  private semiJoin(sub: Query): unknown[] {
    if (!sub.sObject) throw malformed('subquery needs FROM');
    if (sub.fields?.length !== 1 || sub.fields[0].type !== 'Field')
      throw malformed('a semi-join subquery selects exactly one field');
    const object = this.org.requireObject(sub.sObject, this.options.api);
    const inner = new Context(this.org, { ...this.options, includeDeleted: false }, sub.sObjectAlias);
    const path = inner.resolve(object, sub.fields[0].field);
    const where = new ExprParser(tokenize(sub.where)).parse();
    inner.checkClauses(sub);
    return this.org
      .all(object.name)
      .filter((r) => !where || inner.matches(object, r, where))
      .map((r) => inner.valueAt(r, path));
  }

  /** Turns literal tokens into values, checking them against the field's type as SOQL does. */
  private literals(
    field: FieldDef,
    cond: { value: string | string[]; literalType?: string | string[]; field?: string }
  ): Literal[] {
    const values = Array.isArray(cond.value) ? cond.value : [cond.value];
    const single = typeof cond.literalType === 'string' ? cond.literalType : 'STRING';
    const types: string[] = Array.isArray(cond.literalType) ? cond.literalType : values.map(() => single);
    return values.map((raw, i) => {
      const type = types[i] ?? types[0];
      const literal = parseLiteral(raw, type);
      checkLiteralType(field, literal);
      return { type: literal.type, value: this.normalize(field, literal.value) };
    });
  }

  private normalize(field: FieldDef, value: unknown): unknown {
    if ((field.type === 'id' || field.type === 'reference') && isIdLike(value)) return to18(value);
    return value;
  }

  private equals(field: FieldDef, actual: unknown, expected: unknown): boolean {
    if (expected === null || expected === undefined) return actual === null || actual === undefined;
    if (actual === null || actual === undefined) return false;
    return compareValues(field, actual, expected) === 0;
  }

  // ---- ORDER BY ----

  private sort(object: ObjectDef, rows: SObjectRecord[], orderBy: OrderByClause | OrderByClause[]): SObjectRecord[] {
    const clauses = (Array.isArray(orderBy) ? orderBy : [orderBy]).map((clause) => {
      if (!('field' in clause)) throw unsupported('ORDER BY a function');
      return {
        path: this.resolve(object, clause.field),
        desc: clause.order === 'DESC',
        // Nulls sort first unless NULLS LAST is given (SOQL ORDER BY reference).
        nullsLast: clause.nulls === 'LAST',
      };
    });
    return [...rows].sort((a, b) => {
      for (const clause of clauses) {
        const va = this.valueAt(a, clause.path);
        const vb = this.valueAt(b, clause.path);
        const aNull = va === null || va === undefined;
        const bNull = vb === null || vb === undefined;
        if (aNull || bNull) {
          if (aNull && bNull) continue;
          return (aNull ? -1 : 1) * (clause.nullsLast ? -1 : 1);
        }
        const cmp = compareValues(clause.path.field, va, vb);
        if (cmp !== 0) return clause.desc ? -cmp : cmp;
      }
      return 0;
    });
  }
}
