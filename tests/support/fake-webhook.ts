// A minimal webhook honouring docs/webhook-contract.md on 127.0.0.1 (real node:http + ws), with knobs
// for the connector tests: go down and come back, restart (optionally resetting seq), hang, answer degraded
// or with an error, drop or pause the event stream, send malformed/unknown/duplicate frames, skew /metrics.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';

export type FakeEvent = Record<string, unknown> & { id: string; seq: number; type: string; ts: string };

export interface FakeWebhookOptions {
  token?: string;
  port?: number;
}

let idCounter = 0;

export class FakeWebhook {
  server!: http.Server;
  wss!: WebSocketServer;
  port = 0;
  startedAt = new Date().toISOString();
  seq = 0;
  /** Every event the webhook holds (what /api/webhook/events serves), in seq order. */
  log: FakeEvent[] = [];
  /** Events recorded since this instance started (what /metrics counts). */
  sinceStart: FakeEvent[] = [];
  healthStatus: 'healthy' | 'degraded' = 'healthy';
  /** Forces /health to answer with this HTTP status. */
  healthCode = 200;
  /** Raw JSON text of an extra /health field `extra` (e.g. a deeply nested value); none when null. */
  healthExtraJson: string | null = null;
  /** Every answer waits this long first (a hung webhook). */
  delayMs = 0;
  /** Added to /metrics buttonClicks (drift). */
  metricsSkew: Record<string, number> = {};
  /** Events emitted while paused are recorded but not streamed (lost frames → a gap). */
  streamPaused = false;
  requests: string[] = [];
  #sockets = new Set<import('node:net').Socket>();

  constructor(readonly opts: FakeWebhookOptions = {}) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.#handle(req, res));
    this.server.on('connection', (s) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname !== '/ws/events' || !this.#authorised(req)) {
        socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        const after = Number(url.searchParams.get('after') ?? 0);
        for (const e of this.log) if (e.seq > after) ws.send(JSON.stringify(e));
        this.wss.emit('connection', ws, req);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(this.opts.port ?? this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Connection refused from now on (the process died). */
  async stop(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** A new process on the same port: a newer startedAt; with resetSeq its log and seq start over. */
  async restart(opts: { resetSeq: boolean }): Promise<void> {
    await this.stop().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 5)); // a strictly newer startedAt
    this.startedAt = new Date().toISOString();
    this.sinceStart = [];
    if (opts.resetSeq) {
      this.seq = 0;
      this.log = [];
    }
    await this.start();
  }

  /** Records and streams one event; fields default to a successful UNLOCK_CONTENT click. */
  emit(fields: Partial<FakeEvent> & Record<string, unknown> = {}): FakeEvent {
    const base = { type: 'button_click', waId: '919800000001', advisorId: 'ARN-1', button: 'UNLOCK_CONTENT', responseMs: 120, outcome: 'success' };
    const event = { ...(fields.type === undefined || fields.type === 'button_click' ? base : {}), ...fields, id: fields.id ?? `evt-${process.pid}-${++idCounter}`, seq: ++this.seq, ts: fields.ts ?? new Date().toISOString() } as FakeEvent;
    this.log.push(event);
    this.sinceStart.push(event);
    if (!this.streamPaused) this.broadcast(JSON.stringify(event));
    return event;
  }

  /** A raw frame to every stream subscriber (malformed JSON, unknown types, replays). */
  broadcast(text: string): void {
    for (const ws of this.wss.clients) if (ws.readyState === WebSocket.OPEN) ws.send(text);
  }

  /** Closes every event stream (a network drop); the server stays up. */
  dropStreams(): void {
    for (const ws of this.wss.clients) ws.terminate();
  }

  streamClients(): number {
    return [...this.wss.clients].filter((ws) => ws.readyState === WebSocket.OPEN).length;
  }

  #authorised(req: http.IncomingMessage): boolean {
    return !this.opts.token || req.headers.authorization === `Bearer ${this.opts.token}`;
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push(url.pathname + url.search);
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (res.destroyed) return;
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (!this.#authorised(req)) return send(401, { error: 'unauthorised' });
    if (url.pathname === '/health') {
      if (this.healthCode !== 200) return send(this.healthCode, { status: 'broken' });
      const health = {
        status: this.healthStatus,
        type: 'Button Click Handler',
        startedAt: this.startedAt,
        uptimeSeconds: Math.round((Date.now() - Date.parse(this.startedAt)) / 1000),
        messagesProcessed: this.sinceStart.length,
        tunnelUrl: 'https://button-handler.example.test',
      };
      if (this.healthExtraJson === null) return send(200, health);
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ ...health, extra: '@@' }).replace('"@@"', this.healthExtraJson));
    }
    if (url.pathname === '/api/webhook/metrics') {
      const clicks: Record<string, number> = { RETRIEVE_CONTENT: 0, UNLOCK_CONTENT: 0, SHARE_WITH_CLIENTS: 0 };
      for (const e of this.sinceStart) if (e.type === 'button_click') clicks[e.button as string]! += 1;
      for (const [k, v] of Object.entries(this.metricsSkew)) clicks[k]! += v;
      return send(200, {
        generatedAt: new Date().toISOString(),
        startedAt: this.startedAt,
        lastSeq: this.seq,
        buttonClicks: clicks,
        clickResponseMs: { avg: 0, p95: 0 },
        clickSuccessRate: 1,
        chat: { activeConversations: 0, messagesToday: 0, replyMs: { avg: 0, p95: 0 }, aiQualityAvg: null, completionRate: null },
      });
    }
    if (url.pathname === '/api/webhook/events') {
      const after = Number(url.searchParams.get('after') ?? 0);
      const limit = Math.min(1000, Number(url.searchParams.get('limit') ?? 1000));
      const matching = this.log.filter((e) => e.seq > after);
      const events = matching.slice(0, limit);
      return send(200, { events, nextAfter: events.at(-1)?.seq ?? after, hasMore: matching.length > limit });
    }
    send(404, { error: 'not found' });
  }
}

export async function startFakeWebhook(opts: FakeWebhookOptions = {}): Promise<FakeWebhook> {
  return new FakeWebhook(opts).start();
}
