// WS /ws/events[?after=SEQ]: replays the stored events after SEQ, then streams new ones live, one Event
// as JSON per text frame, in seq order without gaps or repeats. Uses `ws` on the caller's http server.
// Upgrades from web pages (an Origin header) are refused; WEBHOOK_TOKEN, when set, is required.
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EventLog } from './event-log.js';
import type { WebhookEvent } from './events.js';
import { bearerOk } from './http-reply.js';

export interface EventStreamOptions {
  /** WEBHOOK_TOKEN: when set, the upgrade needs `Authorization: Bearer <token>`. */
  token?: string;
  path?: string;
  /** A client that lets this much pile up unsent is closed (1013); it can reconnect with ?after=. */
  maxBufferedBytes?: number;
  pingIntervalMs?: number;
}

export interface EventStream {
  clients(): number;
  close(): Promise<void>;
}

const frames = new WeakMap<WebhookEvent, string>();
const frameOf = (e: WebhookEvent) => {
  let f = frames.get(e);
  if (f === undefined) {
    f = JSON.stringify(e);
    frames.set(e, f);
  }
  return f;
};

function refuse(socket: Duplex, status: number, reason: string, body: object): void {
  const text = JSON.stringify(body);
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
}

export function attachEventStream(server: Server, log: EventLog, o: EventStreamOptions = {}): EventStream {
  const path = o.path ?? '/ws/events';
  const maxBuffered = o.maxBufferedBytes ?? 8 * 1024 * 1024;
  const wss = new WebSocketServer({ noServer: true });
  const alive = new WeakSet<WebSocket>();

  const onUpgrade = (req: import('node:http').IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://webhook.invalid');
    if (url.pathname !== path) {
      // Leave other paths to other upgrade listeners; when there are none, say so.
      if (server.listenerCount('upgrade') === 1) refuse(socket, 404, 'Not Found', { error: { code: 'not_found', message: `No WebSocket at ${url.pathname}.` } });
      return;
    }
    // Browsers always send Origin on a WebSocket upgrade, and they send it for any page's script. The stream's
    // readers (the dashboard's connector, scripts) send none, so any Origin means a web page is asking:
    // refused, same-site too, since a DNS-rebinding page looks same-site.
    if (req.headers.origin !== undefined) {
      refuse(socket, 403, 'Forbidden', { error: { code: 'origin_refused', message: `WebSocket upgrades from web pages are refused (Origin ${JSON.stringify(req.headers.origin)}); /ws/events is for servers and scripts, which send no Origin.` } });
      return;
    }
    if (!bearerOk(req, o.token)) {
      refuse(socket, 401, 'Unauthorized', { error: { code: 'unauthorized', message: 'A valid "Authorization: Bearer <WEBHOOK_TOKEN>" header is required.' } });
      return;
    }
    const rawAfter = url.searchParams.get('after');
    if (rawAfter !== null && !/^\d{1,15}$/.test(rawAfter)) {
      refuse(socket, 400, 'Bad Request', { error: { code: 'validation_failed', message: 'after must be a non-negative integer' } });
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws, rawAfter === null ? null : Number(rawAfter)));
  };
  server.on('upgrade', onUpgrade);

  function serve(ws: WebSocket, after: number | null): void {
    alive.add(ws);
    ws.on('pong', () => alive.add(ws));
    ws.on('error', () => ws.terminate());
    let lastSent = after ?? log.lastSeq;
    let replaying = after !== null;
    const held: WebhookEvent[] = [];
    const send = (e: WebhookEvent) => {
      if (e.seq <= lastSent || ws.readyState !== ws.OPEN) return;
      ws.send(frameOf(e));
      lastSent = e.seq;
      if (ws.bufferedAmount > maxBuffered) ws.close(1013, 'too slow; reconnect with ?after=');
    };
    const unsubscribe = log.subscribe((e) => (replaying ? held.push(e) : send(e)));
    ws.on('close', unsubscribe);
    if (!replaying) return;
    void (async () => {
      for (;;) {
        const page = await log.read(lastSent, 1000);
        for (const e of page.events) send(e);
        if (ws.readyState !== ws.OPEN) return;
        if (!page.hasMore) break;
        // Let the socket drain between pages so a long replay does not pile up in memory.
        while (ws.readyState === ws.OPEN && ws.bufferedAmount > 1024 * 1024) await sleep(5);
      }
      replaying = false;
      for (const e of held) send(e);
      held.length = 0;
    })().catch(() => ws.terminate());
  }

  const ping = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, o.pingIntervalMs ?? 30_000);
  ping.unref();

  return {
    clients: () => wss.clients.size,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(ping);
        server.off('upgrade', onUpgrade);
        for (const ws of wss.clients) ws.close(1001, 'shutting down');
        wss.close(() => resolve());
      }),
  };
}
