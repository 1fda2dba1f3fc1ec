// `npm run bench`: the foundation's figures on this machine — /api/health under load, event-loop lag
// while the pool works, initial JavaScript size, idle RSS. Prints tables; asserts nothing.
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { buildAll, mb, root, rssBytes, signIn, startGateway } from '../support/gateway-process.js';
import { loadHealth, type LoadRow } from './health-load.js';
import { measurePoolLag } from './pool-lag.js';

const quick = process.argv.includes('--quick');
console.log(`Ops Center benchmarks — ${os.cpus().length} cores, ${mb(os.totalmem())} RAM, Node ${process.version}${quick ? ' (quick)' : ''}\n`);

buildAll();

// 1. Initial JavaScript (what the browser loads before any lazy chunk).
const info = JSON.parse(fs.readFileSync(path.join(root, 'dist/public/build-info.json'), 'utf8')) as { initialJsGzipBytes: number };
console.log(`Initial JavaScript (gzip): ${(info.initialJsGzipBytes / 1024).toFixed(1)} KB (target ≤ 80 KB)\n`);

// 2. Idle RSS and load on /api/health. The API rate limit is raised so it measures the server, not the limiter
// (the limiter still runs on every request).
const gw = await startGateway({ RATE_LIMIT_PER_MINUTE: '100000000', METRICS_INTERVAL_SECONDS: '5' });
try {
  await new Promise((r) => setTimeout(r, 3000));
  console.log(`Gateway RSS at idle: ${mb(rssBytes(gw.child.pid!))}\n`);
  const cookie = await signIn(gw.base, gw.adminPassword);
  const seconds = quick ? 4 : 10;
  await loadHealth(gw.base, cookie, 50, undefined, 2); // warm-up
  const rows: LoadRow[] = [];
  for (const connections of [100, 1000]) rows.push(await loadHealth(gw.base, cookie, connections, undefined, seconds));
  for (const connections of [100, 1000]) rows.push(await loadHealth(gw.base, cookie, connections, 5000, seconds));
  console.log('Authenticated GET /api/health (cookie session), autocannon in this process, gateway in its own:');
  console.table(rows);
  console.log(`Gateway RSS after load: ${mb(rssBytes(gw.child.pid!))}\n`);
} finally {
  await gw.stop();
}

// 3. Event-loop lag while the pool scans the journal.
const lag = await measurePoolLag(quick ? 200_000 : 600_000, quick ? 4 : 8);
console.log(`Event-loop lag while scanning a ${mb(lag.journalBytes)} audit journal (target p99 < 20 ms in the pool):`);
console.table(lag.rows);
