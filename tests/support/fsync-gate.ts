// Holds every FileHandle fdatasync (or fsync) until released or failed, to test what happens while the disk is slow or
// broken. FileHandle is Node's own class; the code under test runs unchanged.
import fs from 'node:fs';
import path from 'node:path';

export interface FsyncGate {
  release(): void;
  fail(err: Error): void;
  /** fsyncs started and held right now */
  pending(): number;
  restore(): void;
}

/** `dir` is any writable directory (a probe file is opened there to reach FileHandle's prototype). */
export async function gateFsync(dir: string, method: 'datasync' | 'sync' = 'datasync'): Promise<FsyncGate> {
  const probe = await fs.promises.open(path.join(dir, 'probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as Record<typeof method, () => Promise<void>>;
  await probe.close();
  await fs.promises.rm(path.join(dir, 'probe'), { force: true });
  const original = proto[method];
  let waiting: Array<{ go(): void; stop(err: Error): void }> = [];
  proto[method] = function (this: unknown) {
    return new Promise<void>((resolve, reject) => {
      waiting.push({ go: () => original.call(this).then(resolve, reject), stop: reject });
    });
  };
  const take = () => {
    const all = waiting;
    waiting = [];
    return all;
  };
  return {
    release: () => take().forEach((w) => w.go()),
    fail: (err) => take().forEach((w) => w.stop(err)),
    pending: () => waiting.length,
    restore: () => {
      proto[method] = original;
    },
  };
}

export async function untilHeld(gate: FsyncGate): Promise<void> {
  while (gate.pending() === 0) await new Promise((r) => setTimeout(r, 1));
}
