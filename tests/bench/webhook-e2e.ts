// Webhook → browser benchmark: signed WhatsApp notifications are POSTed to the standalone webhook
// (dist/webhook/standalone.js, its own process) at a paced rate of events; the dashboard (dist/gateway, its own
// process, WEBHOOK_URL pointed at it) streams them in, journals them and sends each as an `event` frame of
// topic `webhook` to N WebSocket clients (cookie session + Origin). Latency per event: from just before its
// POST to the arrival of the frame carrying its id at a sampled client (`ws`, in this process, same clock); the
// other clients are bare sockets in a child process (webhook-clients-process.ts). Lost: every event the
// webhook stored in the window must reach every client exactly once. A warm-up at the same rate comes first.
// Gateway event-loop delay is measured inside the gateway (GATEWAY_LOOP_STATS=1, one window over the posting);
// CPU, RSS and the time its event-loop thread waited for a CPU from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mb, root, rssBytes, signIn, startGateway } from '../support/gateway-process.js';
import { INGEST_BENCH_ENV, cpuSeconds, percentile, round1 } from './ingest-support.js';
import { planDay, signedRequest, type SimAction } from '../../webhook/simulator.js';
import { parseLoopDelayLine, type LoopDelayWindow } from '../../gateway/loop-delay-report.js';
import type { WebhookEvent } from '../../webhook/events.js';
import { closeWebhookClients, connectMany, connectWebhookClient, deliveryReport, eventSeqOf, tally, allArrived, type DeliveryReport, type WebhookBenchClient } from './webhook-clients.js';
import type { ClientsReply, ClientsRequest, ClientsSetup } from './webhook-clients-process.js';

const SECRET = 'bench-app-secret';
const TOKEN = 'bench-webhook-token';
export { SECRET as WEBHOOK_BENCH_SECRET, TOKEN as WEBHOOK_BENCH_TOKEN };
const SLICE_MS = 10;

export interface WebhookBenchOptions {
  clients: number;
  eventsPerSec: number;
  seconds: number;
  /** Clients on the main thread that parse every frame for latency (the rest only tally seqs). */
  sampled?: number;
  nodeArgs?: string[];
}

export interface WebhookBenchResult {
  options: { clients: number; eventsPerSec: number; seconds: number; sampled: number };
  connectMs: number;
  posts: number;
  postsRefused: number;
  postAck: { p50: number; p99: number };
  eventsExpected: number;
  eventsStoredByWebhook: number;
  eventsStoredByDashboard: number;
  achievedEventsPerSec: number;
  latency: { samples: number; p50: number; p99: number; max: number };
  delivery: DeliveryReport;
  gatewayLoop: LoopDelayWindow | null;
  gatewayCpuPct: number;
  webhookCpuPct: number;
  /** This process (POSTs and the sampled clients). */
  benchCpuPct: number;
  /** The process of the other clients. */
  clientsCpuPct: number;
  /** Share of the wall time the gateway's main thread was runnable but waiting for a CPU (the machine is shared). */
  gatewayRunqueueWaitPct: number;
  /** The whole machine over the window (all cores): busy share, of which softirq and steal; 1-min load at the end. */
  machine: { busyPct: number; softirqPct: number; stealPct: number; loadAvg: number };
  rssIdle: number;
  rssWithClients: number;
  rssPeak: number;
  benchLagP99Ms: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** The standalone webhook from dist/ on a free port, signed with the bench secret; `env` adds to its settings. */
export async function startWebhookProcess(dataDir: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; base: string; stop(): Promise<void> }> {
  const port = await freePort();
  // Profiling the webhook: BENCH_WEBHOOK_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"
  const nodeArgs = process.env.BENCH_WEBHOOK_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, path.join(root, 'dist/webhook/standalone.js')], {
    cwd: dataDir,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      WEBHOOK_PORT: String(port),
      WEBHOOK_HOST: '127.0.0.1',
      WEBHOOK_DATA_DIR: path.join(dataDir, 'events'),
      WHATSAPP_APP_SECRET: SECRET,
      WEBHOOK_TOKEN: TOKEN,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (/running at http/.test(out)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`webhook exited early (${code}): ${out}`)));
  });
  child.stdout!.resume();
  return {
    child,
    base: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/**
 * The process holding the non-sampled clients (webhook-clients-process.ts), as request/reply calls. It runs at
 * the same priority as the gateway unless BENCH_WEBHOOK_CLIENTS_NICE is set (e.g. 10: the simulated browsers
 * then take only spare CPU, fall behind, and the gateway drops them as slow consumers with 4008).
 */
class ClientProcess {
  readonly child: ChildProcess;
  #waiting: ((reply: ClientsReply) => void) | null = null;
  #failed: unknown = null;
  constructor(setup: ClientsSetup) {
    const niceness = Number(process.env.BENCH_WEBHOOK_CLIENTS_NICE ?? 0) || 0;
    const command = [process.execPath, '--import', 'tsx', path.join(root, 'tests/bench/webhook-clients-process.ts')];
    this.child = spawn(niceness ? 'nice' : command[0]!, niceness ? ['-n', String(niceness), ...command] : command.slice(1), {
      cwd: root,
      env: { ...process.env, BENCH_CLIENTS_SETUP: JSON.stringify(setup) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (reply: ClientsReply) => this.#waiting?.(reply));
    this.child.once('exit', (code) => {
      this.#failed ??= new Error(`client process exited (${code})`);
      this.#waiting?.({ type: 'failed', error: String(this.#failed) });
    });
  }
  next(req?: ClientsRequest): Promise<ClientsReply> {
    if (this.#failed) return Promise.reject(this.#failed);
    const reply = new Promise<ClientsReply>((resolve) => (this.#waiting = resolve));
    if (req) this.child.send(req);
    return reply.then((r) => {
      if (r.type === 'failed') throw new Error(`client process: ${r.error}`);
      return r;
    });
  }
  async close(): Promise<void> {
    if (!this.#failed) await this.next({ type: 'close' }).catch(() => undefined);
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGKILL');
      await exited;
    }
  }
}

/** The ids the webhook records for a notification: taps → :click, texts → :in and :reply, statuses → :<status>. */
function idsOf(body: object): string[] {
  const ids: string[] = [];
  const entries = (body as { entry: { changes: { value: { messages?: { id: string; type: string }[]; statuses?: { id: string; status: string }[] } }[] }[] }).entry;
  for (const e of entries)
    for (const c of e.changes) {
      for (const m of c.value.messages ?? []) {
        if (m.type === 'text') ids.push(`${m.id}:in`, `${m.id}:reply`);
        else ids.push(`${m.id}:click`);
      }
      for (const s of c.value.statuses ?? []) ids.push(`${s.id}:${s.status}`);
    }
  return ids;
}

async function json<T>(url: string, headers: Record<string, string>): Promise<T> {
  const res = await fetch(url, { headers });
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function storedAfter(hookBase: string, after: number): Promise<WebhookEvent[]> {
  const all: WebhookEvent[] = [];
  for (let cursor = after; ; ) {
    const page = await json<{ events: WebhookEvent[]; nextAfter: number; hasMore: boolean }>(`${hookBase}/api/webhook/events?after=${cursor}&limit=1000`, { authorization: `Bearer ${TOKEN}` });
    all.push(...page.events);
    if (!page.hasMore) return all;
    cursor = page.nextAfter;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Machine-wide CPU ticks (/proc/stat): all, idle (+ iowait), softirq, steal. */
function machineTicks(): { all: number; idle: number; softirq: number; steal: number } {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal …
  return { all: f.slice(0, 8).reduce((a, b) => a + b, 0), idle: f[3]! + f[4]!, softirq: f[6]!, steal: f[7]! };
}

/** Nanoseconds the process's main thread has run and has waited, runnable, for a CPU (/proc/<pid>/schedstat). */
function schedstat(pid: number): { run: number; wait: number } {
  const [run, wait] = fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
  return { run: run!, wait: wait! };
}

export async function measureWebhookE2E(o: WebhookBenchOptions): Promise<WebhookBenchResult> {
  const sampled = Math.min(o.sampled ?? 10, o.clients);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-bench-hook-'));
  const hook = await startWebhookProcess(scratch);
  const gw = await startGateway({ ...INGEST_BENCH_ENV, WEBHOOK_URL: hook.base, WEBHOOK_TOKEN: TOKEN, GATEWAY_LOOP_STATS: '1' }, { nodeArgs: o.nodeArgs ?? [] }).catch(async (err: unknown) => {
    await hook.stop();
    throw err;
  });
  const loopLines: LoopDelayWindow[] = [];
  let lineBuf = '';
  gw.child.stdout!.on('data', (c: Buffer) => {
    lineBuf += c.toString();
    let nl: number;
    while ((nl = lineBuf.indexOf('\n')) >= 0) {
      const w = parseLoopDelayLine(lineBuf.slice(0, nl));
      lineBuf = lineBuf.slice(nl + 1);
      if (w) loopLines.push(w);
    }
  });
  const loopWindow = async (): Promise<LoopDelayWindow | null> => {
    const n = loopLines.length;
    gw.child.kill('SIGUSR2');
    for (let i = 0; i < 100 && loopLines.length === n; i++) await sleep(20);
    return loopLines[n] ?? null;
  };
  let sampledClients: WebhookBenchClient[] = [];
  let clientProc: ClientProcess | null = null;
  const lag = monitorEventLoopDelay({ resolution: 5 });
  try {
    const cookie = await signIn(gw.base, gw.adminPassword);
    const status = () => json<{ state: string; connection: string; lastSeq: number; eventsStored: number }>(`${gw.base}/api/webhook/status`, { cookie });
    const hookLastSeq = async () => (await json<{ lastSeq: number }>(`${hook.base}/api/webhook/metrics`, { authorization: `Bearer ${TOKEN}` })).lastSeq;
    /** Waits until the dashboard streams from the webhook and holds everything it stored; returns that seq. */
    const caughtUp = async () => {
      for (let i = 0; ; i++) {
        const [s, last] = await Promise.all([status(), hookLastSeq()]);
        if (s.state === 'up' && s.connection === 'open' && s.lastSeq === last) return last;
        if (i > 300) throw new Error(`the dashboard did not catch up with the webhook: ${JSON.stringify(s)}, webhook at ${last}`);
        await sleep(100);
      }
    };
    await caughtUp();
    const rssIdle = rssBytes(gw.child.pid!);

    // The traffic: business days of the simulator, back to back, each notification with the ids it yields.
    const warmupSeconds = Math.min(3, o.seconds / 2);
    const actions: { action: SimAction; ids: string[] }[] = [];
    const capacityEvents = Math.ceil(o.eventsPerSec * o.seconds * 1.2) + 1000;
    for (let seed = 1, events = 0; events < capacityEvents + o.eventsPerSec * warmupSeconds * 1.2; seed++) {
      for (const action of planDay({ seed })) {
        const ids = idsOf(action.body);
        actions.push({ action, ids });
        events += ids.length;
      }
    }
    const capacity = capacityEvents + 1000;

    // BENCH_WEBHOOK_TIMELINE=1: per second of sending, the ack and frame latency percentiles (where a stall began).
    const timeline = process.env.BENCH_WEBHOOK_TIMELINE === '1' ? new Timeline() : null;
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];

    // Paced POSTs: each 10 ms slice sends the notifications whose events are due (a retry yields none), over
    // keep-alive connections (like WhatsApp's senders; fetch costs this process far more per request).
    const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
    let measuring = false;
    const acks: number[] = [];
    let posts = 0;
    let postsRefused = 0;
    let eventsExpected = 0;
    let next = 0;
    const inFlight = new Set<Promise<void>>();
    const send = (a: { action: SimAction; ids: string[] }) => {
      const req = signedRequest(a.action.body, SECRET);
      const t = performance.now();
      const counted = measuring;
      if (counted) posts++;
      const p = new Promise<void>((resolve) => {
        const r = http.request(`${hook.base}/webhook`, { method: 'POST', agent, headers: { ...req.headers, 'content-length': Buffer.byteLength(req.body) } }, (res) => {
          res.resume();
          res.once('end', () => {
            if (res.statusCode !== 200) postsRefused++;
            else if (counted) {
              acks.push(performance.now() - t);
              timeline?.add(t, 'ack', performance.now() - t);
            }
            resolve();
          });
        });
        r.once('error', () => {
          postsRefused++;
          resolve();
        });
        r.end(req.body);
      }).finally(() => inFlight.delete(p));
      inFlight.add(p);
    };
    let rssPeak = 0;
    let ticks = 0;
    const pace = (seconds: number) => {
      const from = performance.now();
      let due = 0;
      return new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          const elapsed = performance.now() - from;
          const target = Math.min(seconds * 1000, elapsed) * (o.eventsPerSec / 1000);
          while (due < target && next < actions.length) {
            const a = actions[next++]!;
            const t = performance.now();
            let fresh = 0;
            for (const id of a.ids) {
              if (sentAt.has(id)) continue;
              sentAt.set(id, t);
              fresh++;
            }
            due += fresh;
            if (measuring) eventsExpected += fresh;
            send(a);
          }
          if (++ticks % 100 === 0) rssPeak = Math.max(rssPeak, rssBytes(gw.child.pid!));
          if (elapsed >= seconds * 1000) {
            clearInterval(timer);
            resolve();
          }
        }, SLICE_MS / 2);
      });
    };

    // Warm-up at the same rate (connections opened, code paths compiled), before any client connects.
    await pace(warmupSeconds);
    await Promise.all(inFlight);
    await sleep(500);
    const base = await caughtUp();
    const storedBefore = (await status()).eventsStored;

    const onFrame = (c: WebhookBenchClient, data: Buffer) => {
      const now = performance.now();
      c.frames++;
      const seq = eventSeqOf(data);
      if (seq === null) return;
      tally(c, base, seq);
      const id = (JSON.parse(data.toString('utf8')) as { data: { id: string } }).data.id;
      const t = sentAt.get(id);
      if (t !== undefined && seq > base) {
        latencies.push(now - t);
        timeline?.add(t, 'frame', now - t);
      }
    };

    const url = `${gw.base.replace(/^http/, 'ws')}/ws`;
    const headers = { cookie, origin: gw.base };
    const connectStart = performance.now();
    const others = o.clients - sampled;
    clientProc = others > 0 ? new ClientProcess({ url, headers, count: others, capacity, base }) : null;
    const [, ready] = await Promise.all([
      connectMany(sampled, () => connectWebhookClient(url, headers, capacity, onFrame)).then((list) => (sampledClients = list)),
      clientProc ? clientProc.next() : Promise.resolve({ type: 'ready', connectMs: 0 } as ClientsReply),
    ]);
    if (ready.type !== 'ready') throw new Error(`client process: unexpected ${ready.type}`);
    const connectMs = Math.round(performance.now() - connectStart);
    await sleep(1000);
    const rssWithClients = rssBytes(gw.child.pid!);
    rssPeak = rssWithClients;

    await loopWindow(); // starts the measured window
    lag.enable();
    const gwCpu0 = cpuSeconds(gw.child.pid!);
    const hookCpu0 = cpuSeconds(hook.child.pid!);
    const clientsCpu = () => (clientProc?.child.pid ? cpuSeconds(clientProc.child.pid) : 0);
    const benchCpu0 = cpuSeconds(process.pid);
    const clientsCpu0 = clientsCpu();
    const gwSched0 = schedstat(gw.child.pid!);
    const machine0 = machineTicks();
    measuring = true;
    const start = performance.now();
    await pace(o.seconds);
    await Promise.all(inFlight);
    agent.destroy();
    const wall = (performance.now() - start) / 1000;
    const gatewayCpuPct = Math.round(((cpuSeconds(gw.child.pid!) - gwCpu0) / wall) * 100);
    const webhookCpuPct = Math.round(((cpuSeconds(hook.child.pid!) - hookCpu0) / wall) * 100);
    const benchCpuPct = Math.round(((cpuSeconds(process.pid) - benchCpu0) / wall) * 100);
    const clientsCpuPct = Math.round(((clientsCpu() - clientsCpu0) / wall) * 100);
    const gwSched = schedstat(gw.child.pid!);
    const machine1 = machineTicks();
    const share = (k: 'softirq' | 'steal') => Math.round(((machine1[k] - machine0[k]) / (machine1.all - machine0.all)) * 100);
    const machine = { busyPct: Math.round((1 - (machine1.idle - machine0.idle) / (machine1.all - machine0.all)) * 100), softirqPct: share('softirq'), stealPct: share('steal'), loadAvg: os.loadavg()[0]! };
    const gatewayRunqueueWaitPct = Math.round(((gwSched.wait - gwSched0.wait) / 1e9 / wall) * 100);
    const gatewayLoop = await loopWindow();
    timeline?.print(start);
    lag.disable();

    // What the webhook stored in the window (clicks and replies are recorded just after their POST's answer).
    let stored: WebhookEvent[] = [];
    for (let i = 0; i < 50; i++) {
      stored = await storedAfter(hook.base, base);
      if (stored.length >= eventsExpected) break;
      await sleep(100);
    }
    const storedSeqs = stored.map((e) => e.seq);
    const reportP = clientProc ? clientProc.next({ type: 'collect', storedSeqs, waitMs: 10_000 }) : Promise.resolve(null);
    const deadline = performance.now() + 10_000;
    while (performance.now() < deadline && !allArrived(sampledClients, base, storedSeqs)) await sleep(50);
    const reply = await reportP;
    if (reply && reply.type !== 'report') throw new Error(`client process: unexpected ${reply.type}`);
    rssPeak = Math.max(rssPeak, rssBytes(gw.child.pid!));
    const mine = deliveryReport(sampledClients, base, storedSeqs);
    const delivery = reply ? mergeReports(mine, reply.report) : mine;
    const storedAfterRun = (await status()).eventsStored;

    const sorted = Float64Array.from(latencies).sort();
    const ack = Float64Array.from(acks).sort();
    return {
      options: { clients: o.clients, eventsPerSec: o.eventsPerSec, seconds: o.seconds, sampled },
      connectMs,
      posts,
      postsRefused,
      postAck: { p50: round1(percentile(ack, 50)), p99: round1(percentile(ack, 99)) },
      eventsExpected,
      eventsStoredByWebhook: stored.length,
      eventsStoredByDashboard: storedAfterRun - storedBefore,
      achievedEventsPerSec: Math.round(stored.length / wall),
      latency: { samples: sorted.length, p50: round1(percentile(sorted, 50)), p99: round1(percentile(sorted, 99)), max: round1(sorted[sorted.length - 1] ?? NaN) },
      delivery,
      gatewayLoop,
      gatewayCpuPct,
      webhookCpuPct,
      benchCpuPct,
      clientsCpuPct,
      gatewayRunqueueWaitPct,
      machine,
      rssIdle,
      rssWithClients,
      rssPeak,
      benchLagP99Ms: round1(lag.percentile(99) / 1e6 - 5),
    };
  } finally {
    await closeWebhookClients(sampledClients);
    await clientProc?.close();
    await gw.stop();
    await hook.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

class Timeline {
  readonly #rows = new Map<number, { ack: number[]; frame: number[] }>();
  add(sentAt: number, kind: 'ack' | 'frame', ms: number): void {
    const second = Math.floor(sentAt / 1000);
    let row = this.#rows.get(second);
    if (!row) this.#rows.set(second, (row = { ack: [], frame: [] }));
    row[kind].push(ms);
  }
  print(start: number): void {
    const p = (xs: number[], q: number) => round1(percentile(Float64Array.from(xs).sort(), q));
    console.table(
      [...this.#rows.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([second, r]) => ({ second: second - Math.floor(start / 1000), acks: r.ack.length, ackP50: p(r.ack, 50), ackMax: p(r.ack, 100), frames: r.frame.length, frameP50: p(r.frame, 50), frameP99: p(r.frame, 99), frameMax: p(r.frame, 100) })),
    );
  }
}

function mergeReports(a: DeliveryReport, b: DeliveryReport): DeliveryReport {
  const closed = { ...a.closed };
  for (const [k, v] of Object.entries(b.closed)) closed[k] = (closed[k] ?? 0) + v;
  return {
    clients: a.clients + b.clients,
    clientsMissing: a.clientsMissing + b.clientsMissing,
    missing: a.missing + b.missing,
    duplicates: a.duplicates + b.duplicates,
    unexpected: a.unexpected + b.unexpected,
    closed,
    framesMin: Math.min(a.framesMin, b.framesMin),
    framesMax: Math.max(a.framesMax, b.framesMax),
  };
}

/** CPU (% of one core) the machine spent on anything but the gateway, the webhook and the benchmark's processes. */
function otherWorkPct(r: WebhookBenchResult): number {
  const ours = r.gatewayCpuPct + r.webhookCpuPct + r.benchCpuPct + r.clientsCpuPct;
  return Math.max(0, Math.round(r.machine.busyPct * os.cpus().length - ours - r.machine.softirqPct * os.cpus().length));
}

export function printWebhookE2E(results: WebhookBenchResult[]): void {
  const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
  console.log(
    'Webhook → browser: signed WhatsApp POSTs to the standalone webhook (own process, local mode) → dashboard (own process: ' +
      'stream, journal, hub) → `event` frames of topic "webhook" on N WebSocket clients. Latency from just before the POST to the ' +
      'frame carrying that event id at a sampled client (targets: p99 < 100 ms, nothing lost, gateway event-loop delay p99 < 20 ms):',
  );
  console.table(
    results.map((r) => ({
      clients: r.options.clients,
      'events/s (target)': r.options.eventsPerSec,
      'events/s (stored)': r.achievedEventsPerSec,
      seconds: r.options.seconds,
      samples: r.latency.samples,
      p50Ms: r.latency.p50,
      p99Ms: r.latency.p99,
      maxMs: r.latency.max,
      latency: met(r.latency.p99 < 100),
      'gw loop p99 ms': r.gatewayLoop?.p99 ?? 'n/a',
      'gw loop max ms': r.gatewayLoop?.max ?? 'n/a',
      loop: r.gatewayLoop ? met(r.gatewayLoop.p99 < 20) : 'n/a',
    })),
  );
  console.table(
    results.map((r) => ({
      clients: r.options.clients,
      posts: r.posts,
      refused: r.postsRefused,
      'ack p50/p99 ms': `${r.postAck.p50} / ${r.postAck.p99}`,
      expected: r.eventsExpected,
      'stored (webhook)': r.eventsStoredByWebhook,
      'stored (dashboard)': r.eventsStoredByDashboard,
      'clients missing any': r.delivery.clientsMissing,
      'missing receipts': r.delivery.missing,
      duplicates: r.delivery.duplicates,
      unexpected: r.delivery.unexpected,
      closed: Object.entries(r.delivery.closed).map(([k, v]) => `${v}×${k}`).join(' ') || 0,
      lost: met(r.delivery.missing === 0 && r.delivery.duplicates === 0 && r.eventsStoredByWebhook === r.eventsExpected && r.eventsStoredByDashboard === r.eventsStoredByWebhook),
    })),
  );
  for (const r of results) {
    console.log(
      `${r.options.clients} clients (connected in ${r.connectMs} ms): gateway CPU ${r.gatewayCpuPct} % of a core (its event-loop thread waited for a CPU ${r.gatewayRunqueueWaitPct} % of the time), webhook CPU ${r.webhookCpuPct} %, bench (POSTs, sampled clients) ${r.benchCpuPct} %, other clients ${r.clientsCpuPct} %; ` +
        `gateway RSS ${mb(r.rssIdle)} idle → ${mb(r.rssWithClients)} with clients → peak ${mb(r.rssPeak)}; ` +
        `frames per client ${r.delivery.framesMin}–${r.delivery.framesMax}; event-loop delay p99 of this bench process ${r.benchLagP99Ms} ms (it adds to the measured latency); ` +
        `machine ${r.machine.busyPct} % busy (${os.cpus().length} cores; softirq ${r.machine.softirqPct} %, steal ${r.machine.stealPct} %), load ${r.machine.loadAvg.toFixed(2)}` +
        (otherWorkPct(r) >= 25 ? `; WARNING: other work took about ${otherWorkPct(r)} % of a core meanwhile, so these figures understate this software` : ''),
    );
  }
  console.log('');
}
