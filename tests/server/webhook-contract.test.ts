// The contract routes and stream of the webhook module on a real server: /api/webhook/events paging and
// its refusals, WS /ws/events replay then live, the bearer token, and /api/webhook/metrics and
// /conversations checked against a fold over the served events written here independently.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { EventLog } from '../../webhook/event-log.js';
import type { WebhookEvent } from '../../webhook/events.js';
import { planDay, runSimulation } from '../../webhook/simulator.js';
import { startFakeGraphApi } from '../support/fake-graph-api.js';
import { SECRET, startWebhook, type RunningWebhook } from '../support/webhook-harness.js';

type Page = { events: WebhookEvent[]; nextAfter: number; hasMore: boolean };

async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: (await res.json()) as T };
}

function appendClicks(w: RunningWebhook, n: number): void {
  for (let i = 0; i < n; i++) {
    w.webhook.log.append({ type: 'button_click', waId: `91980000${i}`, button: 'UNLOCK_CONTENT', responseMs: i, outcome: 'success' });
  }
}

async function allEvents(base: string, headers: Record<string, string> = {}): Promise<WebhookEvent[]> {
  const out: WebhookEvent[] = [];
  let after = 0;
  for (;;) {
    const { body } = await getJson<Page>(`${base}/api/webhook/events?after=${after}&limit=1000`, headers);
    out.push(...body.events);
    after = body.nextAfter;
    if (!body.hasMore) return out;
  }
}

test('/api/webhook/events pages by after= and limit=, ascending, with nextAfter and hasMore', async () => {
  const w = await startWebhook();
  try {
    appendClicks(w, 24); // plus the start status event: seq 1..25
    const p1 = await getJson<Page>(`${w.base}/api/webhook/events?after=0&limit=10`);
    assert.is(p1.status, 200);
    assert.equal(p1.body.events.map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.is(p1.body.nextAfter, 10);
    assert.is(p1.body.hasMore, true);
    const p3 = await getJson<Page>(`${w.base}/api/webhook/events?after=20&limit=10`);
    assert.equal(p3.body.events.map((e) => e.seq), [21, 22, 23, 24, 25]);
    assert.is(p3.body.hasMore, false);
    assert.is(p3.body.nextAfter, 25);
    const end = await getJson<Page>(`${w.base}/api/webhook/events?after=25`);
    assert.equal(end.body, { events: [], nextAfter: 25, hasMore: false });
    const dflt = await getJson<Page>(`${w.base}/api/webhook/events`);
    assert.is(dflt.body.events.length, 25);
    const ids = (await allEvents(w.base)).map((e) => e.id);
    assert.is(new Set(ids).size, 25);
  } finally {
    await w.close();
  }
});

test('bad after= or limit= get 400 in the error shape', async () => {
  const w = await startWebhook();
  try {
    for (const q of ['after=-1', 'after=abc', 'after=1.5', 'limit=0', 'limit=1001', 'limit=x', 'after=', 'limit=-5']) {
      const r = await getJson<{ error: { code: string; message: string } }>(`${w.base}/api/webhook/events?${q}`);
      assert.is(r.status, 400, q);
      assert.is(r.body.error.code, 'validation_failed', q);
      assert.ok(r.body.error.message.length > 0);
    }
    assert.is((await getJson(`${w.base}/api/webhook/events?limit=1000`)).status, 200);
    assert.is((await fetch(`${w.base}/api/webhook/events`, { method: 'POST' })).status, 405);
  } finally {
    await w.close();
  }
});

test('events older than the in-memory window are read back from the files', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-webhook-log-'));
  try {
    const log = await EventLog.open({ dataDir: dir, memoryEvents: 10 });
    for (let i = 0; i < 50; i++) log.append({ type: 'delivery_status', messageId: `m${i}`, waId: '1', status: 'sent' });
    const page = await log.read(3, 5);
    assert.equal(page.events.map((e) => e.seq), [4, 5, 6, 7, 8]);
    assert.is(page.hasMore, true);
    const tail = await log.read(45, 100);
    assert.equal(tail.events.map((e) => e.seq), [46, 47, 48, 49, 50]);
    log.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a torn last line is set aside at open and seq continues from the last whole event', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-webhook-log-'));
  try {
    const log = await EventLog.open({ dataDir: dir });
    for (let i = 0; i < 3; i++) log.append({ type: 'status', status: 'healthy' });
    log.close();
    const file = path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.jsonl'))!);
    fs.appendFileSync(file, '{"id":"half","seq":4,"ty');
    const again = await EventLog.open({ dataDir: dir });
    assert.ok(again.openReport.tornTail);
    assert.is(fs.readFileSync(again.openReport.tornTail!, 'utf8'), '{"id":"half","seq":4,"ty');
    assert.is(again.lastSeq, 3);
    assert.is(again.append({ type: 'status', status: 'healthy' })!.seq, 4);
    again.close();
    assert.equal(fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { seq: number }).seq), [1, 2, 3, 4]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

interface Collector {
  ws: WebSocket;
  got: WebhookEvent[];
  until(n: number): Promise<void>;
}

function connect(url: string, headers: Record<string, string> = {}): Promise<Collector> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const got: WebhookEvent[] = [];
    const waiters: (() => void)[] = [];
    ws.on('message', (data, isBinary) => {
      assert.not.ok(isBinary);
      got.push(JSON.parse(String(data)) as WebhookEvent);
      for (const w of waiters.splice(0)) w();
    });
    ws.once('open', () =>
      resolve({
        ws,
        got,
        until: (n) =>
          new Promise<void>((res, rej) => {
            const t = setTimeout(() => rej(new Error(`got ${got.length} of ${n} frames`)), 5000);
            const check = () => {
              if (got.length >= n) {
                clearTimeout(t);
                res();
              } else waiters.push(check);
            };
            check();
          }),
      }),
    );
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

test('WS /ws/events?after= replays the stored events after SEQ, then streams new ones live, without gaps or repeats', async () => {
  const w = await startWebhook({ sweepIntervalMs: 3_600_000 });
  try {
    appendClicks(w, 1499); // seq 1..1500: more than one replay page
    const c = await connect(`${w.base.replace('http', 'ws')}/ws/events?after=700`);
    // Appended while the replay may still be running.
    appendClicks(w, 5);
    await c.until(805);
    appendClicks(w, 3);
    await c.until(808);
    assert.equal(c.got.map((e) => e.seq), Array.from({ length: 808 }, (_, i) => 701 + i));
    const stored = new Map((await allEvents(w.base)).map((e) => [e.seq, e]));
    for (const e of c.got) assert.equal(e, stored.get(e.seq));
    // Without after=: only what is new.
    const live = await connect(`${w.base.replace('http', 'ws')}/ws/events`);
    appendClicks(w, 2);
    await live.until(2);
    assert.equal(live.got.map((e) => e.seq), [1509, 1510]);
    c.ws.close();
    live.ws.close();
  } finally {
    await w.close();
  }
});

test('WS /ws/events refuses a bad after= (400) and other paths (404)', async () => {
  const w = await startWebhook();
  try {
    const base = w.base.replace('http', 'ws');
    for (const [url, code] of [[`${base}/ws/events?after=x`, 400], [`${base}/ws/other`, 404]] as const) {
      const err = await connect(url).then(
        () => null,
        (e: Error) => e.message,
      );
      assert.is(err, `upgrade refused: ${code}`);
    }
  } finally {
    await w.close();
  }
});

test('with WEBHOOK_TOKEN every contract route and the stream need the bearer token; /webhook does not', async () => {
  const w = await startWebhook({ token: 'dash-token' });
  try {
    for (const p of ['/health', '/api/webhook/metrics', '/api/webhook/conversations', '/api/webhook/events?after=0']) {
      const none = await getJson<{ error: { code: string } }>(`${w.base}${p}`);
      assert.is(none.status, 401, p);
      assert.is(none.body.error.code, 'unauthorized');
      assert.is((await getJson(`${w.base}${p}`, { authorization: 'Bearer wrong' })).status, 401, p);
      assert.is((await getJson(`${w.base}${p}`, { authorization: 'Bearer dash-token' })).status, 200, p);
    }
    const ws = w.base.replace('http', 'ws');
    assert.is(await connect(`${ws}/ws/events`).then(() => 'open', (e: Error) => e.message), 'upgrade refused: 401');
    const ok = await connect(`${ws}/ws/events?after=0`, { authorization: 'Bearer dash-token' });
    await ok.until(1);
    ok.ws.close();
    // WhatsApp does not send the dashboard's token: the handshake and notifications ignore it.
    assert.is((await fetch(`${w.base}/webhook?hub.mode=subscribe&hub.verify_token=test-verify-token&hub.challenge=5`)).status, 200);
  } finally {
    await w.close();
  }
});

test('/health reports the contract fields with startedAt, uptime, messages processed and the tunnel URL', async () => {
  const w = await startWebhook({ tunnelUrl: 'https://hooks.example.org' });
  try {
    const { status, body } = await getJson<Record<string, unknown>>(`${w.base}/health`);
    assert.is(status, 200);
    assert.is(body.status, 'healthy');
    assert.is(body.type, 'Button Click Handler');
    assert.is(body.startedAt, w.webhook.log.startedAt);
    assert.type(body.uptimeSeconds, 'number');
    assert.is(body.messagesProcessed, 0);
    assert.is(body.tunnelUrl, 'https://hooks.example.org');
  } finally {
    await w.close();
  }
});

/** What a reader of the events computes — written apart from webhook/metrics.ts on purpose. */
function foldEvents(events: WebhookEvent[], startedAt: string, today: (iso: string) => string, day: string) {
  const since = events.filter((e) => e.ts >= startedAt);
  const clicks = since.filter((e) => e.type === 'button_click');
  const chats = since.filter((e) => e.type === 'chat_message');
  const p95 = (xs: number[]) => (xs.length === 0 ? 0 : [...xs].sort((a, b) => a - b)[Math.ceil(0.95 * xs.length) - 1]!);
  const avg = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
  const clickMs = clicks.map((c) => c.responseMs);
  const replies = chats.filter((c) => c.replyMs !== undefined).map((c) => c.replyMs!);
  const quality = chats.filter((c) => c.aiQuality !== undefined).map((c) => c.aiQuality!);
  const completed = new Set(chats.filter((c) => c.state === 'completed').map((c) => c.conversationId)).size;
  const abandoned = new Set(chats.filter((c) => c.state === 'abandoned').map((c) => c.conversationId)).size;
  const lastState = new Map<string, string>();
  for (const c of events) if (c.type === 'chat_message') lastState.set(c.conversationId, c.state);
  return {
    buttonClicks: {
      RETRIEVE_CONTENT: clicks.filter((c) => c.button === 'RETRIEVE_CONTENT').length,
      UNLOCK_CONTENT: clicks.filter((c) => c.button === 'UNLOCK_CONTENT').length,
      SHARE_WITH_CLIENTS: clicks.filter((c) => c.button === 'SHARE_WITH_CLIENTS').length,
    },
    clickResponseMs: { avg: avg(clickMs), p95: p95(clickMs) },
    clickSuccessRate: clicks.length === 0 ? 0 : clicks.filter((c) => c.outcome === 'success').length / clicks.length,
    chat: {
      activeConversations: [...lastState.values()].filter((s) => s === 'active').length,
      messagesToday: chats.filter((c) => today(c.ts) === day).length,
      replyMs: { avg: avg(replies), p95: p95(replies) },
      aiQualityAvg: quality.length === 0 ? null : avg(quality),
      completionRate: completed + abandoned === 0 ? null : completed / (completed + abandoned),
    },
  };
}

test('/api/webhook/metrics and /conversations equal a fold over the served events (a simulated day, with failures and a restart)', async () => {
  const graph = await startFakeGraphApi();
  graph.delayMs = 3;
  graph.failFor.add('919811033003'); // adv-03's sends fail
  const first = await startWebhook({ accessToken: 't', apiUrl: graph.url });
  let w: RunningWebhook | null = null;
  try {
    // Before the restart: these count in the log but not in the next process's metrics.
    const s1 = await runSimulation({ url: first.base, secret: SECRET, rate: 2000, day: true, seed: 11 });
    assert.is(s1.refused.length, 0);
    await first.webhook.responder.idle();
    await first.close(true);
    w = await startWebhook({ dataDir: first.dataDir, accessToken: 't', apiUrl: graph.url, abandonAfterMinutes: 0.0001 });
    const s2 = await runSimulation({ url: w.base, secret: SECRET, rate: 2000, day: true, seed: 12 });
    assert.is(s2.refused.length, 0);
    await w.webhook.responder.idle();
    await new Promise((r) => setTimeout(r, 10));
    assert.ok((await w.webhook.sweep()) > 0, 'some conversations were abandoned');
    const metrics = (await getJson<Record<string, unknown>>(`${w.base}/api/webhook/metrics`)).body;
    const events = await allEvents(w.base);
    const dayOf = (iso: string) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Kolkata' }).format(new Date(iso));
    const expected = foldEvents(events, String(metrics.startedAt), dayOf, dayOf(new Date().toISOString()));
    assert.is(metrics.startedAt, w.webhook.log.startedAt);
    assert.is(metrics.lastSeq, events.at(-1)!.seq);
    assert.equal(metrics.buttonClicks, expected.buttonClicks);
    assert.equal(metrics.clickResponseMs, expected.clickResponseMs);
    assert.is(metrics.clickSuccessRate, expected.clickSuccessRate);
    assert.equal(metrics.chat, expected.chat);
    assert.ok((metrics.clickSuccessRate as number) < 1 && (metrics.clickSuccessRate as number) > 0.5, 'adv-03 fails');
    const clicksSince = events.filter((e) => e.type === 'button_click' && e.ts >= String(metrics.startedAt)).length;
    assert.is(clicksSince, s2.expected.clicks);
    const conv = (await getJson<{ active: { conversationId: string; messages: number }[]; completedToday: number; abandonedToday: number }>(`${w.base}/api/webhook/conversations`)).body;
    assert.is(conv.active.length, expected.chat.activeConversations);
    const endedToday = (state: string) =>
      new Set(events.filter((e) => e.type === 'chat_message' && e.state === state && dayOf(e.ts) === dayOf(new Date().toISOString())).map((e) => (e as { conversationId: string }).conversationId)).size;
    assert.is(conv.completedToday, endedToday('completed'));
    assert.is(conv.abandonedToday, endedToday('abandoned'));
    assert.ok(conv.abandonedToday > 0 && conv.completedToday > 0);
    for (const c of conv.active) {
      assert.is(c.messages, events.filter((e) => e.type === 'chat_message' && e.conversationId === c.conversationId).length);
    }
  } finally {
    if (w) await w.close();
    else await first.close();
    await graph.close();
  }
});

test('planDay is deterministic for a seed and covers every kind', () => {
  const strip = (a: ReturnType<typeof planDay>) => a.map((x) => [x.minute, x.kind, x.expect]);
  assert.equal(strip(planDay({ seed: 5 })), strip(planDay({ seed: 5 })));
  const kinds = new Set(planDay({ seed: 5 }).map((a) => a.kind));
  for (const k of ['tap', 'text', 'status']) assert.ok(kinds.has(k as never), k);
  // Over a few days some deliveries fail, with WhatsApp's error details.
  const failed = [1, 2, 3, 4, 5, 6].flatMap((seed) => planDay({ seed })).filter((a) => JSON.stringify(a.body).includes('"status":"failed"'));
  assert.ok(failed.length > 0);
  assert.ok(failed.every((a) => JSON.stringify(a.body).includes('"errors"')));
});

test.run();
