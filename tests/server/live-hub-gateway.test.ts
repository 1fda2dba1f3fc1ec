// The live hub as mounted on the real gateway: upgrade auth by session cookie or `Authorization: Bearer`
// (never `?token=`), the Origin
// rule, snapshot frames for status and processes (PM2 unreachable), live changes after the snapshot,
// and connections closed (4001) on logout, disable and token revoke.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocket } from 'ws';
import type { IncomingMessage } from 'node:http';
import { signedInAdmin, signedInAs, startAdminGateway, tokenClient, TestClient, type AdminGateway, type TestGateway } from '../support/test-gateway.js';
import { readFrames } from '../support/live-frames.js';

type Outcome = { ws: WebSocket; status?: undefined } | { status: number; body: any };

function connect(t: TestGateway, opts: { cookie?: string; origin?: string | null; token?: string; tokenInUrl?: string; authorization?: string } = {}): Promise<Outcome> {
  const url = `${t.base.replace('http', 'ws')}/ws${opts.tokenInUrl !== undefined ? `?token=${encodeURIComponent(opts.tokenInUrl)}` : ''}`;
  const headers: Record<string, string> = {};
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.authorization) headers.authorization = opts.authorization;
  if (opts.origin !== null) headers.origin = opts.origin ?? t.base;
  const ws = new WebSocket(url, { headers });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // keep text
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    ws.once('error', reject);
  });
}

async function open(t: TestGateway, opts: Parameters<typeof connect>[1]): Promise<WebSocket> {
  const r = await connect(t, opts);
  if (r.status !== undefined) throw new Error(`upgrade refused: ${r.status} ${JSON.stringify(r.body)}`);
  return r.ws;
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve({ code: -1, reason: 'already closed' });
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

let t: AdminGateway;
let admin: TestClient;
const sockets: WebSocket[] = [];

test.before(async () => {
  t = await startAdminGateway();
  admin = t.admin;
});

test.after(async () => {
  for (const ws of sockets) ws.terminate();
  await t?.close();
});

test('an upgrade to /ws without a session is refused with 401 and the error shape', async () => {
  const r = await connect(t, {});
  assert.is(r.status, 401);
  assert.equal(Object.keys((r as { body: object }).body), ['error']);
  assert.is((r as { body: any }).body.error.code, 'unauthenticated');
  const forged = await connect(t, { cookie: 'oc.sid=forged; oc.sid.sig=nope' });
  assert.is(forged.status, 401);
});

test('a session cookie with a foreign Origin is refused with 403', async () => {
  const r = await connect(t, { cookie: admin.cookieHeader(), origin: 'http://evil.example' });
  assert.is(r.status, 403);
  assert.is((r as { body: any }).body.error.code, 'origin_forbidden');
  const none = await connect(t, { cookie: admin.cookieHeader(), origin: null });
  assert.is(none.status, 403, 'a cookie upgrade without Origin is refused too');
});

test('cookie + same Origin: subscribing to status and processes gives snapshot frames', async () => {
  const ws = await open(t, { cookie: admin.cookieHeader() });
  sockets.push(ws);
  const f = readFrames(ws);
  ws.send(JSON.stringify({ op: 'subscribe', topics: ['status', 'processes'] }));
  const status = await f.next((x) => x.topic === 'status');
  const processes = await f.next((x) => x.topic === 'processes');
  for (const frame of [status, processes]) {
    assert.equal(Object.keys(frame).sort(), ['data', 'seq', 'topic', 'type']);
    assert.is(frame.type, 'snapshot');
    assert.type(frame.seq, 'number');
  }
  assert.ok(Number.isFinite(Date.parse(status.data.generatedAt)), 'status has generatedAt');
  assert.ok(Array.isArray(status.data.history), 'status has history');
  assert.ok(status.data.history.length >= 1);
  assert.is(status.data.processes, null);
  assert.is(processes.data.state, 'down');
  assert.is(processes.data.processes, null);

  // A change after the snapshot arrives as a later frame with a higher seq.
  await t.gw.services.status.tick();
  const change = await f.next((x) => x.topic === 'processes' && x.type !== 'snapshot');
  assert.ok(change.seq > processes.seq, `${change.seq} > ${processes.seq}`);
  assert.is(change.data.state, 'down');
  ws.close();
});

test('an API token in `Authorization: Bearer` at upgrade connects without a cookie or Origin and gets snapshots', async () => {
  const bot = await tokenClient(t.base, admin, 'viewer');
  const ws = await open(t, { token: bot.bearer!, origin: null });
  sockets.push(ws);
  const f = readFrames(ws);
  ws.send(JSON.stringify({ op: 'subscribe', topics: ['status'] }));
  const snap = await f.next((x) => x.topic === 'status');
  assert.is(snap.type, 'snapshot');
  ws.close();
  const bad = await connect(t, { token: 'oc_ffffffffffff_' + 'A'.repeat(43), origin: null });
  assert.is(bad.status, 401, 'an unknown token is refused');
  assert.is((bad as { body: any }).body.error.code, 'invalid_token');
  const basic = await connect(t, { authorization: 'Basic YWRtaW46YWRtaW4=', origin: null });
  assert.is(basic.status, 401, 'another scheme is refused');
  assert.is((basic as { body: any }).body.error.code, 'invalid_token');
  const foreign = await connect(t, { token: bot.bearer!, origin: 'http://evil.example' });
  assert.is(foreign.status, 403, 'a token from a foreign page is refused like a cookie');
});

test('`?token=` on /ws is refused with 401 token_in_url saying to use the Authorization header, even with a valid token or cookie', async () => {
  const bot = await tokenClient(t.base, admin, 'viewer');
  const cases: Array<Parameters<typeof connect>[1]> = [
    { tokenInUrl: bot.bearer!, origin: null },
    { tokenInUrl: bot.bearer!, token: bot.bearer!, origin: null },
    { tokenInUrl: '', cookie: admin.cookieHeader() },
    { tokenInUrl: 'x', origin: 'http://evil.example' },
  ];
  for (const c of cases) {
    const r = await connect(t, c);
    assert.is(r.status, 401, JSON.stringify(c));
    const body = (r as { body: any }).body;
    assert.equal(Object.keys(body), ['error']);
    assert.is(body.error.code, 'token_in_url');
    assert.match(body.error.message, 'Authorization: Bearer');
  }
  // The token itself still works the right way.
  const ws = await open(t, { token: bot.bearer!, origin: null });
  ws.close();
});

test('an ingest-scope token cannot open a live connection (403 token_scope, as over HTTP)', async () => {
  const ingest = await tokenClient(t.base, admin, 'admin', 'ingest');
  const r = await connect(t, { token: ingest.bearer!, origin: null });
  assert.is(r.status, 403);
  assert.is((r as { body: any }).body.error.code, 'token_scope');
});

test('revoking a token closes its live connection with 4001', async () => {
  const created = await admin.post('/api/tokens', { name: 'live-bot', scope: 'api', role: 'viewer' });
  const ws = await open(t, { token: created.body.token, origin: null });
  sockets.push(ws);
  const done = closed(ws);
  assert.is((await admin.request('DELETE', `/api/tokens/${created.body.id}`)).status, 204);
  assert.is((await done).code, 4001);
});

test("logout closes that session's live connection with 4001 and leaves other sessions connected", async () => {
  const user = await signedInAs(t.base, admin, 'operator', 'live-op');
  const other = new TestClient(t.base);
  assert.is((await other.login('live-op', 'operator-password-1')).status, 200);
  const mine = await open(t, { cookie: user.cookieHeader() });
  const theirs = await open(t, { cookie: other.cookieHeader() });
  sockets.push(mine, theirs);
  const done = closed(mine);
  assert.is((await user.post('/api/auth/logout')).status, 204);
  const { code } = await done;
  assert.is(code, 4001);
  assert.is(theirs.readyState, WebSocket.OPEN, 'the other session of the same user stays connected');
  theirs.close();
});

test('a stale cookie from a logged-out session cannot open a connection', async () => {
  const user = await signedInAdmin(t.base);
  const stale = user.cookieHeader();
  assert.is((await user.post('/api/auth/logout')).status, 204);
  const r = await connect(t, { cookie: stale });
  assert.is(r.status, 401);
});

test('disabling a user closes their live connections with 4001', async () => {
  const user = await signedInAs(t.base, admin, 'viewer', 'live-viewer');
  const ws = await open(t, { cookie: user.cookieHeader() });
  sockets.push(ws);
  const done = closed(ws);
  assert.is((await admin.request('PATCH', '/api/users/live-viewer', { disabled: true })).status, 200);
  assert.is((await done).code, 4001);
  const r = await connect(t, { cookie: user.cookieHeader() });
  assert.is(r.status, 401);
});

test.run();
