// Open-loop (constant arrival rate) HTTP GET load. Request i is due at start + i / rate whatever the earlier
// responses did, and its latency is counted from that due time, so a server that stalls shows as latency
// rather than as fewer requests sent (no coordinated omission). The connections are keep-alive sockets of a
// node:http Agent, all opened before the schedule starts and handed out in turn (FIFO), so every one of
// them carries traffic; a request finding every socket busy waits in the Agent's queue, and that wait counts.
// autocannon's `overallRate` is not this: each connection sends its share of a second back to back and then
// pauses until the next second, and latency is counted from the actual send.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { build, type Histogram } from 'hdr-histogram-js';

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
  non2xx: number;
  errors: number;
  timeouts: number;
  bytesPerResponse: number;
}

const histogram = (): Histogram => build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
const ms = (us: number) => Math.round(us / 10) / 100;

export async function runOpenLoop(o: OpenLoopOptions): Promise<OpenLoopResult> {
  const target = new URL(o.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.connections, maxFreeSockets: o.connections, scheduling: 'fifo' });
  const seen = new WeakSet<object>();
  let sockets = 0;
  let requests = 0;
  const request = (onDone: (status: number, bytes: number) => void, onError: (err: Error) => void) => {
    const req = http.request(
      { agent, host: target.hostname, port: target.port, path: target.pathname + target.search, method: 'GET', headers: o.headers },
      (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => onDone(res.statusCode ?? 0, bytes));
        res.on('error', onError);
      },
    );
    req.on('socket', (s) => {
      if (!seen.has(s)) {
        seen.add(s);
        sockets++;
      }
    });
    req.on('error', onError);
    req.end();
    requests++;
  };

  // Open every connection first, in batches (the listen backlog is finite), and check they stay pooled.
  for (let opened = 0; opened < o.connections; ) {
    const batch = Math.min(100, o.connections - opened);
    await Promise.all(Array.from({ length: batch }, () => new Promise<void>((resolve, reject) => request(() => resolve(), reject))));
    opened += batch;
  }
  // The batches above reuse sockets freed by earlier batches; now hold all of them busy at once.
  await Promise.all(Array.from({ length: o.connections }, () => new Promise<void>((resolve, reject) => request(() => resolve(), reject))));
  const socketsOpened = sockets;

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
  await new Promise<void>((resolve) => {
    if (outstanding === 0) return resolve();
    allDone = resolve;
    setTimeout(resolve, o.drainMs ?? 10_000);
  });
  const timeouts = outstanding;
  const window = (windowEnd - (start + warmup * interval)) / 1000;
  agent.destroy();
  return {
    rate: o.rate,
    seconds: o.seconds,
    connections: o.connections,
    socketsOpened,
    socketsReopened: sockets - socketsOpened,
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
    non2xx,
    errors,
    timeouts,
    bytesPerResponse: completed ? Math.round(bytes / completed) : 0,
  };
}
