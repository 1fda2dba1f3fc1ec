// The live path of webhook events at rate: the connector gathers the frames that arrive while a journal append
// is under way into the next append (appends never queue up one small batch each), and the service sends stored
// events as `event` frames at once when quiet but at most every EVENTS_EVERY_MS under load, leaving the ones
// not yet sent out of the snapshot's `recent` (they follow as frames: none twice, none missed).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pino from 'pino';
import { WebhookConnector } from '../../gateway/domain/webhook/connector.js';
import { WebhookService, EVENTS_EVERY_MS } from '../../gateway/domain/webhook/webhook-service.js';
import type { WebhookEventStore } from '../../gateway/domain/webhook/event-store.js';
import type { WebhookEvent } from '../../gateway/domain/webhook/event-schema.js';
import type { WorkerPool } from '../../gateway/pool/worker-pool.js';
import { emptyFold } from '../../gateway/domain/webhook/analytics.js';
import { businessDate } from '../../gateway/domain/webhook/business-day.js';
import { fakeWebhookClient } from '../support/webhook-fake-client.js';
import { waitFor } from '../support/wait-for.js';

const STARTED = '2026-11-25T10:00:00.000Z';
const event = (seq: number): WebhookEvent =>
  ({ id: `wamid.${seq}:sent`, seq, type: 'delivery_status', ts: new Date().toISOString(), messageId: `wamid.${seq}`, waId: '9198', status: 'sent' }) as WebhookEvent;
const turn = () => new Promise((r) => setImmediate(r));

/** The states awaited here follow within a few turns: look often, give up soon. */
const TIMEOUT_MS = 3_000;
const PAUSE_MS = 5;

test('connector: frames arriving during an append are stored together by the next one', async () => {
  const fake = fakeWebhookClient(
    async () => ({ ok: true, latencyMs: 1, health: { status: 'healthy', type: 'Button Click Handler', startedAt: STARTED, uptimeSeconds: 1, messagesProcessed: 0 } }),
    STARTED,
  );
  const client = fake.client;
  const handlers = () => fake.stream()!;
  const pool = { run: async () => ({ events: [], rejected: [], nextAfter: 0, hasMore: false }) } as unknown as WorkerPool;
  const appends: number[][] = [];
  let release: () => void = () => {};
  let gate = new Promise<void>((r) => (release = r));
  const store = {
    onStored() {},
    restoredCursor: () => null,
    reject() {},
    clicksSince: async (_s: string, adopt: (c: Record<string, number>) => void) => adopt({ RETRIEVE_CONTENT: 0, UNLOCK_CONTENT: 0, SHARE_WITH_CLIENTS: 0 }),
    async accept(events: readonly WebhookEvent[]) {
      if (events.length === 0) return []; // the (empty) gap fill before the stream opens
      appends.push(events.map((e) => e.seq));
      await gate;
      return [...events];
    },
  } as unknown as WebhookEventStore;
  const connector = new WebhookConnector({ client, store, pool, clock: { now: Date.now }, logger: pino({ level: 'silent' }), pollMs: 60_000 });
  connector.start();
  try {
    await waitFor('the stream open', () => connector.view().connection === 'open', TIMEOUT_MS, PAUSE_MS);
    handlers().onFrame(JSON.stringify(event(1)));
    await waitFor('the first append', () => appends.length === 1, TIMEOUT_MS, PAUSE_MS);
    // 49 more frames over several socket reads while the first append waits for its fsync.
    for (let seq = 2; seq <= 50; seq++) {
      handlers().onFrame(JSON.stringify(event(seq)));
      if (seq % 7 === 0) await turn();
    }
    await turn();
    assert.equal(appends, [[1]], 'nothing else is appended while the first append is under way');
    release();
    await waitFor('the second append', () => appends.length === 2, TIMEOUT_MS, PAUSE_MS);
    gate = Promise.resolve();
    assert.equal(appends[1], Array.from({ length: 49 }, (_, i) => i + 2), 'one append for everything that arrived meanwhile, in order');
    await waitFor('the cursor at 50', () => connector.view().lastSeq === 50, TIMEOUT_MS, PAUSE_MS);
    handlers().onFrame(JSON.stringify(event(51)));
    await waitFor('the cursor at 51', () => connector.view().lastSeq === 51, TIMEOUT_MS, PAUSE_MS);
    assert.equal(appends.at(-1), [51]);
  } finally {
    release();
    await connector.stop();
  }
});

test('service: event frames at once when quiet, gathered under load; the snapshot leaves out the unsent ones', async () => {
  let listener: (events: WebhookEvent[]) => void = () => {};
  const kept: WebhookEvent[] = [];
  const store = {
    onStored(l: (events: WebhookEvent[]) => void) {
      listener = l;
    },
    recent: (n = 50) => kept.slice(-n),
    stats: () => ({ eventsStored: kept.length, lastEventAt: null, lastStoredSeq: null }),
    rejected: () => ({ malformed: 0, unknown: 0 }),
    flushRejected: async () => {},
    todayFold: () => emptyFold(businessDate(Date.now())),
  } as unknown as WebhookEventStore;
  const service = new WebhookService(store, null, { now: Date.now });
  const frames: Array<{ type: string; seq?: number; at: number }> = [];
  service.setPublisher((type, data) => frames.push({ type, seq: (data as WebhookEvent).seq, at: Date.now() }));
  const stored = (...seqs: number[]) => {
    const events = seqs.map(event);
    kept.push(...events);
    listener(events);
  };
  const eventFrames = () => frames.filter((f) => f.type === 'event').map((f) => f.seq);

  stored(1, 2);
  assert.equal(eventFrames(), [1, 2], 'quiet: sent in the same turn');
  stored(3);
  stored(4, 5);
  assert.equal(eventFrames(), [1, 2], 'right after: gathered');
  const snap = service.snapshot();
  assert.equal(snap.recent.map((e) => e.seq), [1, 2], 'the unsent ones are not in the snapshot: they follow as frames');
  assert.is(snap.status.eventsStored, 5);
  const sentAt = Date.now();
  await waitFor('the gathered frames', () => eventFrames().length === 5, TIMEOUT_MS, PAUSE_MS);
  assert.equal(eventFrames(), [1, 2, 3, 4, 5]);
  // With the next events tick, not seconds later; the slack allows a loaded machine.
  assert.ok(Date.now() - sentAt <= EVENTS_EVERY_MS + 500, 'with the next tick');
  assert.equal(service.snapshot().recent.map((e) => e.seq), [1, 2, 3, 4, 5]);
  stored(6);
  await service.stop(); // what was stored still goes out
  assert.equal(eventFrames(), [1, 2, 3, 4, 5, 6]);
});

test.run();
