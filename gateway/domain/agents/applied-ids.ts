// The ids of every event applied to a run, as a persistent set: each RunState version sees exactly the ids
// applied up to it, yet adding to the newest version is O(1) — copying a Set per event would make a long
// run's replay quadratic.
export class AppliedIds implements ReadonlySet<string> {
  // id → insertion position, shared by every version of one run; a version sees positions < #size.
  readonly #positions: Map<string, number>;
  readonly #size: number;

  private constructor(positions: Map<string, number>, size: number) {
    this.#positions = positions;
    this.#size = size;
  }

  static empty(): AppliedIds {
    return new AppliedIds(new Map(), 0);
  }

  static from(ids: Iterable<string>): AppliedIds {
    if (ids instanceof AppliedIds) return ids;
    const positions = new Map<string, number>();
    for (const id of ids) if (!positions.has(id)) positions.set(id, positions.size);
    return new AppliedIds(positions, positions.size);
  }

  get size(): number {
    return this.#size;
  }

  has(id: string): boolean {
    const position = this.#positions.get(id);
    return position !== undefined && position < this.#size;
  }

  /** This set plus `id` (the same object when already present). Never changes what `this` contains. */
  with(id: string): AppliedIds {
    if (this.has(id)) return this;
    if (this.#positions.size === this.#size) {
      // Newest version: extend the shared map; older versions still stop at their own size.
      this.#positions.set(id, this.#size);
      return new AppliedIds(this.#positions, this.#size + 1);
    }
    // Someone applies to an older version (a branch): it gets a map of its own.
    const positions = new Map<string, number>();
    for (const known of this.values()) positions.set(known, positions.size);
    positions.set(id, positions.size);
    return new AppliedIds(positions, positions.size);
  }

  *values(): SetIterator<string> {
    let seen = 0;
    for (const id of this.#positions.keys()) {
      if (seen++ >= this.#size) return;
      yield id;
    }
  }

  keys(): SetIterator<string> {
    return this.values();
  }

  *entries(): SetIterator<[string, string]> {
    for (const id of this.values()) yield [id, id];
  }

  [Symbol.iterator](): SetIterator<string> {
    return this.values();
  }

  forEach(callback: (value: string, value2: string, set: ReadonlySet<string>) => void, thisArg?: unknown): void {
    for (const id of this.values()) callback.call(thisArg, id, id, this);
  }

  /** JSON (snapshots) sees the ids as an array; private fields would otherwise serialise as {}. */
  toJSON(): string[] {
    return [...this.values()];
  }
}

// A finished run keeps accepting late logs and metrics, so it must still recognise a re-sent event, but it no
// longer needs the ids themselves: at its end the set is sealed into sorted 48-bit hashes (8 bytes an id
// instead of ~140 in a Map), and ids arriving later go to a small persistent set beside them. A false match
// needs two of one run's ids to share a 48-bit hash (about 7e-9 for 2,000 events); it would drop one late
// event of a finished run.

// cyrb53 (public domain, bryc): a 53-bit string hash, several times faster here than SHA-1 through node:crypto,
// which matters because sealing runs on the gateway thread when a long run ends. Kept to 48 bits when stored.
function idHash(id: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < id.length; i++) {
    const ch = id.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h2 & 0xffff) * 0x100000000 + (h1 >>> 0);
}

function hashKey(h: number): string {
  return `#${h.toString(16).padStart(12, '0')}`;
}

export class SealedIds implements ReadonlySet<string> {
  readonly #sorted: Float64Array;
  readonly #extra: AppliedIds;

  private constructor(sorted: Float64Array, extra: AppliedIds) {
    this.#sorted = sorted;
    this.#extra = extra;
  }

  static seal(ids: Iterable<string>): SealedIds {
    if (ids instanceof SealedIds) return ids;
    const hashes = Float64Array.from(ids, idHash).sort();
    return new SealedIds(hashes, AppliedIds.empty());
  }

  /** The stored form (snapshots, worker results): base64 of the hashes plus the ids added since sealing. */
  toJSON(): SealedIdsData {
    return { sealed: Buffer.from(this.#sorted.buffer, this.#sorted.byteOffset, this.#sorted.byteLength).toString('base64'), extra: this.#extra.toJSON() };
  }

  static fromData(data: SealedIdsData): SealedIds {
    const bytes = Buffer.from(data.sealed, 'base64');
    const sorted = new Float64Array(bytes.byteLength / 8);
    new Uint8Array(sorted.buffer).set(bytes);
    return new SealedIds(sorted, AppliedIds.from(data.extra));
  }

  get size(): number {
    return this.#sorted.length + this.#extra.size;
  }

  has(id: string): boolean {
    return this.#extra.has(id) || this.#hasHash(idHash(id));
  }

  with(id: string): SealedIds {
    if (this.has(id)) return this;
    return new SealedIds(this.#sorted, this.#extra.with(id));
  }

  #hasHash(h: number): boolean {
    const a = this.#sorted;
    let lo = 0;
    let hi = a.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = a[mid]!;
      if (v === h) return true;
      if (v < h) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  /** Hash keys ("#" + 12 hex digits), not ids: equal sets enumerate equally whenever they were sealed. */
  *values(): SetIterator<string> {
    for (const h of this.#sorted) yield hashKey(h);
    for (const id of this.#extra) yield hashKey(idHash(id));
  }

  keys(): SetIterator<string> {
    return this.values();
  }

  *entries(): SetIterator<[string, string]> {
    for (const key of this.values()) yield [key, key];
  }

  [Symbol.iterator](): SetIterator<string> {
    return this.values();
  }

  forEach(callback: (value: string, value2: string, set: ReadonlySet<string>) => void, thisArg?: unknown): void {
    for (const key of this.values()) callback.call(thisArg, key, key, this);
  }
}

export interface SealedIdsData {
  sealed: string;
  extra: string[];
}

/** What a run's ids look like in JSON or a worker message: the ids, or the sealed form. */
export type StoredIds = string[] | SealedIdsData;

export function storeIds(ids: ReadonlySet<string>): StoredIds {
  return ids instanceof SealedIds ? ids.toJSON() : [...ids];
}

/** Back from any stored or cloned form (an array, a native Set, a sealed record) to the reducer's sets. */
export function restoreIds(stored: StoredIds | ReadonlySet<string>): AppliedIds | SealedIds {
  if (stored instanceof AppliedIds || stored instanceof SealedIds) return stored;
  if (!Array.isArray(stored) && !(stored instanceof Set) && typeof (stored as SealedIdsData).sealed === 'string') {
    return SealedIds.fromData(stored as SealedIdsData);
  }
  return AppliedIds.from(stored as Iterable<string>);
}

export function isStoredIds(value: unknown): value is StoredIds {
  if (Array.isArray(value)) return value.every((v) => typeof v === 'string');
  const v = value as SealedIdsData | null;
  return typeof v === 'object' && v !== null && typeof v.sealed === 'string' && Array.isArray(v.extra);
}
