// A benchmark WebSocket client of the live hub: connects with the session cookie and Origin, subscribes to
// `agents`, waits for the snapshot, then hands every later frame to onFrame (and keeps each run's last frame).
import { WebSocket } from 'ws';

export interface BenchClient {
  ws: WebSocket;
  frames: number;
  /** Last `run` frame per run id, unparsed (parsed once at the end). */
  last: Map<string, Buffer>;
  closeCode: number | null;
}

const RUN_ID_MARK = Buffer.from('"runId":"');
const QUOTE = 0x22;

/** The run id of a `run` frame without parsing it (the summary's first "runId" key). */
export function runIdOf(buf: Buffer): string | null {
  const at = buf.indexOf(RUN_ID_MARK);
  if (at < 0) return null;
  const start = at + RUN_ID_MARK.length;
  return buf.toString('latin1', start, buf.indexOf(QUOTE, start));
}

/** Counts the frame and remembers it as its run's latest: all a non-sampled client does. */
export function keepLast(client: BenchClient, data: Buffer): void {
  client.frames++;
  const runId = runIdOf(data);
  if (runId) client.last.set(runId, data);
}

export async function connectClient(url: string, headers: Record<string, string>, onFrame: (c: BenchClient, data: Buffer) => void): Promise<BenchClient> {
  const ws = new WebSocket(url, { headers, perMessageDeflate: false });
  const client: BenchClient = { ws, frames: 0, last: new Map(), closeCode: null };
  ws.once('close', (code) => (client.closeCode = code));
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => {
      ws.send(JSON.stringify({ op: 'subscribe', topics: ['agents'] }));
      ws.once('message', (data: Buffer) => {
        if (!data.toString('utf8', 0, 200).includes('"type":"snapshot"')) return reject(new Error(`expected a snapshot first: ${data.toString().slice(0, 200)}`));
        ws.off('error', reject);
        ws.on('error', () => {}); // a reset shows up as 'close' too
        ws.on('message', (frame: Buffer) => onFrame(client, frame));
        resolve();
      });
    });
  });
  return client;
}

/** Connects `count` clients in waves of 100 (a reload storm, not 1,000 upgrades in the same instant). */
export async function connectMany(count: number, url: string, headers: Record<string, string>, onFrame: (c: BenchClient, data: Buffer) => void): Promise<BenchClient[]> {
  const clients: BenchClient[] = [];
  for (let i = 0; i < count; i += 100) {
    clients.push(...(await Promise.all(Array.from({ length: Math.min(100, count - i) }, () => connectClient(url, headers, onFrame)))));
  }
  return clients;
}

/** The final state a client holds for a run: status and progress.done of its last frame (null: none). */
export function finalOf(client: BenchClient, runId: string): { status: string; done: number | null } | null {
  const buf = client.last.get(runId);
  if (!buf) return null;
  const data = (JSON.parse(buf.toString('utf8')) as { data: { status: string; progress: { done: number } | null } }).data;
  return { status: data.status, done: data.progress?.done ?? null };
}

export function closeAll(clients: BenchClient[]): Promise<unknown> {
  return Promise.all(
    clients.map((c) =>
      c.ws.readyState === WebSocket.CLOSED
        ? undefined
        : new Promise<void>((resolve) => {
            const timer = setTimeout(() => (c.ws.terminate(), resolve()), 2000);
            c.ws.once('close', () => (clearTimeout(timer), resolve()));
            c.ws.close(1000, 'bench done');
          }),
    ),
  );
}
