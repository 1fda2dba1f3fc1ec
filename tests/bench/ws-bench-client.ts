// A benchmark WebSocket client of the live hub: connects with the session cookie and Origin, subscribes to
// `agents`, waits for the snapshot, then hands every later frame to onFrame (and keeps each run's last frame).
import { WebSocket } from 'ws';
import { subscribeRaw } from './raw-ws-client.js';

/** What every benchmark client holds: a frame count and each run's last frame. */
export interface FrameKeeper {
  frames: number;
  /** Last `run` frame per run id, unparsed (parsed once at the end). */
  last: Map<string, Buffer>;
  closeCode: number | null;
}

export interface BenchClient extends FrameKeeper {
  ws: WebSocket;
}

/** A bare client (raw-ws-client.ts): what the non-sampled clients use, so the machine's CPU goes to the gateway. */
export interface RawBenchClient extends FrameKeeper {
  /** Closes (1000) and resolves once closed (destroys after 2 s). */
  stop(): Promise<void>;
}

const RUN_ID_MARK = Buffer.from('"runId":"');
const QUOTE = 0x22;

/** The run id of a `run` frame without parsing it (the summary's first "runId" key) in buf[from, to). */
export function runIdOf(buf: Buffer, from = 0, to = buf.length): string | null {
  const at = buf.indexOf(RUN_ID_MARK, from);
  if (at < 0 || at >= to) return null;
  const start = at + RUN_ID_MARK.length;
  const end = buf.indexOf(QUOTE, start);
  return end < 0 || end > to ? null : buf.toString('latin1', start, end);
}

/** A `ws` client (full parsing, like a browser) subscribed to one hub topic: resolves once the snapshot arrived;
 *  every later frame goes to onFrame. */
export async function subscribeWs(url: string, headers: Record<string, string>, topic: string, onFrame: (data: Buffer) => void, onClose: (code: number) => void): Promise<WebSocket> {
  const ws = new WebSocket(url, { headers, perMessageDeflate: false });
  ws.once('close', onClose);
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => {
      ws.send(JSON.stringify({ op: 'subscribe', topics: [topic] }));
      ws.once('message', (data: Buffer) => {
        if (!data.toString('utf8', 0, 200).includes('"type":"snapshot"')) return reject(new Error(`expected a snapshot first: ${data.toString().slice(0, 200)}`));
        ws.off('error', reject);
        ws.on('error', () => {}); // a reset shows up as 'close' too
        ws.on('message', onFrame);
        resolve();
      });
    });
  });
  return ws;
}

/** Closes with 1000 and resolves once closed (terminates after 2 s). */
export function stopWs(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => (ws.terminate(), resolve()), 2000);
    ws.once('close', () => (clearTimeout(timer), resolve()));
    ws.close(1000, 'bench done');
  });
}

export async function connectClient(url: string, headers: Record<string, string>, onFrame: (c: BenchClient, data: Buffer) => void): Promise<BenchClient> {
  const client = { frames: 0, last: new Map(), closeCode: null } as Omit<BenchClient, 'ws'> as BenchClient;
  client.ws = await subscribeWs(url, headers, 'agents', (data) => onFrame(client, data), (code) => (client.closeCode = code));
  return client;
}

/** A raw client subscribed to `agents` that keeps each run's last frame (copied out of the read buffer). */
export async function connectRawKeeper(url: string, headers: Record<string, string>): Promise<RawBenchClient> {
  const client: RawBenchClient = { frames: 0, last: new Map(), closeCode: null, stop: async () => {} };
  const sub = await subscribeRaw(
    url,
    headers,
    'agents',
    (buf, start, end) => {
      client.frames++;
      const runId = runIdOf(buf, start, end);
      if (runId) client.last.set(runId, Buffer.from(buf.subarray(start, end)));
    },
    (code) => (client.closeCode = code),
  );
  client.stop = sub.stop;
  return client;
}

/** Connects `count` clients in waves of 100 (a reload storm, not 1,000 upgrades in the same instant). */
export async function connectMany<C>(count: number, connect: () => Promise<C>): Promise<C[]> {
  const clients: C[] = [];
  for (let i = 0; i < count; i += 100) clients.push(...(await Promise.all(Array.from({ length: Math.min(100, count - i) }, connect))));
  return clients;
}

/** The final state a client holds for a run: status and progress.done of its last frame (null: none). */
export function finalOf(client: FrameKeeper, runId: string): { status: string; done: number | null } | null {
  const buf = client.last.get(runId);
  if (!buf) return null;
  const data = (JSON.parse(buf.toString('utf8')) as { data: { status: string; progress: { done: number } | null } }).data;
  return { status: data.status, done: data.progress?.done ?? null };
}

export function closeAll(clients: BenchClient[]): Promise<unknown> {
  return Promise.all(clients.map((c) => stopWs(c.ws)));
}
