// Sign-in and sessions on a real composed gateway: cookie flags, session id rotation, logout, timeouts
// (injected clock), CSRF and Origin checks, login throttling (more in login-throttle.test.ts), the whole-API
// rate limit, own password change.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ADMIN_PASSWORD, ManualClock, signedInAs, startTestGateway, tokenClient, TestClient, type Reply, type TestGateway } from '../support/test-gateway.js';

const SID = 'oc.sid';

function assertError(res: Reply, status: number, code: string, where = ''): void {
  assert.is(res.status, status, `${where} expected ${status}, got ${res.status} ${res.text}`);
  assert.equal(Object.keys(res.body as object), ['error'], `${where} error shape`);
  assert.is(res.body.error.code, code, `${where} code`);
  assert.type(res.body.error.message, 'string');
}

function sessionCookie(res: Reply): string {
  const c = res.headers.getSetCookie().find((x) => x.startsWith(`${SID}=`) && !/expires=Thu, 01 Jan 1970/i.test(x));
  assert.ok(c, `no ${SID} cookie in ${JSON.stringify(res.headers.getSetCookie())}`);
  return c!;
}

/** A client carrying a copy of another client's cookies (what an attacker holding an old cookie has). */
function withCookiesOf(base: string, from: Map<string, string>): TestClient {
  const c = new TestClient(base);
  c.cookies = new Map(from);
  return c;
}

async function withGateway(env: Record<string, string>, fn: (t: TestGateway) => Promise<void>, overrides = {}): Promise<void> {
  const t = await startTestGateway(env, overrides);
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

let t: TestGateway;
let admin: TestClient;

test.before(async () => {
  t = await startTestGateway();
  admin = new TestClient(t.base);
  assert.is((await admin.login()).status, 200);
});

test.after(async () => {
  await t?.close();
});

test('login sets an HttpOnly, SameSite=Strict session cookie without Secure over plain http', async () => {
  const c = new TestClient(t.base);
  const res = await c.post('/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
  assert.is(res.status, 200);
  assert.equal(res.body, { user: { username: 'admin', role: 'admin' }, mustChangePassword: false });
  const cookie = sessionCookie(res).toLowerCase();
  assert.match(cookie, /; httponly/);
  assert.match(cookie, /; samesite=strict/);
  assert.not.match(cookie, /; secure/);
  const me = await c.get('/api/auth/me');
  assert.is(me.status, 200);
  assert.is(me.body.user.username, 'admin');
  assert.type(me.body.csrfToken, 'string');
  assert.ok(me.body.csrfToken.length >= 16);
});

test('behind a trusted TLS proxy (TRUST_PROXY=1, X-Forwarded-Proto: https) the session cookie is Secure', async () => {
  await withGateway({ TRUST_PROXY: '1' }, async (p) => {
    const c = new TestClient(p.base);
    const res = await c.post('/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD }, { 'x-forwarded-proto': 'https' });
    assert.is(res.status, 200, res.text);
    assert.match(sessionCookie(res).toLowerCase(), /; secure/);
  });
});

test('without TRUST_PROXY an X-Forwarded-Proto header does not make the cookie Secure', async () => {
  const c = new TestClient(t.base);
  const res = await c.post('/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD }, { 'x-forwarded-proto': 'https' });
  assert.is(res.status, 200);
  assert.not.match(sessionCookie(res).toLowerCase(), /; secure/);
});

test('every sign-in issues a new session id and the pre-login session id stops working', async () => {
  const c = new TestClient(t.base);
  await c.login();
  const first = c.cookies.get(SID);
  const old = withCookiesOf(t.base, c.cookies);
  assert.is((await old.get('/api/auth/me')).status, 200);
  await c.login();
  const second = c.cookies.get(SID);
  assert.ok(first && second && first !== second, `${first} vs ${second}`);
  assert.is((await c.get('/api/auth/me')).status, 200);
  assertError(await old.get('/api/auth/me'), 401, 'unauthenticated', 'old session id');
});

test('two sign-ins of the same user get different session ids and both work', async () => {
  const a = new TestClient(t.base);
  const b = new TestClient(t.base);
  await a.login();
  await b.login();
  assert.is.not(a.cookies.get(SID), b.cookies.get(SID));
  assert.is((await a.get('/api/auth/me')).status, 200);
  assert.is((await b.get('/api/auth/me')).status, 200);
});

test('logout destroys the session: the old cookie then gets 401', async () => {
  const c = new TestClient(t.base);
  await c.login();
  const stolen = withCookiesOf(t.base, c.cookies);
  const out = await c.post('/api/auth/logout');
  assert.is(out.status, 204);
  assert.not.ok(c.cookies.has(SID), 'the cookie is cleared');
  assertError(await stolen.get('/api/auth/me'), 401, 'unauthenticated', 'after logout');
  assertError(await c.get('/api/auth/me'), 401, 'unauthenticated');
});

test('GET /api/auth/session answers 200 either way: {user: null} signed out, what /api/auth/me says signed in', async () => {
  const nobody = { user: null, csrfToken: null, mustChangePassword: false };
  const c = new TestClient(t.base);
  const before = await c.get('/api/auth/session');
  assert.is(before.status, 200, before.text);
  assert.equal(before.body, nobody);
  await c.login();
  const during = await c.get('/api/auth/session');
  assert.is(during.status, 200);
  assert.equal(during.body, (await c.get('/api/auth/me')).body);
  assert.is(during.body.user.username, 'admin');
  assert.type(during.body.csrfToken, 'string');
  const stolen = withCookiesOf(t.base, c.cookies);
  assert.is((await c.post('/api/auth/logout')).status, 204);
  assert.equal((await stolen.get('/api/auth/session')).body, nobody, 'an ended session is nobody');
  const forged = withCookiesOf(t.base, stolen.cookies);
  forged.cookies.set(`${SID}.sig`, 'tampered-signature');
  assert.equal((await forged.get('/api/auth/session')).body, nobody, 'a forged cookie is nobody');
});

test('GET /api/auth/session: an API token is its user; an ingest token is nobody; a malformed token is 401', async () => {
  const api = await tokenClient(t.base, admin, 'viewer');
  const asApi = await api.get('/api/auth/session');
  assert.is(asApi.status, 200);
  assert.equal(asApi.body.user.role, 'viewer');
  assert.is(asApi.body.csrfToken, null);
  const ingest = await tokenClient(t.base, admin, 'admin', 'ingest');
  assert.equal((await ingest.get('/api/auth/session')).body, { user: null, csrfToken: null, mustChangePassword: false });
  assertError(await new TestClient(t.base).get('/api/auth/session', { authorization: 'Bearer nonsense' }), 401, 'invalid_token');
});

test('a session cookie with a tampered signature is treated as signed out (401, not a server error)', async () => {
  const c = new TestClient(t.base);
  await c.login();
  const forged = withCookiesOf(t.base, c.cookies);
  forged.cookies.set(`${SID}.sig`, 'tampered-signature');
  assertError(await forged.get('/api/auth/me'), 401, 'unauthenticated');
  const swapped = withCookiesOf(t.base, c.cookies);
  swapped.cookies.set(SID, 'someone-elses-session-id');
  assertError(await swapped.get('/api/auth/me'), 401, 'unauthenticated');
  assert.is((await c.get('/api/auth/me')).status, 200, 'the real session is unaffected');
});

test('an unknown user and a wrong password get the same 401 body', async () => {
  const c = new TestClient(t.base);
  const unknown = await c.post('/api/auth/login', { username: 'nobody-here', password: 'whatever-123' });
  const wrong = await c.post('/api/auth/login', { username: 'admin', password: 'not-the-password' });
  assertError(unknown, 401, 'invalid_credentials');
  assert.equal(unknown.body, wrong.body);
  assert.is(unknown.headers.getSetCookie().length, 0, 'no cookie on failure');
});

test('a sign-in whose username holds a control or bidi character is 400 naming username, not a 401', async () => {
  for (const username of ['admin\u0000', 'ad\u202Emin', 'admin\nforged line']) {
    const res = await new TestClient(t.base).post('/api/auth/login', { username, password: ADMIN_PASSWORD });
    assertError(res, 400, 'validation_failed', JSON.stringify(username));
    assert.equal(res.body.error.details.map((d: { field: string }) => d.field), ['username']);
  }
});

test('a login body with missing fields is 400 with details, not 401', async () => {
  const res = await new TestClient(t.base).post('/api/auth/login', { username: 'admin' });
  assertError(res, 400, 'validation_failed');
  assert.ok(Array.isArray(res.body.error.details));
  assert.ok(res.body.error.details.some((d: { field: string }) => d.field === 'password'));
});

test("disabling a user ends their existing session at once and they cannot sign in", async () => {
  const victim = await signedInAs(t.base, admin, 'operator', 'soon-disabled');
  assert.is((await victim.get('/api/auth/me')).status, 200);
  const patch = await admin.request('PATCH', '/api/users/soon-disabled', { disabled: true });
  assert.is(patch.status, 200, patch.text);
  assertError(await victim.get('/api/auth/me'), 401, 'unauthenticated', 'disabled session');
  assertError(await new TestClient(t.base).post('/api/auth/login', { username: 'soon-disabled', password: 'operator-password-1' }), 401, 'invalid_credentials');
});

test('a role change applies to an existing session at once', async () => {
  const c = await signedInAs(t.base, admin, 'admin', 'demoted-admin');
  assert.is((await c.get('/api/users')).status, 200);
  assert.is((await admin.request('PATCH', '/api/users/demoted-admin', { role: 'viewer' })).status, 200);
  // The role change ends the session too, so the old cookie is simply no longer signed in.
  const after = await c.get('/api/users');
  assert.ok(after.status === 401 || after.status === 403, `got ${after.status}`);
});

test('a session idle past SESSION_IDLE_MINUTES is gone; activity inside the window keeps it alive', async () => {
  const clock = new ManualClock();
  await withGateway({ SESSION_IDLE_MINUTES: '10', SESSION_ABSOLUTE_HOURS: '1' }, async (g) => {
    const c = new TestClient(g.base);
    assert.is((await c.login()).status, 200);
    clock.advance(9 * 60_000);
    assert.is((await c.get('/api/auth/me')).status, 200);
    clock.advance(9 * 60_000);
    assert.is((await c.get('/api/auth/me')).status, 200, 'used 9 minutes ago: still alive');
    clock.advance(10 * 60_000 + 1);
    assertError(await c.get('/api/auth/me'), 401, 'unauthenticated', 'idle');
  }, { clock });
});

test('a session older than SESSION_ABSOLUTE_HOURS is gone even when in constant use', async () => {
  const clock = new ManualClock();
  await withGateway({ SESSION_IDLE_MINUTES: '45', SESSION_ABSOLUTE_HOURS: '1' }, async (g) => {
    const c = new TestClient(g.base);
    assert.is((await c.login()).status, 200);
    clock.advance(30 * 60_000);
    assert.is((await c.get('/api/auth/me')).status, 200);
    clock.advance(29 * 60_000);
    assert.is((await c.get('/api/auth/me')).status, 200);
    clock.advance(2 * 60_000);
    assertError(await c.get('/api/auth/me'), 401, 'unauthenticated', 'absolute');
  }, { clock });
});

test('a cookie POST without X-CSRF-Token is 403 csrf_failed and changes nothing', async () => {
  const c = new TestClient(t.base);
  await c.login();
  const token = c.csrf;
  c.csrf = null;
  assertError(await c.post('/api/users', { username: 'csrf-victim', password: 'password-123', role: 'viewer' }), 403, 'csrf_failed');
  assertError(
    await c.post('/api/users', { username: 'csrf-victim', password: 'password-123', role: 'viewer' }, { 'x-csrf-token': `${token}x` }),
    403,
    'csrf_failed',
    'wrong token',
  );
  assertError(
    await c.post('/api/users', { username: 'csrf-victim', password: 'password-123', role: 'viewer' }, { 'x-csrf-token': 'A'.repeat(token!.length) }),
    403,
    'csrf_failed',
    'same-length wrong token',
  );
  const users = await admin.get('/api/users');
  assert.not.ok(users.body.users.some((u: { username: string }) => u.username === 'csrf-victim'));
  c.csrf = token;
  const ok = await c.post('/api/users', { username: 'csrf-victim', password: 'password-123', role: 'viewer' });
  assert.is(ok.status, 201, ok.text);
});

test('a cookie POST with a foreign Origin is 403 origin_mismatch', async () => {
  const c = new TestClient(t.base);
  await c.login();
  assertError(await c.post('/api/auth/logout', undefined, { origin: 'http://evil.example' }), 403, 'origin_mismatch');
  assert.is((await c.get('/api/auth/me')).status, 200, 'still signed in');
  // A forged sign-in from another site is refused too (login CSRF).
  assertError(
    await new TestClient(t.base).post('/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD }, { origin: 'http://evil.example' }),
    403,
    'origin_mismatch',
    'login',
  );
});

test('bearer requests need no CSRF token and no Origin', async () => {
  const bot = await tokenClient(t.base, admin, 'admin');
  assert.is(bot.csrf, null);
  const res = await bot.post('/api/users', { username: 'made-by-token', password: 'password-123', role: 'viewer' });
  assert.is(res.status, 201, res.text);
});

test('a malformed or unknown bearer token is 401 invalid_token even on a public route', async () => {
  const c = new TestClient(t.base);
  assertError(await c.get('/api/auth/me', { authorization: 'Bearer nonsense' }), 401, 'invalid_token');
  assertError(await c.get('/api/auth/me', { authorization: `Bearer oc_ffffffffffff_${'A'.repeat(43)}` }), 401, 'invalid_token');
  assertError(await c.get('/api/auth/me', { authorization: 'Basic YWRtaW46YWRtaW4=' }), 401, 'invalid_token');
});

test('five wrong passwords for one username from one address: the sixth attempt is 429 with Retry-After even with the right password; other usernames still sign in', async () => {
  await signedInAs(t.base, admin, 'viewer', 'guessed');
  const c = new TestClient(t.base);
  for (let i = 0; i < 5; i++) {
    assertError(await c.post('/api/auth/login', { username: 'guessed', password: `wrong-${i}-xxxx` }), 401, 'invalid_credentials', `attempt ${i + 1}`);
  }
  const blocked = await c.post('/api/auth/login', { username: 'guessed', password: 'viewer-password-1' });
  assertError(blocked, 429, 'rate_limited');
  const retry = Number(blocked.headers.get('retry-after'));
  assert.ok(retry >= 1 && retry <= 15 * 60, `Retry-After ${blocked.headers.get('retry-after')}`);
  assert.is(blocked.headers.getSetCookie().length, 0);
  assertError(await c.post('/api/auth/login', { username: 'GUESSED', password: 'x-wrong-xx' }), 429, 'rate_limited', 'case-insensitive');
  assert.is((await new TestClient(t.base).login()).status, 200, 'admin still signs in');
});

test('with RATE_LIMIT_PER_MINUTE=5 the sixth API request in a minute is 429 with Retry-After and the error shape', async () => {
  await withGateway({ RATE_LIMIT_PER_MINUTE: '5' }, async (g) => {
    const c = new TestClient(g.base);
    for (let i = 0; i < 5; i++) assert.is((await c.get('/api/health')).status, 401, `request ${i + 1}`);
    const limited = await c.get('/api/health');
    assertError(limited, 429, 'rate_limited');
    const retry = Number(limited.headers.get('retry-after'));
    assert.ok(retry >= 1 && retry <= 60, `Retry-After ${limited.headers.get('retry-after')}`);
    const live = await c.get('/healthz');
    assert.is(live.status, 200, 'liveness is outside the API limit');
  });
});

test('POST /api/auth/password: a wrong current password is 400; the right one changes it, old fails, new works', async () => {
  const me = await signedInAs(t.base, admin, 'operator', 'changer');
  const other = new TestClient(t.base);
  assert.is((await other.login('changer', 'operator-password-1')).status, 200);

  const wrong = await me.post('/api/auth/password', { currentPassword: 'not-it-at-all', newPassword: 'brand-new-pass-1' });
  assertError(wrong, 400, 'wrong_password');
  assert.is((await new TestClient(t.base).login('changer', 'operator-password-1')).status, 200, 'unchanged after the refusal');

  const short = await me.post('/api/auth/password', { currentPassword: 'operator-password-1', newPassword: 'short' });
  assertError(short, 400, 'validation_failed');
  for (const [what, newPassword] of [['common', 'LeaveMeAlone'], ['73 bytes', `${'b'.repeat(71)}é`], ['11 characters', 'elevenchars']]) {
    const refused = await me.post('/api/auth/password', { currentPassword: 'operator-password-1', newPassword });
    assertError(refused, 400, 'validation_failed', what);
    assert.equal(refused.body.error.details.map((d: { field: string }) => d.field), ['newPassword'], what);
  }
  assert.is((await new TestClient(t.base).login('changer', 'operator-password-1')).status, 200, 'unchanged after the refusals');

  const ok = await me.post('/api/auth/password', { currentPassword: 'operator-password-1', newPassword: 'brand-new-pass-1' });
  assert.is(ok.status, 204, ok.text);
  assert.is((await me.get('/api/auth/me')).status, 200, 'the session that changed it continues');
  assertError(await other.get('/api/auth/me'), 401, 'unauthenticated', 'other sessions of the user end');
  assertError(await new TestClient(t.base).post('/api/auth/login', { username: 'changer', password: 'operator-password-1' }), 401, 'invalid_credentials');
  assert.is((await new TestClient(t.base).login('changer', 'brand-new-pass-1')).status, 200);
});

test.run();
