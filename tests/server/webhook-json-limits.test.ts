// Webhook events past the JSON limits, from a fake webhook (real HTTP + WebSocket on 127.0.0.1) into a real
// gateway: refused as malformed and counted whether they come on the stream or in a gap-fill page, the events
// after them still arrive; a too-deep /health answer counts as invalid; a restart on the same data starts and
// keeps the count.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startAdminGateway, type AdminGateway } from '../support/test-gateway.js';
import { waitFor } from '../support/wait-for.js';
import { startFakeWebhook, type FakeWebhook } from '../support/fake-webhook.js';
import { nested, nestedText } from '../support/deep-json.js';
import { MAX_JSON_DEPTH } from '../../gateway/json-limits.js';
import { MAX_EVENT_BYTES } from '../../gateway/domain/webhook/event-schema.js';

let fake: FakeWebhook;
let t: AdminGateway | undefined;
let dataDir: string;

const boot = async () => {
  t = await startAdminGateway({ WEBHOOK_URL: fake.url, WEBHOOK_POLL_SECONDS: '0.2', WEBHOOK_TIMEOUT_SECONDS: '0.5', DATA_DIR: dataDir });
};
const status = async () => (await t!.admin.get('/api/webhook/status')).body;

test.before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-webhook-limits-'));
  fake = await startFakeWebhook();
  await boot();
});

test.after(async () => {
  await t?.close();
  await fake.stop().catch(() => undefined);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('stream: events nested too deep or too large are refused and counted; the stream stays open and later events arrive', async () => {
  await waitFor('stream open', async () => (await status()).connection === 'open');
  const click = (id: string, seq: number, extra: string) =>
    `{"id":"${id}","seq":${seq},"ts":"${new Date().toISOString()}","type":"button_click","waId":"91","button":"UNLOCK_CONTENT","responseMs":1,"outcome":"success","extra":${extra}}`;
  fake.seq += 3;
  fake.broadcast(click('deep-1', fake.seq - 2, nestedText(2000)));
  fake.broadcast(click('deep-2', fake.seq - 1, JSON.stringify(nested(MAX_JSON_DEPTH))));
  fake.broadcast(click('big-1', fake.seq, JSON.stringify('x'.repeat(MAX_EVENT_BYTES))));
  fake.emit();
  fake.emit();
  const s = await waitFor('2 stored, 3 refused', async () => {
    const st = await status();
    return st.eventsStored === 2 && st.rejected.malformed === 3 && st;
  });
  assert.is(s.connection, 'open');
  const ids = (await t!.admin.get('/api/webhook/events?limit=10')).body.events.map((e: { id: string }) => e.id);
  assert.not.ok(ids.some((id: string) => ['deep-1', 'deep-2', 'big-1'].includes(id)), 'none of them stored');
});

test('gap fill: a too-deep event in an events page is refused and counted; the page\'s other events are stored', async () => {
  fake.streamPaused = true;
  fake.emit({ extra: nested(2000) });
  fake.emit();
  fake.streamPaused = false;
  fake.dropStreams();
  const s = await waitFor('3 stored, 4 refused', async () => {
    const st = await status();
    return st.eventsStored === 3 && st.rejected.malformed === 4 && st;
  });
  assert.is(s.lastSeq, fake.seq, 'the cursor moved past the refused event');
});

test('a /health answer nested 3,000 levels deep is an invalid answer (down), not kept; the next good one is up', async () => {
  fake.healthExtraJson = nestedText(3000);
  const down = await waitFor('down', async () => {
    const st = await status();
    return st.state === 'down' && st;
  });
  assert.match(JSON.stringify(down), 'nests deeper than 32 levels');
  assert.is((await t!.admin.get('/api/health')).status, 200, '/api/health still serialises');
  fake.healthExtraJson = null;
  await waitFor('up again', async () => (await status()).state === 'up');
});

test('a restart on the same data starts normally and keeps the stored events and refusal counts', async () => {
  await t!.close().catch(() => undefined);
  t = undefined;
  // DATA_DIR is this suite's own directory, which close() leaves in place.
  assert.ok(fs.existsSync(path.join(dataDir, 'journal', 'webhook-events')));
  await boot();
  const s = await waitFor('restored', async () => {
    const st = await status();
    return st.eventsStored === 3 && st;
  });
  assert.equal(s.rejected, { malformed: 4, unknown: 0 });
});

test.run();
