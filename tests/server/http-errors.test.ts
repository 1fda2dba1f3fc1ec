// The HTTP edge of the gateway: the one error shape for unknown routes and unreadable bodies (400, 404,
// 405, 413, 415), security headers on API and client responses, and the unauthenticated liveness probe.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startAdminGateway, TestClient, type AdminGateway, type Reply } from '../support/test-gateway.js';

let t: AdminGateway;
let admin: TestClient;
let staticDir: string;

/** Exactly {error: {code, message, details?}}: no other keys anywhere at those two levels. */
function assertErrorShape(res: Reply, status: number, code: string, where = ''): void {
  assert.is(res.status, status, `${where} expected ${status}, got ${res.status} ${res.text}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/, `${where} content type`);
  assert.type(res.body, 'object', `${where} JSON body`);
  assert.equal(Object.keys(res.body as object), ['error'], `${where} top-level keys`);
  const keys = Object.keys(res.body.error).sort();
  assert.ok(
    JSON.stringify(keys) === '["code","message"]' || JSON.stringify(keys) === '["code","details","message"]',
    `${where} error keys ${keys.join(',')}`,
  );
  assert.is(res.body.error.code, code, `${where} code`);
  assert.match(res.body.error.code, /^[a-z][a-z0-9_]*$/, 'snake_case code');
  assert.type(res.body.error.message, 'string');
  assert.ok(res.body.error.message.length > 0);
}

/** A raw request, for bodies fetch will not send (chunked, lying content types). */
function raw(method: string, pathname: string, headers: Record<string, string>, chunks: Buffer[]): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(t.base + pathname, { method, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // keep the text
        }
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
        resolve({ status: res.statusCode ?? 0, headers: h, body, text });
      });
    });
    // The server may answer and close before the whole body is sent; that is the point of a limit.
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

test.before(async () => {
  staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-static-'));
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Ops Center</title><script type="module" src="/main.js"></script>');
  t = await startAdminGateway({}, { staticDir });
  admin = t.admin;
});

test.after(async () => {
  await t?.close();
  fs.rmSync(staticDir, { recursive: true, force: true });
});

test('GET /healthz answers {status:"ok"} without auth', async () => {
  const res = await new TestClient(t.base).get('/healthz');
  assert.is(res.status, 200);
  assert.equal(res.body, { status: 'ok' });
});

test('an unknown /api path is 404 with the error shape, signed in or not, for any method', async () => {
  assertErrorShape(await new TestClient(t.base).get('/api/no-such-thing'), 404, 'not_found', 'anonymous GET');
  assertErrorShape(await admin.get('/api/no-such-thing'), 404, 'not_found', 'admin GET');
  assertErrorShape(await admin.post('/api/no-such-thing', {}), 404, 'not_found', 'admin POST');
  assertErrorShape(await admin.get('/api/users/extra/segments'), 404, 'not_found', 'deeper path');
});

test('a known path with an unsupported method is refused with the error shape', async () => {
  const res = await admin.request('PUT', '/api/users', {});
  assert.ok(res.status === 405 || res.status === 404, `got ${res.status}`);
  assertErrorShape(res, res.status, res.status === 405 ? 'method_not_allowed' : 'not_found');
});

test('malformed JSON is 400 invalid_json and changes nothing', async () => {
  const before = (await admin.get('/api/users')).body;
  assertErrorShape(await admin.post('/api/users', '{"username": "x",'), 400, 'invalid_json', 'truncated');
  assertErrorShape(await admin.post('/api/users', "{'username': 'x'}"), 400, 'invalid_json', 'single quotes');
  assertErrorShape(await admin.post('/api/users', '"just a string"'), 400, 'invalid_json', 'a bare string (strict JSON)');
  assertErrorShape(await new TestClient(t.base).post('/api/auth/login', '{nope'), 400, 'invalid_json', 'login');
  assert.equal((await admin.get('/api/users')).body, before);
});

test('a body over 1 MiB is 413 with the error shape (declared length)', async () => {
  const big = JSON.stringify({ username: 'big', password: 'password-123', role: 'viewer', pad: 'x'.repeat(1024 * 1024) });
  assertErrorShape(await admin.post('/api/users', big), 413, 'payload_too_large');
  assert.not.ok((await admin.get('/api/users')).body.users.some((u: { username: string }) => u.username === 'big'));
});

test('a chunked body over 1 MiB without a Content-Length is 413 too', async () => {
  const chunk = Buffer.from(`"${'y'.repeat(64 * 1024)}",`);
  const chunks = [Buffer.from('{"pad":[')];
  for (let i = 0; i < 20; i++) chunks.push(chunk);
  chunks.push(Buffer.from('"end"]}'));
  const res = await raw(
    'POST',
    '/api/users',
    { 'content-type': 'application/json', 'transfer-encoding': 'chunked', cookie: admin.cookieHeader(), 'x-csrf-token': admin.csrf!, origin: t.base },
    chunks,
  );
  assertErrorShape(res, 413, 'payload_too_large', 'chunked');
});

test('a body that is not JSON (text/plain, form) is 415 with the error shape', async () => {
  assertErrorShape(await admin.post('/api/users', 'username=x', { 'content-type': 'text/plain' }), 415, 'unsupported_media_type', 'text/plain');
  assertErrorShape(
    await admin.post('/api/users', 'username=x&password=password-123&role=admin', { 'content-type': 'application/x-www-form-urlencoded' }),
    415,
    'unsupported_media_type',
    'form',
  );
  assertErrorShape(
    await new TestClient(t.base).post('/api/auth/login', 'username=admin', { 'content-type': 'text/plain' }),
    415,
    'unsupported_media_type',
    'login',
  );
  assert.not.ok((await admin.get('/api/users')).body.users.some((u: { username: string }) => u.username === 'x'));
});

test('application/json with a charset parameter is accepted', async () => {
  const res = await admin.post('/api/users', { username: 'charset-ok', password: 'password-123', role: 'viewer' }, { 'content-type': 'application/json; charset=utf-8' });
  assert.is(res.status, 201, res.text);
});

test('validation errors, auth errors and backend errors all have exactly the error shape', async () => {
  assertErrorShape(await admin.post('/api/users', {}), 400, 'validation_failed');
  assertErrorShape(await new TestClient(t.base).get('/api/users'), 401, 'unauthenticated');
  assertErrorShape(await admin.get('/api/processes'), 503, 'pm2_unreachable');
  assertErrorShape(await admin.get('/api/metrics/system?minutes=0'), 400, 'validation_failed');
  assertErrorShape(await admin.get('/api/audit?limit=9999'), 400, 'validation_failed');
});

function assertSecurityHeaders(res: Reply, where: string): void {
  const csp = res.headers.get('content-security-policy');
  assert.ok(csp, `${where}: Content-Security-Policy present`);
  const directives = new Map(
    csp!.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
      const [name, ...values] = d.split(/\s+/);
      return [name!.toLowerCase(), values] as const;
    }),
  );
  const scriptSrc = directives.get('script-src') ?? directives.get('default-src');
  assert.ok(scriptSrc, `${where}: script-src or default-src`);
  assert.not.ok(scriptSrc!.includes("'unsafe-inline'"), `${where}: script-src has no 'unsafe-inline'`);
  assert.not.ok(scriptSrc!.includes("'unsafe-eval'"), `${where}: script-src has no 'unsafe-eval'`);
  assert.is(res.headers.get('x-content-type-options'), 'nosniff', `${where}: nosniff`);
  const frameAncestors = directives.get('frame-ancestors');
  const xfo = res.headers.get('x-frame-options');
  assert.ok(
    (frameAncestors && frameAncestors.join(' ') === "'none'") || (xfo !== null && /^(deny|sameorigin)$/i.test(xfo)),
    `${where}: framing refused (frame-ancestors ${frameAncestors?.join(' ')}, X-Frame-Options ${xfo})`,
  );
}

test('an API response carries the security headers', async () => {
  assertSecurityHeaders(await admin.get('/api/auth/me'), 'GET /api/auth/me');
  assertSecurityHeaders(await new TestClient(t.base).get('/api/users'), '401 answer');
  assertSecurityHeaders(await admin.post('/api/users', '{bad'), '400 answer');
});

test('the client shell at / carries the security headers', async () => {
  const res = await new TestClient(t.base).get('/', { accept: 'text/html' });
  assert.is(res.status, 200);
  assert.match(res.text, /Ops Center/);
  assertSecurityHeaders(res, 'GET /');
  const deep = await new TestClient(t.base).get('/agents/some-run', { accept: 'text/html' });
  assert.is(deep.status, 200, 'client routes get the shell');
  assertSecurityHeaders(deep, 'GET /agents/some-run');
});

test.run();
