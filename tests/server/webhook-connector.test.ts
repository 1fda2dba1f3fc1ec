// The webhook connector against a fake webhook (real HTTP + WebSocket on 127.0.0.1) inside a real gateway:
// streaming, gap fill, restart detection, duplicates (also across a dashboard restart), malformed and unknown
// events, down/stale states with figures kept, reconciliation drift, and services.webhook in /api/health.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startAdminGateway, type AdminGateway, type TestClient } from '../support/test-gateway.js';
import { waitFor } from '../support/wait-for.js';
import { printingFailure } from '../support/set-up-failure.js';
import { startFakeWebhook, type FakeWebhook } from '../support/fake-webhook.js';

const POLL_MS = 200;
const env = (fake: FakeWebhook, dataDir: string) => ({
  WEBHOOK_URL: fake.url,
  WEBHOOK_POLL_SECONDS: String(POLL_MS / 1000),
  WEBHOOK_TIMEOUT_SECONDS: '0.15',
  DATA_DIR: dataDir,
});

let fake: FakeWebhook;
let t: AdminGateway;
let admin: TestClient;
let dataDir: string;

async function boot(): Promise<void> {
  t = await startAdminGateway(env(fake, dataDir));
  admin = t.admin;
}

const status = async () => (await admin.get('/api/webhook/status')).body;
const stored = (n: number) => async () => {
  const s = await status();
  return s.eventsStored === n && s;
};

test.before.each(() =>
  printingFailure(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-webhook-'));
    fake = await startFakeWebhook();
    await boot();
  }),
);

test.after.each(async () => {
  await t.close();
  await fake.stop().catch(() => undefined);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('the webhook is up, its stream open, and streamed clicks are stored and counted', async () => {
  const up = await waitFor('up and open', async () => {
    const s = await status();
    return s.state === 'up' && s.connection === 'open' && s;
  });
  assert.is(up.health.type, 'Button Click Handler');
  assert.is(up.tunnelUrl, 'https://button-handler.example.test');
  fake.emit({ button: 'UNLOCK_CONTENT' });
  fake.emit({ button: 'RETRIEVE_CONTENT', responseMs: 300 });
  fake.emit({ button: 'UNLOCK_CONTENT', outcome: 'error', error: 'send failed' });
  const s = await waitFor('3 stored', stored(3));
  assert.is(s.lastSeq, 3);
  const b = (await admin.get('/api/webhook/buttons?range=day')).body;
  assert.equal(b.clicks, { RETRIEVE_CONTENT: 1, UNLOCK_CONTENT: 2, SHARE_WITH_CLIENTS: 0, total: 3 });
  assert.is(b.successRate, 2 / 3);
  assert.equal(b.responseMs, { avg: 180, p95: 300 });
  assert.is(b.stale, false);
});

test('events missed while the stream was down are filled in through /api/webhook/events', async () => {
  await waitFor('open', async () => (await status()).connection === 'open');
  fake.emit();
  await waitFor('1 stored', stored(1));
  fake.streamPaused = true; // these frames are lost
  for (let i = 0; i < 4; i++) fake.emit({ button: 'SHARE_WITH_CLIENTS' });
  fake.streamPaused = false;
  fake.dropStreams();
  const s = await waitFor('5 stored', stored(5));
  assert.is(s.lastSeq, 5);
  assert.ok(fake.requests.some((r) => r.startsWith('/api/webhook/events?after=1')), 'gap filled from the cursor');
  const b = (await admin.get('/api/webhook/buttons')).body;
  assert.is(b.clicks.SHARE_WITH_CLIENTS, 4);
  assert.is(b.clicks.total, 5);
});

test('a webhook restart with a lower seq resets the cursor: exact counts after the resync', async () => {
  await waitFor('open', async () => (await status()).connection === 'open');
  for (let i = 0; i < 5; i++) fake.emit();
  await waitFor('5 stored', stored(5));
  await fake.restart({ resetSeq: true });
  fake.emit({ button: 'RETRIEVE_CONTENT' }); // seq 1 again, recorded before the dashboard reconnects
  fake.emit({ button: 'RETRIEVE_CONTENT' });
  await waitFor('7 stored', stored(7));
  fake.emit({ button: 'SHARE_WITH_CLIENTS' }); // live over the reopened stream
  const s = await waitFor('8 stored', stored(8));
  assert.is(s.lastSeq, 3);
  const b = (await admin.get('/api/webhook/buttons')).body;
  assert.equal(b.clicks, { RETRIEVE_CONTENT: 2, UNLOCK_CONTENT: 5, SHARE_WITH_CLIENTS: 1, total: 8 });
});

test('duplicates and replays count once, also across a dashboard restart', async () => {
  await waitFor('open', async () => (await status()).connection === 'open');
  const a = fake.emit();
  const b = fake.emit({ button: 'RETRIEVE_CONTENT' });
  fake.broadcast(JSON.stringify(a));
  fake.broadcast(JSON.stringify(b));
  fake.broadcast(JSON.stringify(a));
  await waitFor('2 stored', stored(2));
  fake.dropStreams(); // the reconnect replays from the cursor and the gap fill overlaps: still 2
  fake.emit({ button: 'SHARE_WITH_CLIENTS' });
  await waitFor('3 stored', stored(3));
  await t.close();
  // The dashboard restarts on the same data; the webhook still holds everything from seq 0.
  await boot();
  const after = await waitFor('open again', async () => {
    const s = await status();
    return s.connection === 'open' && s;
  });
  assert.is(after.eventsStored, 3);
  fake.broadcast(JSON.stringify(a));
  fake.emit();
  await waitFor('4 stored', stored(4));
  const r = (await admin.get('/api/webhook/buttons')).body;
  assert.equal(r.clicks, { RETRIEVE_CONTENT: 1, UNLOCK_CONTENT: 2, SHARE_WITH_CLIENTS: 1, total: 4 });
  const recent = (await admin.get('/api/webhook/events?limit=10')).body.events;
  assert.is(recent.length, 4);
  assert.is(new Set(recent.map((e: { id: string }) => e.id)).size, 4);
});

test('malformed and unknown events are counted and the connector carries on', async () => {
  await waitFor('open', async () => (await status()).connection === 'open');
  fake.broadcast('{not json');
  fake.broadcast(JSON.stringify({ id: 'x-1', seq: 90, ts: new Date().toISOString(), type: 'button_click', waId: '91', button: 'PRESS_ME', responseMs: 1, outcome: 'success' }));
  fake.broadcast(JSON.stringify({ id: 'x-2', seq: 91, ts: new Date().toISOString(), type: 'reaction', emoji: '👍' }));
  fake.emit();
  const s = await waitFor('1 stored, 3 refused', async () => {
    const st = await status();
    return st.eventsStored === 1 && st.rejected.malformed + st.rejected.unknown === 3 && st;
  });
  assert.equal(s.rejected, { malformed: 2, unknown: 1 });
  assert.is(s.connection, 'open');
  assert.is(s.state, 'up');
});

test('webhook down: state down within a poll, figures kept and marked stale, services.webhook down', async () => {
  await waitFor('open', async () => (await status()).connection === 'open');
  fake.emit();
  fake.emit();
  await waitFor('2 stored', stored(2));
  const killedAt = Date.now();
  await fake.stop();
  const s = await waitFor('down', async () => {
    const st = await status();
    return st.state === 'down' && st;
  });
  assert.ok(Date.now() - killedAt < 2 * POLL_MS + 400, 'down within two poll intervals');
  assert.is(s.connection, 'reconnecting');
  assert.is(s.eventsStored, 2);
  const b = (await admin.get('/api/webhook/buttons')).body;
  assert.is(b.stale, true);
  assert.is(b.clicks.total, 2, 'last known figures, not zeros');
  const crm = (await admin.get('/api/webhook/crm')).body;
  assert.is(crm.stale, true);
  const health = await waitFor('health says down', async () => {
    const h = (await admin.get('/api/health')).body;
    return h.services.webhook.state === 'down' && h;
  });
  assert.type(health.services.webhook.observedAt, 'string');
  assert.match(health.services.webhook.detail, /health/);
  // Back up: reconnects (at most a poll later) and counts on.
  await fake.start();
  fake.emit();
  await waitFor('3 stored', stored(3));
  // The state follows the health polls, not the event stream: up again by the next poll or two.
  await waitFor('up again', async () => (await status()).state === 'up', 2 * POLL_MS + 2000);
});

test('a hung webhook turns stale within two poll intervals, then down; /api/health says unknown while stale', async () => {
  await waitFor('up', async () => (await status()).state === 'up');
  fake.delayMs = 2000;
  const hungAt = Date.now();
  const s = await waitFor('stale', async () => {
    const st = await status();
    return st.state === 'stale' && st;
  }, 3000);
  assert.ok(Date.now() - hungAt <= 2 * POLL_MS + 300, `stale after ${Date.now() - hungAt} ms`);
  const health = await waitFor('unknown in /api/health', async () => {
    const h = (await admin.get('/api/health')).body;
    return h.services.webhook.state === 'unknown' && h;
  });
  assert.match(health.services.webhook.detail, /since/);
  assert.ok(s.since);
  await waitFor('down after repeated timeouts', async () => (await status()).state === 'down', 4000);
  fake.delayMs = 0;
});

test('reconciliation: counts equal to /metrics are ok; a skew is reported as drift', async () => {
  await waitFor('open', async () => (await status()).connection === 'open');
  fake.emit({ button: 'UNLOCK_CONTENT' });
  fake.emit({ button: 'RETRIEVE_CONTENT' });
  const ok = await waitFor('reconciled', async () => {
    const st = await status();
    return st.eventsStored === 2 && st.reconciliation?.ok === true && st;
  });
  assert.is(ok.reconciliation.webhookStartedAt, fake.startedAt);
  assert.equal(ok.reconciliation.drift, []);
  fake.metricsSkew = { UNLOCK_CONTENT: 3 };
  const drift = await waitFor('drift', async () => {
    const st = await status();
    return st.reconciliation?.ok === false && st;
  });
  assert.equal(drift.reconciliation.drift, [{ metric: 'buttonClicks.UNLOCK_CONTENT', webhook: 4, dashboard: 1 }]);
});

test('a degraded webhook is degraded, not down, and its figures are not stale', async () => {
  fake.healthStatus = 'degraded';
  await waitFor('degraded', async () => (await status()).state === 'degraded');
  const b = (await admin.get('/api/webhook/buttons')).body;
  assert.is(b.stale, false);
  fake.healthCode = 500;
  await waitFor('down on a 500', async () => (await status()).state === 'down');
});

test.run();
