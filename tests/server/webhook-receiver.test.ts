// POST/GET /webhook of the webhook module on a real server, sending through a local fake of the WhatsApp
// Cloud API: verification handshake, signatures, each payload kind → its events, wamid idempotency,
// several messages per POST, unknown types, send failures, local mode and abandonment.
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startFakeGraphApi, type FakeGraphApi } from '../support/fake-graph-api.js';
import { startWebhook, VERIFY, type RunningWebhook } from '../support/webhook-harness.js';
import { interactiveTap, notification, SIM_PHONE_NUMBER_ID, statusUpdate, templateTap, textMessage, type SimAdvisor } from '../../webhook/simulator.js';
import { LOCAL_MODE_NOTE } from '../../webhook/responder.js';

const ADV: SimAdvisor = { id: 'adv-01', name: 'Aarav Mehta', waId: '919820011001', active: true };
const ADV2: SimAdvisor = { id: 'adv-02', name: 'Priya Raghunathan', waId: '919840022002', active: true };
const advisorOf = (waId: string) => ({ [ADV.waId]: ADV.id, [ADV2.waId]: ADV2.id })[waId];

async function withWebhook(fn: (w: RunningWebhook, graph: FakeGraphApi) => Promise<void>, local = false): Promise<void> {
  const graph = await startFakeGraphApi();
  const w = await startWebhook(local ? { advisorOf } : { advisorOf, accessToken: 'graph-token', apiUrl: graph.url });
  try {
    await fn(w, graph);
  } finally {
    await w.close();
    await graph.close();
  }
}

const events = (w: RunningWebhook, type?: string) => w.storedEvents().filter((e) => (type ? e.type === type : e.type !== 'status'));

test('the verification handshake answers the challenge only for the configured verify token', () =>
  withWebhook(async (w) => {
    const ok = await fetch(`${w.base}/webhook?hub.mode=subscribe&hub.verify_token=${VERIFY}&hub.challenge=1158201444`);
    assert.is(ok.status, 200);
    assert.is(await ok.text(), '1158201444');
    const wrong = await fetch(`${w.base}/webhook?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`);
    assert.is(wrong.status, 403);
    assert.is(((await wrong.json()) as { error: { code: string } }).error.code, 'verification_failed');
    const mode = await fetch(`${w.base}/webhook?hub.mode=unsubscribe&hub.verify_token=${VERIFY}&hub.challenge=1`);
    assert.is(mode.status, 403);
    assert.is((await fetch(`${w.base}/webhook`)).status, 403);
  }));

test('a bad or missing X-Hub-Signature-256 gets 401 and nothing is recorded', () =>
  withWebhook(async (w, graph) => {
    const body = notification([{ contacts: [ADV], messages: [templateTap(ADV.waId, 'UNLOCK_CONTENT', 'wamid.T1', 'cnt-1')] }]);
    const before = w.storedEvents();
    const seq = w.webhook.log.lastSeq;
    const forged = await w.post(body, `sha256=${'0'.repeat(64)}`);
    assert.is(forged.status, 401);
    assert.is(((await forged.json()) as { error: { code: string } }).error.code, 'bad_signature');
    assert.is((await w.post(body, null)).status, 401);
    assert.is((await w.post(body, 'sha1=abc')).status, 401);
    // Signed with another secret.
    const { signatureOf } = await import('../../webhook/whatsapp-receiver.js');
    assert.is((await w.post(body, signatureOf(JSON.stringify(body), 'other-secret'))).status, 401);
    // The right signature over other bytes (whitespace added) is refused too: the check is over the raw body.
    assert.is((await w.post(JSON.stringify(body, null, 1), signatureOf(JSON.stringify(body), 'test-app-secret'))).status, 401);
    await w.webhook.responder.idle();
    assert.equal(w.storedEvents(), before);
    assert.is(w.webhook.log.lastSeq, seq);
    assert.is(graph.requests.length, 0);
    assert.is(w.webhook.receiver.stats().badSignatures, 5);
    const good = await w.post(body);
    assert.is(good.status, 200);
    await w.webhook.responder.idle();
    assert.is(events(w, 'button_click').length, 1);
  }));

test('a template button tap sends the content and records a successful button_click', () =>
  withWebhook(async (w, graph) => {
    const tap = templateTap(ADV.waId, 'UNLOCK_CONTENT', 'wamid.TEMPLATE1', 'cnt-20261125-1');
    const res = await w.post(notification([{ contacts: [ADV], messages: [tap] }]));
    assert.is(res.status, 200);
    await w.webhook.responder.idle();
    const [click, ...rest] = events(w);
    assert.is(rest.length, 0);
    assert.is(click!.type, 'button_click');
    assert.is(click!.waId, ADV.waId);
    assert.is(click!.advisorId, 'adv-01');
    assert.is(click!.button, 'UNLOCK_CONTENT');
    assert.is(click!.contentId, 'cnt-20261125-1');
    assert.is(click!.outcome, 'success');
    assert.is(click!.error, undefined);
    assert.ok(Number.isInteger(click!.responseMs) && (click!.responseMs as number) >= 0);
    assert.is(graph.requests.length, 1);
    assert.is(graph.requests[0]!.path, `/v21.0/${SIM_PHONE_NUMBER_ID}/messages`);
    assert.is(graph.requests[0]!.authorization, 'Bearer graph-token');
    assert.is(graph.requests[0]!.body.to, ADV.waId);
    assert.is(graph.requests[0]!.body.messaging_product, 'whatsapp');
    assert.match(graph.requests[0]!.body.text!.body!, /cnt-20261125-1/);
  }));

test('the click response time covers the WhatsApp API call', () =>
  withWebhook(async (w, graph) => {
    graph.delayMs = 120;
    await w.post(notification([{ messages: [interactiveTap(ADV.waId, 'RETRIEVE_CONTENT')] }]));
    await w.webhook.responder.idle();
    const [click] = events(w);
    assert.is(click!.button, 'RETRIEVE_CONTENT');
    assert.is(click!.contentId, undefined);
    assert.ok((click!.responseMs as number) >= 110, `responseMs ${click!.responseMs}`);
  }));

test('a refused send records the click with outcome error and the API message', () =>
  withWebhook(async (w, graph) => {
    graph.failFor.add(ADV2.waId);
    await w.post(notification([{ messages: [interactiveTap(ADV2.waId, 'SHARE_WITH_CLIENTS')] }]));
    await w.webhook.responder.idle();
    const [click] = events(w);
    assert.is(click!.outcome, 'error');
    assert.match(String(click!.error), /WhatsApp API 400 \(code 131030\): .*not in allowed list/);
  }));

test('an unreachable WhatsApp API is an error outcome, not a crash', async () => {
  const w = await startWebhook({ accessToken: 't', apiUrl: 'http://127.0.0.1:9/v21.0' });
  try {
    await w.post(notification([{ messages: [interactiveTap(ADV.waId, 'UNLOCK_CONTENT')] }]));
    await w.webhook.responder.idle();
    const [click] = events(w);
    assert.is(click!.outcome, 'error');
    assert.match(String(click!.error), /unreachable/);
  } finally {
    await w.close();
  }
});

test('a text is recorded inbound, then the demo reply outbound with replyMs and aiQuality; a thank-you completes the conversation', () =>
  withWebhook(async (w, graph) => {
    await w.post(notification([{ contacts: [ADV], messages: [textMessage(ADV.waId, 'Hello, how do I unlock today\'s note?')] }]));
    await w.webhook.responder.idle();
    const [inbound, outbound] = events(w);
    assert.is(inbound!.type, 'chat_message');
    assert.is(inbound!.direction, 'inbound');
    assert.is(inbound!.chars, 'Hello, how do I unlock today\'s note?'.length);
    assert.is(inbound!.state, 'active');
    assert.is(inbound!.advisorId, 'adv-01');
    assert.not.ok('text' in inbound! || 'body' in inbound!, 'message text is not stored');
    assert.is(outbound!.direction, 'outbound');
    assert.is(outbound!.conversationId, inbound!.conversationId);
    assert.ok(Number.isInteger(outbound!.replyMs));
    assert.ok((outbound!.aiQuality as number) >= 1 && (outbound!.aiQuality as number) <= 5);
    assert.is(outbound!.state, 'active');
    assert.match(graph.requests[0]!.body.text!.body!, /^\[Demo assistant\]/);
    assert.is(outbound!.chars, graph.requests[0]!.body.text!.body!.length);

    await w.post(notification([{ messages: [textMessage(ADV.waId, 'Thanks!')] }]));
    await w.webhook.responder.idle();
    const all = events(w);
    assert.is(all.length, 4);
    assert.ok(all.every((e) => e.conversationId === inbound!.conversationId));
    assert.is(all[3]!.state, 'completed');
    const conv = (await (await fetch(`${w.base}/api/webhook/conversations`)).json()) as { active: unknown[]; completedToday: number };
    assert.is(conv.active.length, 0);
    assert.is(conv.completedToday, 1);
    // The next text starts a new conversation.
    await w.post(notification([{ messages: [textMessage(ADV.waId, 'Hi again')] }]));
    await w.webhook.responder.idle();
    assert.is.not(events(w)[4]!.conversationId, inbound!.conversationId);
  }));

test('status updates become delivery_status events; a failure carries its reason; our own sends carry their content', () =>
  withWebhook(async (w, graph) => {
    await w.post(notification([{ messages: [templateTap(ADV.waId, 'RETRIEVE_CONTENT', 'wamid.TPL', 'cnt-7')] }]));
    await w.webhook.responder.idle();
    const sentId = graph.issued[0]!;
    const failure = { code: 131026, title: 'Message undeliverable', details: 'Message Undeliverable.' };
    const res = await w.post(
      notification([
        { statuses: [statusUpdate(sentId, ADV.waId, 'sent'), statusUpdate(sentId, ADV.waId, 'delivered'), statusUpdate(sentId, ADV.waId, 'read')] },
        { statuses: [statusUpdate('wamid.OTHER', ADV2.waId, 'failed', failure as never)] },
      ]),
    );
    assert.is(res.status, 200);
    const st = events(w, 'delivery_status');
    assert.equal(st.map((e) => [e.messageId, e.status, e.contentId ?? null]), [
      [sentId, 'sent', 'cnt-7'],
      [sentId, 'delivered', 'cnt-7'],
      [sentId, 'read', 'cnt-7'],
      ['wamid.OTHER', 'failed', null],
    ]);
    assert.is(st[3]!.waId, ADV2.waId);
    assert.is(st[3]!.error, '131026 Message undeliverable: Message Undeliverable.');
  }));

test('a retried notification (same wamids) records nothing new and sends nothing twice, even while the first is in flight', () =>
  withWebhook(async (w, graph) => {
    graph.delayMs = 80;
    const body = notification([
      { messages: [templateTap(ADV.waId, 'UNLOCK_CONTENT', 'wamid.T', 'c1'), textMessage(ADV2.waId, 'hello')], statuses: [statusUpdate('wamid.X', ADV.waId, 'delivered')] },
    ]);
    const [a, b] = await Promise.all([w.post(body), w.post(body)]);
    assert.is(a.status, 200);
    assert.is(b.status, 200);
    await w.webhook.responder.idle();
    assert.is((await w.post(body)).status, 200);
    await w.webhook.responder.idle();
    const all = events(w);
    assert.equal(all.map((e) => e.type).sort(), ['button_click', 'chat_message', 'chat_message', 'delivery_status']);
    assert.is(new Set(all.map((e) => e.id)).size, all.length);
    assert.is(graph.requests.length, 2, 'one content send and one reply');
    assert.is(w.webhook.receiver.stats().duplicates, 6);
  }));

test('a retry after a restart is still recognised (ids come from the stored log)', async () => {
  const first = await startWebhook();
  const body = notification([{ messages: [interactiveTap(ADV.waId, 'UNLOCK_CONTENT'), textMessage(ADV.waId, 'hi')] }]);
  await first.post(body);
  await first.webhook.responder.idle();
  const n = events(first).length;
  await first.close(true);
  const second = await startWebhook({ dataDir: first.dataDir });
  try {
    assert.is((await second.post(body)).status, 200);
    await second.webhook.responder.idle();
    assert.is(events(second).length, n);
  } finally {
    await second.close();
  }
});

test('several entries, changes, messages and statuses in one POST are all recorded, in order', () =>
  withWebhook(async (w) => {
    const body = notification([
      { contacts: [ADV], messages: [interactiveTap(ADV.waId, 'UNLOCK_CONTENT'), interactiveTap(ADV.waId, 'SHARE_WITH_CLIENTS')] },
      { contacts: [ADV2], messages: [templateTap(ADV2.waId, 'RETRIEVE_CONTENT', 'wamid.T2')], statuses: [statusUpdate('wamid.S1', ADV2.waId, 'sent')] },
    ]) as { entry: object[] };
    const second = notification([{ statuses: [statusUpdate('wamid.S2', ADV.waId, 'read')] }]) as { entry: object[] };
    body.entry.push(...second.entry);
    assert.is((await w.post(body)).status, 200);
    await w.webhook.responder.idle();
    const clicks = events(w, 'button_click');
    assert.equal(clicks.map((c) => c.button).sort(), ['RETRIEVE_CONTENT', 'SHARE_WITH_CLIENTS', 'UNLOCK_CONTENT']);
    assert.equal(events(w, 'delivery_status').map((s) => s.messageId), ['wamid.S1', 'wamid.S2']);
    const seqs = w.storedEvents().map((e) => e.seq);
    assert.equal(seqs, seqs.map((_, i) => i + 1));
  }));

test('unknown message types, unknown buttons and other fields are counted, answered 200 and never fatal', () =>
  withWebhook(async (w) => {
    const image = { from: ADV.waId, id: 'wamid.IMG1', timestamp: '1764100000', type: 'image', image: { id: 'media1', mime_type: 'image/jpeg' } };
    const list = { from: ADV.waId, id: 'wamid.LIST1', timestamp: '1764100000', type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: 'x', title: 'X' } } };
    const odd = { from: ADV.waId, id: 'wamid.BTN1', timestamp: '1764100000', type: 'button', button: { payload: 'CALL_ME', text: 'Call me' } };
    const broken = { id: 'wamid.NOFROM', type: 'text', text: { body: 'x' } };
    const body = notification([{ messages: [image, list, odd, broken, interactiveTap(ADV.waId, 'UNLOCK_CONTENT')] }] as never) as { entry: { changes: object[] }[] };
    body.entry[0]!.changes.push({ field: 'account_update', value: { event: 'VERIFIED_ACCOUNT' } });
    const res = await w.post(body);
    assert.is(res.status, 200);
    assert.is((await w.post(body)).status, 200, 'and again (a retry)');
    await w.webhook.responder.idle();
    assert.is(events(w).length, 1, 'only the known tap is an event');
    const metrics = (await (await fetch(`${w.base}/api/webhook/metrics`)).json()) as { received: { unknown: Record<string, number>; malformed: number } };
    assert.equal(metrics.received.unknown, { image: 1, 'interactive:list_reply': 1, 'button:CALL_ME': 1, 'field:account_update': 2 });
    assert.is(metrics.received.malformed, 2);
    // A signed body that is not JSON, or not a WhatsApp notification.
    assert.is((await w.post('{not json')).status, 400);
    assert.is((await w.post({ object: 'page', entry: [] })).status, 200);
    assert.is(events(w).length, 1);
  }));

test('without an access token nothing is sent and each reply says so (local mode)', () =>
  withWebhook(async (w, graph) => {
    await w.post(notification([{ messages: [interactiveTap(ADV.waId, 'UNLOCK_CONTENT'), textMessage(ADV.waId, 'hello')] }]));
    await w.webhook.responder.idle();
    const click = events(w, 'button_click')[0];
    const reply = events(w, 'chat_message').find((e) => e.direction === 'outbound');
    assert.is(click!.outcome, 'success');
    assert.is(click!.note, LOCAL_MODE_NOTE);
    assert.is(reply!.note, LOCAL_MODE_NOTE);
    assert.is(graph.requests.length, 0);
    const health = (await (await fetch(`${w.base}/health`)).json()) as { replies: string; detail: string };
    assert.is(health.replies, 'local');
    assert.is(health.detail, LOCAL_MODE_NOTE);
  }, true));

test('a conversation idle past the limit is closed as abandoned, once', async () => {
  let now = Date.parse('2026-11-25T06:00:00Z');
  const graph = await startFakeGraphApi();
  const w = await startWebhook({ accessToken: 't', apiUrl: graph.url, now: () => now, abandonAfterMinutes: 30 });
  try {
    await w.post(notification([{ messages: [textMessage(ADV.waId, 'hello')] }]));
    await w.webhook.responder.idle();
    now += 29 * 60_000;
    assert.is(await w.webhook.sweep(), 0);
    now += 2 * 60_000;
    graph.delayMs = 60;
    const sent = graph.requests.length;
    // Two sweeps while the notice is on its way: one notice, one event.
    assert.equal(await Promise.all([w.webhook.sweep(), w.webhook.sweep()]), [1, 0]);
    assert.is(graph.requests.length, sent + 1);
    assert.is(await w.webhook.sweep(), 0);
    assert.is(events(w).filter((e) => e.state === 'abandoned').length, 1);
    const last = events(w).at(-1)!;
    assert.is(last.state, 'abandoned');
    assert.is(last.direction, 'outbound');
    assert.is(graph.requests.at(-1)!.body.to, ADV.waId);
    const conv = (await (await fetch(`${w.base}/api/webhook/conversations`)).json()) as { active: unknown[]; abandonedToday: number };
    assert.is(conv.active.length, 0);
    assert.is(conv.abandonedToday, 1);
  } finally {
    await w.close();
    await graph.close();
  }
});

test('a signed body nested 2,000 levels deep is 400 json_too_deep, counted as malformed, nothing recorded', () =>
  withWebhook(async (w, graph) => {
    const good = notification([{ contacts: [ADV], messages: [templateTap(ADV.waId, 'UNLOCK_CONTENT', 'wamid.DEEP1', 'cnt-1')] }]);
    const deep = JSON.stringify(good).replace('"messages":[', `"context":${'{"a":'.repeat(2000)}1${'}'.repeat(2000)},"messages":[`);
    const before = w.storedEvents();
    const malformed = w.webhook.receiver.stats().malformed;
    const res = await w.post(deep);
    assert.is(res.status, 400);
    const body = (await res.json()) as { error: { code: string; message: string; details: Array<{ field: string }> } };
    assert.is(body.error.code, 'json_too_deep');
    assert.is(body.error.details[0]!.field, 'entry.0.changes.0.value.context.a.a.…');
    await w.webhook.responder.idle();
    assert.equal(w.storedEvents(), before);
    assert.is(graph.requests.length, 0, 'nothing sent');
    assert.is(w.webhook.receiver.stats().malformed, malformed + 1);
    // The same notification without the deep part goes through.
    assert.is((await w.post(good)).status, 200);
    await w.webhook.responder.idle();
    assert.is(events(w, 'button_click').length, 1);
  }));

test('a hand-edited deep line in the event log is counted as corrupt at open and never served', async () => {
  const first = await startWebhook();
  const body = notification([{ messages: [textMessage(ADV.waId, 'hello')] }]);
  await first.post(body);
  await first.webhook.responder.idle();
  const served = (await (await fetch(`${first.base}/api/webhook/events?after=0`)).json()) as { events: Array<{ id: string; seq: number }> };
  await first.close(true);
  const file = fs.readdirSync(first.dataDir).filter((f) => f.endsWith('.jsonl')).sort().at(-1)!;
  const lastSeq = served.events.at(-1)!.seq;
  fs.appendFileSync(path.join(first.dataDir, file), `{"id":"planted","seq":${lastSeq + 1},"type":"status","ts":"2026-11-25T10:00:00Z","x":${'['.repeat(3000)}${']'.repeat(3000)}}\n`);
  const second = await startWebhook({ dataDir: first.dataDir });
  try {
    assert.is(second.webhook.log.openReport.corruptLines, 1);
    const page = (await (await fetch(`${second.base}/api/webhook/events?after=0`)).json()) as { events: Array<{ id: string }> };
    const ids = page.events.map((e) => e.id);
    for (const e of served.events) assert.ok(ids.includes(e.id), `${e.id} still served`);
    assert.not.ok(ids.includes('planted'));
  } finally {
    await second.close();
  }
});

test('other methods and paths are refused in the error shape', () =>
  withWebhook(async (w) => {
    const put = await fetch(`${w.base}/webhook`, { method: 'PUT' });
    assert.is(put.status, 405);
    const other = await fetch(`${w.base}/nope`);
    assert.is(other.status, 404);
    assert.is(((await other.json()) as { error: { code: string } }).error.code, 'not_found');
  }));

test.run();
