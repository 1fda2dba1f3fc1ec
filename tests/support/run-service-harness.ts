// A real RunService for tests: a journal in a temp dir, a worker pool, a manual clock and silent logs, started
// (recovery included) and recording what it publishes. Several can be opened on one data dir in turn (a
// restart); `abandon` stops one as a crash would (no final snapshot). `closeRunServices` ends what is left.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Journal } from '../../gateway/store/journal.js';
import { createWorkerPool, type WorkerPool } from '../../gateway/pool/worker-pool.js';
import { RunService, type RunServiceOptions } from '../../gateway/domain/agents/run-service.js';
import { ManualClock } from './test-gateway.js';
import type { RunWriter } from '../../gateway/domain/agents/run-writer.js';

/** A producer as a general ingest token writes: it starts runs and writes its own. */
export const producer: RunWriter = { owner: 'token:test-producer', name: 'token:test-producer', startsRuns: true };

export interface Published {
  topic: string;
  type: string;
  data: any;
  key?: string;
}

export interface RunServiceHarness {
  /** The data dir: `journal/` and `snapshots/agent-runs.json` live in it. */
  dir: string;
  clock: ManualClock;
  journal: Journal;
  pool: WorkerPool;
  runs: RunService;
  /** Every frame the service published, in order. */
  frames: Published[];
  /** Closes the service (with its final snapshot), the pool and the journal; removes a dir it made. */
  close(): Promise<void>;
  /** Stops the service and the journal without the final snapshot, as a crash would (the pool stays until close). */
  abandon(): Promise<void>;
}

export interface HarnessOptions {
  /** Reuse this data dir (e.g. a restart); by default a new temp dir, removed on close. */
  dir?: string;
  clock?: ManualClock;
  /** Overrides of the service options (heartbeatTimeoutMs, maxFinished, coalesceMs, …). */
  options?: Partial<RunServiceOptions>;
}

const open: RunServiceHarness[] = [];
const scratch: string[] = [];

/** A temp dir removed by `closeRunServices`. */
export function scratchDir(prefix = 'oc-runs-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

export async function openRunService(o: HarnessOptions = {}): Promise<RunServiceHarness> {
  const ownDir = o.dir === undefined;
  const dir = o.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'oc-runs-'));
  const clock = o.clock ?? new ManualClock();
  const journalDir = path.join(dir, 'journal');
  const journal = await Journal.open(journalDir, { clock });
  const pool = createWorkerPool({ maxThreads: 2, taskTimeoutMs: 30_000 });
  const runs = new RunService({
    journal,
    journalDir,
    pool,
    clock,
    logger: pino({ level: 'silent' }),
    snapshotFile: path.join(dir, 'snapshots', 'agent-runs.json'),
    heartbeatTimeoutMs: 120_000,
    snapshotIntervalMs: 3_600_000,
    ...o.options,
  });
  const frames: Published[] = [];
  runs.setPublisher((topic, type, data, opts) => frames.push({ topic, type, data, key: opts?.key }));
  await runs.start();
  let stopped = false;
  let closed = false;
  const harness: RunServiceHarness = {
    dir,
    clock,
    journal,
    pool,
    runs,
    frames,
    async close() {
      if (closed) return;
      closed = true;
      if (!stopped) await runs.close();
      await pool.close();
      if (!stopped) await journal.close();
      stopped = true;
      if (ownDir) fs.rmSync(dir, { recursive: true, force: true });
    },
    async abandon() {
      if (stopped) return;
      stopped = true;
      (runs as unknown as { snapshot: () => Promise<void> }).snapshot = async () => {};
      await runs.close();
      await journal.close();
    },
  };
  open.push(harness);
  return harness;
}

/** For `test.after`: closes every harness still open and removes the scratch dirs. */
export async function closeRunServices(): Promise<void> {
  for (const h of open.splice(0)) await h.close();
  for (const dir of scratch.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}
