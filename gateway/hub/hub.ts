// The one live WebSocket hub (docs/architecture.md, rule 4): upgrade auth + Origin check on the gateway's
// own http.Server, topic subscriptions with snapshot/replay, tick-batched fan-out, liveness.
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket } from 'ws';
import type { RawData } from 'ws';
import { HubClient } from './hub-client.js';
import type { HubClientCounters, HubPrincipal, Subscription } from './hub-client.js';
import { CLOSE_CODES, TOPICS, encodeErrorFrame, isTopic, parseClientMessage } from './protocol.js';
import type { HubErrorData, SubscribeMessage, SubscriptionFilter, Topic, WatchMessage } from './protocol.js';
import { TopicChannel } from './topic-channel.js';
import { UpgradeRefusal, refuseUpgrade } from './upgrade-refusal.js';
import { textFrames } from './wire-frames.js';
import type { ChannelFrame, FrameSerializer } from './topic-channel.js';
import { TailGate } from '../domain/logs/log-tail.js';
import type { TailFilter } from '../domain/logs/log-tail.js';
import type { LogLine } from '../domain/logs/log-format.js';

export type { HubPrincipal } from './hub-client.js';
export type { Topic, HubFrame, SubscriptionFilter } from './protocol.js';
export { TOPICS, CLOSE_CODES, WATCH_ONLY_TOPICS } from './protocol.js';
export { UpgradeRefusal } from './upgrade-refusal.js';

export interface HubOptions {
  path?: string; // '/ws'
  /** A check ahead of all others (e.g. the Host header); a refusal is answered as it is. */
  admit?(req: http.IncomingMessage): UpgradeRefusal | null;
  authenticate(req: http.IncomingMessage): Promise<HubPrincipal | null>; // cookie session or bearer header; may throw UpgradeRefusal
  isOriginAllowed(origin: string | undefined, req: http.IncomingMessage): boolean;
  /** Current state of a topic; `filter` is the subscriber's (e.g. the runs whose log lines it watches). */
  snapshot(topic: Topic, principal: HubPrincipal, filter?: SubscriptionFilter): Promise<unknown>;
  tickMs?: number; // 5
  maxBufferedBytes?: number; // 1 MiB
  pingIntervalMs?: number; // 30 000
  replayLimit?: number; // frames kept per topic for `since`; 500
  /** Upgrades for other paths: 'destroy' answers 404 unless another 'upgrade' listener is on the server. */
  onUnknownPath?: 'destroy' | 'ignore';
  /** Per-principal topic filter (roles restrict topics later); default: every topic. */
  canSubscribe?(principal: HubPrincipal, topic: Topic): boolean;
  closeTimeoutMs?: number; // close handshake budget before terminate(); 5000
  serialize?: FrameSerializer; // JSON.stringify; injectable so tests can count serialisations
  onError?(err: unknown, where: string): void;
  /** Seq every topic starts from; default Date.now() µs (see TopicChannelOptions.startSeq). */
  startSeq?: number;
}

export interface HubStats {
  clients: number;
  framesSent: number;
  bytesSent: number;
  droppedSlowClients: number;
}

export interface PublishOptions {
  /** Delivery key (a run id): the frame reaches only subscribers whose filter admits it (protocol.wantsFrame). */
  key?: string;
  /**
   * The publisher already rate-limits and batches these frames (run frames leave on the coalescer's beat):
   * deliver them at the end of this event-loop turn rather than after the tick.
   */
  immediate?: boolean;
}

export interface Hub {
  attach(server: http.Server): void; // handles 'upgrade' for path only
  publish(topic: Topic, type: string, data: unknown, opts?: PublishOptions): number; // returns the seq assigned
  /** New log entries for the live tail: each `logs` subscriber with a tail filter gets, at the next tick, a
   *  `log.lines` frame of its own with the lines its filter admits, within its rate bound. */
  publishTail(lines: readonly LogLine[]): void;
  clientCount(): number;
  disconnect(predicate: (p: HubPrincipal) => boolean, code?: number, reason?: string): void;
  close(): Promise<void>; // 1001 to every client, stop timers
  stats(): HubStats;
}

const MAX_CLIENT_MESSAGE_BYTES = 64 * 1024; // client messages are tiny subscribe/unsubscribe objects

/** One topic's frames of a tick; `wire` is built on first use by a subscriber that takes the batch whole. */
interface TickBatch {
  topic: Topic;
  frames: ChannelFrame[];
  firstSeq: number;
  lastSeq: number;
  shared: boolean;
  wire: { wire: Buffer; payloadBytes: number } | null;
}

export function createHub(opts: HubOptions): Hub {
  const path = opts.path ?? '/ws';
  const tickMs = opts.tickMs ?? 5;
  const pingIntervalMs = opts.pingIntervalMs ?? 30_000;
  const onUnknownPath = opts.onUnknownPath ?? 'destroy';
  const canSubscribe = opts.canSubscribe ?? (() => true);
  const onError = opts.onError ?? ((err: unknown, where: string) => process.emitWarning(`hub ${where} failed: ${String(err)}`));
  const channels = new Map<Topic, TopicChannel>(
    TOPICS.map((t) => [t, new TopicChannel(t, { replayLimit: opts.replayLimit ?? 500, serialize: opts.serialize, startSeq: opts.startSeq ?? Date.now() * 1000 })]),
  );
  const clients = new Set<HubClient>();
  const counters: HubClientCounters = { framesSent: 0, bytesSent: 0 };
  let droppedSlowClients = 0;
  const clientOptions = {
    maxBufferedBytes: opts.maxBufferedBytes ?? 1024 * 1024,
    closeTimeoutMs: opts.closeTimeoutMs ?? 5000,
    counters,
    onSlow: () => {
      droppedSlowClients += 1;
    },
  };
  const wss = new WebSocketServer({ noServer: true, clientTracking: false, perMessageDeflate: false, maxPayload: MAX_CLIENT_MESSAGE_BYTES });
  const attached = new Map<http.Server, (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void>();
  let tickTimer: NodeJS.Timeout | undefined;
  let tickSoon: NodeJS.Immediate | undefined;
  let pingTimer: NodeJS.Timeout | undefined;
  let closing: Promise<void> | undefined;

  function attach(server: http.Server): void {
    if (closing) throw new Error('hub is closed');
    if (attached.has(server)) return;
    const listener = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      if (pathOf(req.url) !== path) {
        // Another listener on the server owns other paths; with none, nobody would ever answer.
        if (onUnknownPath === 'destroy' && server.listenerCount('upgrade') <= 1) {
          refuseUpgrade(socket, 404, 'not_found', 'No WebSocket endpoint at this path.');
        }
        return;
      }
      void acceptUpgrade(req, socket, head);
    };
    server.on('upgrade', listener);
    attached.set(server, listener);
  }

  async function acceptUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const swallow = () => {}; // the peer may reset while authenticate() runs; the socket is dropped anyway
    socket.on('error', swallow);
    let principal: HubPrincipal | null;
    try {
      if (closing) return refuseUpgrade(socket, 503, 'shutting_down', 'Server is shutting down.');
      const refusal = opts.admit?.(req);
      if (refusal) return refuseUpgrade(socket, refusal.status, refusal.code, refusal.message);
      // Origin first: a cross-site page must not even learn whether the cookie is valid.
      if (!opts.isOriginAllowed(req.headers.origin, req)) {
        return refuseUpgrade(socket, 403, 'origin_forbidden', 'Origin not allowed.');
      }
      principal = await opts.authenticate(req);
    } catch (err) {
      if (err instanceof UpgradeRefusal) return refuseUpgrade(socket, err.status, err.code, err.message);
      onError(err, 'upgrade');
      return refuseUpgrade(socket, 500, 'internal_error', 'Could not authenticate the connection.');
    }
    if (socket.destroyed) return;
    if (closing) return refuseUpgrade(socket, 503, 'shutting_down', 'Server is shutting down.');
    if (!principal) return refuseUpgrade(socket, 401, 'unauthenticated', 'Sign in first.');
    socket.off('error', swallow);
    const who = principal;
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, who));
  }

  function onConnection(ws: WebSocket, principal: HubPrincipal): void {
    const client = new HubClient(ws, principal, clientOptions);
    clients.add(client);
    ws.on('error', () => {}); // resets from the peer surface as 'close' next; nothing to add
    ws.on('message', (data, isBinary) => onMessage(client, data, isBinary));
    ws.once('close', () => clients.delete(client));
    pingTimer ??= setInterval(pingAll, pingIntervalMs);
  }

  function onMessage(client: HubClient, data: RawData, isBinary: boolean): void {
    if (isBinary) return sendError(client, { code: 'bad_message', message: 'Send JSON as text frames.' });
    const parsed = parseClientMessage(rawToBuffer(data).toString('utf8'));
    if (!parsed.ok) return sendError(client, parsed.error);
    if (parsed.message.op === 'unsubscribe') {
      for (const topic of parsed.message.topics) client.subscriptions.delete(topic);
      return;
    }
    if (parsed.message.op === 'watch') return watch(client, parsed.message);
    subscribe(client, parsed.message);
  }

  function subscribe(client: HubClient, message: SubscribeMessage): void {
    const refused = message.topics.filter((t) => !canSubscribe(client.principal, t));
    if (refused.length > 0) {
      sendError(client, {
        code: 'topic_forbidden',
        message: `Not allowed to follow ${refused.join(', ')}.`,
        details: { topics: refused },
      });
    }
    for (const topic of message.topics) {
      if (!refused.includes(topic)) startSubscription(client, topic, message.since?.[topic], message.filter);
    }
  }

  // A live subscription changes its filter in place: keyed frames follow the new filter from the next tick,
  // with no new snapshot (the page loads the newly watched run's history itself).
  function watch(client: HubClient, message: WatchMessage): void {
    if (!canSubscribe(client.principal, message.topic)) {
      return sendError(client, { code: 'topic_forbidden', message: `Not allowed to follow ${message.topic}.`, details: { topics: [message.topic] } });
    }
    const sub = client.subscriptions.get(message.topic);
    if (sub?.state === 'live') {
      if (message.runIds !== undefined) sub.filter = new Set(message.runIds);
      if (message.tail !== undefined && message.topic === 'logs') sub.tail = tailGateFor(message.tail, sub.tail);
      return;
    }
    // Not subscribed, or its snapshot is still loading for the old filter: (re)subscribe with the new one.
    const filter: SubscriptionFilter = {};
    const runIds = message.runIds ?? (sub?.filter ? [...sub.filter] : undefined);
    if (runIds !== undefined) filter.runIds = runIds;
    const tail = message.tail !== undefined ? message.tail : sub?.tail?.filter;
    if (tail !== undefined) filter.tail = tail;
    startSubscription(client, message.topic, undefined, filter);
  }

  // The same filter keeps its gate (and so its rate window); pausing drops it.
  function tailGateFor(filter: TailFilter | null | undefined, current?: TailGate | null): TailGate | null {
    if (!filter) return null;
    const gate = new TailGate(filter);
    return current && current.key === gate.key ? current : gate;
  }

  // Replay when the ring still holds everything after `since` (filtered like live frames), else a snapshot.
  function startSubscription(client: HubClient, topic: Topic, since: number | undefined, filter: SubscriptionFilter | undefined): void {
    const channel = channels.get(topic)!;
    const keys = filter?.runIds ? new Set(filter.runIds) : undefined;
    const tail = topic === 'logs' && filter?.tail ? { tail: tailGateFor(filter.tail) } : {};
    const missed = since === undefined ? null : channel.replaySince(since);
    if (missed && since !== undefined) {
      client.subscriptions.set(topic, { state: 'live', lastSeq: since, ...(keys ? { filter: keys } : {}), ...tail });
      // Tail lines are not replayed (they were built for the old connection): the tail goes on from now.
      for (const frame of missed) if (!frame.perClient) client.deliver(topic, frame.seq, frame.bytes, frame.key);
      return;
    }
    const sub: Subscription = { state: 'pending', lastSeq: 0, ...(keys ? { filter: keys } : {}), ...tail };
    client.subscriptions.set(topic, sub);
    void sendSnapshot(client, topic, sub, channel, filter);
  }

  async function sendSnapshot(client: HubClient, topic: Topic, sub: Subscription, channel: TopicChannel, filter: SubscriptionFilter | undefined): Promise<void> {
    let data: unknown;
    try {
      data = await opts.snapshot(topic, client.principal, filter);
    } catch (err) {
      onError(err, `snapshot(${topic})`);
      if (client.subscriptions.get(topic) !== sub) return;
      client.subscriptions.delete(topic);
      return sendError(client, { code: 'snapshot_failed', message: `Could not load the current ${topic} state; subscribe again.` });
    }
    // Unsubscribed or re-subscribed meanwhile: this snapshot is stale.
    if (client.subscriptions.get(topic) !== sub || !client.isOpen) return;
    // The snapshot is as of every publish so far (flushed or still pending): those frames are skipped.
    const seq = channel.seq;
    sub.state = 'live';
    sub.lastSeq = seq;
    client.send(channel.encode('snapshot', data, seq));
  }

  function sendError(client: HubClient, error: HubErrorData): void {
    client.send(encodeErrorFrame(error));
  }

  function publish(topic: Topic, type: string, data: unknown, publishOpts?: PublishOptions): number {
    const channel = channels.get(topic);
    if (!channel) throw new TypeError(`unknown topic ${JSON.stringify(topic)}`);
    const seq = channel.publish(type, data, publishOpts?.key);
    if (closing) return seq;
    if (publishOpts?.immediate) tickSoon ??= setImmediate(flushTick);
    else tickTimer ??= setTimeout(flushTick, tickMs);
    return seq;
  }

  // One reserved seq per tick carries every client's own log.lines frame (see deliverTail).
  let tailSeq: number | null = null;
  const tailLineIds = new WeakMap<LogLine, number>();
  let nextTailLineId = 0;

  function publishTail(lines: readonly LogLine[]): void {
    if (closing || lines.length === 0) return;
    const now = performance.now();
    let output = false;
    for (const line of lines) tailLineIds.set(line, nextTailLineId++);
    for (const client of clients) {
      const sub = client.subscriptions.get('logs');
      if (sub?.state !== 'live' || !sub.tail) continue;
      sub.tail.offer(lines, now);
      if (sub.tail.hasOutput) output = true;
    }
    if (!output) return;
    tailSeq ??= channels.get('logs')!.reserve();
    tickTimer ??= setTimeout(flushTick, tickMs);
  }

  // A client's tail frame: the lines its gate admitted and how many it dropped since its last frame. Clients
  // whose gates gave out the same lines share one serialisation.
  function deliverTail(client: HubClient, frame: ChannelFrame, encoded: Map<string, Buffer>): void {
    const sub = client.subscriptions.get('logs');
    if (sub?.state !== 'live' || !sub.tail || frame.seq <= sub.lastSeq) return;
    const take = sub.tail.take();
    if (!take) return;
    const key = `${sub.tail.key}\n${take.dropped}\n${take.lines.map((l) => tailLineIds.get(l) ?? -1).join(',')}`;
    let bytes = encoded.get(key);
    if (!bytes) {
      bytes = channels.get('logs')!.encode('log.lines', take, frame.seq);
      encoded.set(key, bytes);
    }
    sub.lastSeq = frame.seq;
    client.send(bytes);
  }

  // Each topic's batch is serialised once, then every client gets the same Buffers in seq order (keyed
  // frames only where the client's filter admits the key). A batch with neither keyed nor per-client frames is
  // also framed once as a whole (wire-frames.ts): a subscriber that has seen none of it gets it in one write.
  function flushTick(): void {
    clearTimeout(tickTimer);
    clearImmediate(tickSoon);
    tickTimer = undefined;
    tickSoon = undefined;
    tailSeq = null;
    const batches: TickBatch[] = [];
    for (const channel of channels.values()) {
      if (!channel.hasPending) continue;
      const frames = channel.flush();
      if (frames.length === 0) continue;
      const shared = frames.every((f) => !f.perClient && f.key === undefined);
      batches.push({ topic: channel.topic, frames, firstSeq: frames[0]!.seq, lastSeq: frames[frames.length - 1]!.seq, shared, wire: null });
    }
    if (batches.length === 0) return;
    const tailFrames = new Map<string, Buffer>();
    // One corked write per client per tick (topics in channel order, frames in seq order within a topic);
    // clients following none of this tick's topics are not touched.
    for (const client of clients) {
      if (!batches.some((b) => wantsBatch(client, b))) continue;
      client.batch(() => {
        for (const batch of batches) {
          const sub = client.subscriptions.get(batch.topic);
          if (!sub || sub.state !== 'live' || batch.lastSeq <= sub.lastSeq) continue;
          if (batch.shared && sub.lastSeq < batch.firstSeq) {
            batch.wire ??= textFrames(batch.frames.map((f) => f.bytes));
            sub.lastSeq = batch.lastSeq;
            client.sendFramed(batch.wire.wire, batch.frames.length, batch.wire.payloadBytes);
            continue;
          }
          for (const frame of batch.frames) {
            if (frame.perClient) deliverTail(client, frame, tailFrames);
            else client.deliver(batch.topic, frame.seq, frame.bytes, frame.key);
          }
        }
      });
    }
  }

  function wantsBatch(client: HubClient, batch: TickBatch): boolean {
    const sub = client.subscriptions.get(batch.topic);
    return sub !== undefined && sub.state === 'live' && batch.lastSeq > sub.lastSeq;
  }

  function pingAll(): void {
    for (const client of clients) {
      if (!client.ping()) client.terminate(); // missed the previous pong
    }
  }

  function clientCount(): number {
    let open = 0;
    for (const client of clients) if (client.isOpen) open += 1;
    return open;
  }

  function disconnect(predicate: (p: HubPrincipal) => boolean, code: number = CLOSE_CODES.signedOut, reason = 'signed out'): void {
    for (const client of clients) {
      if (client.isOpen && predicate(client.principal)) client.close(code, reason);
    }
  }

  function close(): Promise<void> {
    closing ??= (async () => {
      for (const [server, listener] of attached) server.off('upgrade', listener);
      attached.clear();
      flushTick(); // what was published before close still goes out, ahead of the 1001
      clearInterval(pingTimer);
      pingTimer = undefined;
      const closed = [...clients].map(
        (c) => new Promise<void>((resolve) => (c.ws.readyState === WebSocket.CLOSED ? resolve() : c.ws.once('close', () => resolve()))),
      );
      for (const client of clients) client.close(CLOSE_CODES.goingAway, 'server shutting down');
      await Promise.all(closed);
      wss.close();
    })();
    return closing;
  }

  function stats(): HubStats {
    return { clients: clientCount(), framesSent: counters.framesSent, bytesSent: counters.bytesSent, droppedSlowClients };
  }

  return { attach, publish, publishTail, clientCount, disconnect, close, stats };
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const query = raw.indexOf('?');
  return query === -1 ? raw : raw.slice(0, query);
}

function rawToBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
