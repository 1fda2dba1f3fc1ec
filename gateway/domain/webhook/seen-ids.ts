// The ids of every stored webhook event, so a replay or an overlap is recognised and never counted twice.
// Rebuilt at start from the journal (in the pool) as sorted 52-bit hashes: 8 bytes an id instead of ~100 in
// a Set. Ids stored since are kept exactly and folded into the sorted hashes now and then. A false match
// needs two ids to share 52 bits of SHA-1: about 1e-4 for a million stored events.
import { hash } from 'node:crypto';

const FOLD_AT = 100_000;

export function idHash(id: string): number {
  const digest = hash('sha1', id, 'buffer');
  return digest.readUIntBE(0, 6) * 16 + (digest[6]! >> 4);
}

/** Sorted, duplicate-free hashes of ids (what the rebuild worker returns). */
export function sortedHashes(ids: Iterable<string>): Float64Array {
  return dedupe(Float64Array.from(ids, idHash).sort());
}

function contains(sorted: Float64Array, h: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid]!;
    if (v === h) return true;
    if (v < h) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

export class SeenIds {
  #sorted: Float64Array;
  #recent = new Set<string>();

  constructor(sorted: Float64Array = new Float64Array(0)) {
    this.#sorted = sorted;
  }

  get size(): number {
    return this.#sorted.length + this.#recent.size;
  }

  has(id: string): boolean {
    return this.#recent.has(id) || (this.#sorted.length > 0 && contains(this.#sorted, idHash(id)));
  }

  add(id: string): void {
    this.#recent.add(id);
  }

  /** Called once the ids added so far are durably stored: past a threshold they become hashes. */
  compact(): void {
    if (this.#recent.size >= FOLD_AT) this.#fold();
  }

  /** Forgets an id whose event could not be stored (so a later delivery of it is accepted). */
  delete(id: string): void {
    this.#recent.delete(id);
  }

  #fold(): void {
    const merged = new Float64Array(this.#sorted.length + this.#recent.size);
    merged.set(this.#sorted);
    let i = this.#sorted.length;
    for (const id of this.#recent) merged[i++] = idHash(id);
    this.#sorted = dedupe(merged.sort());
    this.#recent.clear();
  }
}

function dedupe(sorted: Float64Array): Float64Array {
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[n - 1]) sorted[n++] = sorted[i]!;
  return sorted.slice(0, n);
}
