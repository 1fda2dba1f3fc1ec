// Test harness: a real composed gateway (real lowdb, journal, worker pool, hub) on 127.0.0.1:0 in a temp
// data directory, plus a tiny cookie-aware HTTP client and the admin's sign-in with it (for this gateway or a
// gateway process). PM2 points at an empty temp home (unreachable) unless a test passes the home of a real
// sandbox daemon.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { loadConfig, type Config } from '../../gateway/config.js';
import { composeGateway, type ComposeOverrides, type Gateway } from '../../gateway/compose.js';
import type { Clock } from '../../gateway/clock.js';

export const ADMIN_PASSWORD = 'admin-password-1';

export interface TestGateway {
  gw: Gateway;
  server: http.Server;
  base: string;
  dataDir: string;
  config: Config;
  close(): Promise<void>;
}

export class ManualClock implements Clock {
  constructor(public ms = Date.parse('2026-11-25T10:00:00Z')) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export async function startTestGateway(
  env: Record<string, string> = {},
  overrides: ComposeOverrides & { start?: boolean } = {},
): Promise<TestGateway> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-test-'));
  const pm2Home = env.PM2_HOME ?? fs.mkdtempSync(path.join(os.tmpdir(), 'oc-pm2-empty-'));
  const config = loadConfig(
    {
      DATA_DIR: dataDir,
      PM2_HOME: pm2Home,
      BCRYPT_COST: '4',
      DASHBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LOG_LEVEL: 'silent',
      METRICS_INTERVAL_SECONDS: '3600',
      LOG_DIGEST_DELAY_SECONDS: '0',
      ...env,
    },
    dataDir,
  );
  const gw = await composeGateway(config, { logger: pino({ level: 'silent' }), staticDir: null, ...overrides });
  const server = http.createServer(gw.app.callback());
  gw.hub.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  if (overrides.start !== false) await gw.start();
  const { port } = server.address() as AddressInfo;
  return {
    gw,
    server,
    base: `http://127.0.0.1:${port}`,
    dataDir,
    config,
    async close() {
      await gw.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (!env.PM2_HOME) fs.rmSync(pm2Home, { recursive: true, force: true });
    },
  };
}

// Test bodies are read field by field and asserted on; `any` keeps those reads short.
export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** A browser-like client: keeps cookies, sends the CSRF token it learned, and an Origin header. */
export class TestClient {
  cookies = new Map<string, string>();
  csrf: string | null = null;
  bearer: string | null = null;
  origin: string | null;

  constructor(readonly base: string) {
    this.origin = base;
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request<T = any>(method: string, pathname: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const h: Record<string, string> = { ...headers };
    if (this.cookies.size) h.cookie = this.cookieHeader();
    if (this.bearer) h.authorization = `Bearer ${this.bearer}`;
    if (this.csrf && method !== 'GET' && !('x-csrf-token' in h)) h['x-csrf-token'] = this.csrf;
    if (this.origin && method !== 'GET' && !('origin' in h)) h.origin = this.origin;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await fetch(this.base + pathname, { method, headers: h, body: payload, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON; keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  get<T = any>(p: string, headers?: Record<string, string>) {
    return this.request<T>('GET', p, undefined, headers);
  }
  post<T = any>(p: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', p, body, headers);
  }

  async login(username = 'admin', password = ADMIN_PASSWORD): Promise<Reply> {
    const r = await this.post('/api/auth/login', { username, password });
    if (r.status === 200) {
      const me = await this.get('/api/auth/me');
      this.csrf = me.body.csrfToken;
    }
    return r;
  }
}

/** A client signed in as the admin, holding its session cookie and CSRF token; throws when the gateway refuses. */
export async function signedInAdmin(base: string, password = ADMIN_PASSWORD): Promise<TestClient> {
  const c = new TestClient(base);
  const r = await c.login('admin', password);
  if (r.status !== 200) throw new Error(`admin sign-in failed: ${r.status} ${r.text}`);
  if (!c.csrf) throw new Error('admin sign-in gave no CSRF token');
  return c;
}

export interface AdminGateway extends TestGateway {
  /** Signed in as the admin (see signedInAdmin). */
  admin: TestClient;
}

/** startTestGateway with the admin signed in; when the sign-in fails the gateway is closed again. */
export async function startAdminGateway(env: Record<string, string> = {}, overrides: ComposeOverrides & { start?: boolean } = {}): Promise<AdminGateway> {
  const t = await startTestGateway(env, overrides);
  try {
    return { ...t, admin: await signedInAdmin(t.base) };
  } catch (err) {
    await t.close();
    throw err;
  }
}

/** Creates a user through the API as admin and returns a signed-in client for it. */
export async function signedInAs(base: string, admin: TestClient, role: 'viewer' | 'operator' | 'admin', username = `${role}-user`): Promise<TestClient> {
  const password = `${role}-password-1`;
  const created = await admin.post('/api/users', { username, password, role });
  if (created.status !== 201 && created.status !== 409) throw new Error(`could not create ${username}: ${created.text}`);
  const c = new TestClient(base);
  const r = await c.login(username, password);
  if (r.status !== 200) throw new Error(`could not sign in ${username}: ${r.text}`);
  return c;
}

/** An API token (bearer) client for a role and scope. */
export async function tokenClient(base: string, admin: TestClient, role: 'viewer' | 'operator' | 'admin', scope: 'api' | 'ingest' = 'api'): Promise<TestClient> {
  const r = await admin.post('/api/tokens', { name: `${role}-${scope}`, scope, role });
  if (r.status !== 201) throw new Error(`token create failed: ${r.text}`);
  const c = new TestClient(base);
  c.bearer = r.body.token;
  c.origin = null;
  return c;
}
