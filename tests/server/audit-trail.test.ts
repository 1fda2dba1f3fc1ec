// The audit trail as seen through GET /api/audit: what state-changing requests leave behind (including
// refused and failed ones and sign-ins), newest first, filters, cursor paging, bad cursors, access.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeCursor } from '../../gateway/store/journal-reader.js';
import { ADMIN_PASSWORD, signedInAs, startTestGateway, TestClient, type Reply, type TestGateway } from '../support/test-gateway.js';

interface Entry {
  ts: string;
  actor: string;
  action: string;
  target?: string;
  outcome: 'ok' | 'denied' | 'failed';
  status: number;
  ip: string;
  detail?: string;
}

let t: TestGateway;
let admin: TestClient;
let viewer: TestClient;

function assertError(res: Reply, status: number, code: string, where = ''): void {
  assert.is(res.status, status, `${where} expected ${status}, got ${res.status} ${res.text}`);
  assert.equal(Object.keys(res.body as object), ['error']);
  assert.is(res.body.error.code, code, where);
}

async function audit(query = ''): Promise<{ items: Entry[]; nextCursor: string | null }> {
  const res = await admin.get(`/api/audit${query}`);
  assert.is(res.status, 200, res.text);
  return res.body;
}

test.before(async () => {
  t = await startTestGateway();
  admin = new TestClient(t.base);
  // A failed sign-in first, then the real one.
  assert.is((await admin.post('/api/auth/login', { username: 'admin', password: 'wrong-password' })).status, 401);
  assert.is((await admin.login('admin', ADMIN_PASSWORD)).status, 200);
  viewer = await signedInAs(t.base, admin, 'viewer', 'vera');
  // A refused request (role too low) and a failed validation.
  assert.is((await viewer.post('/api/users', { username: 'mallory', password: 'password-123', role: 'admin' })).status, 403);
  assert.is((await admin.post('/api/users', { username: 'X', password: 'short', role: 'viewer' })).status, 400);
  assert.is((await admin.post('/api/users', { username: 'olga', password: 'password-123', role: 'operator' })).status, 201);
});

test.after(async () => {
  await t?.close();
});

test('every entry has ts, actor, action, outcome, status and ip', async () => {
  const { items } = await audit();
  assert.ok(items.length >= 7, `only ${items.length} entries`);
  for (const e of items) {
    assert.type(e.ts, 'string');
    assert.ok(Number.isFinite(Date.parse(e.ts)), e.ts);
    assert.type(e.actor, 'string');
    assert.type(e.action, 'string');
    assert.ok(['ok', 'denied', 'failed'].includes(e.outcome), e.outcome);
    assert.type(e.status, 'number');
    assert.type(e.ip, 'string');
    assert.ok(e.ip.length > 0);
  }
});

test('state-changing requests appear newest first with their outcome', async () => {
  const { items } = await audit();
  const summary = items.map((e) => `${e.actor} ${e.action} ${e.target ?? '-'} ${e.outcome} ${e.status}`);
  assert.equal(summary.slice(0, 7), [
    'admin user.create olga ok 201',
    'admin user.create - failed 400',
    'vera user.create - denied 403',
    'vera auth.login vera ok 200',
    'admin user.create vera ok 201',
    'admin auth.login admin ok 200',
    'anonymous auth.login admin denied 401',
  ]);
  for (let i = 1; i < items.length; i++) assert.ok(items[i - 1]!.ts >= items[i]!.ts, 'newest first');
  assert.is(items[1]!.detail, 'validation_failed');
  assert.is(items[2]!.detail, 'forbidden');
  assert.is(items[6]!.detail, 'invalid_credentials');
});

test('the trail holds no passwords or password hashes', async () => {
  const res = await admin.get('/api/audit?limit=500');
  assert.not.match(res.text, /password-123|admin-password|wrong-password|\$2[aby]\$/);
});

test('reads (GET) are not audited', async () => {
  await admin.get('/api/users');
  await admin.get('/api/health');
  const { items } = await audit('?limit=500');
  assert.not.ok(items.some((e) => e.action.startsWith('GET') || e.action === 'user.list'));
});

test('the actor filter returns only that actor, newest first', async () => {
  const { items } = await audit('?actor=vera');
  assert.ok(items.length >= 1);
  assert.ok(items.every((e) => e.actor === 'vera'));
  const anon = await audit('?actor=anonymous');
  assert.equal(anon.items.map((e) => e.action), ['auth.login']);
});

test('the action filter returns only that action', async () => {
  const { items } = await audit('?action=auth.login');
  assert.ok(items.length >= 3, 'failed admin, admin, vera sign-ins');
  assert.ok(items.every((e) => e.action === 'auth.login'));
  const both = await audit('?action=user.create&actor=admin');
  assert.equal(both.items.map((e) => e.target ?? '-'), ['olga', '-', 'vera']);
  const none = await audit('?actor=nobody-at-all');
  assert.equal(none, { items: [], nextCursor: null });
});

test('paging with limit=2 and cursor returns every entry exactly once, in order', async () => {
  // A few more entries so paging crosses several pages.
  for (let i = 0; i < 5; i++) await admin.post('/api/users', { username: `p${i}x`, password: 'password-123', role: 'viewer' });
  const all = (await audit('?limit=500')).items;
  assert.ok(all.length >= 11);
  const seen: Entry[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: { items: Entry[]; nextCursor: string | null } = await audit(`?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.ok(page.items.length <= 2);
    seen.push(...page.items);
    cursor = page.nextCursor;
    pages += 1;
    assert.ok(pages < 100, 'paging terminates');
  } while (cursor);
  assert.equal(seen, all);
  assert.is(new Set(seen.map((e) => JSON.stringify(e))).size, seen.length, 'no duplicates');
});

test('paging works together with a filter', async () => {
  const all = (await audit('?action=user.create&limit=500')).items;
  const seen: Entry[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: Entry[]; nextCursor: string | null } = await audit(`?action=user.create&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    seen.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  assert.equal(seen, all);
});

const BAD_CURSORS: Array<[string, string]> = [
  ['random text', 'not-a-cursor!!'],
  ['base64 of non-JSON', Buffer.from('hello').toString('base64url')],
  ['base64 JSON with the wrong fields', Buffer.from(JSON.stringify({ a: 1 })).toString('base64url')],
  ['a negative offset', Buffer.from(JSON.stringify({ o: 'd', s: '2026-11-25.jsonl', p: -1 })).toString('base64url')],
  ['a cursor of the ascending order', encodeCursor('2026-11-25.jsonl', 0, 'asc')],
];

for (const [what, cursor] of BAD_CURSORS) {
  test(`a malformed cursor (${what}) is 400 invalid_cursor`, async () => {
    assertError(await admin.get(`/api/audit?cursor=${encodeURIComponent(cursor)}`), 400, 'invalid_cursor', what);
  });
}

test('bad filters are 400 validation_failed', async () => {
  assertError(await admin.get('/api/audit?limit=0'), 400, 'validation_failed');
  assertError(await admin.get('/api/audit?limit=abc'), 400, 'validation_failed');
  assertError(await admin.get('/api/audit?since=yesterday'), 400, 'validation_failed');
});

test('since limits the entries to those at or after it', async () => {
  const all = (await audit('?limit=500')).items;
  const pivot = all[3]!.ts;
  const { items } = await audit(`?since=${encodeURIComponent(pivot)}&limit=500`);
  assert.ok(items.length >= 4);
  assert.ok(items.every((e) => e.ts >= pivot));
});

test('viewers and operators get 403 forbidden on the audit trail; anonymous 401', async () => {
  assertError(await viewer.get('/api/audit'), 403, 'forbidden');
  const operator = await signedInAs(t.base, admin, 'operator', 'otto');
  assertError(await operator.get('/api/audit'), 403, 'forbidden');
  assertError(await new TestClient(t.base).get('/api/audit'), 401, 'unauthenticated');
});

test.run();
