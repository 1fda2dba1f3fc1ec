// Load on the hottest route: GET /api/health with a cookie session, against the built gateway in its own
// process (as `npm start` runs it, NODE_ENV=production). The load generator is another process
// (health-load-client.ts); with two or more cores the gateway runs on core 0 and the generator on core 1, and
// each runs in a session of its own (as a service does), so neither shares a scheduling group with the other.
// Open loop: a constant arrival rate over keep-alive connections, latency from each request's due time
// (open-loop.ts). Closed loop: autocannon flat out, each connection sending its next request on a response.
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { mb, pinnedCommand, root, rssBytes, signIn, startGateway } from '../support/gateway-process.js';
import { cpuSeconds } from './ingest-support.js';
import type { LoadResult, LoadSpec } from './health-load-client.js';

export interface HealthLoadOptions {
  /** Open-loop rows: requests per second over this many connections. */
  rate: number;
  openConnections: number;
  openSeconds: number;
  closedConnections: number[];
  closedSeconds: number;
  warmupSeconds: number;
  /** Every row is run this many times (the machine may be shared: figures vary from round to round). */
  rounds: number;
  nodeArgs: string[];
  env: Record<string, string>;
}

interface Cores {
  gateway?: string;
  generator?: string;
}

function coresOf(): Cores {
  return os.cpus().length >= 2 ? { gateway: '0', generator: '1' } : {};
}

const coreText = (c: string | undefined) => (c === undefined ? 'any core' : `core ${c}`);

/** Runs the generator in its own process (pinned when there are cores to spare) and returns its result. */
async function generate(spec: LoadSpec, cores: Cores): Promise<LoadResult> {
  const command = pinnedCommand([process.execPath, '--import', 'tsx', path.join(root, 'tests/bench/health-load-client.ts')], cores.generator);
  // Its own session, like the gateway's (see StartOptions.ownSession); it ends by itself after its run.
  const child = spawn(command[0]!, command.slice(1), {
    cwd: root,
    env: { ...process.env, BENCH_LOAD_SPEC: JSON.stringify(spec) },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  const orphanGuard = () => child.kill('SIGTERM');
  process.once('exit', orphanGuard);
  child.once('exit', () => process.off('exit', orphanGuard));
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const line = out.trim().split('\n').at(-1);
  if (code !== 0 || !line) throw new Error(`load generator failed (${code}): ${out}`);
  return JSON.parse(line) as LoadResult;
}

export async function measureHealthLoad(o: HealthLoadOptions): Promise<void> {
  const cores = coresOf();
  const gw = await startGateway(o.env, { nodeArgs: o.nodeArgs, ownSession: true, ...(cores.gateway === undefined ? {} : { cpus: cores.gateway }) });
  try {
    await new Promise((r) => setTimeout(r, 3000));
    console.log(`Gateway RSS at idle: ${mb(rssBytes(gw.child.pid!))}\n`);
    const cookie = await signIn(gw.base, gw.adminPassword);
    // What a browser sends with its session: the cookie and the encodings it accepts.
    const headers = { cookie, 'accept-encoding': 'gzip, deflate, br' };
    const url = `${gw.base}/api/health`;
    const pid = gw.child.pid!;
    const measured = async (spec: LoadSpec) => {
      const load = os.loadavg()[0]!.toFixed(2);
      const cpuBefore = cpuSeconds(pid);
      const started = performance.now();
      const result = await generate(spec, cores);
      const cpu = cpuSeconds(pid) - cpuBefore;
      // Share of its core the gateway got, and CPU time per request: on a shared machine the second is the
      // steadier figure (1,000,000 / µs per request is what one core could serve).
      const gatewayCpu = Math.round((cpu / ((performance.now() - started) / 1000)) * 100);
      const cpuPerRequest = Math.round((cpu * 1e6) / result.requests);
      return { result, load, gatewayCpu, cpuPerRequest };
    };

    const open = [];
    const closed = [];
    for (let round = 1; round <= o.rounds; round++) {
      const { result: r, load, gatewayCpu, cpuPerRequest } = await measured({
        kind: 'open', url, headers, connections: o.openConnections, rate: o.rate, warmupSeconds: o.warmupSeconds, seconds: o.openSeconds,
      });
      if (r.kind !== 'open') throw new Error('expected an open-loop result');
      open.push({
        round, 'offered req/s': r.rate, 'achieved req/s': r.achievedRate, connections: `${r.socketsOpened}${r.socketsReopened ? ` (+${r.socketsReopened} reopened)` : ''}`,
        p50: r.p50, p90: r.p90, p99: r.p99, 'p99.9': r.p999, max: r.max, errors: r.errors + r.timeouts, non2xx: r.non2xx,
        'send lag p99': r.sendLagP99, 'generator CPU %': r.generatorCpuPct, bytes: r.bytesPerResponse, 'gateway CPU %': gatewayCpu, 'CPU µs/req': cpuPerRequest, load,
      });
      for (const connections of o.closedConnections) {
        const { result: c, load: cLoad, gatewayCpu: cCpu, cpuPerRequest: cPer } = await measured({
          kind: 'closed', url, headers, connections, warmupSeconds: Math.min(2, o.warmupSeconds), seconds: o.closedSeconds,
        });
        if (c.kind !== 'closed') throw new Error('expected a closed-loop result');
        closed.push({ round, connections, 'req/s': c.reqPerSec, p50: c.p50, p99: c.p99, max: c.max, errors: c.errors + c.timeouts, non2xx: c.non2xx, 'gateway CPU %': cCpu, 'CPU µs/req': cPer, load: cLoad });
      }
    }
    const where = `gateway on ${coreText(cores.gateway)}, load generator on ${coreText(cores.generator)} (processes of their own, each in its own session)`;
    console.log(
      `Authenticated GET /api/health, open loop: ${o.rate} req/s due at fixed times over ${o.openConnections} keep-alive connections, ` +
        `${o.warmupSeconds} s warm-up then ${o.openSeconds} s counted; latency in ms from each request's due time; ${where}:`,
    );
    console.table(open);
    console.log(`Authenticated GET /api/health, closed loop (autocannon, ${o.closedSeconds} s after a warm-up); latency in ms; ${where}:`);
    console.table(closed);
    console.log(
      `Gateway CPU % is the share of its core it used; CPU µs/req is its CPU time per request (warm-up included). ` +
        `Load is the machine's 1-minute load average when the row began (${os.cpus().length} cores; other work on the machine adds noise).`,
    );
    console.log(`Gateway RSS after load: ${mb(rssBytes(pid))}\n`);
  } finally {
    await gw.stop();
  }
}
