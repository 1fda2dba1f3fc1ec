// Behind TRUST_PROXY, only the entries our own proxies wrote count (TRUST_PROXY_HOPS from the right of
// X-Forwarded-For/-Proto/-Host): a client's own left-most entries change neither the sign-in throttle's key,
// the rate limit's key, the audit trail's IP, Secure cookies, nor the host the live hub's Origin check uses.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocket } from 'ws';
import type { IncomingMessage } from 'node:http';
import { startAdminGateway, startTestGateway, ADMIN_PASSWORD, type AdminGateway, type Reply, type TestGateway } from '../support/test-gateway.js';
import { loginFrom, rawRequest } from '../support/raw-http.js';
import { trustedForwardedValue } from '../../gateway/http/proxy-trust.js';
import { loadConfig, ConfigError } from '../../gateway/config.js';

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

/** What our one proxy sends: the client's own X-Forwarded-For, with the address it saw appended. */
const viaProxy = (spoofed: string, seen = '203.0.113.7') => ({ 'x-forwarded-for': `${spoofed}, ${seen}` });

async function auditIps(g: AdminGateway, target: string): Promise<string[]> {
  const r = await g.admin.get('/api/audit?action=auth.login&limit=500');
  assert.is(r.status, 200, r.text);
  return (r.body.items as Array<{ target?: string; ip: string }>).filter((e) => e.target === target).map((e) => e.ip);
}

test('the trusted entry is the hops-th from the right; fewer entries fall back to the left-most', () => {
  assert.is(trustedForwardedValue('1.1.1.1, 2.2.2.2, 3.3.3.3', 1), '3.3.3.3');
  assert.is(trustedForwardedValue('1.1.1.1, 2.2.2.2, 3.3.3.3', 2), '2.2.2.2');
  assert.is(trustedForwardedValue('3.3.3.3', 2), '3.3.3.3');
  assert.is(trustedForwardedValue(['1.1.1.1', '2.2.2.2'], 1), '2.2.2.2', 'repeated headers are one list');
  assert.is(trustedForwardedValue(' , ', 1), undefined);
  assert.is(trustedForwardedValue('1.1.1.1', 0), undefined, 'no proxy trusted');
});

test('with TRUST_PROXY=1 a spoofed left-most X-Forwarded-For does not change the sign-in throttle key', async () => {
  await withGateway(startTestGateway({ TRUST_PROXY: '1', LOGIN_MAX_FAILURES_PER_IP: '3' }), async (g) => {
    for (let i = 0; i < 3; i++) {
      assertError(await loginFrom(g.base, `spray-${i}`, 'password-123', undefined, viaProxy(`10.9.9.${i}`)), 401, 'invalid_credentials');
    }
    assertError(await loginFrom(g.base, 'admin', ADMIN_PASSWORD, undefined, viaProxy('10.9.9.200')), 429, 'rate_limited', 'a new spoofed entry, same client');
    assert.is((await loginFrom(g.base, 'admin', ADMIN_PASSWORD, undefined, viaProxy('10.9.9.0', '203.0.113.8'))).status, 200, 'another client of the proxy');
  });
});

test('with TRUST_PROXY=1 a spoofed left-most X-Forwarded-For does not change the rate-limit key', async () => {
  await withGateway(startTestGateway({ TRUST_PROXY: '1', RATE_LIMIT_PER_MINUTE: '3' }), async (g) => {
    for (let i = 0; i < 3; i++) {
      assert.is((await rawRequest(g.base, '/api/health', { headers: viaProxy(`10.8.8.${i}`) })).status, 401, `request ${i + 1}`);
    }
    assertError(await rawRequest(g.base, '/api/health', { headers: viaProxy('10.8.8.99') }), 429, 'rate_limited');
    assert.is((await rawRequest(g.base, '/api/health', { headers: viaProxy('10.8.8.99', '203.0.113.9') })).status, 401, 'another client has its own budget');
  });
});

test("with TRUST_PROXY=1 the audit trail records the proxy's entry, not the client's spoofed one", async () => {
  await withGateway(startAdminGateway({ TRUST_PROXY: '1' }), async (g) => {
    await loginFrom(g.base, 'audited', 'password-123', undefined, viaProxy('6.6.6.6', '198.51.100.23'));
    await loginFrom(g.base, 'audited', 'password-123', undefined, { 'x-forwarded-for': '198.51.100.24' });
    assert.equal((await auditIps(g, 'audited')).sort(), ['198.51.100.23', '198.51.100.24']);
  });
});

test('TRUST_PROXY_HOPS=2 takes the second entry from the right; without TRUST_PROXY the header is ignored', async () => {
  await withGateway(startAdminGateway({ TRUST_PROXY: '1', TRUST_PROXY_HOPS: '2' }), async (g) => {
    await loginFrom(g.base, 'two-hops', 'password-123', undefined, { 'x-forwarded-for': '6.6.6.6, 198.51.100.30, 10.0.0.2' });
    assert.equal(await auditIps(g, 'two-hops'), ['198.51.100.30']);
  });
  await withGateway(startAdminGateway(), async (g) => {
    await loginFrom(g.base, 'no-proxy', 'password-123', '127.0.0.9', viaProxy('6.6.6.6'));
    assert.equal(await auditIps(g, 'no-proxy'), ['127.0.0.9']);
  });
});

test('with TRUST_PROXY=1 the session cookie is Secure only when our proxy says https, whatever the client sent before it', async () => {
  await withGateway(startTestGateway({ TRUST_PROXY: '1' }), async (g) => {
    const secure = (r: Reply) => r.headers.getSetCookie().some((c) => c.startsWith('oc.sid=') && /;\s*secure/i.test(c));
    const spoofed = await loginFrom(g.base, 'admin', ADMIN_PASSWORD, undefined, { 'x-forwarded-proto': 'https, http' });
    assert.is(spoofed.status, 200);
    assert.not.ok(secure(spoofed), 'the client said https, our proxy saw http');
    const real = await loginFrom(g.base, 'admin', ADMIN_PASSWORD, undefined, { 'x-forwarded-proto': 'http, https' });
    assert.is(real.status, 200);
    assert.ok(secure(real), 'our proxy saw https');
  });
});

function upgrade(g: TestGateway, headers: Record<string, string>): Promise<number> {
  const ws = new WebSocket(`${g.base.replace('http', 'ws')}/ws`, { headers });
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    ws.once('error', reject);
  });
}

test('the live hub and the HTTP API read X-Forwarded-Host by the same rule for the Origin check', async () => {
  await withGateway(startAdminGateway({ TRUST_PROXY: '1', ALLOWED_HOSTS: 'ops.example.org,evil.example' }), async (g) => {
    const cookie = g.admin.cookieHeader();
    const csrf = g.admin.csrf!;
    const cases: Array<{ origin: string; forwardedHost: string; allowed: boolean }> = [
      { origin: 'https://ops.example.org', forwardedHost: 'ops.example.org', allowed: true },
      { origin: 'https://ops.example.org', forwardedHost: 'evil.example, ops.example.org', allowed: true },
      { origin: 'https://evil.example', forwardedHost: 'evil.example, ops.example.org', allowed: false },
    ];
    for (const c of cases) {
      const headers = { cookie, origin: c.origin, 'x-forwarded-host': c.forwardedHost, 'x-forwarded-proto': 'https' };
      const http = await rawRequest(g.base, '/api/auth/password', { method: 'POST', headers: { ...headers, 'x-csrf-token': csrf }, body: {} });
      const live = await upgrade(g, headers);
      const where = `${c.origin} via ${c.forwardedHost}`;
      if (c.allowed) {
        assertError(http, 400, 'validation_failed', `${where}: past the Origin check`);
        assert.is(live, 101, `${where}: live`);
      } else {
        assertError(http, 403, 'origin_mismatch', where);
        assert.is(live, 403, `${where}: live`);
      }
    }
  });
});

test('TRUST_PROXY_HOPS is validated: 0 and non-numbers stop the start with a message naming it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-config-'));
  try {
    for (const value of ['0', 'two', '1.5']) {
      try {
        loadConfig({ DATA_DIR: dir, TRUST_PROXY: '1', TRUST_PROXY_HOPS: value }, dir);
        assert.unreachable(`TRUST_PROXY_HOPS=${value} was accepted`);
      } catch (err) {
        assert.instance(err, ConfigError, `TRUST_PROXY_HOPS=${value}`);
        assert.ok((err as ConfigError).problems.some((p) => p.startsWith('TRUST_PROXY_HOPS:')), (err as ConfigError).message);
      }
    }
    assert.is(loadConfig({ DATA_DIR: dir }, dir).trustProxyHops, 1, 'default');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
