// Event-loop lag of the gateway thread while the worker pool runs CPU-heavy journal scans, compared
// with the same scans run on the gateway thread itself (what rule 1 of docs/architecture.md avoids).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Journal } from '../../gateway/store/journal.js';
import { readJournal } from '../../gateway/store/journal-reader.js';
import { createWorkerPool } from '../../gateway/pool/worker-pool.js';

export interface LagRow {
  where: string;
  scans: number;
  scannedMB: number;
  wallMs: number;
  lagP99Ms: number;
  lagMaxMs: number;
}

async function buildJournal(dir: string, entries: number): Promise<number> {
  const journal = await Journal.open(dir);
  const batch = 1000;
  for (let i = 0; i < entries; i += batch) {
    const records = Array.from({ length: batch }, (_, j) => ({
      actor: `user-${(i + j) % 17}`,
      action: ['process.action', 'user.update', 'auth.login'][(i + j) % 3]!,
      target: `target-${i + j}`,
      outcome: 'ok',
      status: 200,
      ip: '10.0.0.1',
      detail: 'x'.repeat(80),
    }));
    await journal.appendMany('audit', records);
  }
  await journal.close();
  let bytes = 0;
  for (const f of fs.readdirSync(path.join(dir, 'audit'))) bytes += fs.statSync(path.join(dir, 'audit', f)).size;
  return bytes;
}

export async function measurePoolLag(entries = 600_000, scans = 8): Promise<{ rows: LagRow[]; journalBytes: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-bench-lag-'));
  const journalBytes = await buildJournal(dir, entries);
  // A filter nothing matches: every scan reads and parses the whole stream.
  const query = { stream: 'audit', order: 'desc' as const, limit: 50, match: { actor: 'nobody' } };
  const rows: LagRow[] = [];

  const pool = createWorkerPool({ taskTimeoutMs: 120_000 });
  await pool.run('journal-read', { dir, query: { ...query, limit: 1 } }); // warm the threads
  for (const where of ['worker pool', 'gateway thread (for comparison)']) {
    const h = monitorEventLoopDelay({ resolution: 5 });
    h.enable();
    const started = performance.now();
    if (where === 'worker pool') {
      await Promise.all(Array.from({ length: scans }, () => pool.run('journal-read', { dir, query })));
    } else {
      for (let i = 0; i < scans; i++) await readJournal(dir, query);
    }
    const wallMs = performance.now() - started;
    h.disable();
    rows.push({
      where,
      scans,
      scannedMB: Math.round((journalBytes * scans) / 1024 / 1024),
      wallMs: Math.round(wallMs),
      lagP99Ms: Number((h.percentile(99) / 1e6).toFixed(1)),
      lagMaxMs: Number((h.max / 1e6).toFixed(1)),
    });
  }
  await pool.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { rows, journalBytes };
}
