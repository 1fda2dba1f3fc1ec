// fs.watch on a set of directories, as a hint that something in them changed: the log follower's early
// wake-up. Watchers that fail (limit reached, unsupported file system) are dropped; the follower's stat
// poll covers what they would have told.
import fs from 'node:fs';

export class DirWatchers {
  readonly #watchers = new Map<string, fs.FSWatcher>();
  readonly #onChange: () => void;

  constructor(onChange: () => void) {
    this.#onChange = onChange;
  }

  /** Watches exactly these directories from now on. */
  sync(dirs: ReadonlySet<string>): void {
    for (const [dir, w] of this.#watchers) {
      if (dirs.has(dir)) continue;
      w.close();
      this.#watchers.delete(dir);
    }
    for (const dir of dirs) {
      if (this.#watchers.has(dir)) continue;
      try {
        const w = fs.watch(dir, { persistent: false }, () => this.#onChange());
        w.on('error', () => {
          w.close();
          this.#watchers.delete(dir);
        });
        this.#watchers.set(dir, w);
      } catch {
        // No watcher here: the poll goes on without it.
      }
    }
  }

  close(): void {
    for (const w of this.#watchers.values()) w.close();
    this.#watchers.clear();
  }
}
