// The dashboard's webhook routes and topic: the shapes of docs/webhook.md, ranges folded in the pool, 400s on
// bad range/date/limit/before, not_configured without WEBHOOK_URL, and the `webhook` topic's snapshot/frames.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { startAdminGateway, TestClient, signedInAs, type AdminGateway } from '../support/test-gateway.js';
import { waitFor } from '../support/wait-for.js';
import { startFakeWebhook, type FakeWebhook } from '../support/fake-webhook.js';
import { businessDate } from '../../gateway/domain/webhook/business-day.js';

let fake: FakeWebhook;
let t: AdminGateway;
let viewer: TestClient;
let dataDir: string;
const DAY = 86_400_000;
const now = Date.now();
const isoAgo = (ms: number) => new Date(now - ms).toISOString();

test.before(async () => {
  try {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-webhook-routes-'));
    fake = await startFakeWebhook({ token: 'hook-secret' });
    // Recorded before the dashboard starts: it fills them in through /api/webhook/events.
    fake.emit({ button: 'UNLOCK_CONTENT', advisorId: 'ARN-7', waId: '917', responseMs: 100, ts: isoAgo(2 * DAY) });
    fake.emit({ button: 'UNLOCK_CONTENT', advisorId: 'ARN-7', waId: '917', responseMs: 200 });
    fake.emit({ button: 'SHARE_WITH_CLIENTS', advisorId: 'ARN-8', waId: '918', responseMs: 400, outcome: 'error' });
    fake.emit({ type: 'chat_message', conversationId: 'c1', waId: '917', direction: 'inbound', chars: 12, state: 'active' });
    fake.emit({ type: 'chat_message', conversationId: 'c1', waId: '917', direction: 'outbound', chars: 80, replyMs: 900, aiQuality: 4, state: 'active' });
    fake.emit({ type: 'chat_message', conversationId: 'c2', waId: '918', direction: 'outbound', chars: 20, replyMs: 1500, aiQuality: 2, state: 'completed' });
    fake.emit({ type: 'chat_message', conversationId: 'c3', waId: '919', direction: 'inbound', chars: 5, state: 'abandoned', ts: isoAgo(3 * DAY) });
    fake.emit({ type: 'delivery_status', messageId: 'm1', waId: '917', status: 'sent' });
    fake.emit({ type: 'delivery_status', messageId: 'm1', waId: '917', status: 'delivered' });
    fake.emit({ type: 'delivery_status', messageId: 'm2', waId: '918', status: 'failed', error: 'blocked' });
    t = await startAdminGateway({ WEBHOOK_URL: fake.url, WEBHOOK_TOKEN: 'hook-secret', WEBHOOK_POLL_SECONDS: '0.2', DATA_DIR: dataDir });
    viewer = await signedInAs(t.base, t.admin, 'viewer');
    await waitFor('10 stored', async () => (await viewer.get('/api/webhook/status')).body.eventsStored === 10);
  } catch (err) {
    console.error(err);
    throw err;
  }
});

test.after(async () => {
  await t.close();
  await fake.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('GET /api/webhook/status has every documented field', async () => {
  const s = (await viewer.get('/api/webhook/status')).body;
  for (const k of ['state', 'since', 'observedAt', 'latencyMs', 'health', 'lastEventAt', 'lastSeq', 'eventsStored', 'connection', 'uptimePct24h', 'history24h', 'tunnelUrl', 'rejected', 'reconciliation']) {
    assert.ok(k in s, `status has ${k}`);
  }
  assert.is(s.state, 'up');
  assert.is(s.lastSeq, 10);
  assert.is(s.uptimePct24h, 100);
  assert.equal(s.history24h.map((x: { state: string; to: string | null }) => [x.state, x.to]).at(-1), ['up', null], 'the current span');
  assert.equal(Object.keys(s.health).sort(), ['messagesProcessed', 'startedAt', 'status', 'type', 'uptimeSeconds']);
});

test("today's buttons: counts, hourly, top advisors; week folds older days in the pool", async () => {
  const day = (await viewer.get('/api/webhook/buttons?range=day')).body;
  assert.is(day.range, 'day');
  assert.equal(day.clicks, { RETRIEVE_CONTENT: 0, UNLOCK_CONTENT: 1, SHARE_WITH_CLIENTS: 1, total: 2 });
  assert.is(day.hourly.length, 24);
  assert.is(day.hourly.reduce((n: number, h: { UNLOCK_CONTENT: number; SHARE_WITH_CLIENTS: number }) => n + h.UNLOCK_CONTENT + h.SHARE_WITH_CLIENTS, 0), 2);
  assert.equal(day.daily, []);
  assert.equal(day.responseMs, { avg: 300, p95: 400 });
  assert.is(day.successRate, 0.5);
  assert.equal(day.topAdvisors.map((a: { advisorId: string }) => a.advisorId).sort(), ['ARN-7', 'ARN-8']);
  assert.is(Date.parse(day.to) - Date.parse(day.from), DAY);

  const week = (await viewer.get('/api/webhook/buttons?range=week')).body;
  assert.is(week.clicks.total, 3);
  assert.is(week.clicks.UNLOCK_CONTENT, 2);
  assert.is(week.daily.length, 7);
  assert.is(week.daily.at(-1).date, businessDate(now));
  assert.is(week.daily.reduce((n: number, d: { total: number }) => n + d.total, 0), 3);
  assert.equal(week.topAdvisors[0], { advisorId: 'ARN-7', waId: '917', clicks: 2, lastClickAt: week.topAdvisors[0].lastClickAt });
  const past = (await viewer.get(`/api/webhook/buttons?range=day&date=${businessDate(now - 2 * DAY)}`)).body;
  assert.is(past.clicks.total, 1);
});

test('CRM figures: active conversations, reply times, quality, volume, completion and deliveries', async () => {
  const crm = (await viewer.get('/api/webhook/crm?range=day')).body;
  assert.equal(crm.activeConversations.map((c: { conversationId: string }) => c.conversationId), ['c1']);
  assert.equal(crm.activeConversations[0].messages, 2);
  assert.equal(crm.activeConversations[0].advisorId, 'ARN-7');
  assert.equal(crm.replyMs, { avg: 1200, p95: 1500 });
  assert.is(crm.aiQualityAvg, 3);
  assert.equal(crm.chatVolume, [{ date: businessDate(now), inbound: 1, outbound: 2 }]);
  assert.is(crm.completed, 1);
  assert.is(crm.abandoned, 0);
  assert.is(crm.completionRate, 1);
  assert.equal(crm.deliveries, { sent: 1, delivered: 1, read: 0, failed: 1, deliveryRate: 0.5 });
  const month = (await viewer.get('/api/webhook/crm?range=month')).body;
  assert.is(month.abandoned, 1);
  assert.is(month.completionRate, 0.5);
  assert.is(month.chatVolume.length, 30);
});

test('bad range, date, limit or before: 400 in the error shape', async () => {
  for (const q of ['/api/webhook/buttons?range=year', '/api/webhook/buttons?date=2026-02-30', '/api/webhook/crm?date=yesterday', '/api/webhook/events?limit=0', '/api/webhook/events?before=nonsense']) {
    const r = await viewer.get(q);
    assert.is(r.status, 400, q);
    assert.type(r.body.error.code, 'string', q);
    assert.type(r.body.error.message, 'string', q);
  }
});

test('GET /api/webhook/events pages newest first with nextBefore', async () => {
  const first = (await viewer.get('/api/webhook/events?limit=6')).body;
  assert.is(first.events.length, 6);
  assert.type(first.nextBefore, 'string');
  const rest = (await viewer.get(`/api/webhook/events?limit=10&before=${encodeURIComponent(first.nextBefore)}`)).body;
  assert.is(rest.events.length, 4);
  assert.is(rest.nextBefore, null);
  const ids = new Set([...first.events, ...rest.events].map((e: { id: string }) => e.id));
  assert.is(ids.size, 10);
});

test('topic webhook: snapshot with status and recent events, then event, figures and status frames', async () => {
  const ws = new WebSocket(`${t.base.replace('http', 'ws')}/ws`, { headers: { cookie: viewer.cookieHeader(), origin: t.base } });
  const frames: Array<{ topic: string; type: string; data: any }> = [];
  ws.on('message', (d) => frames.push(JSON.parse(String(d))));
  await new Promise((r) => ws.once('open', r));
  ws.send(JSON.stringify({ op: 'subscribe', topics: ['webhook'] }));
  const snap = await waitFor('snapshot', async () => frames.find((f) => f.type === 'snapshot'));
  assert.is(snap.data.status.eventsStored, 10);
  assert.is(snap.data.recent.length, 10);
  fake.emit({ button: 'RETRIEVE_CONTENT' });
  const ev = await waitFor('event frame', async () => frames.find((f) => f.type === 'event'));
  assert.is(ev.data.button, 'RETRIEVE_CONTENT');
  // A figures frame from the setup's events may still be on its way: wait for the one that counts this click.
  const fig = await waitFor('figures frame', async () => frames.find((f) => f.type === 'figures' && f.data.clicks?.RETRIEVE_CONTENT === 1));
  assert.equal(fig.data.clicks, { RETRIEVE_CONTENT: 1, UNLOCK_CONTENT: 1, SHARE_WITH_CLIENTS: 1, total: 3 });
  assert.is(fig.data.activeConversations, 1);
  await waitFor('status frame', async () => frames.find((f) => f.type === 'status' && f.data.eventsStored === 11));
  ws.close();
});

test('without WEBHOOK_URL: not_configured, nothing polls, and /api/health says so', async () => {
  const bare = await startAdminGateway();
  try {
    const c = bare.admin;
    const s = (await c.get('/api/webhook/status')).body;
    assert.is(s.state, 'not_configured');
    assert.is(s.connection, 'closed');
    const h = (await c.get('/api/health')).body;
    assert.is(h.services.webhook.state, 'not_configured');
    const b = (await c.get('/api/webhook/buttons')).body;
    assert.is(b.stale, true);
    assert.is(b.clicks.total, 0);
  } finally {
    await bare.close();
  }
});

test('the routes need a signed-in user', async () => {
  const anon = new TestClient(t.base);
  for (const p of ['/api/webhook/status', '/api/webhook/buttons', '/api/webhook/crm', '/api/webhook/events']) assert.is((await anon.get(p)).status, 401, p);
});

test.run();
