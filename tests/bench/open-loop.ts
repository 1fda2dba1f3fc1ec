// Open-loop (constant arrival rate) HTTP GET load. Request i is due at start + i / rate whatever the earlier
// responses did, and its latency is counted from that due time, so a server that stalls shows as latency
// rather than as fewer requests sent (no coordinated omission). The connections are undici Clients (one
// keep-alive socket each, no pipelining), all opened before the schedule starts and given requests in turn,
// so every one of them carries traffic; a request whose connection is still busy waits, and that wait counts.
// (A node:http Agent was tried first: at 2,000 req/s on a shared core it fell seconds behind its own schedule,
// where undici kept to it.)
// autocannon's `overallRate` is not this: each connection sends its share of a second back to back and then
// pauses until the next second, and latency is counted from the actual send.
import { performance } from 'node:perf_hooks';
import { build, type Histogram } from 'hdr-histogram-js';
import { Client } from 'undici';

export interface OpenLoopOptions {
  url: string;
  headers: Record<string, string>;
  connections: number;
  /** Requests per second, spread evenly. */
  rate: number;
  /** Run at the rate this long before anything is counted. */
  warmupSeconds: number;
  seconds: number;
  /** After the last due time, how long outstanding requests may still finish before they count as timed out. */
  drainMs?: number;
}

export interface OpenLoopResult {
  rate: number;
  seconds: number;
  connections: number;
  /** Sockets open before the schedule started, and any opened later (a server that closed one). */
  socketsOpened: number;
  socketsReopened: number;
  sent: number;
  completed: number;
  /** Every request this run made, connection opening and warm-up included. */
  requests: number;
  /** Counted responses completed within the measured window, per second of it. */
  achievedRate: number;
  /** Latency from the due time, in ms. */
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  /** How late the generator itself sent requests (its own lag, included in the latency), in ms. */
  sendLagP99: number;
  sendLagMax: number;
  /** The generator's own CPU use while the schedule ran, as a share of one core. */
  generatorCpuPct: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  bytesPerResponse: number;
}

const histogram = (): Histogram => build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
const ms = (us: number) => Math.round(us / 10) / 100;

export async function runOpenLoop(o: OpenLoopOptions): Promise<OpenLoopResult> {
  const target = new URL(o.url);
  const path = target.pathname + target.search;
  let connects = 0;
  const clients = Array.from({ length: o.connections }, () => {
    const client = new Client(target.origin, { pipelining: 1, keepAliveTimeout: 120_000, keepAliveMaxTimeout: 120_000 });
    client.on('connect', () => connects++);
    return client;
  });
  let next = 0;
  let requests = 0;
  const request = (onDone: (status: number, bytes: number) => void, onError: (err: Error) => void) => {
    const client = clients[next]!;
    next = (next + 1) % clients.length;
    requests++;
    // dispatch with a handler rather than request(): no promise or body stream per request. (A Client takes
    // the callbacks of undici 6 here; the newer onResponse* set needs a composed dispatcher.)
    let status = 0;
    let bytes = 0;
    client.dispatch(
      { path, method: 'GET', headers: o.headers },
      {
        onConnect: () => {},
        onHeaders: (statusCode) => ((status = statusCode), true),
        onData: (chunk) => ((bytes += chunk.length), true),
        onComplete: () => onDone(status, bytes),
        onError,
      },
    );
  };

  // Open every connection first, in batches (the listen backlog is finite), and check they stay pooled.
  for (let opened = 0; opened < o.connections; ) {
    const batch = Math.min(100, o.connections - opened);
    await Promise.all(Array.from({ length: batch }, () => new Promise<void>((resolve, reject) => request(() => resolve(), reject))));
    opened += batch;
  }
  const socketsOpened = connects;

  const latency = histogram();
  const sendLag = histogram();
  let completed = 0;
  let completedInWindow = 0;
  let windowEnd = Infinity;
  let non2xx = 0;
  let errors = 0;
  let bytes = 0;
  let outstanding = 0;
  const interval = 1000 / o.rate;
  const warmup = Math.round(o.rate * o.warmupSeconds);
  const total = warmup + Math.round(o.rate * o.seconds);
  const start = performance.now() + 10;
  windowEnd = start + total * interval;
  let i = 0;
  let allDone: () => void = () => {};

  const fire = (index: number, due: number) => {
    const counted = index >= warmup;
    outstanding++;
    if (counted) sendLag.recordValue(Math.max(1, Math.round((performance.now() - due) * 1000)));
    request(
      (status, size) => {
        outstanding--;
        if (counted) {
          const now = performance.now();
          latency.recordValue(Math.max(1, Math.round((now - due) * 1000)));
          completed++;
          if (now <= windowEnd) completedInWindow++;
          bytes += size;
          if (status < 200 || status >= 300) non2xx++;
        }
        if (outstanding === 0 && i === total) allDone();
      },
      () => {
        outstanding--;
        if (counted) errors++;
        if (outstanding === 0 && i === total) allDone();
      },
    );
  };

  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  await new Promise<void>((resolve) => {
    const pump = () => {
      const now = performance.now();
      while (i < total && start + i * interval <= now) {
        fire(i, start + i * interval);
        i++;
      }
      if (i < total) setTimeout(pump, Math.max(0, start + i * interval - performance.now()));
      else resolve();
    };
    setTimeout(pump, 10);
  });
  const cpu = process.cpuUsage(cpuBefore);
  const generatorCpuPct = Math.round((cpu.user + cpu.system) / 10 / (performance.now() - wallBefore));
  await new Promise<void>((resolve) => {
    if (outstanding === 0) return resolve();
    allDone = resolve;
    setTimeout(resolve, o.drainMs ?? 10_000);
  });
  const timeouts = outstanding;
  const window = (windowEnd - (start + warmup * interval)) / 1000;
  await Promise.all(clients.map((c) => c.destroy()));
  return {
    rate: o.rate,
    seconds: o.seconds,
    connections: o.connections,
    socketsOpened,
    socketsReopened: connects - socketsOpened,
    sent: total - warmup,
    completed,
    requests,
    achievedRate: Math.round(completedInWindow / window),
    p50: ms(latency.getValueAtPercentile(50)),
    p90: ms(latency.getValueAtPercentile(90)),
    p99: ms(latency.getValueAtPercentile(99)),
    p999: ms(latency.getValueAtPercentile(99.9)),
    max: ms(latency.maxValue),
    sendLagP99: ms(sendLag.getValueAtPercentile(99)),
    sendLagMax: ms(sendLag.maxValue),
    generatorCpuPct,
    non2xx,
    errors,
    timeouts,
    bytesPerResponse: completed ? Math.round(bytes / completed) : 0,
  };
}
