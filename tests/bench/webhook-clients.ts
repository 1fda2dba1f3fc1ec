// WebSocket clients of the dashboard's live hub subscribed to topic `webhook`, for the webhook benchmark. Each
// client tallies the `event` frames it receives by the event's webhook seq (without parsing the whole frame),
// so "every stored event arrived exactly once" can be checked per client at the end.
import { subscribeRaw } from './raw-ws-client.js';
export { connectMany } from './ws-bench-client.js';
import { stopWs, subscribeWs } from './ws-bench-client.js';

export interface WebhookBenchClient {
  frames: number;
  /** Receipts per event seq, index seq - base (255 saturates). */
  counts: Uint8Array;
  /** Event frames whose seq fell outside [base + 1, base + counts.length]. */
  outside: number;
  closeCode: number | null;
  /** Closes (1000) and resolves once closed (terminates after 2 s). */
  stop(): Promise<void>;
}

export interface DeliveryReport {
  clients: number;
  /** Clients missing at least one stored event. */
  clientsMissing: number;
  /** Sum over clients of stored events they never received. */
  missing: number;
  /** Sum over clients of receipts beyond the first of one event. */
  duplicates: number;
  /** Event frames of events the webhook did not store in the window. */
  unexpected: number;
  closed: Record<string, number>;
  framesMin: number;
  framesMax: number;
}

const EVENT_MARK = Buffer.from('"type":"event"');
const DATA_MARK = Buffer.from('"data":{');
const SEQ_MARK = Buffer.from('"seq":');

const HEAD = Buffer.from('{"topic":"webhook","seq":');
const EVENT_DATA_ID = Buffer.from(',"type":"event","data":{"id":"');
const SEQ_KEY = Buffer.from(',"seq":');

function matchAt(buf: Buffer, at: number, mark: Buffer, end = buf.length): boolean {
  if (at + mark.length > end) return false;
  for (let i = 0; i < mark.length; i++) if (buf[at + i] !== mark[i]) return false;
  return true;
}

function digitsAt(buf: Buffer, at: number): [number, number] {
  let n = 0;
  let i = at;
  for (let c = buf[i]!; c >= 0x30 && c <= 0x39; c = buf[++i]!) n = n * 10 + (c - 0x30);
  return [n, i];
}

/**
 * The webhook seq of an `event` frame, null for other frames. Fast path for the hub's frame layout
 * `{"topic":"webhook","seq":N,"type":"event","data":{"id":"…","seq":M,…`; anything else is searched for.
 */
export function eventSeqOf(buf: Buffer, start = 0, end = buf.length): number | null {
  if (matchAt(buf, start, HEAD, end)) {
    const [, afterSeq] = digitsAt(buf, start + HEAD.length);
    if (buf[afterSeq] === 0x2c && buf[afterSeq + 9] !== 0x65 /* e */) return null; // ,"type":"<not event>"
    if (matchAt(buf, afterSeq, EVENT_DATA_ID, end)) {
      const idEnd = buf.indexOf(0x22, afterSeq + EVENT_DATA_ID.length);
      if (idEnd > 0 && idEnd < end && matchAt(buf, idEnd + 1, SEQ_KEY, end)) return digitsAt(buf, idEnd + 1 + SEQ_KEY.length)[0];
    }
  }
  return eventSeqSearched(start === 0 && end === buf.length ? buf : buf.subarray(start, end));
}

function eventSeqSearched(buf: Buffer): number | null {
  const data = buf.indexOf(DATA_MARK);
  if (data < 0) return null;
  const type = buf.indexOf(EVENT_MARK);
  if (type < 0 || type > data) return null;
  let i = buf.indexOf(SEQ_MARK, data);
  if (i < 0) return null;
  i += SEQ_MARK.length;
  let n = 0;
  for (let c = buf[i]!; c >= 0x30 && c <= 0x39; c = buf[++i]!) n = n * 10 + (c - 0x30);
  return n;
}

export function tally(client: WebhookBenchClient, base: number, seq: number): void {
  const at = seq - base - 1;
  if (at < 0 || at >= client.counts.length) client.outside++;
  else if (client.counts[at]! < 255) client.counts[at]!++;
}

/** A `ws` client (what the sampled clients use: full parsing, like a browser). */
export async function connectWebhookClient(url: string, headers: Record<string, string>, capacity: number, onFrame: (c: WebhookBenchClient, data: Buffer) => void): Promise<WebhookBenchClient> {
  const client: WebhookBenchClient = { frames: 0, counts: new Uint8Array(capacity), outside: 0, closeCode: null, stop: async () => {} };
  const ws = await subscribeWs(url, headers, 'webhook', (data) => onFrame(client, data), (code) => (client.closeCode = code));
  client.stop = () => stopWs(ws);
  return client;
}

/** A bare client (raw-ws-client.ts) that only tallies event seqs: what the non-sampled clients use. */
export async function connectTallyClient(url: string, headers: Record<string, string>, capacity: number, base: number): Promise<WebhookBenchClient> {
  const client: WebhookBenchClient = { frames: 0, counts: new Uint8Array(capacity), outside: 0, closeCode: null, stop: async () => {} };
  const sub = await subscribeRaw(
    url,
    headers,
    'webhook',
    (buf, start, end) => {
      client.frames++;
      const seq = eventSeqOf(buf, start, end);
      if (seq !== null) tally(client, base, seq);
    },
    (code) => (client.closeCode = code),
  );
  client.stop = sub.stop;
  return client;
}

/** Checks each client against the stored seqs (sorted, all in the counted range). */
export function deliveryReport(clients: WebhookBenchClient[], base: number, storedSeqs: readonly number[]): DeliveryReport {
  const r: DeliveryReport = { clients: clients.length, clientsMissing: 0, missing: 0, duplicates: 0, unexpected: 0, closed: {}, framesMin: Infinity, framesMax: 0 };
  const stored = new Uint8Array(clients[0]?.counts.length ?? 0);
  for (const s of storedSeqs) stored[s - base - 1] = 1;
  for (const c of clients) {
    let missing = 0;
    for (let i = 0; i < c.counts.length; i++) {
      const n = c.counts[i]!;
      if (stored[i]) {
        if (n === 0) missing++;
        else r.duplicates += n - 1;
      } else r.unexpected += n;
    }
    r.unexpected += c.outside;
    if (missing > 0) r.clientsMissing++;
    r.missing += missing;
    if (c.closeCode !== null) r.closed[c.closeCode] = (r.closed[c.closeCode] ?? 0) + 1;
    r.framesMin = Math.min(r.framesMin, c.frames);
    r.framesMax = Math.max(r.framesMax, c.frames);
  }
  if (clients.length === 0) r.framesMin = 0;
  return r;
}

/** Has every client received every stored seq (or been closed)? */
export function allArrived(clients: WebhookBenchClient[], base: number, storedSeqs: readonly number[]): boolean {
  return clients.every((c) => c.closeCode !== null || storedSeqs.every((s) => c.counts[s - base - 1]! > 0));
}

export function closeWebhookClients(clients: WebhookBenchClient[]): Promise<unknown> {
  return Promise.all(clients.map((c) => c.stop()));
}
