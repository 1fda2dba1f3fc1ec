// The dashboard against the SHIPPED standalone webhook (webhook/standalone.ts as a child process): killed with
// SIGKILL while signed simulated traffic is being posted and restarted on the same port and log, the dashboard
// ends up holding exactly the webhook's stored events (same ids, each once) and its figures equal a plain fold
// over the webhook's own GET /api/webhook/events. WhatsApp's retries (duplicate notifications) and a full
// replay of the stream and the events pages (through a proxy that rewrites `after=` to 0) change nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { signedInAdmin, startTestGateway, type TestClient, type TestGateway } from '../support/test-gateway.js';
import { waitFor } from '../support/wait-for.js';
import { printingFailure } from '../support/set-up-failure.js';
import type { WebhookEvent } from '../../webhook/events.js';
import { planDay, postNotification, type SimAction } from '../../webhook/simulator.js';
import { businessDate } from '../../gateway/domain/webhook/business-day.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The webhook runs in a scratch directory (it reads a .env there): tsx is found from here.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const SECRET = 'sync-test-secret';
const TOKEN = 'sync-test-token';
/** How long the dashboard may take to catch up with the webhook (a restart, a gap fill, a replay). */
const CATCH_UP_MS = 20_000;

let scratch = '';
let hookPort = 0;
let hook: { child: ChildProcess; exited: Promise<unknown>; out(): string } | null = null;
let proxy: ReplayProxy | null = null;
let t: TestGateway | null = null;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function startHook(): Promise<void> {
  const child = spawn(process.execPath, ['--import', TSX, path.join(root, 'webhook/standalone.ts')], {
    cwd: scratch,
    env: {
      PATH: process.env.PATH,
      HOME: scratch,
      WEBHOOK_PORT: String(hookPort),
      WEBHOOK_HOST: '127.0.0.1',
      WEBHOOK_DATA_DIR: path.join(scratch, 'webhook'),
      WHATSAPP_APP_SECRET: SECRET,
      WEBHOOK_TOKEN: TOKEN,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise((r) => child.once('exit', r));
  hook = { child, exited, out: () => out };
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (/running at http/.test(out)) {
        clearInterval(timer);
        resolve();
      }
    }, 20);
    void exited.then(() => {
      clearInterval(timer);
      reject(new Error(`the standalone webhook exited: ${out}`));
    });
  });
}

/**
 * A TCP proxy in front of the webhook. With `replay` on it rewrites `after=<n>` in the dashboard's requests
 * (GET /api/webhook/events and the /ws/events upgrade) to `after=0`, so the real webhook sends everything
 * again; it counts the event ids it carries back to the dashboard while `replay` is on.
 */
class ReplayProxy {
  replay = false;
  replayedIds = 0;
  readonly #sockets = new Set<net.Socket>();
  readonly #server: net.Server;
  constructor(private readonly target: number) {
    this.#server = net.createServer((client) => {
      const upstream = net.connect(this.target, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.on('data', (chunk: Buffer) => {
        const text = chunk.toString('latin1');
        upstream.write(this.replay ? Buffer.from(text.replace(/(GET \/(?:ws\/events|api\/webhook\/events)\?after=)\d+/g, '$10'), 'latin1') : chunk);
      });
      upstream.on('data', (chunk: Buffer) => {
        if (this.replay) this.replayedIds += chunk.toString('latin1').split('"id":"').length - 1;
        client.write(chunk);
      });
      client.on('end', () => upstream.end());
      upstream.on('end', () => client.end());
    });
  }
  listen(): Promise<number> {
    return new Promise((resolve) => this.#server.listen(0, '127.0.0.1', () => resolve((this.#server.address() as net.AddressInfo).port)));
  }
  /** Cuts every connection: the dashboard reconnects (through the proxy again). */
  dropAll(): void {
    for (const s of this.#sockets) s.destroy();
  }
  close(): Promise<void> {
    this.dropAll();
    return new Promise((r) => this.#server.close(() => r()));
  }
}

/** Every event the webhook has stored, from its own GET /api/webhook/events. */
async function webhookEvents(): Promise<WebhookEvent[]> {
  const base = `http://127.0.0.1:${hookPort}`;
  const all: WebhookEvent[] = [];
  for (let after = 0; ; ) {
    const res = await fetch(`${base}/api/webhook/events?after=${after}&limit=1000`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const page = (await res.json()) as { events: WebhookEvent[]; nextAfter: number; hasMore: boolean };
    all.push(...page.events);
    if (!page.hasMore) return all;
    after = page.nextAfter;
  }
}

/** Every event the dashboard has stored, from its GET /api/webhook/events (newest first, paged). */
async function dashboardEvents(c: TestClient): Promise<WebhookEvent[]> {
  const all: WebhookEvent[] = [];
  for (let before: string | null = null; ; ) {
    const r: { status: number; body: any } = await c.get(`/api/webhook/events?limit=500${before ? `&before=${encodeURIComponent(before)}` : ''}`);
    assert.is(r.status, 200);
    all.push(...(r.body.events as WebhookEvent[]));
    before = r.body.nextBefore;
    if (!before) return all;
  }
}

/** What a reader of the webhook's events computes for today: clicks by button, chat volume, deliveries. */
function fold(events: WebhookEvent[], today: string) {
  const clicks = { RETRIEVE_CONTENT: 0, UNLOCK_CONTENT: 0, SHARE_WITH_CLIENTS: 0, total: 0 };
  const chat = { inbound: 0, outbound: 0 };
  const deliveries = { sent: new Set<string>(), delivered: new Set<string>(), read: new Set<string>(), failed: new Set<string>() };
  for (const e of events) {
    if (businessDate(Date.parse(e.ts)) !== today) continue;
    if (e.type === 'button_click') {
      clicks[e.button]++;
      clicks.total++;
    } else if (e.type === 'chat_message') chat[e.direction]++;
    else if (e.type === 'delivery_status') deliveries[e.status].add(e.messageId);
  }
  return {
    clicks,
    chat,
    deliveries: { sent: deliveries.sent.size, delivered: deliveries.delivered.size, read: deliveries.read.size, failed: deliveries.failed.size },
  };
}

async function dashboardFigures(c: TestClient, today: string) {
  const b = (await c.get(`/api/webhook/buttons?range=day&date=${today}`)).body;
  const crm = (await c.get(`/api/webhook/crm?range=day&date=${today}`)).body;
  const day = (crm.chatVolume as { date: string; inbound: number; outbound: number }[]).find((d) => d.date === today) ?? { inbound: 0, outbound: 0 };
  const { sent, delivered, read, failed } = crm.deliveries;
  return { clicks: b.clicks, chat: { inbound: day.inbound, outbound: day.outbound }, deliveries: { sent, delivered, read, failed } };
}

/** Dashboard and webhook hold the same events, each once, and the same figures. */
async function assertInStep(c: TestClient, what: string): Promise<WebhookEvent[]> {
  const theirs = await webhookEvents();
  await waitFor(`${what}: the dashboard at the webhook's last seq`, async () => {
    const s = (await c.get('/api/webhook/status')).body;
    return s.lastSeq === theirs.at(-1)!.seq && s.eventsStored === theirs.length && s.connection === 'open';
  }, CATCH_UP_MS);
  const ours = await dashboardEvents(c);
  const ids = ours.map((e) => e.id);
  assert.is(new Set(ids).size, ids.length, `${what}: no event stored twice`);
  assert.equal([...ids].sort(), theirs.map((e) => e.id).sort(), `${what}: the same events`);
  const status = (await c.get('/api/webhook/status')).body;
  assert.is(status.eventsStored, theirs.length, `${what}: eventsStored`);
  const today = businessDate(Date.now());
  assert.equal(await dashboardFigures(c, today), fold(theirs, today), `${what}: figures`);
  return theirs;
}

test.before(() =>
  printingFailure(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-hook-sync-'));
    hookPort = await freePort();
    await startHook();
    proxy = new ReplayProxy(hookPort);
    const proxyPort = await proxy.listen();
    t = await startTestGateway({ WEBHOOK_URL: `http://127.0.0.1:${proxyPort}`, WEBHOOK_TOKEN: TOKEN, WEBHOOK_POLL_SECONDS: '0.2' });
  }),
);

test.after(async () => {
  await t?.close();
  await proxy?.close();
  if (hook && hook.child.exitCode === null && hook.child.signalCode === null) {
    hook.child.kill('SIGKILL');
    await hook.exited;
  }
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

test('SIGKILL mid-stream and a restart: the dashboard holds exactly the webhook’s events; retries and replays count once', async () => {
  const c = await signedInAdmin(t!.base);
  await waitFor('up and streaming', async () => {
    const s = (await c.get('/api/webhook/status')).body;
    return s.state === 'up' && s.connection === 'open';
  }, CATCH_UP_MS);

  // Signed simulated traffic at ~150 notifications/s, 16 in flight at most; the accepted bodies are kept.
  const plan: SimAction[] = [...planDay({ seed: 11 }), ...planDay({ seed: 12 })];
  const accepted: SimAction[] = [];
  let refused = 0;
  let next = 0;
  let posting = true;
  const poster = async () => {
    while (posting && next < plan.length) {
      const act = plan[next++]!;
      const r = await postNotification(`http://127.0.0.1:${hookPort}`, act.body, SECRET).catch(() => null);
      if (r?.status === 200) accepted.push(act);
      else refused++;
      await new Promise((res) => setTimeout(res, 100));
    }
  };
  const posters = Promise.all(Array.from({ length: 16 }, poster));

  await waitFor('events reaching the dashboard', async () => (await c.get('/api/webhook/status')).body.eventsStored > 100, CATCH_UP_MS);
  hook!.child.kill('SIGKILL'); // mid-stream: POSTs, the dashboard's stream and gap fills are all under way
  await hook!.exited;
  await waitFor('the dashboard noticing', async () => (await c.get('/api/webhook/status')).body.connection === 'reconnecting', 10_000);
  await new Promise((r) => setTimeout(r, 500)); // POSTs are refused meanwhile (WhatsApp would retry them later)
  await startHook();
  await new Promise((r) => setTimeout(r, 1500));
  posting = false;
  await posters;
  assert.ok(refused > 0, 'some notifications were refused while the webhook was down');
  assert.ok(accepted.length > 50, `accepted ${accepted.length}`);

  // WhatsApp retries: 40 notifications the webhook had accepted (some before the kill) are delivered again.
  const again = accepted.filter((_, i) => i % Math.ceil(accepted.length / 40) === 0);
  for (const act of again) assert.is((await postNotification(`http://127.0.0.1:${hookPort}`, act.body, SECRET)).status, 200, 'a retry is answered 200');

  const stored = await assertInStep(c, 'after the kill and restart');
  const kinds = new Set(stored.map((e) => e.type));
  for (const k of ['button_click', 'chat_message', 'delivery_status', 'status']) assert.ok(kinds.has(k as WebhookEvent['type']), `has ${k} events`);
  const restarts = stored.filter((e) => e.type === 'status' && String((e as { detail?: string }).detail).startsWith('started'));
  assert.is(restarts.length, 2, 'two starts of the webhook in its log');

  // A full replay: the dashboard's next gap fill and stream ask the real webhook for everything from seq 0.
  proxy!.replay = true;
  proxy!.dropAll();
  await waitFor('the webhook replaying every event to the dashboard', async () => proxy!.replayedIds >= stored.length + 100, CATCH_UP_MS);
  await new Promise((r) => setTimeout(r, 500));
  proxy!.replay = false;
  await assertInStep(c, 'after a full replay');
  const s = (await c.get('/api/webhook/status')).body;
  assert.equal(s.rejected, { malformed: 0, unknown: 0 });
});

test.run();
