// Searches in flight by owner (a session or token) and id, so a new search can cancel the one it replaces
// (header X-Search-Replaces) and a client that goes away cancels its own.
import { randomUUID } from 'node:crypto';

export class SearchRegistry {
  private readonly running = new Map<string, AbortController>();

  /** Registers a search; `replaces` names an earlier search of the same owner, which is aborted. */
  begin(owner: string, id: string | undefined, replaces: string | undefined): { id: string; signal: AbortSignal; abort(): void; end(): void } {
    if (replaces) this.running.get(`${owner}\n${replaces}`)?.abort(new Error('replaced by a newer search'));
    const searchId = id && /^[\w.:-]{1,100}$/.test(id) ? id : randomUUID();
    const key = `${owner}\n${searchId}`;
    this.running.get(key)?.abort(new Error('replaced by a newer search with the same id'));
    const controller = new AbortController();
    this.running.set(key, controller);
    return {
      id: searchId,
      signal: controller.signal,
      abort: () => controller.abort(new Error('the client went away')),
      end: () => {
        if (this.running.get(key) === controller) this.running.delete(key);
      },
    };
  }

  get size(): number {
    return this.running.size;
  }
}
