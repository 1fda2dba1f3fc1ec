// /api/health is served from one cached body (SystemStatus.healthBytes) with an ETag: it is as fresh as
// before (a PM2 poll, a system sample or an invalidation shows at once, anything else within
// HEALTH_MAX_AGE_MS), the same bytes go to every caller allowed to read them, and the cache answers nobody
// the access rule refuses — not even with 304.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HEALTH_MAX_AGE_MS } from '../../gateway/domain/system-status.js';
import { ManualClock, TestClient, signedInAs, startAdminGateway, tokenClient, type AdminGateway } from '../support/test-gateway.js';
import { rawRequest } from '../support/raw-http.js';

/** A conditional GET as a poller sends it (fetch() would add Cache-Control: no-cache, which asks for the body). */
function conditional(c: TestClient, tag: string) {
  const headers: Record<string, string> = { 'if-none-match': tag };
  if (c.cookies.size) headers.cookie = c.cookieHeader();
  if (c.bearer) headers.authorization = `Bearer ${c.bearer}`;
  return rawRequest(c.base, '/api/health', { headers });
}

async function withGateway(fn: (t: AdminGateway, clock: ManualClock) => Promise<void>, env: Record<string, string> = {}): Promise<void> {
  const clock = new ManualClock();
  const t = await startAdminGateway(env, { clock });
  try {
    await fn(t, clock);
  } finally {
    await t.close();
  }
}

test('the body is cached with an ETag; If-None-Match with it is 304 with no body, another tag gets the body', async () => {
  await withGateway(async (t) => {
    const first = await t.admin.get('/api/health');
    assert.is(first.status, 200, first.text);
    const tag = first.headers.get('etag');
    assert.ok(tag, 'ETag present');
    assert.is(first.headers.get('cache-control'), 'no-store');
    assert.is(first.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.is(first.headers.get('content-length'), String(Buffer.byteLength(first.text)));
    assert.is(first.headers.get('content-encoding'), null, 'not compressed');

    const again = await t.admin.get('/api/health');
    assert.is(again.text, first.text, 'the same body while nothing changed');
    assert.is(again.headers.get('etag'), tag);

    const unchanged = await conditional(t.admin, tag!);
    assert.is(unchanged.status, 304);
    assert.is(unchanged.text, '');
    assert.is(unchanged.headers.get('etag'), tag);

    const other = await conditional(t.admin, '"something-else"');
    assert.is(other.status, 200);
    assert.is(other.text, first.text);

    // Cache-Control: no-cache in the request (what fetch() adds to a conditional request) asks for the body.
    const reload = await t.admin.get('/api/health', { 'if-none-match': tag! });
    assert.is(reload.status, 200);
    assert.is(reload.text, first.text);
  });
});

test('a PM2 poll, a system sample and an invalidation show at once; otherwise the body is at most HEALTH_MAX_AGE_MS old', async () => {
  await withGateway(async (t, clock) => {
    const status = t.gw.services.status;
    const first = await t.admin.get('/api/health');

    // Time alone: the same body until it is HEALTH_MAX_AGE_MS old, then a new one.
    clock.advance(HEALTH_MAX_AGE_MS - 1);
    assert.is((await t.admin.get('/api/health')).text, first.text, 'still the cached body just before the limit');
    clock.advance(1);
    const aged = await t.admin.get('/api/health');
    assert.is.not(aged.text, first.text);
    assert.is(aged.body.generatedAt, new Date(clock.now()).toISOString(), 'rebuilt at the limit');
    assert.is.not(aged.headers.get('etag'), first.headers.get('etag'));

    // A PM2 poll (unreachable here: observed "down" at the poll's time) shows at once.
    clock.advance(10);
    await status.refreshProcesses();
    const polled = await t.admin.get('/api/health');
    assert.is(polled.body.services.pm2.state, 'down');
    assert.is(polled.body.services.pm2.observedAt, new Date(clock.now()).toISOString(), 'the poll just made');

    // A system sample shows at once.
    clock.advance(10);
    const samplesBefore = status.history(60).length;
    await status.tick();
    assert.is(status.history(60).length, samplesBefore + 1);
    const sampled = await t.admin.get('/api/health');
    assert.is(sampled.body.system.observedAt, status.latest()!.ts);
    assert.is(sampled.body.generatedAt, new Date(clock.now()).toISOString());

    // Anything else that changed says so through invalidateHealth.
    clock.advance(10);
    status.invalidateHealth();
    assert.is((await t.admin.get('/api/health')).body.generatedAt, new Date(clock.now()).toISOString());
  });
});

test('every role and an API token get the same bytes: the body holds nothing about who asks', async () => {
  await withGateway(async (t) => {
    const viewer = await signedInAs(t.base, t.admin, 'viewer', 'watcher');
    const operator = await signedInAs(t.base, t.admin, 'operator', 'ops');
    const token = await tokenClient(t.base, t.admin, 'viewer');
    const admin = await t.admin.get('/api/health');
    for (const [who, c] of [['viewer', viewer], ['operator', operator], ['token', token]] as const) {
      const res = await c.get('/api/health');
      assert.is(res.status, 200, `${who}: ${res.text}`);
      assert.is(res.text, admin.text, who);
      assert.is(res.headers.get('etag'), admin.headers.get('etag'), who);
      assert.not.ok(res.text.includes('watcher') || res.text.includes('"ops"') || res.text.includes('"admin"'), `${who}: no user in the body`);
    }
  });
});

test('the cache answers nobody the access rule refuses, not even with 304 for a known ETag', async () => {
  await withGateway(
    async (t, clock) => {
      const ok = await t.admin.get('/api/health');
      const tag = ok.headers.get('etag')!;

      assert.is((await conditional(t.admin, tag)).status, 304, 'the tag is current');
      const anonymous = new TestClient(t.base);
      for (const res of [await anonymous.get('/api/health'), await conditional(anonymous, tag)]) {
        assert.is(res.status, 401, res.text);
        assert.is(res.body.error.code, 'unauthenticated');
        assert.is(res.headers.get('etag'), null);
      }

      const ingest = await tokenClient(t.base, t.admin, 'admin', 'ingest');
      const scoped = await conditional(ingest, tag);
      assert.is(scoped.status, 403, scoped.text);
      assert.is(scoped.body.error.code, 'token_scope');

      // A user disabled after its session began is refused at once.
      const viewer = await signedInAs(t.base, t.admin, 'viewer', 'watcher');
      assert.is((await viewer.get('/api/health')).status, 200);
      const disabled = await t.admin.request('PATCH', '/api/users/watcher', { disabled: true });
      assert.is(disabled.status, 200, disabled.text);
      const afterDisable = await conditional(viewer, tag);
      assert.is(afterDisable.status, 401, afterDisable.text);

      // A session past its idle timeout is refused, cached body or not.
      clock.advance(60_001);
      const idle = await conditional(t.admin, tag);
      assert.is(idle.status, 401, idle.text);
      assert.is(idle.headers.get('etag'), null);
    },
    { SESSION_IDLE_MINUTES: '1' },
  );
});

test.run();
