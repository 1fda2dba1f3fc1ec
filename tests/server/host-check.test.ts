// DNS rebinding: HTTP requests and WebSocket upgrades whose Host is not an IP literal, localhost, the host of
// PUBLIC_ORIGIN or a name in ALLOWED_HOSTS are refused with 421 host_not_allowed; /healthz answers any name.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocket } from 'ws';
import { startAdminGateway, type AdminGateway, type Reply } from '../support/test-gateway.js';
import { rawRequest } from '../support/raw-http.js';
import { hostNameOf } from '../../gateway/http/host-check.js';
import { loadConfig, ConfigError } from '../../gateway/config.js';

function assertError(res: Reply, status: number, code: string, where = ''): void {
  assert.is(res.status, status, `${where} expected ${status}, got ${res.status} ${res.text}`);
  assert.equal(Object.keys(res.body as object), ['error'], `${where} error shape`);
  assert.is(res.body.error.code, code, `${where} code`);
  assert.type(res.body.error.message, 'string');
}

let g: AdminGateway;
let port: string;

test.before(async () => {
  g = await startAdminGateway({ ALLOWED_HOSTS: 'ops.example.org, Dashboard.LAN', PUBLIC_ORIGIN: 'https://public.example.com' });
  port = new URL(g.base).port;
});

test.after(async () => {
  await g?.close();
});

const asAdmin = (host: string, extra: Record<string, string> = {}) => ({ cookie: g.admin.cookieHeader(), host, ...extra });

test('a request naming a foreign host is refused with 421 host_not_allowed, even with a valid session', async () => {
  for (const host of [`rebind.attacker.example:${port}`, 'rebind.attacker.example', 'localhost.attacker.example', 'ops.example.org.attacker.example']) {
    const r = await rawRequest(g.base, '/api/auth/me', { headers: asAdmin(host) });
    assertError(r, 421, 'host_not_allowed', host);
    assert.not.ok(r.text.includes('admin'), 'nothing of the account leaks');
  }
  assertError(await rawRequest(g.base, '/', { headers: { host: 'rebind.attacker.example' } }), 421, 'host_not_allowed', 'outside /api too');
});

test('a state-changing request on a foreign host is refused and changes nothing', async () => {
  const before = (await g.admin.get('/api/users')).body;
  const headers = asAdmin('rebind.attacker.example', { origin: 'http://rebind.attacker.example', 'x-csrf-token': g.admin.csrf! });
  const r = await rawRequest(g.base, '/api/users', { method: 'POST', headers, body: { username: 'planted', password: 'planted-password-1', role: 'admin' } });
  assertError(r, 421, 'host_not_allowed');
  assert.equal((await g.admin.get('/api/users')).body, before, 'no user was added');
});

test('IP literals, localhost, PUBLIC_ORIGIN’s host and ALLOWED_HOSTS names are answered, any case, port or trailing dot', async () => {
  const hosts = [`127.0.0.1:${port}`, '10.1.2.3', `[::1]:${port}`, '[2001:db8::5]', `localhost:${port}`, 'LOCALHOST', 'ops.example.org', 'OPS.Example.org:443', 'ops.example.org.', 'dashboard.lan', 'public.example.com'];
  for (const host of hosts) {
    const r = await rawRequest(g.base, '/api/auth/me', { headers: asAdmin(host) });
    assert.is(r.status, 200, `${host}: ${r.status} ${r.text}`);
  }
});

test('a malformed or missing Host is refused', async () => {
  for (const host of ['admin@127.0.0.1', 'bad host', '[::1', 'a/b']) {
    assertError(await rawRequest(g.base, '/api/auth/me', { headers: asAdmin(host) }), 421, 'host_not_allowed', JSON.stringify(host));
  }
  assert.is(hostNameOf(undefined), null);
  assert.is(hostNameOf(''), null);
});

test('/healthz answers whatever the Host (PM2 and load balancers)', async () => {
  const r = await rawRequest(g.base, '/healthz', { headers: { host: 'lb-probe.internal' } });
  assert.is(r.status, 200);
  assert.equal(r.body, { status: 'ok' });
});

function upgrade(host: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const ws = new WebSocket(`${g.base.replace('http', 'ws')}/ws`, { headers: { host, ...headers } });
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.close();
      resolve({ status: 101, body: null });
    });
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    ws.once('error', reject);
  });
}

test('a WebSocket upgrade naming a foreign host is refused with 421 before anything else; our names connect', async () => {
  const cookie = g.admin.cookieHeader();
  const foreign = await upgrade('rebind.attacker.example', { cookie, origin: 'http://rebind.attacker.example' });
  assert.is(foreign.status, 421);
  assert.equal(Object.keys(foreign.body), ['error']);
  assert.is(foreign.body.error.code, 'host_not_allowed');
  assert.is((await upgrade(`127.0.0.1:${port}`, { cookie, origin: g.base })).status, 101);
  assert.is((await upgrade('ops.example.org', { cookie, origin: 'http://ops.example.org' })).status, 101);
});

test('behind a trusted proxy, X-Forwarded-Host must name us too (HTTP and upgrade)', async () => {
  const p = await startAdminGateway({ TRUST_PROXY: '1', ALLOWED_HOSTS: 'ops.example.org' });
  try {
    const cookie = p.admin.cookieHeader();
    const host = new URL(p.base).host;
    assertError(await rawRequest(p.base, '/api/auth/me', { headers: { cookie, host, 'x-forwarded-host': 'rebind.attacker.example' } }), 421, 'host_not_allowed');
    assert.is((await rawRequest(p.base, '/api/auth/me', { headers: { cookie, host, 'x-forwarded-host': 'ops.example.org' } })).status, 200);
    const ws = new WebSocket(`${p.base.replace('http', 'ws')}/ws`, { headers: { cookie, origin: p.base, 'x-forwarded-host': 'rebind.attacker.example' } });
    const status = await new Promise<number>((resolve, reject) => {
      ws.once('open', () => (ws.close(), resolve(101)));
      ws.once('unexpected-response', (_req, res: IncomingMessage) => (res.resume(), resolve(res.statusCode ?? 0)));
      ws.once('error', reject);
    });
    assert.is(status, 421);
  } finally {
    await p.close();
  }
});

test('ALLOWED_HOSTS is validated: schemes, ports, paths and wildcards stop the start with a message naming it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-config-'));
  try {
    for (const value of ['https://ops.example.org', 'ops.example.org:8080', 'ops.example.org/x', '*.example.org', 'bad_name']) {
      try {
        loadConfig({ DATA_DIR: dir, ALLOWED_HOSTS: value }, dir);
        assert.unreachable(`ALLOWED_HOSTS=${value} was accepted`);
      } catch (err) {
        assert.instance(err, ConfigError, value);
        assert.ok((err as ConfigError).problems.some((p) => p.startsWith('ALLOWED_HOSTS:')), (err as ConfigError).message);
      }
    }
    assert.equal(loadConfig({ DATA_DIR: dir, ALLOWED_HOSTS: ' Ops.Example.org , dash.lan. ,' }, dir).allowedHosts, ['ops.example.org', 'dash.lan']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
