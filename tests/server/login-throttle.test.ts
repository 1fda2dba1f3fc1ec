// The sign-in throttle on a real composed gateway: attempts counted before the password check (parallel
// guesses), failures keyed per (username, address) pair with ceilings per address and per username, and the
// settings that size them. Second client machines are real connections from other 127.x addresses.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig, ConfigError } from '../../gateway/config.js';
import { throttleAddress } from '../../gateway/auth/login-throttle.js';
import { startAdminGateway, startTestGateway, ADMIN_PASSWORD, type AdminGateway, type Reply, type TestGateway } from '../support/test-gateway.js';
import { loginFrom } from '../support/raw-http.js';

function assertError(res: Reply, status: number, code: string, where = ''): void {
  assert.is(res.status, status, `${where} expected ${status}, got ${res.status} ${res.text}`);
  assert.equal(Object.keys(res.body as object), ['error'], `${where} error shape`);
  assert.is(res.body.error.code, code, `${where} code`);
}

async function withGateway<T extends TestGateway>(start: Promise<T>, fn: (g: T) => Promise<void>): Promise<void> {
  const g = await start;
  try {
    await fn(g);
  } finally {
    await g.close();
  }
}

async function createUser(g: AdminGateway, username: string, password: string): Promise<void> {
  const r = await g.admin.post('/api/users', { username, password, role: 'viewer' });
  assert.is(r.status, 201, r.text);
}

async function loginAudit(g: AdminGateway, target: string): Promise<Array<{ detail?: string; outcome: string; ip: string; count?: number }>> {
  const r = await g.admin.get('/api/audit?action=auth.login&limit=500');
  assert.is(r.status, 200, r.text);
  const items = r.body.items as Array<{ target?: string; targets?: string[]; detail?: string; outcome: string; ip: string; count?: number }>;
  // Refusals of anonymous callers are summed per address, action and reason a minute (one line with a count).
  return items.filter((e) => e.target === target || e.targets?.includes(target));
}

test('25 concurrent wrong guesses with the right password among them reach the password check at most 5 times; then the right password is refused', async () => {
  // A real bcrypt cost keeps every password check in flight while the others arrive.
  await withGateway(startAdminGateway({ BCRYPT_COST: '10' }), async (g) => {
    await createUser(g, 'target', 'target-password-1');
    const attempts = [
      ...Array.from({ length: 25 }, (_, i) => loginFrom(g.base, 'target', `wrong-guess-${i}`)),
      loginFrom(g.base, 'target', 'target-password-1'),
    ];
    const replies = await Promise.all(attempts);
    const statuses = replies.map((r) => r.status);
    const wrongChecked = statuses.slice(0, 25).filter((s) => s === 401).length;
    const refused = statuses.filter((s) => s === 429).length;
    const rightGotIn = statuses[25] === 200;
    assert.ok(statuses.every((s) => s === 401 || s === 429 || s === 200), `only 401, 429 or 200: ${statuses.join(',')}`);
    assert.ok(statuses.slice(0, 25).every((s) => s !== 200), 'no wrong guess signs in');
    assert.ok(wrongChecked <= 5, `wrong guesses that reached the password check: ${wrongChecked} (limit 5)`);
    // Every attempt took a point first: five reached the check, plus at most the one a right password gave back.
    const checked = wrongChecked + (rightGotIn ? 1 : 0);
    assert.ok(checked >= 5 && checked <= 6, `attempts that reached the password check: ${checked}`);
    assert.is(refused, 26 - checked);
    for (const r of replies.filter((x) => x.status === 429)) {
      assertError(r, 429, 'rate_limited');
      assert.ok(Number(r.headers.get('retry-after')) >= 1, 'Retry-After');
    }

    // The audit trail saw the same: each attempt once, with the check's outcome or the refusal.
    const audit = await loginAudit(g, 'target');
    const attemptsOf = (entries: typeof audit) => entries.reduce((n, e) => n + (e.count ?? 1), 0);
    assert.is(attemptsOf(audit), 26);
    assert.is(attemptsOf(audit.filter((e) => e.detail === 'invalid_credentials')), wrongChecked);
    assert.is(attemptsOf(audit.filter((e) => e.detail === 'rate_limited')), refused);
    assert.is(attemptsOf(audit.filter((e) => e.outcome === 'ok')), rightGotIn ? 1 : 0);

    const after = await loginFrom(g.base, 'target', 'target-password-1');
    assertError(after, 429, 'rate_limited', 'the right password once the limit is reached');
    assert.is(after.headers.getSetCookie().length, 0, 'no session cookie');
  });
});

test('30 failures from one address against user A leave user B on that address and user A on another address able to sign in', async () => {
  await withGateway(startAdminGateway(), async (g) => {
    await createUser(g, 'user-a', 'user-a-password-1');
    await createUser(g, 'user-b', 'user-b-password-1');
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await loginFrom(g.base, 'user-a', `wrong-${i}-xxxx`, '127.0.0.1')).status);
    assert.equal(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
    assert.ok(statuses.slice(5).every((s) => s === 429), statuses.join(','));

    assertError(await loginFrom(g.base, 'user-a', 'user-a-password-1', '127.0.0.1'), 429, 'rate_limited', 'the locked pair');
    assert.is((await loginFrom(g.base, 'user-b', 'user-b-password-1', '127.0.0.1')).status, 200, 'another user on the same address');
    assert.is((await loginFrom(g.base, 'user-a', 'user-a-password-1', '127.0.0.2')).status, 200, 'the same user from another address');
    assert.is((await loginFrom(g.base, 'USER-A', 'wrong-again-xx', '127.0.0.1')).status, 429, 'the pair is case-insensitive in the username');
  });
});

test('100 failures from one address across many usernames block that address for every user; other addresses sign in', async () => {
  await withGateway(startTestGateway(), async (g) => {
    // 4 per username stays under the pair limit: only the address ceiling (default 100) can stop this spray.
    for (let i = 0; i < 100; i++) {
      assertError(await loginFrom(g.base, `spray-${i % 25}`, `password-${i}`, '127.0.0.3'), 401, 'invalid_credentials', `attempt ${i + 1}`);
    }
    const blocked = await loginFrom(g.base, 'admin', ADMIN_PASSWORD, '127.0.0.3');
    assertError(blocked, 429, 'rate_limited', 'the address past its ceiling');
    assert.ok(Number(blocked.headers.get('retry-after')) >= 1);
    assert.is((await loginFrom(g.base, 'admin', ADMIN_PASSWORD, '127.0.0.4')).status, 200, 'another address');
  });
});

test('successful sign-ins do not count towards the address ceiling; failures do', async () => {
  await withGateway(startTestGateway({ LOGIN_MAX_FAILURES_PER_IP: '3' }), async (g) => {
    for (let i = 0; i < 5; i++) assert.is((await loginFrom(g.base, 'admin', ADMIN_PASSWORD)).status, 200, `success ${i + 1}`);
    for (let i = 0; i < 3; i++) assertError(await loginFrom(g.base, `u${i}x`, 'password-123'), 401, 'invalid_credentials');
    assertError(await loginFrom(g.base, 'admin', ADMIN_PASSWORD), 429, 'rate_limited');
  });
});

test('attempts refused at the pair limit use up neither the address ceiling nor the username ceiling', async () => {
  await withGateway(startAdminGateway({ LOGIN_MAX_FAILURES_PER_IP: '7', LOGIN_MAX_FAILURES_PER_USER: '7' }), async (g) => {
    await createUser(g, 'user-c', 'user-c-password-1');
    for (let i = 0; i < 5; i++) assertError(await loginFrom(g.base, 'user-c', `wrong-${i}-xxxx`, '127.0.0.5'), 401, 'invalid_credentials');
    for (let i = 0; i < 20; i++) assertError(await loginFrom(g.base, 'user-c', `more-${i}-xxxx`, '127.0.0.5'), 429, 'rate_limited');
    // 5 failures counted on each ceiling (limit 7), not 25.
    assert.is((await loginFrom(g.base, 'admin', ADMIN_PASSWORD, '127.0.0.5')).status, 200, 'the address ceiling is not used up');
    assert.is((await loginFrom(g.base, 'user-c', 'user-c-password-1', '127.0.0.6')).status, 200, 'the username ceiling is not used up');
  });
});

test('failures spread over many addresses reach the per-username ceiling; other users and LOGIN_MAX_FAILURES_PER_USER=0 are unaffected', async () => {
  await withGateway(startAdminGateway({ LOGIN_MAX_FAILURES_PER_USER: '8' }), async (g) => {
    await createUser(g, 'user-d', 'user-d-password-1');
    for (let i = 0; i < 5; i++) assertError(await loginFrom(g.base, 'user-d', `wrong-${i}-xxxx`, '127.0.1.1'), 401, 'invalid_credentials');
    for (let i = 0; i < 3; i++) assertError(await loginFrom(g.base, 'user-d', `wrong-${i}-yyyy`, '127.0.1.2'), 401, 'invalid_credentials');
    assertError(await loginFrom(g.base, 'user-d', 'user-d-password-1', '127.0.1.3'), 429, 'rate_limited', 'a fresh address, past the username ceiling');
    assert.is((await loginFrom(g.base, 'admin', ADMIN_PASSWORD, '127.0.1.3')).status, 200, 'another user from that address');
  });
  await withGateway(startAdminGateway({ LOGIN_MAX_FAILURES_PER_USER: '0' }), async (g) => {
    await createUser(g, 'user-e', 'user-e-password-1');
    for (let a = 1; a <= 12; a++) {
      for (let i = 0; i < 5; i++) assertError(await loginFrom(g.base, 'user-e', `wrong-${i}-xxxx`, `127.0.2.${a}`), 401, 'invalid_credentials');
    }
    assert.is((await loginFrom(g.base, 'user-e', 'user-e-password-1', '127.0.2.13')).status, 200, 'no username ceiling: 60 failures elsewhere do not block');
  });
});

test('LOGIN_MAX_FAILURES_PER_USER_IP sets the pair limit', async () => {
  await withGateway(startTestGateway({ LOGIN_MAX_FAILURES_PER_USER_IP: '2' }), async (g) => {
    for (let i = 0; i < 2; i++) assertError(await loginFrom(g.base, 'admin', `wrong-${i}-xxxx`), 401, 'invalid_credentials');
    assertError(await loginFrom(g.base, 'admin', ADMIN_PASSWORD), 429, 'rate_limited');
  });
});

test('an IPv6 client is counted by its /64: cycling addresses inside it does not reset the pair limit', async () => {
  assert.is(throttleAddress('2001:db8:1:2:aaaa::1'), throttleAddress('2001:db8:1:2:bbbb:cccc:dddd:2'));
  assert.is(throttleAddress('2001:0db8:0001:0002::9'), '2001:db8:1:2::/64');
  assert.is.not(throttleAddress('2001:db8:1:2::1'), throttleAddress('2001:db8:1:3::1'));
  assert.is(throttleAddress('::1'), '0:0:0:0::/64');
  assert.is(throttleAddress('fe80::1%eth0'), 'fe80:0:0:0::/64');
  assert.is(throttleAddress('::ffff:192.0.2.7'), '192.0.2.7', 'IPv4-mapped is the IPv4 address');
  assert.is(throttleAddress('192.0.2.7'), '192.0.2.7');
  // End to end: the proxy in front reports each attempt from a different address of one /64.
  await withGateway(startTestGateway({ TRUST_PROXY: '1' }), async (g) => {
    for (let i = 0; i < 5; i++) {
      assertError(await loginFrom(g.base, 'admin', `wrong-${i}-xxxx`, undefined, { 'x-forwarded-for': `2001:db8:7:7::${i + 1}` }), 401, 'invalid_credentials');
    }
    assertError(await loginFrom(g.base, 'admin', ADMIN_PASSWORD, undefined, { 'x-forwarded-for': '2001:db8:7:7:ffff::99' }), 429, 'rate_limited', 'same /64');
    assert.is((await loginFrom(g.base, 'admin', ADMIN_PASSWORD, undefined, { 'x-forwarded-for': '2001:db8:7:8::1' })).status, 200, 'another /64');
  });
});

test('sign-in throttle settings are validated: bad values stop the start with a message naming the setting', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-config-'));
  const bad: Array<[string, string]> = [
    ['LOGIN_MAX_FAILURES_PER_USER_IP', '0'],
    ['LOGIN_MAX_FAILURES_PER_IP', 'many'],
    ['LOGIN_MAX_FAILURES_PER_USER', '-1'],
    ['LOGIN_WINDOW_MINUTES', '0'],
  ];
  for (const [key, value] of bad) {
    try {
      loadConfig({ DATA_DIR: dir, [key]: value }, dir);
      assert.unreachable(`${key}=${value} was accepted`);
    } catch (err) {
      assert.instance(err, ConfigError, `${key}=${value}`);
      assert.ok((err as ConfigError).problems.some((p) => p.startsWith(`${key}:`)), (err as ConfigError).message);
    }
  }
  const defaults = loadConfig({ DATA_DIR: dir }, dir);
  assert.equal(defaults.loginThrottle, { perUserIp: 5, perIp: 100, perUser: 50, windowSeconds: 900 });
  const set = loadConfig({ DATA_DIR: dir, LOGIN_MAX_FAILURES_PER_USER_IP: '3', LOGIN_MAX_FAILURES_PER_IP: '500', LOGIN_MAX_FAILURES_PER_USER: '0', LOGIN_WINDOW_MINUTES: '60' }, dir);
  assert.equal(set.loginThrottle, { perUserIp: 3, perIp: 500, perUser: 0, windowSeconds: 3600 });
  fs.rmSync(dir, { recursive: true, force: true });
});

test.run();
