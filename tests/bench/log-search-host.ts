// The searching side of the log-search benchmark, in a process of its own as the gateway is: the worker pool
// with the gateway's defaults and the real LogSearch coordinator over LOG_DIRS-style sources. The benchmark
// drives it over IPC and reads its memory from outside (/proc), so the figures are this process's alone.
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createWorkerPool } from '../../gateway/pool/worker-pool.js';
import { createLogSources } from '../../gateway/sources/log-sources.js';
import type { Pm2Source } from '../../gateway/sources/pm2-source.js';
import { LogSearch, type LogSearchRequest } from '../../gateway/domain/logs/log-search.js';

export type HostRequest =
  | { id: number; op: 'search'; req: Partial<LogSearchRequest>; interactive: boolean }
  | { id: number; op: 'lag-start' }
  | { id: number; op: 'lag-stop' }
  | { id: number; op: 'close' };

export type HostReply =
  | { id: number; op: 'search'; ms: number; hits: number; truncated: boolean; scannedBytes: number }
  | { id: number; op: 'lag'; p99Ms: number; maxMs: number }
  | { id: number; op: 'ok' }
  | { id: number; op: 'error'; message: string };

const dir = process.argv[2];
if (!dir || !process.send) {
  console.error('usage: started by tests/bench/log-search.ts with an IPC channel and the corpus directory');
  process.exit(2);
}
const send = (reply: HostReply): void => void process.send!(reply);

// As gateway/compose.ts builds them.
const pool = createWorkerPool({ taskTimeoutMs: 120_000 });
const logSources = createLogSources({ pm2: { list: async () => [] } as unknown as Pm2Source, logDirs: [`${dir}/*.log`], selfLogDir: path.join(dir, 'self'), clock: { now: () => Date.now() } });
const interactive = new LogSearch({ pool, logSources });
// A full scan is one request that may take longer than the interactive 2 s budget: the whole scan is measured.
const fullScan = new LogSearch({ pool, logSources, budgetMs: 120_000 });
const base: LogSearchRequest = { q: '', regex: false, caseSensitive: false, level: null, sources: null, from: null, to: null, limit: 100, cursor: null };
const lag = monitorEventLoopDelay({ resolution: 5 });

process.on('message', (msg: HostRequest) => {
  void (async () => {
    try {
      if (msg.op === 'search') {
        const started = performance.now();
        const page = await (msg.interactive ? interactive : fullScan).search({ ...base, ...msg.req });
        send({ id: msg.id, op: 'search', ms: performance.now() - started, hits: page.hits.length, truncated: page.truncated, scannedBytes: page.scannedBytes });
      } else if (msg.op === 'lag-start') {
        lag.reset();
        lag.enable();
        send({ id: msg.id, op: 'ok' });
      } else if (msg.op === 'lag-stop') {
        lag.disable();
        send({ id: msg.id, op: 'lag', p99Ms: lag.percentile(99) / 1e6, maxMs: lag.max / 1e6 });
      } else {
        await pool.close();
        send({ id: msg.id, op: 'ok' });
        process.disconnect();
      }
    } catch (err) {
      send({ id: msg.id, op: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  })();
});
send({ id: 0, op: 'ok' });
