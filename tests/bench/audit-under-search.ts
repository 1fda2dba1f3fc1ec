// GET /api/audit latency for a signed-in admin against the gateway as `npm start` runs it (its own process, from
// sources under tsx), idle and while a viewer keeps slow regex searches running: does other pool work wait
// behind searches? The viewer behaves like a well-kept client: on 429 it waits what Retry-After says.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startGateway } from '../support/gateway-process.js';
import { signedInAdmin, signedInAs, type TestClient } from '../support/test-gateway.js';

// Backtracks for ever on a run of a's that ends in something else: every chunk runs to its regex time limit.
const SLOW_REGEX = '^(a+)+$';

export interface AuditLatencyRow {
  phase: string;
  requests: number;
  [gaveUp: `over ${number} s`]: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** Search answers by status while the audit requests ran. */
  searchesAnswered: string;
}

export interface AuditUnderSearchResult {
  rows: AuditLatencyRow[];
  searchLoops: number;
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** A request that has not answered after this long is counted as this long (and given up). */
const GIVE_UP_MS = 30_000;

/** One request at a time: at least `n`, and for at least `seconds` (a request still open then is the last). */
async function auditLatencies(admin: TestClient, n: number, seconds = 0): Promise<{ ms: number[]; gaveUp: number }> {
  const ms: number[] = [];
  let gaveUp = 0;
  const until = performance.now() + seconds * 1000;
  for (let i = 0; i < n || performance.now() < until; i++) {
    const t0 = performance.now();
    try {
      const r = await fetch(`${admin.base}/api/audit?limit=50`, { headers: { cookie: admin.cookieHeader() }, signal: AbortSignal.timeout(GIVE_UP_MS) });
      const text = await r.text();
      if (r.status !== 200) throw new Error(`GET /api/audit answered ${r.status}: ${text}`);
      ms.push(performance.now() - t0);
    } catch (err) {
      if (!(err instanceof DOMException && err.name === 'TimeoutError')) throw err;
      ms.push(GIVE_UP_MS);
      gaveUp++;
    }
  }
  return { ms: ms.sort((a, b) => a - b), gaveUp };
}

function row(phase: string, { ms, gaveUp }: { ms: number[]; gaveUp: number }, answered: Map<number, number> | null): AuditLatencyRow {
  return {
    phase,
    requests: ms.length,
    [`over ${GIVE_UP_MS / 1000} s`]: gaveUp,
    p50Ms: Math.round(percentile(ms, 50)),
    p95Ms: Math.round(percentile(ms, 95)),
    maxMs: Math.round(ms[ms.length - 1]!),
    searchesAnswered: answered ? [...answered].sort(([a], [b]) => a - b).map(([status, n]) => `${n}×${status}`).join(', ') : '-',
  };
}

export async function measureAuditUnderSearch(o: { requests: number; seconds: number; searchLoops: number; nodeArgs?: string[]; env?: Record<string, string> }): Promise<AuditUnderSearchResult> {
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-bench-audit-'));
  fs.writeFileSync(path.join(logDir, 'slow.log'), `${'a'.repeat(40)}!\n`.repeat(200));
  const gw = await startGateway({ LOG_DIRS: `${logDir}/*.log`, RATE_LIMIT_PER_MINUTE: '100000000', ...o.env }, { fromSources: true, nodeArgs: o.nodeArgs });
  const rows: AuditLatencyRow[] = [];
  let stop = false;
  const loops: Array<Promise<void>> = [];
  try {
    const admin = await signedInAdmin(gw.base, gw.adminPassword);
    const viewer = await signedInAs(gw.base, admin, 'viewer', 'bench-viewer');
    // Warm both: threads up, modules loaded.
    await auditLatencies(admin, 5);
    await viewer.get('/api/logs/search?q=warm&limit=1');
    rows.push(row('idle', await auditLatencies(admin, o.requests), null));

    const answered = new Map<number, number>();
    const query = `/api/logs/search?${new URLSearchParams({ q: SLOW_REGEX, regex: '1' })}`;
    for (let i = 0; i < o.searchLoops; i++) {
      loops.push((async () => {
        while (!stop) {
          const r = await viewer.get(query);
          answered.set(r.status, (answered.get(r.status) ?? 0) + 1);
          if (r.status === 429) await new Promise((resolve) => setTimeout(resolve, Number(r.headers.get('retry-after') ?? '1') * 1000));
        }
      })());
    }
    // The searches have been going a while (a backlog, if one builds, has built) before the figures are taken.
    await new Promise((resolve) => setTimeout(resolve, o.seconds * 1000));
    answered.clear();
    // Time-bound: on a starved pool each request can take many seconds.
    rows.push(row(`${o.searchLoops} slow searches kept running by one viewer`, await auditLatencies(admin, 1, o.seconds), answered));
    return { rows, searchLoops: o.searchLoops };
  } finally {
    stop = true;
    // A gateway that queued more searches than it can run would drain them all at SIGTERM: end it outright.
    gw.child.kill('SIGKILL');
    await Promise.allSettled(loops);
    await gw.stop();
    fs.rmSync(logDir, { recursive: true, force: true });
  }
}

export function printAuditUnderSearch(r: AuditUnderSearchResult): void {
  console.log(`GET /api/audit (signed-in admin, one request at a time) idle and while one viewer keeps ${r.searchLoops} slow regex searches (${SLOW_REGEX}) going:`);
  console.table(r.rows);
  console.log('');
}
