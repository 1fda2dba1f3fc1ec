// `npm run bench`: the figures on this machine — initial JavaScript size, bytes transferred for the first
// screen (sign-in, home) in Chromium, idle RSS and /api/health under
// load, event-loop lag while the pool works, durable ingest throughput, and ingest → WebSocket frame latency
// with 1,000 clients, /api/audit while a viewer runs slow searches, what the first screens fetch (page chunks,
// ECharts, long tasks), Lighthouse on the five main pages. Prints tables; asserts nothing. `--quick` shortens every
// section; `--only=<name>` runs one section (bundle, first-screen, first-screen-requests, health, pool-lag,
// ingest-throughput, ingest-fanout, log-search, log-search-in-process, webhook, audit-under-search, lighthouse).
// BENCH_LOG_CORPUS=<dir> keeps the log-search corpus there between runs.
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { buildAll, mb, root } from '../support/gateway-process.js';
import { measureHealthLoad } from './health-load.js';
import { measurePoolLag } from './pool-lag.js';
import { measureIngestThroughput, printThroughput } from './ingest-throughput.js';
import { measureIngestFanout, printFanout } from './ingest-fanout.js';
import { RAISED_LIMITS_NOTE } from './ingest-support.js';
import { measureLogSearch, printLogSearch } from './log-search.js';
import { measureLogSearchHttp, printLogSearchHttp } from './log-search-http.js';
import { measureWebhookE2E, printWebhookE2E, type WebhookBenchResult } from './webhook-e2e.js';
import { measureAuditUnderSearch, printAuditUnderSearch } from './audit-under-search.js';
import { measureFirstScreen, printFirstScreen } from './first-screen.js';
import { measureFirstScreenRequests, printFirstScreenRequests } from './first-screen-requests.js';
import { LIGHTHOUSE_PAGES, lighthouseRuns, measureLighthouse, printLighthouse } from './lighthouse.js';

const SECTIONS = ['bundle', 'first-screen', 'health', 'pool-lag', 'ingest-throughput', 'ingest-fanout', 'log-search',
  'log-search-in-process', 'webhook', 'audit-under-search', 'first-screen-requests', 'lighthouse'] as const;
type Section = (typeof SECTIONS)[number];

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
if (only !== undefined && !(SECTIONS as readonly string[]).includes(only)) {
  console.error(`--only must be one of ${SECTIONS.join(', ')}`);
  process.exit(2);
}
const runs = (section: Section) => only === undefined || only === section;
// Profiling a section's gateway: BENCH_GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"
const gatewayNodeArgs = process.env.BENCH_GATEWAY_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [];

console.log(`Ops Center benchmarks — ${os.cpus().length} cores, ${mb(os.totalmem())} RAM, Node ${process.version}${quick ? ' (quick)' : ''}${only ? ` (only ${only})` : ''}`);
if (runs('health') || runs('ingest-throughput') || runs('ingest-fanout') || runs('webhook')) console.log(`Gateway env: ${RAISED_LIMITS_NOTE}.`);
console.log('');

// The in-process log search and audit-under-search (the gateway from sources) need no build.
if (only !== 'log-search-in-process' && only !== 'audit-under-search') buildAll();

// 1. Initial JavaScript (what the browser loads before any lazy chunk).
if (runs('bundle')) {
  const info = JSON.parse(fs.readFileSync(path.join(root, 'dist/public/build-info.json'), 'utf8')) as {
    initialJsGzipBytes: number; routeJsGzipBytes?: Record<string, number>;
  };
  console.log(`Initial JavaScript (gzip): ${(info.initialJsGzipBytes / 1024).toFixed(1)} KB (target ≤ 80 KB)`);
  const routes = Object.entries(info.routeJsGzipBytes ?? {});
  if (routes.length) console.log(`With the route's page (gzip): ${routes.map(([r, n]) => `${r} ${(n / 1024).toFixed(1)} KB`).join(', ')}`);
  console.log('');
}

// 1b. Bytes transferred for the first screen, as Chromium gets them from the built gateway.
if (runs('first-screen')) {
  printFirstScreen(await measureFirstScreen());
}

// 2. Idle RSS and load on /api/health: open loop at 2,000 req/s over 1,000 connections, closed loop at 100 and
// 1,000. The API rate limit is raised so it measures the server, not the limiter (the limiter still runs on
// every request). BENCH_HEALTH_ROUNDS=3 repeats every row (the figures vary on a shared machine).
if (runs('health')) {
  await measureHealthLoad({
    rate: 2000,
    openConnections: 1000,
    openSeconds: quick ? 6 : 20,
    closedConnections: [100, 1000],
    closedSeconds: quick ? 4 : 10,
    warmupSeconds: quick ? 2 : 5,
    rounds: Math.max(1, Number(process.env.BENCH_HEALTH_ROUNDS) || 1),
    nodeArgs: gatewayNodeArgs,
    env: { RATE_LIMIT_PER_MINUTE: '100000000', METRICS_INTERVAL_SECONDS: '5' },
  });
}

// 3. Event-loop lag while the pool scans the journal.
if (runs('pool-lag')) {
  const lag = await measurePoolLag(quick ? 200_000 : 600_000, quick ? 4 : 8);
  console.log(`Event-loop lag while scanning a ${mb(lag.journalBytes)} audit journal (target p99 < 20 ms in the pool):`);
  console.table(lag.rows);
  console.log('');
}

// 4. Durable ingest throughput (first half of the agent-run benchmark).
if (runs('ingest-throughput')) {
  printThroughput(await measureIngestThroughput(quick ? 4 : 10, [4, 16, 64], gatewayNodeArgs));
}

// 5. Ingest → WebSocket frame latency with 1,000 subscribed clients (second half of the agent-run benchmark).
if (runs('ingest-fanout')) {
  printFanout(await measureIngestFanout({ clients: 1000, eventsPerSec: 2000, runs: 20, seconds: quick ? 6 : 20, nodeArgs: gatewayNodeArgs }));
}

// 6. Log search vs grep on 512 MiB of mixed-format logs (the log-search benchmark; --quick: 128 MiB): over HTTP
// against the built gateway, signed in (the figures the README gives). The same searches in a process of their
// own without HTTP (LogSearch and the pool alone) only with --only=log-search-in-process.
if (runs('log-search')) {
  const rounds = quick ? 3 : 5;
  printLogSearchHttp(await measureLogSearchHttp({ totalBytes: quick ? 128 * 2 ** 20 : 512 * 2 ** 20, rounds, coldStarts: quick ? 3 : 5, nodeArgs: gatewayNodeArgs, corpusDir: process.env.BENCH_LOG_CORPUS || undefined }), rounds);
}
if (only === 'log-search-in-process') {
  printLogSearch(await measureLogSearch(quick ? 128 * 2 ** 20 : 512 * 2 ** 20));
}

// 7. Webhook POST → dashboard → browser WebSocket frame at 1,000 events/s (the webhook benchmark): 10 clients (the
// pipeline alone), 100 and 1,000 (the fan-out); BENCH_WEBHOOK_CLIENTS="1000" picks the rows,
// BENCH_WEBHOOK_TIMELINE=1 adds per-second latency, BENCH_WEBHOOK_NODE_ARGS profiles the webhook,
// BENCH_WEBHOOK_CLIENTS_NICE=10 runs the simulated browsers at a lower priority.
if (runs('webhook')) {
  const results: WebhookBenchResult[] = [];
  const rows = process.env.BENCH_WEBHOOK_CLIENTS?.split(',').map(Number).filter((n) => n > 0) ?? [10, 100, 1000];
  for (const clients of rows) results.push(await measureWebhookE2E({ clients, eventsPerSec: 1000, seconds: quick ? 6 : 20, nodeArgs: gatewayNodeArgs }));
  printWebhookE2E(results);
}

// 8. GET /api/audit idle and while a viewer keeps slow regex searches running (searches must not starve the pool).
if (runs('audit-under-search')) {
  printAuditUnderSearch(await measureAuditUnderSearch({ requests: quick ? 20 : 50, seconds: quick ? 5 : 15, searchLoops: 6, nodeArgs: gatewayNodeArgs }));
}

// 9. What the first screens fetch in Chromium: /login signed out, / signed in — page chunks, ECharts, long tasks.
if (runs('first-screen-requests')) {
  printFirstScreenRequests(await measureFirstScreenRequests());
}

// 10. Lighthouse (mobile, simulated throttling) on sign-in, home, agents, logs and webhook against the built gateway
// with seeded data, signed in where needed; the median of 3 runs a page (--quick: 1). The figures also go to
// dist/bench/lighthouse.json (the README's measured initial-JS figure comes from there); BENCH_LIGHTHOUSE_REPORTS=<dir>
// keeps every run's full report and trace; BENCH_LIGHTHOUSE_PAGES=home,agents measures only those pages (their
// figures go to dist/bench/lighthouse-<pages>.json, so lighthouse.json always holds every page);
// BENCH_LIGHTHOUSE_RUNS=5 runs each page that many times (the simulation's figures vary a lot from run to run).
if (runs('lighthouse')) {
  const reportsDir = process.env.BENCH_LIGHTHOUSE_REPORTS;
  const pages = process.env.BENCH_LIGHTHOUSE_PAGES?.split(',').map((p) => p.trim()).filter(Boolean);
  const unknown = pages?.filter((p) => !LIGHTHOUSE_PAGES.some((known) => known.name === p)) ?? [];
  if (unknown.length > 0) {
    console.error(`BENCH_LIGHTHOUSE_PAGES: unknown page ${unknown.join(', ')} (pages: ${LIGHTHOUSE_PAGES.map((p) => p.name).join(', ')})`);
    process.exit(2);
  }
  const result = await measureLighthouse({
    runs: lighthouseRuns(process.env.BENCH_LIGHTHOUSE_RUNS, quick ? 1 : 3),
    ...(reportsDir ? { reportsDir: path.resolve(reportsDir) } : {}),
    ...(pages?.length ? { pages } : {}),
  });
  const file = path.join(root, `dist/bench/${pages?.length ? `lighthouse-${pages.join('-')}` : 'lighthouse'}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  printLighthouse(result, file);
}
