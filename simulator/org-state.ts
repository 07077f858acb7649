// The simulated org's state: a generic in-memory sObject store for data and Tooling objects, with the
// validation Salesforce applies on create/update/delete, a rule registry for object-specific behaviour,
// a clock and a scheduler, and a small Metadata API component store.
import { SimError, invalidType } from './errors.js';
import { BASE62, formatDateTime, isIdLike, to18 } from './ids.js';
import { policyRow } from './mdapi/user-access-policy.js';
import { type MetadataComponent, MetadataStore } from './metadata-store.js';
import { SYSTEM_FIELDS, labelFor } from './schema.js';
import { PERMISSIONS } from './standard-objects.js';

export { formatDateTime, isIdLike, to18 } from './ids.js';
export type { MetadataComponent } from './metadata-store.js';
import type { Catalog } from './catalog.js';
import type {
  FieldDef,
  LightningComponent,
  ObjectDef,
  OrgHost,
  Rule,
  RuleEvent,
  Scenario,
  SObjectRecord,
  SfErrorBody,
} from './types.js';

/** The API a request came through: data objects and Tooling objects are separate namespaces. */
export type ApiSurface = 'data' | 'tooling';

export type ChildRelationship = {
  childSObject: string;
  field: string;
  relationshipName: string | null;
  cascadeDelete: boolean;
  restrictedDelete: boolean;
  deprecatedAndHidden: boolean;
  junctionIdListNames: string[];
  junctionReferenceTo: string[];
};

export type WriteOptions = {
  /** The user making the change (for CreatedById and for rules). */
  userId?: string;
  /**
   * Internal writes (scenario loading, package installs, server-side processes): read-only fields may be set
   * and the object's createable/updateable flags are ignored. Rules still run.
   */
  system?: boolean;
};

/** Metadata types the Tooling API also shows as rows (Layout, UserAccessPolicy). */
const ROW_TYPES = new Set(['Layout', 'UserAccessPolicy']);

type ScheduledTask = { due: number; fn: () => void; timer: NodeJS.Timeout; done: boolean };

export class OrgState {
  /** Org facts (Organization record values) are kept as a record; this is its Id. */
  public orgId = '';
  /** The API usage reported in Sforce-Limit-Info, and its daily maximum. */
  public apiUsage = 0;
  public apiLimit = 15000;
  /** Incremented by every successful write; the server uses it to flag requests that changed state. */
  public changeCount = 0;
  /** Custom Lightning components deployed in the org (a page may place them). */
  public readonly lightningComponents: LightningComponent[] = [];
  /** Free-form flags a scenario or test can set (for example a feature switch a route reads). */
  public readonly flags: Record<string, unknown> = {};
  /** The scenario's org facts (My Domain, instance, edition…). */
  public facts: Scenario['org'] = {
    name: 'Simulated Org',
    edition: 'Developer Edition',
    isSandbox: false,
    myDomain: 'sim',
    instance: 'SIM1',
  };
  /** The package catalog this org installs from. */
  public catalog?: Catalog;
  /** The simulator serving this org (its URL and sessions, and the other orgs), once it serves it. */
  public host?: OrgHost;

  private readonly objects = new Map<string, ObjectDef>();
  private readonly byPrefix = new Map<string, ObjectDef>();
  private readonly records = new Map<string, Map<string, SObjectRecord>>();
  private readonly uniqueIndex = new Map<string, Map<string, string>>();
  private readonly deleted = new Map<string, Map<string, SObjectRecord>>();
  private readonly rules = new Map<string, Rule[]>();
  private readonly metadata = new MetadataStore({
    now: () => this.now(),
    changed: () => {
      this.changeCount += 1;
    },
    // Layouts and user access policies also exist as Tooling rows; the store keeps them in step.
    putRow: (component) =>
      component.type === 'Layout'
        ? this.syncLayoutRow(component)
        : component.type === 'UserAccessPolicy'
          ? this.syncRow('UserAccessPolicy', component, policyRow(component.fullName, component.content))
          : undefined,
    deleteRow: (component) => {
      if (ROW_TYPES.has(component.type) && this.get(component.type, component.id)) {
        this.delete(component.type, component.id, { system: true });
      }
    },
  });
  private readonly tasks = new Set<ScheduledTask>();
  private readonly autoNumbers = new Map<string, number>();
  private idCounter = 0;
  private customPrefixCounter = 0;
  private clockOffset = 0;
  /** Three characters after the key prefix of every record Id, so Ids of different orgs never collide. */
  private readonly idTag: string;

  public constructor(options: { now?: string | Date; idTag?: string } = {}) {
    if (options.now !== undefined) this.clockOffset = new Date(options.now).getTime() - Date.now();
    this.idTag = options.idTag ?? 'Sm0';
  }

  // ---- clock and scheduler ------------------------------------------------------------------------------------

  /** The org's clock: real time, shifted by the scenario's start time and by advance(). */
  public now(): Date {
    return new Date(Date.now() + this.clockOffset);
  }

  /** Runs fn after delayMs of real time, or earlier when advance() moves the clock past it. */
  public schedule(delayMs: number, fn: () => void): () => void {
    const task: ScheduledTask = {
      due: this.now().getTime() + delayMs,
      fn,
      done: false,
      timer: setTimeout(() => this.runTask(task), delayMs),
    };
    task.timer.unref();
    this.tasks.add(task);
    return () => {
      clearTimeout(task.timer);
      this.tasks.delete(task);
    };
  }

  /** Moves the clock forward and runs every scheduled task that became due, in order. */
  public advance(ms: number): void {
    this.clockOffset += ms;
    const due = [...this.tasks].filter((t) => t.due <= this.now().getTime()).sort((a, b) => a.due - b.due);
    for (const task of due) this.runTask(task);
  }

  /** Cancels every scheduled task (on reset and stop). */
  public cancelScheduled(): void {
    for (const task of this.tasks) clearTimeout(task.timer);
    this.tasks.clear();
  }

  private runTask(task: ScheduledTask): void {
    if (task.done) return;
    task.done = true;
    clearTimeout(task.timer);
    this.tasks.delete(task);
    task.fn();
  }

  // ---- schema ---------------------------------------------------------------------------------------------------

  /**
   * Adds an object, or adds fields to an existing one (a package extending Contact). System fields (Id,
   * CreatedDate, …) are added to every object.
   */
  public defineObject(def: ObjectDef): ObjectDef {
    const existing = this.getObject(def.name);
    if (existing) {
      for (const field of def.fields) this.addField(existing.name, field);
      return existing;
    }
    const fields = [...SYSTEM_FIELDS.map((f) => ({ ...f })), ...def.fields.map((f) => ({ ...f }))];
    const object: ObjectDef = { ...def, fields };
    for (const field of fields) {
      field.label ??= labelFor(field.name);
      if (field.autoNumber) field.readOnly = true;
    }
    object.label ??= labelFor(def.name);
    object.labelPlural ??= `${object.label}s`;
    this.objects.set(def.name.toLowerCase(), object);
    this.byPrefix.set(def.keyPrefix, object);
    this.records.set(def.name, new Map());
    this.deleted.set(def.name, new Map());
    return object;
  }

  /** A key prefix for a new custom object: a0X, a0Y, … (custom objects get prefixes starting with a). */
  public nextCustomPrefix(): string {
    const n = 33 + this.customPrefixCounter++;
    return `a${BASE62[Math.floor(n / 62)]}${BASE62[n % 62]}`;
  }

  public addField(objectName: string, field: FieldDef): void {
    const object = this.requireObject(objectName);
    if (object.fields.some((f) => f.name.toLowerCase() === field.name.toLowerCase())) return;
    object.fields.push({ ...field, label: field.label ?? labelFor(field.name) });
  }

  public getObject(name: string): ObjectDef | undefined {
    return this.objects.get(name.toLowerCase());
  }

  public objectNames(api?: ApiSurface): string[] {
    return [...this.objects.values()].filter((o) => !api || visibleThrough(o, api)).map((o) => o.name);
  }

  /** The object, or INVALID_TYPE when it does not exist or is not visible through this API. */
  public requireObject(name: string, api?: ApiSurface): ObjectDef {
    const object = this.getObject(name);
    if (!object || (api && !visibleThrough(object, api))) throw invalidType(name);
    return object;
  }

  public field(objectName: string, fieldName: string): FieldDef | undefined {
    const object = this.getObject(objectName);
    const lower = fieldName.toLowerCase();
    return object?.fields.find((f) => f.name.toLowerCase() === lower);
  }

  /** The field, or INVALID_FIELD with Salesforce's message. */
  public requireField(objectName: string, fieldName: string): FieldDef {
    const field = this.field(objectName, fieldName);
    if (!field) {
      throw new SimError(400, 'INVALID_FIELD', `No such column '${fieldName}' on sobject of type ${objectName}`);
    }
    return field;
  }

  /** Child relationships of an object, derived from the lookups that point at it (describe `childRelationships`). */
  public childRelationships(objectName: string): ChildRelationship[] {
    const target = this.requireObject(objectName);
    const result: ChildRelationship[] = [];
    for (const child of this.objects.values()) {
      for (const field of child.fields) {
        if (field.type !== 'reference' || !field.referenceTo?.includes(target.name)) continue;
        if (SYSTEM_FIELDS.some((s) => s.name === field.name)) continue;
        result.push({
          childSObject: child.name,
          field: field.name,
          relationshipName: field.childRelationshipName ?? null,
          cascadeDelete: false,
          restrictedDelete: false,
          deprecatedAndHidden: false,
          junctionIdListNames: [],
          junctionReferenceTo: [],
        });
      }
    }
    return result;
  }

  // ---- ids --------------------------------------------------------------------------------------------------------

  public newId(objectName: string): string {
    const object = this.requireObject(objectName);
    this.idCounter += 1;
    let n = this.idCounter;
    let digits = '';
    for (let i = 0; i < 9; i++) {
      digits = BASE62[n % 62] + digits;
      n = Math.floor(n / 62);
    }
    return to18(`${object.keyPrefix}${this.idTag}${digits}`);
  }

  /** Which object an Id belongs to, by its key prefix. */
  public objectOfId(id: string): ObjectDef | undefined {
    return this.byPrefix.get(id.slice(0, 3));
  }

  // ---- records ----------------------------------------------------------------------------------------------------

  public all(objectName: string, options: { includeDeleted?: boolean } = {}): SObjectRecord[] {
    const object = this.requireObject(objectName);
    const live = [...(this.records.get(object.name)?.values() ?? [])];
    return options.includeDeleted ? [...live, ...(this.deleted.get(object.name)?.values() ?? [])] : live;
  }

  public get(objectName: string, id: string): SObjectRecord | undefined {
    const object = this.getObject(objectName);
    if (!object || !isIdLike(id)) return undefined;
    return this.records.get(object.name)?.get(to18(id));
  }

  /** Finds a live record by Id in any object. */
  public getById(id: string): { object: ObjectDef; record: SObjectRecord } | undefined {
    if (!isIdLike(id)) return undefined;
    const object = this.objectOfId(id);
    const record = object && this.records.get(object.name)?.get(to18(id));
    return object && record ? { object, record } : undefined;
  }

  public find(objectName: string, predicate: (r: SObjectRecord) => boolean): SObjectRecord[] {
    return this.all(objectName).filter(predicate);
  }

  public findOne(objectName: string, predicate: (r: SObjectRecord) => boolean): SObjectRecord | undefined {
    return this.all(objectName).find(predicate);
  }

  /** Registers a rule run on every insert/update/delete of the object ('*' for every object). */
  public addRule(objectName: string, event: RuleEvent, rule: Rule): void {
    const key = `${objectName === '*' ? '*' : this.requireObject(objectName).name}:${event}`;
    this.rules.set(key, [...(this.rules.get(key) ?? []), rule]);
  }

  public insert(objectName: string, values: Record<string, unknown>, options: WriteOptions = {}): SObjectRecord {
    const object = this.requireObject(objectName);
    if (object.createable === false && !options.system) {
      throw new SimError(400, 'INVALID_TYPE_FOR_OPERATION', `entity type cannot be inserted: ${object.name}`);
    }
    const record: SObjectRecord = { Id: '' };
    for (const field of object.fields) {
      if (field.defaultValue !== undefined) record[field.name] = field.defaultValue;
      else if (field.type !== 'id') record[field.name] = null;
    }
    const changes = this.coerceAll(object, values, 'insert', options);
    Object.assign(record, changes);
    const missing = object.fields.filter((f) => f.required && (record[f.name] === null || record[f.name] === ''));
    if (missing.length > 0) {
      const names = missing.map((f) => f.name);
      throw new SimError(400, 'REQUIRED_FIELD_MISSING', `Required fields are missing: [${names.join(', ')}]`, names);
    }
    const now = formatDateTime(this.now());
    record.Id = typeof changes.Id === 'string' && options.system ? to18(changes.Id) : this.newId(object.name);
    record.IsDeleted = false;
    record.CreatedDate = (options.system && (changes.CreatedDate as string)) || now;
    record.LastModifiedDate = (options.system && (changes.LastModifiedDate as string)) || now;
    record.SystemModstamp = record.LastModifiedDate;
    record.CreatedById = (options.system && (changes.CreatedById as string)) || options.userId || null;
    record.LastModifiedById = record.CreatedById;
    for (const field of object.fields) {
      if (field.autoNumber && (record[field.name] === null || !options.system)) {
        const n = (this.autoNumbers.get(`${object.name}.${field.name}`) ?? 0) + 1;
        this.autoNumbers.set(`${object.name}.${field.name}`, n);
        record[field.name] = field.autoNumber.replace(/\{(0+)\}/, (_m, zeros: string) =>
          String(n).padStart(zeros.length, '0')
        );
      }
    }
    this.computeDerived(object, record);
    this.checkUnique(object, record);
    this.runRules(object.name, 'beforeInsert', { record, changes, userId: options.userId });
    this.records.get(object.name)?.set(record.Id, record);
    this.reindexUnique(object, undefined, record);
    this.changeCount += 1;
    this.runRules(object.name, 'afterInsert', { record, changes, userId: options.userId });
    return record;
  }

  public update(
    objectName: string,
    id: string,
    values: Record<string, unknown>,
    options: WriteOptions = {}
  ): SObjectRecord {
    const object = this.requireObject(objectName);
    if (object.updateable === false && !options.system) {
      throw new SimError(400, 'INVALID_TYPE_FOR_OPERATION', `entity type cannot be updated: ${object.name}`);
    }
    const previous = this.requireRecord(object, id);
    const changes = this.coerceAll(object, values, 'update', options);
    delete changes.Id;
    const record: SObjectRecord = { ...previous, ...changes };
    const cleared = object.fields.filter((f) => f.required && f.name in changes && changes[f.name] === null);
    if (cleared.length > 0) {
      const names = cleared.map((f) => f.name);
      throw new SimError(400, 'REQUIRED_FIELD_MISSING', `Required fields are missing: [${names.join(', ')}]`, names);
    }
    record.LastModifiedDate = formatDateTime(this.now());
    record.SystemModstamp = record.LastModifiedDate;
    record.LastModifiedById = options.userId ?? previous.LastModifiedById ?? null;
    this.computeDerived(object, record);
    this.checkUnique(object, record);
    this.runRules(object.name, 'beforeUpdate', { record, previous, changes, userId: options.userId });
    this.records.get(object.name)?.set(record.Id, record);
    this.reindexUnique(object, previous, record);
    this.changeCount += 1;
    this.runRules(object.name, 'afterUpdate', { record, previous, changes, userId: options.userId });
    return record;
  }

  public delete(objectName: string, id: string, options: WriteOptions = {}): void {
    const object = this.requireObject(objectName);
    if (object.deletable === false && !options.system) {
      throw new SimError(400, 'INVALID_TYPE_FOR_OPERATION', `entity type cannot be deleted: ${object.name}`);
    }
    const previous = this.requireRecord(object, id);
    this.runRules(object.name, 'beforeDelete', { record: previous, previous, changes: {}, userId: options.userId });
    this.records.get(object.name)?.delete(previous.Id);
    this.reindexUnique(object, previous, undefined);
    // Deleted records stay visible to queryAll with IsDeleted = true, as in the Recycle Bin.
    this.deleted.get(object.name)?.set(previous.Id, { ...previous, IsDeleted: true });
    this.changeCount += 1;
    this.runRules(object.name, 'afterDelete', { record: previous, previous, changes: {}, userId: options.userId });
  }

  private requireRecord(object: ObjectDef, id: string): SObjectRecord {
    if (!isIdLike(id)) throw new SimError(400, 'MALFORMED_ID', `${object.name} ID: id value of incorrect type: ${id}`);
    const record = this.records.get(object.name)?.get(to18(id));
    if (record) return record;
    if (this.deleted.get(object.name)?.has(to18(id))) {
      throw new SimError(400, 'ENTITY_IS_DELETED', 'entity is deleted');
    }
    if (this.objectOfId(id)?.name !== object.name) {
      throw new SimError(400, 'MALFORMED_ID', `${object.name} ID: id value of incorrect type: ${id}`);
    }
    throw new SimError(404, 'NOT_FOUND', 'The requested resource does not exist');
  }

  private runRules(
    objectName: string,
    event: RuleEvent,
    ctx: { record: SObjectRecord; previous?: SObjectRecord; changes: Record<string, unknown>; userId?: string }
  ): void {
    const rules = [...(this.rules.get(`${objectName}:${event}`) ?? []), ...(this.rules.get(`*:${event}`) ?? [])];
    for (const rule of rules) {
      const error = rule({ org: this, event, object: objectName, ...ctx });
      if (error) throw new SimError(400, error.errorCode, error.message, error.fields);
    }
  }

  /** Values Salesforce computes: the Name of people. */
  private computeDerived(object: ObjectDef, record: SObjectRecord): void {
    if ((object.name === 'Contact' || object.name === 'User') && 'LastName' in record) {
      record.Name = [record.FirstName, record.LastName].filter((v) => typeof v === 'string' && v !== '').join(' ');
    }
  }

  /** Unique and External ID fields with the unique flag: DUPLICATE_VALUE, as the API reports it. */
  private checkUnique(object: ObjectDef, record: SObjectRecord): void {
    for (const field of object.fields) {
      if (!field.unique) continue;
      const value = record[field.name];
      if (value === null || value === undefined) continue;
      const holder = this.uniqueIndexOf(object, field.name).get(String(value).toLowerCase());
      if (holder !== undefined && holder !== record.Id) {
        throw new SimError(
          400,
          'DUPLICATE_VALUE',
          `duplicate value found: ${field.name} duplicates value on record with id: ${holder}`,
          [field.name]
        );
      }
    }
  }

  /**
   * The live records' values of one unique field (case-insensitive, as Salesforce compares them) to the Id that
   * holds each: built on first use and kept up to date by insert, update and delete, so a 50,000-row Bulk upsert
   * stays linear instead of scanning the object for every row.
   */
  private uniqueIndexOf(object: ObjectDef, field: string): Map<string, string> {
    const key = `${object.name}.${field}`;
    let index = this.uniqueIndex.get(key);
    if (!index) {
      index = new Map();
      for (const r of this.records.get(object.name)?.values() ?? []) {
        if (r[field] !== null && r[field] !== undefined) index.set(String(r[field]).toLowerCase(), r.Id);
      }
      this.uniqueIndex.set(key, index);
    }
    return index;
  }

  /** After a stored change: the record's unique values point at it, and the values it gave up at nothing. */
  private reindexUnique(object: ObjectDef, before: SObjectRecord | undefined, after: SObjectRecord | undefined): void {
    for (const field of object.fields) {
      if (!field.unique || !this.uniqueIndex.has(`${object.name}.${field.name}`)) continue;
      const index = this.uniqueIndexOf(object, field.name);
      const old = before?.[field.name];
      if (old !== null && old !== undefined && index.get(String(old).toLowerCase()) === before?.Id) {
        index.delete(String(old).toLowerCase());
      }
      const value = after?.[field.name];
      if (after && value !== null && value !== undefined) index.set(String(value).toLowerCase(), after.Id);
    }
  }

  private coerceAll(
    object: ObjectDef,
    values: Record<string, unknown>,
    mode: 'insert' | 'update',
    options: WriteOptions
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const notWritable: string[] = [];
    for (const [name, value] of Object.entries(values)) {
      if (name === 'attributes') continue;
      const field = this.field(object.name, name);
      if (!field) {
        throw new SimError(400, 'INVALID_FIELD', `No such column '${name}' on sobject of type ${object.name}`);
      }
      if (!options.system && (field.readOnly || (mode === 'update' && field.createOnly)) && field.name !== 'Id') {
        notWritable.push(field.name);
        continue;
      }
      out[field.name] = this.coerce(field, value);
    }
    if (notWritable.length > 0) {
      // https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm
      throw new SimError(
        400,
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        `Unable to create/update fields: ${notWritable.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        notWritable
      );
    }
    return out;
  }

  /** Checks and normalises one value the way the REST API's JSON reader does. */
  public coerce(field: FieldDef, value: unknown): unknown {
    if (value === null || value === undefined) {
      return field.type === 'boolean' ? false : null;
    }
    const parseError = (): SimError =>
      new SimError(
        400,
        'JSON_PARSER_ERROR',
        `Cannot deserialize instance of ${field.type} from ${typeof value === 'string' ? 'VALUE_STRING' : 'VALUE_' + typeof value} value ${JSON.stringify(value)} or request may be missing a required field`
      );
    switch (field.type) {
      case 'anyType':
        return value;
      case 'boolean':
        if (typeof value === 'boolean') return value;
        if (value === 'true' || value === 'false') return value === 'true';
        throw parseError();
      case 'int':
      case 'double':
      case 'percent':
      case 'currency': {
        const n =
          typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
        if (!Number.isFinite(n) || (field.type === 'int' && !Number.isInteger(n))) throw parseError();
        return n;
      }
      case 'date': {
        if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) {
          throw parseError();
        }
        return value;
      }
      case 'datetime': {
        if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(value)) throw parseError();
        const ms = Date.parse(
          /[zZ]|[+-]\d{2}:?\d{2}$/.test(value) || value.length === 10
            ? value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')
            : `${value}Z`
        );
        if (Number.isNaN(ms)) throw parseError();
        return formatDateTime(new Date(ms));
      }
      case 'reference':
      case 'id': {
        if (typeof value !== 'string' || !isIdLike(value)) {
          throw new SimError(
            400,
            'MALFORMED_ID',
            `${field.label ?? field.name}: id value of incorrect type: ${String(value)}`,
            [field.name]
          );
        }
        const id = to18(value);
        if (field.type === 'reference' && field.referenceTo) {
          const target = this.objectOfId(id);
          if (!target || !field.referenceTo.includes(target.name)) {
            throw new SimError(
              400,
              'FIELD_INTEGRITY_EXCEPTION',
              `${field.label ?? field.name}: id value of incorrect type: ${value}`,
              [field.name]
            );
          }
          if (!this.get(target.name, id)) {
            throw new SimError(400, 'INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id`, [field.name]);
          }
        }
        return id;
      }
      default: {
        if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw parseError();
        const text = String(value);
        if (field.length !== undefined && text.length > field.length) {
          throw new SimError(
            400,
            'STRING_TOO_LONG',
            `${field.label ?? field.name}: data value too large: ${text.slice(0, 20)} (max length=${field.length})`,
            [field.name]
          );
        }
        if (field.type === 'email' && text !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)) {
          throw new SimError(
            400,
            'INVALID_EMAIL_ADDRESS',
            `${field.label ?? field.name}: invalid email address: ${text}`,
            [field.name]
          );
        }
        if (field.type === 'picklist' && field.picklistValues && !field.picklistValues.includes(text)) {
          throw new SimError(
            400,
            'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
            `${field.label ?? field.name}: bad value for restricted picklist field: ${text}`,
            [field.name]
          );
        }
        return text;
      }
    }
  }

  // ---- transactions ------------------------------------------------------------------------------------------

  /**
   * Runs fn; if it throws, every record change it made is undone (allOrNone semantics). Records are replaced,
   * never mutated in place, so copying the maps is a complete snapshot.
   */
  public transaction<T>(fn: () => T): T {
    const records = new Map([...this.records].map(([k, v]) => [k, new Map(v)]));
    const deleted = new Map([...this.deleted].map(([k, v]) => [k, new Map(v)]));
    const changeCount = this.changeCount;
    try {
      return fn();
    } catch (error) {
      for (const [k, v] of records) this.records.set(k, v);
      for (const [k, v] of deleted) this.deleted.set(k, v);
      // The indexes describe the records that were rolled back: rebuilt on next use.
      this.uniqueIndex.clear();
      this.changeCount = changeCount;
      throw error;
    }
  }

  // ---- users and permissions ----------------------------------------------------------------------------------

  /**
   * The user's effective permissions: the union of every permission set assigned to them. Profiles are
   * included because every profile owns a permission set that is assigned to its users
   * (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_permissionset.htm).
   */
  public permissionsOf(userId: string): Set<string> {
    const granted = new Set<string>();
    const now = this.now().getTime();
    for (const psa of this.all('PermissionSetAssignment')) {
      if (psa.AssigneeId !== to18(userId)) continue;
      if (typeof psa.ExpirationDate === 'string' && Date.parse(psa.ExpirationDate.replace('+0000', 'Z')) < now)
        continue;
      const ps = this.get('PermissionSet', String(psa.PermissionSetId));
      if (!ps) continue;
      for (const p of PERMISSIONS) if (ps[`Permissions${p}`] === true) granted.add(p);
    }
    return granted;
  }

  public hasPermission(userId: string | undefined, permission: string): boolean {
    return userId === undefined || this.permissionsOf(userId).has(permission);
  }

  public userByUsername(username: string): SObjectRecord | undefined {
    const lower = username.toLowerCase();
    return this.findOne('User', (u) => String(u.Username).toLowerCase() === lower);
  }

  // ---- Metadata API components ------------------------------------------------------------------------------

  /**
   * Stores a component's XML. Layouts are mirrored as Tooling `Layout` rows (Name without the object and
   * namespace parts, NamespacePrefix, TableEnumOrId, ManageableState), which is how the Tooling API shows them
   * (https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/tooling_api_objects_layout.htm).
   */
  public putMetadata(
    type: string,
    fullName: string,
    content: string,
    options: {
      namespacePrefix?: string;
      manageableState?: 'installed' | 'unmanaged';
      /** A bundle's files (LightningComponentBundle), by their path inside the bundle folder. */
      files?: Record<string, string>;
    } = {}
  ): MetadataComponent {
    return this.metadata.put(type, fullName, content, options);
  }

  public getMetadata(type: string, fullName: string): MetadataComponent | undefined {
    return this.metadata.get(type, fullName);
  }

  public listMetadata(type: string): MetadataComponent[] {
    return this.metadata.list(type);
  }

  public deleteMetadata(type: string, fullName: string): boolean {
    return this.metadata.delete(type, fullName);
  }

  private syncRow(object: string, component: MetadataComponent, values: Record<string, unknown>): string {
    if (component.id && this.get(object, component.id)) {
      this.update(object, component.id, values, { system: true });
      return component.id;
    }
    return this.insert(object, values, { system: true }).Id;
  }

  private syncLayoutRow(component: MetadataComponent): string {
    const dash = component.fullName.indexOf('-');
    const table = component.fullName.slice(0, dash);
    const layoutPart = component.fullName.slice(dash + 1);
    const ns = component.namespacePrefix;
    const name = ns && layoutPart.startsWith(`${ns}__`) ? layoutPart.slice(ns.length + 2) : layoutPart;
    const values = {
      Name: name,
      NamespacePrefix: ns ?? null,
      TableEnumOrId: table,
      LayoutType: 'Standard',
      ManageableState: component.manageableState,
      FullName: component.fullName,
    };
    return this.syncRow('Layout', component, values);
  }

  // ---- errors for route handlers ----------------------------------------------------------------------------

  public static error(errorCode: string, message: string, fields?: string[]): SfErrorBody {
    return fields ? { errorCode, message, fields } : { errorCode, message };
  }
}

function visibleThrough(object: ObjectDef, api: ApiSurface): boolean {
  return object.api === 'both' || object.api === api;
}
