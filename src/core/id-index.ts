/**
 * External ID → facts, keyed by the ID's UTF-8 bytes. The planner needs two things per External ID: the
 * timestamp Salesforce holds (the existing-records index) and, for duplicate resolution, which export row wins.
 * Both live here, in typed arrays and one byte arena, so no JavaScript string or object is made per row:
 * about (ID length + 40) bytes per distinct ID, some 70 MB for a million existing plus half a million new IDs,
 * where a Map<string, …> needs two to three times that and a string allocation per lookup.
 *
 * IDs compare byte for byte (Salesforce External ID fields are case-insensitive unless marked otherwise;
 * CE's IDs are generated, so exact comparison is the safe reading).
 */
export class IdIndex {
  private arena: Buffer;
  private arenaUsed = 0;
  /** Open addressing, linear probing: per slot [entry or -1, hash]. */
  private table: Int32Array;
  private mask: number;
  private count = 0;
  private touched = 0;
  private keyStart: Int32Array;
  private keyLength: Int32Array;
  private keyHash: Int32Array;
  /** Timestamp Salesforce holds (ms); NaN when the record exists but has none. Only meaningful if `inOrg`. */
  public existingTs: Float64Array;
  public inOrg: Uint8Array;
  /** The winning export row for this ID (1-based, 0 = none yet) and its timestamp. */
  public bestRow: Int32Array;
  public bestTs: Float64Array;

  public constructor(expected = 1024) {
    let capacity = 1024;
    while (capacity < expected) capacity *= 2;
    this.arena = Buffer.allocUnsafe(capacity * 24);
    this.table = new Int32Array(capacity * 4).fill(-1);
    this.mask = capacity * 2 - 1;
    this.keyStart = new Int32Array(capacity);
    this.keyLength = new Int32Array(capacity);
    this.keyHash = new Int32Array(capacity);
    this.existingTs = new Float64Array(capacity);
    this.inOrg = new Uint8Array(capacity);
    this.bestRow = new Int32Array(capacity);
    this.bestTs = new Float64Array(capacity);
  }

  public get size(): number {
    return this.count;
  }

  /** Bytes held, for the benchmark's memory account. */
  public get bytes(): number {
    return this.arena.length + this.table.byteLength + this.keyStart.length * (4 + 4 + 4 + 8 + 1 + 4 + 8);
  }

  /** The entry for the ID in buf[start, end), or -1. */
  public find(buf: Uint8Array, start: number, end: number): number {
    return this.findHashed(buf, start, end, hashBytes(buf, start, end));
  }

  /** The same, with the key's hashBytes already known (computed where the key was read, in another thread). */
  public findHashed(buf: Uint8Array, start: number, end: number, hash: number): number {
    const table = this.table;
    let slot = hash & this.mask;
    for (;;) {
      const entry = table[slot * 2];
      if (entry < 0) return -1;
      // Each slot keeps the hash next to the entry number: one cache line answers most probes.
      if (table[slot * 2 + 1] === hash && this.sameKey(entry, buf, start, end)) return entry;
      slot = (slot + 1) & this.mask;
    }
  }

  /**
   * Reads the table slots of the given hashes, all at once: the lookups that follow then find them in the
   * cache. A lookup alone waits on memory for a slot of a large table; some sixteen loads issued together wait
   * about as long as one (measured: about half the time per lookup of a million IDs).
   */
  public touch(hashes: Int32Array, from: number, to: number): void {
    const table = this.table;
    const mask = this.mask;
    let seen = 0;
    for (let k = from; k < to; k++) seen |= table[(hashes[k] & mask) * 2];
    // Kept, so that the loads cannot be optimised away.
    this.touched ^= seen;
  }

  /** The entry for the ID, added (not in the org, no export row yet) when new. */
  public intern(buf: Uint8Array, start: number, end: number): number {
    return this.internHashed(buf, start, end, hashBytes(buf, start, end));
  }

  /** intern with the key's hashBytes already known. */
  public internHashed(buf: Uint8Array, start: number, end: number, hash: number): number {
    const table = this.table;
    let slot = hash & this.mask;
    for (;;) {
      const entry = table[slot * 2];
      if (entry < 0) break;
      if (table[slot * 2 + 1] === hash && this.sameKey(entry, buf, start, end)) return entry;
      slot = (slot + 1) & this.mask;
    }
    const entry = this.count;
    if (entry >= this.keyStart.length) {
      this.grow();
      return this.internHashed(buf, start, end, hash);
    }
    const length = end - start;
    if (this.arenaUsed + length > this.arena.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.arena.length * 2, this.arenaUsed + length));
      this.arena.copy(bigger, 0, 0, this.arenaUsed);
      this.arena = bigger;
    }
    const arena = this.arena;
    const at = this.arenaUsed;
    for (let i = 0; i < length; i++) arena[at + i] = buf[start + i];
    this.keyStart[entry] = this.arenaUsed;
    this.keyLength[entry] = length;
    this.keyHash[entry] = hash;
    this.existingTs[entry] = NaN;
    this.inOrg[entry] = 0;
    this.bestRow[entry] = 0;
    this.bestTs[entry] = NaN;
    this.arenaUsed += length;
    this.table[slot * 2] = entry;
    this.table[slot * 2 + 1] = hash;
    this.count++;
    return entry;
  }

  /** Records a Salesforce record; a second copy of the same ID keeps the later timestamp. */
  public addExisting(buf: Uint8Array, start: number, end: number, ts: number): void {
    const entry = this.intern(buf, start, end);
    if (this.inOrg[entry] === 0) {
      this.inOrg[entry] = 1;
      this.existingTs[entry] = ts;
    } else if (!(this.existingTs[entry] >= ts)) {
      this.existingTs[entry] = Number.isNaN(ts) ? this.existingTs[entry] : ts;
    }
  }

  /**
   * Records the Salesforce timestamp of an ID the export has (pass 1 interned every export ID). An existing
   * record the export does not mention cannot change the plan, so it is not added: -1 then, else the entry.
   */
  public recordExisting(buf: Uint8Array, start: number, end: number, value: number): number {
    return this.recordExistingHashed(buf, start, end, hashBytes(buf, start, end), value);
  }

  /** recordExisting with the key's hashBytes already known. */
  public recordExistingHashed(buf: Uint8Array, start: number, end: number, hash: number, value: number): number {
    const entry = this.findHashed(buf, start, end, hash);
    if (entry < 0) return -1;
    if (this.inOrg[entry] === 0) {
      this.inOrg[entry] = 1;
      this.existingTs[entry] = value;
    } else if (!(this.existingTs[entry] >= value) && !Number.isNaN(value)) {
      this.existingTs[entry] = value;
    }
    return entry;
  }

  /** The ID of an entry, for messages and tests. */
  public key(entry: number): string {
    return this.arena.toString('utf8', this.keyStart[entry], this.keyStart[entry] + this.keyLength[entry]);
  }

  private sameKey(entry: number, buf: Uint8Array, start: number, end: number): boolean {
    const length = end - start;
    if (this.keyLength[entry] !== length) return false;
    const at = this.keyStart[entry];
    const arena = this.arena;
    for (let i = 0; i < length; i++) if (arena[at + i] !== buf[start + i]) return false;
    return true;
  }

  private grow(): void {
    const capacity = this.keyStart.length * 2;
    const widen = <T extends Int32Array | Float64Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    this.keyStart = widen(this.keyStart, (n) => new Int32Array(n));
    this.keyLength = widen(this.keyLength, (n) => new Int32Array(n));
    this.keyHash = widen(this.keyHash, (n) => new Int32Array(n));
    this.existingTs = widen(this.existingTs, (n) => new Float64Array(n));
    this.inOrg = widen(this.inOrg, (n) => new Uint8Array(n));
    this.bestRow = widen(this.bestRow, (n) => new Int32Array(n));
    this.bestTs = widen(this.bestTs, (n) => new Float64Array(n));
    // Keep the load factor at or under one half.
    this.table = new Int32Array(capacity * 4).fill(-1);
    this.mask = capacity * 2 - 1;
    for (let entry = 0; entry < this.count; entry++) {
      const hash = this.keyHash[entry];
      let slot = hash & this.mask;
      while (this.table[slot * 2] >= 0) slot = (slot + 1) & this.mask;
      this.table[slot * 2] = entry;
      this.table[slot * 2 + 1] = hash;
    }
  }
}

/** FNV-1a with a murmur3 finaliser, so linear probing over a power-of-two table spreads well. */
export function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    h ^= buf[i];
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & 0x7fffffff;
}
