// Walks THE access table (gateway/routes/route-table.ts) for every route and every kind of caller:
// anonymous, each role by bearer token and by cookie session (with CSRF), and an ingest-scope token.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROUTES, type RouteSpec } from '../../gateway/routes/route-table.js';
import { roleAtLeast, ROLES, type Role } from '../../gateway/auth/role.js';
import { signedInAdmin, signedInAs, startAdminGateway, tokenClient, TestClient, type AdminGateway, type Reply } from '../support/test-gateway.js';

// Harmless values: nothing real is found, so nothing real is changed or deleted.
const PARAM_VALUES: Record<string, string> = {
  username: 'no-such-user',
  id: 'ffffffffffff',
  name: 'no-such-process',
  op: 'restart',
  runId: 'no-such-run',
  agent: 'no-such-agent',
  fingerprint: 'ffffffffffffffff',
};

function concretePath(path: string): string {
  return path.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    const value = PARAM_VALUES[name];
    if (!value) throw new Error(`no harmless value for :${name} in ${path}; add one to PARAM_VALUES`);
    return value;
  });
}

const withBody = (r: RouteSpec) => r.method === 'POST' || r.method === 'PUT' || r.method === 'PATCH';
const label = (r: RouteSpec) => `${r.method} ${r.path}`;

function call(client: TestClient, r: RouteSpec): Promise<Reply> {
  return client.request(r.method, concretePath(r.path), withBody(r) ? {} : undefined);
}

function assertErrorShape(res: Reply, status: number, code: string, where: string): void {
  assert.is(res.status, status, `${where}: expected ${status}, got ${res.status} ${res.text}`);
  assert.type(res.body, 'object', `${where}: body is JSON`);
  const keys = Object.keys(res.body as object);
  assert.equal(keys, ['error'], `${where}: only an "error" key`);
  assert.is(res.body.error.code, code, `${where}: code`);
  assert.type(res.body.error.message, 'string', `${where}: message`);
}

// A route a bearer token may reach but whose handler is for signed-in users only (it needs the
// current password of a user, which a token does not have).
const SESSION_ONLY = new Set(['POST /api/auth/password']);

let t: AdminGateway;
let admin: TestClient;
const bearer = new Map<Role, TestClient>();
let ingest: TestClient;

test.before(async () => {
  t = await startAdminGateway();
  admin = t.admin;
  for (const role of ROLES) bearer.set(role, await tokenClient(t.base, admin, role));
  ingest = await tokenClient(t.base, admin, 'admin', 'ingest');
});

test.after(async () => {
  await t?.close();
});

test('every state-changing route in the table names an audit action', () => {
  const missing = ROUTES.filter((r) => r.method !== 'GET' && !r.audit).map(label);
  assert.equal(missing, [], `routes without an audit action: ${missing.join(', ')}`);
});

test('every route in the table is unique and every path parameter has a harmless test value', () => {
  const seen = new Set<string>();
  for (const r of ROUTES) {
    assert.not.ok(seen.has(label(r)), `duplicate ${label(r)}`);
    seen.add(label(r));
    concretePath(r.path);
  }
});

test('an anonymous caller gets 401 with the error shape on every non-public route', async () => {
  const anon = new TestClient(t.base);
  for (const r of ROUTES) {
    const res = await call(anon, r);
    if (r.access === 'public') {
      assert.ok(res.status !== 401 && res.status !== 403, `${label(r)} is public but answered ${res.status} ${res.text}`);
    } else {
      assertErrorShape(res, 401, 'unauthenticated', `anonymous ${label(r)}`);
    }
  }
});

test('a bearer token below the route role gets 403 forbidden; at or above it is let through', async () => {
  for (const role of ROLES) {
    const client = bearer.get(role)!;
    for (const r of ROUTES) {
      const res = await call(client, r);
      const where = `${role} token ${label(r)}`;
      if (r.access !== 'public' && !roleAtLeast(role, r.access)) {
        assertErrorShape(res, 403, 'forbidden', where);
      } else if (SESSION_ONLY.has(label(r))) {
        assertErrorShape(res, 403, 'session_required', where);
      } else {
        assert.ok(res.status !== 401 && res.status !== 403, `${where}: answered ${res.status} ${res.text}`);
      }
    }
  }
});

test('a cookie session with the CSRF token gets 403 forbidden below the route role and passes at or above it', async () => {
  for (const role of ROLES) {
    const username = `${role}-matrix`;
    const fresh = () => (role === 'admin' ? signedInAdmin(t.base) : signedInAs(t.base, admin, role, username));
    let client = await fresh();
    for (const r of ROUTES) {
      const res = await call(client, r);
      const where = `${role} session ${label(r)}`;
      if (r.access !== 'public' && !roleAtLeast(role, r.access)) {
        assertErrorShape(res, 403, 'forbidden', where);
      } else {
        assert.ok(res.status !== 401 && res.status !== 403, `${where}: answered ${res.status} ${res.text}`);
      }
      // Signing out (or a login on the same client) ends this session; continue with a new one.
      if (r.path === '/api/auth/logout' && res.status === 204) client = await fresh();
    }
  }
});

test('a cookie session without the CSRF token is refused on every state-changing route it may call', async () => {
  const client = await signedInAdmin(t.base);
  client.csrf = null;
  for (const r of ROUTES) {
    if (r.method === 'GET' || r.access === 'public') continue;
    const res = await call(client, r);
    assertErrorShape(res, 403, 'csrf_failed', `admin session without CSRF ${label(r)}`);
  }
  // The session itself is still fine.
  assert.is((await client.get('/api/auth/me')).status, 200);
});

test('an ingest-scope token gets 403 token_scope on every route outside ingest, even with the admin role', async () => {
  for (const r of ROUTES) {
    const res = await call(ingest, r);
    if (r.access === 'public' || r.scopes?.includes('ingest')) {
      assert.ok(res.status !== 401 && res.status !== 403, `${label(r)} is public but answered ${res.status}`);
    } else {
      assertErrorShape(res, 403, 'token_scope', `ingest token ${label(r)}`);
    }
  }
});

test('the probing changed no users and no tokens', async () => {
  const users = await admin.get('/api/users');
  assert.equal(
    users.body.users.map((u: { username: string }) => u.username).sort(),
    ['admin', 'operator-matrix', 'viewer-matrix'],
  );
  const tokens = await admin.get('/api/tokens');
  assert.is(tokens.body.tokens.length, 4);
});

test.run();
