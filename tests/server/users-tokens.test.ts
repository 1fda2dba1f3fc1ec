// The users and API tokens admin APIs on a real gateway: validation with field details and nothing
// stored on refusal, the last-admin rule, token secrets shown once and stored hashed, revoke and expiry.
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock, signedInAdmin, startAdminGateway, TestClient, type AdminGateway, type Reply } from '../support/test-gateway.js';

const clock = new ManualClock();
let t: AdminGateway;
let admin: TestClient;

function assertError(res: Reply, status: number, code: string, where = ''): void {
  assert.is(res.status, status, `${where} expected ${status}, got ${res.status} ${res.text}`);
  assert.equal(Object.keys(res.body as object), ['error'], `${where} error shape`);
  assert.is(res.body.error.code, code, `${where} code`);
  assert.type(res.body.error.message, 'string');
}

function fieldsOf(res: Reply): string[] {
  assert.ok(Array.isArray(res.body.error.details), `details is a list: ${res.text}`);
  for (const d of res.body.error.details) {
    assert.type(d.field, 'string');
    assert.type(d.problem, 'string');
  }
  // A field may break several rules (a short common password): each is its own detail.
  return [...new Set<string>(res.body.error.details.map((d: { field: string }) => d.field))].sort();
}

const dbFile = () => path.join(t.dataDir, 'db.json');
const dbText = () => fs.readFileSync(dbFile(), 'utf8');

interface StoredDb {
  users: Array<Record<string, unknown>>;
  tokens: Array<Record<string, unknown>>;
}

/** The stored users and tokens, without the informational lastUsedAt that bearer use may touch. */
function stored(): StoredDb {
  const db = JSON.parse(dbText()) as StoredDb;
  return { users: db.users, tokens: db.tokens.map(({ lastUsedAt: _ignored, ...rest }) => rest) };
}

async function listedTokens(): Promise<Array<Record<string, unknown>>> {
  const res = await admin.get<{ tokens: Array<Record<string, unknown>> }>('/api/tokens');
  return res.body.tokens.map(({ lastUsedAt: _ignored, ...rest }) => rest);
}

async function expectNothingChanges(action: () => Promise<void>): Promise<void> {
  const before = { db: stored(), users: (await admin.get('/api/users')).body, tokens: await listedTokens() };
  await action();
  assert.equal(stored(), before.db, 'db.json unchanged');
  assert.equal((await admin.get('/api/users')).body, before.users, 'GET /api/users unchanged');
  assert.equal(await listedTokens(), before.tokens, 'GET /api/tokens unchanged');
}

test.before(async () => {
  t = await startAdminGateway({}, { clock });
  admin = t.admin;
});

test.after(async () => {
  await t?.close();
});

test('creating a user answers 201 with the public fields only, never a password hash', async () => {
  const res = await admin.post('/api/users', { username: 'alice', password: 'alice-password-1', role: 'operator' });
  assert.is(res.status, 201, res.text);
  assert.is(res.body.user.username, 'alice');
  assert.is(res.body.user.role, 'operator');
  assert.is(res.body.user.disabled, false);
  assert.type(res.body.user.createdAt, 'string');
  assert.not.match(res.text, /passwordHash|\$2[aby]\$/);
  const list = await admin.get('/api/users');
  assert.ok(list.body.users.some((u: { username: string }) => u.username === 'alice'));
  assert.not.match(list.text, /passwordHash|\$2[aby]\$/);
  // The stored record has a bcrypt hash, never the password.
  assert.not.match(dbText(), /alice-password-1/);
  assert.ok((await new TestClient(t.base).login('alice', 'alice-password-1')).status === 200);
});

test('a duplicate username is 409 user_exists and changes nothing', async () => {
  await expectNothingChanges(async () => {
    assertError(await admin.post('/api/users', { username: 'alice', password: 'other-password-1', role: 'admin' }), 409, 'user_exists');
  });
  assert.is((await new TestClient(t.base).login('alice', 'alice-password-1')).status, 200, 'the original password still works');
});

const BAD_CREATES: Array<[string, unknown, string[]]> = [
  ['an empty object', {}, ['password', 'role', 'username']],
  ['an uppercase username', { username: 'Alice2', password: 'password-123', role: 'viewer' }, ['username']],
  ['a one-letter username', { username: 'a', password: 'password-123', role: 'viewer' }, ['username']],
  ['a username with a slash', { username: 'a/b', password: 'password-123', role: 'viewer' }, ['username']],
  ['a short password', { username: 'bob', password: 'short', role: 'viewer' }, ['password']],
  ['an 11-character password', { username: 'bob', password: 'elevenchars', role: 'viewer' }, ['password']],
  ['a common password written in capitals', { username: 'bob', password: 'QWERTYUIOP12', role: 'viewer' }, ['password']],
  ['a password of 74 UTF-8 bytes (bcrypt would ignore the rest)', { username: 'bob', password: 'é'.repeat(37), role: 'viewer' }, ['password']],
  ['a password ending in a line break', { username: 'bob', password: 'bob-password-1\n', role: 'viewer' }, ['password']],
  ['a username with a bidi override', { username: 'bob\u202Eexe', password: 'password-123', role: 'viewer' }, ['username']],
  ['an unknown role', { username: 'bob', password: 'password-123', role: 'root' }, ['role']],
  ['a number for a password', { username: 'bob', password: 12345678, role: 'viewer' }, ['password']],
  ['an unknown field', { username: 'bob', password: 'password-123', role: 'viewer', isAdmin: true }, ['(body)']],
  ['an array body', [], ['(body)']],
];

for (const [what, body, fields] of BAD_CREATES) {
  test(`creating a user with ${what} is 400 naming ${fields.join(', ')} and stores nothing`, async () => {
    await expectNothingChanges(async () => {
      const res = await admin.post('/api/users', body);
      assertError(res, 400, 'validation_failed', what);
      assert.equal(fieldsOf(res), fields);
    });
  });
}

test('a 12-character password and one of exactly 72 UTF-8 bytes are accepted, and each signs in', async () => {
  const twelve = 'tw3lve-chars';
  const seventyTwo = `${'é'.repeat(35)}ab`; // 70 + 2 bytes
  assert.is(Buffer.byteLength(seventyTwo), 72);
  assert.is((await admin.post('/api/users', { username: 'edge-12', password: twelve, role: 'viewer' })).status, 201);
  assert.is((await admin.post('/api/users', { username: 'edge-72', password: seventyTwo, role: 'viewer' })).status, 201);
  assert.is((await new TestClient(t.base).login('edge-12', twelve)).status, 200);
  assert.is((await new TestClient(t.base).login('edge-72', seventyTwo)).status, 200);
  for (const name of ['edge-12', 'edge-72']) assert.is((await admin.request('DELETE', `/api/users/${name}`)).status, 204);
});

test('a refused password is named by rule, never echoed back', async () => {
  const res = await admin.post('/api/users', { username: 'bob', password: 'QWERTYUIOP12', role: 'viewer' });
  assertError(res, 400, 'validation_failed');
  assert.equal(res.body.error.details, [{ field: 'password', problem: 'too common (on a list of leaked passwords); choose another' }]);
  assert.not.ok(res.text.includes('QWERTYUIOP12'));
});

test('creating a user with a JSON null body is refused with 400 and stores nothing', async () => {
  await expectNothingChanges(async () => {
    const res = await admin.post('/api/users', 'null');
    assert.is(res.status, 400, res.text);
    assert.equal(Object.keys(res.body), ['error']);
  });
});

test('PATCH changes role, password and disabled', async () => {
  const role = await admin.request('PATCH', '/api/users/alice', { role: 'viewer' });
  assert.is(role.status, 200, role.text);
  assert.is(role.body.user.role, 'viewer');
  assert.not.match(role.text, /passwordHash/);

  const pw = await admin.request('PATCH', '/api/users/alice', { password: 'alice-password-2' });
  assert.is(pw.status, 200);
  assertError(await new TestClient(t.base).post('/api/auth/login', { username: 'alice', password: 'alice-password-1' }), 401, 'invalid_credentials');
  const signed = new TestClient(t.base);
  assert.is((await signed.login('alice', 'alice-password-2')).status, 200);
  assert.is((await signed.get('/api/auth/me')).body.user.role, 'viewer');

  const off = await admin.request('PATCH', '/api/users/alice', { disabled: true });
  assert.is(off.status, 200);
  assert.is(off.body.user.disabled, true);
  assertError(await signed.get('/api/auth/me'), 401, 'unauthenticated');
  const on = await admin.request('PATCH', '/api/users/alice', { disabled: false });
  assert.is(on.body.user.disabled, false);
  assert.is((await new TestClient(t.base).login('alice', 'alice-password-2')).status, 200);
});

const BAD_PATCHES: Array<[string, unknown, string]> = [
  ['no fields', {}, '(body)'],
  ['an unknown field', { role: 'viewer', username: 'renamed' }, '(body)'],
  ['an unknown role', { role: 'superuser' }, 'role'],
  ['a string for disabled', { disabled: 'yes' }, 'disabled'],
  ['a short password', { password: 'short' }, 'password'],
  ['a common password', { password: 'Password1234' }, 'password'],
  ['a password of 73 UTF-8 bytes', { password: `${'a'.repeat(71)}é` }, 'password'],
];

for (const [what, body, field] of BAD_PATCHES) {
  test(`PATCH with ${what} is 400 naming ${field} and changes nothing`, async () => {
    await expectNothingChanges(async () => {
      const res = await admin.request('PATCH', '/api/users/alice', body);
      assertError(res, 400, 'validation_failed', what);
      assert.ok(fieldsOf(res).includes(field), `fields ${fieldsOf(res).join(',')} lack ${field}`);
    });
  });
}

test('PATCH of an unknown user is 404', async () => {
  await expectNothingChanges(async () => {
    assertError(await admin.request('PATCH', '/api/users/nobody', { role: 'viewer' }), 404, 'not_found');
  });
});

test('removing, demoting or disabling the last enabled admin is 409 last_admin and changes nothing', async () => {
  // A disabled second admin does not count.
  assert.is((await admin.post('/api/users', { username: 'sleeping-admin', password: 'password-123', role: 'admin' })).status, 201);
  assert.is((await admin.request('PATCH', '/api/users/sleeping-admin', { disabled: true })).status, 200);
  await expectNothingChanges(async () => {
    assertError(await admin.request('DELETE', '/api/users/admin'), 409, 'last_admin', 'delete');
    assertError(await admin.request('PATCH', '/api/users/admin', { role: 'operator' }), 409, 'last_admin', 'demote');
    assertError(await admin.request('PATCH', '/api/users/admin', { disabled: true }), 409, 'last_admin', 'disable');
  });
  assert.is((await admin.get('/api/auth/me')).status, 200, 'the admin is still signed in');
});

test('with a second enabled admin the first can be demoted; then the second is the last one', async () => {
  assert.is((await admin.request('PATCH', '/api/users/sleeping-admin', { disabled: false })).status, 200);
  const other = new TestClient(t.base);
  assert.is((await other.login('sleeping-admin', 'password-123')).status, 200);
  const demote = await other.request('PATCH', '/api/users/admin', { role: 'operator' });
  assert.is(demote.status, 200, demote.text);
  assertError(await other.request('PATCH', '/api/users/sleeping-admin', { role: 'viewer' }), 409, 'last_admin');
  assert.is((await other.request('PATCH', '/api/users/admin', { role: 'admin' })).status, 200);
  admin = await signedInAdmin(t.base);
});

test('DELETE a user answers 204, then 404; their sessions end', async () => {
  assert.is((await admin.post('/api/users', { username: 'leaving', password: 'password-123', role: 'viewer' })).status, 201);
  const c = new TestClient(t.base);
  assert.is((await c.login('leaving', 'password-123')).status, 200);
  const del = await admin.request('DELETE', '/api/users/leaving');
  assert.is(del.status, 204);
  assert.is(del.text, '');
  assertError(await admin.request('DELETE', '/api/users/leaving'), 404, 'not_found');
  assertError(await c.get('/api/auth/me'), 401, 'unauthenticated');
  assert.not.ok((await admin.get('/api/users')).body.users.some((u: { username: string }) => u.username === 'leaving'));
});

// --- API tokens ---

let secret = '';
let tokenId = '';

test('creating a token returns its secret once (oc_…); the list and the db file never hold it', async () => {
  const res = await admin.post('/api/tokens', { name: 'ci-bot', scope: 'api', role: 'operator' });
  assert.is(res.status, 201, res.text);
  assert.type(res.body.token, 'string');
  assert.ok(res.body.token.startsWith('oc_'), res.body.token);
  assert.type(res.body.id, 'string');
  assert.is(res.body.scope, 'api');
  assert.is(res.body.role, 'operator');
  assert.is(res.body.hash, undefined);
  secret = res.body.token;
  tokenId = res.body.id;
  const list = await admin.get('/api/tokens');
  assert.is(list.status, 200);
  const listed = list.body.tokens.find((x: { id: string }) => x.id === tokenId);
  assert.ok(listed, 'the token is listed');
  assert.is(listed.name, 'ci-bot');
  for (const x of list.body.tokens) {
    assert.is(x.token, undefined);
    assert.is(x.hash, undefined);
  }
  assert.not.ok(list.text.includes(secret), 'no secret in the list');
  const secretPart = secret.split('_').slice(2).join('_');
  assert.not.ok(list.text.includes(secretPart));
  assert.not.ok(dbText().includes(secretPart), 'no plain secret in db.json');
});

test('a bearer request with the new token works with its role', async () => {
  const bot = new TestClient(t.base);
  bot.bearer = secret;
  const me = await bot.get('/api/auth/me');
  assert.is(me.status, 200, me.text);
  assert.is(me.body.user.role, 'operator');
  assert.is(me.body.user.kind, 'token');
  assert.is(me.body.csrfToken, null);
  assertError(await bot.get('/api/users'), 403, 'forbidden');
});

test('a revoked token gets 401 invalid_token; revoking it again is 404', async () => {
  const del = await admin.request('DELETE', `/api/tokens/${tokenId}`);
  assert.is(del.status, 204);
  const bot = new TestClient(t.base);
  bot.bearer = secret;
  assertError(await bot.get('/api/auth/me'), 401, 'invalid_token');
  assertError(await admin.request('DELETE', `/api/tokens/${tokenId}`), 404, 'not_found');
  assert.not.ok((await admin.get('/api/tokens')).body.tokens.some((x: { id: string }) => x.id === tokenId));
});

test('a token past its expiresAt gets 401 invalid_token', async () => {
  const expiresAt = new Date(clock.now() + 60 * 60_000).toISOString();
  const res = await admin.post('/api/tokens', { name: 'short-lived', scope: 'api', expiresAt });
  assert.is(res.status, 201, res.text);
  assert.is(res.body.expiresAt, expiresAt);
  assert.is(res.body.role, 'viewer', 'role defaults to viewer');
  const bot = new TestClient(t.base);
  bot.bearer = res.body.token;
  assert.is((await bot.get('/api/health')).status, 200);
  clock.advance(60 * 60_000 - 1);
  assert.is((await bot.get('/api/health')).status, 200);
  clock.advance(1);
  assertError(await bot.get('/api/health'), 401, 'invalid_token');
});

const BAD_TOKENS: Array<[string, unknown, string]> = [
  ['no name', { scope: 'api' }, 'name'],
  ['a blank name', { name: '   ', scope: 'api' }, 'name'],
  ['an unknown scope', { name: 'x', scope: 'everything' }, 'scope'],
  ['an unknown role', { name: 'x', scope: 'api', role: 'root' }, 'role'],
  ['a malformed expiresAt', { name: 'x', scope: 'api', expiresAt: 'tomorrow' }, 'expiresAt'],
  ['an unknown field', { name: 'x', scope: 'api', hash: 'abc' }, '(body)'],
  ['a name with a right-to-left override', { name: 'deploy\u202Egnp.exe', scope: 'api' }, 'name'],
  ['a name with a line break', { name: 'deploy\nbot', scope: 'api' }, 'name'],
  ['a name with a zero-width space', { name: 'deploy\u200Bbot', scope: 'api' }, 'name'],
  ['a name with a NUL', { name: 'deploy\u0000bot', scope: 'api' }, 'name'],
  ['a name with a paragraph separator', { name: 'deploy\u2029bot', scope: 'api' }, 'name'],
];

for (const [what, body, field] of BAD_TOKENS) {
  test(`creating a token with ${what} is 400 naming ${field} and stores nothing`, async () => {
    await expectNothingChanges(async () => {
      const res = await admin.post('/api/tokens', body);
      assertError(res, 400, 'validation_failed', what);
      assert.ok(fieldsOf(res).includes(field), `fields ${fieldsOf(res).join(',')} lack ${field}`);
    });
  });
}

test('a token name in another script with accents and emoji is kept as written', async () => {
  const res = await admin.post('/api/tokens', { name: 'déploiement — नमस्ते 🚀', scope: 'api' });
  assert.is(res.status, 201, res.text);
  assert.is(res.body.name, 'déploiement — नमस्ते 🚀');
  assert.is((await admin.request('DELETE', `/api/tokens/${res.body.id}`)).status, 204);
});

test('creating a token whose expiresAt is in the past (by the injected clock) is 400 and stores nothing', async () => {
  await expectNothingChanges(async () => {
    const res = await admin.post('/api/tokens', { name: 'stale', scope: 'api', expiresAt: new Date(clock.now() - 1000).toISOString() });
    assertError(res, 400, 'validation_failed');
    assert.equal(fieldsOf(res), ['expiresAt']);
    const now = await admin.post('/api/tokens', { name: 'stale', scope: 'api', expiresAt: new Date(clock.now()).toISOString() });
    assertError(now, 400, 'validation_failed', 'expiring right now');
  });
});

test.run();
