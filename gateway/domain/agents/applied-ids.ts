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
