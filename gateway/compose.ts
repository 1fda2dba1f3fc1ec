// The composition root: opens the stores, starts the pool and sources, builds the services, the Koa app
// and the live hub from a Config. The entry (main.ts) and the tests both use it; nothing here listens.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Koa from 'koa';
import pino, { type Logger } from 'pino';
import type { Config } from './config.js';
import { systemClock, type Clock } from './clock.js';
import { openDb, type Db } from './store/db.js';
import { Journal } from './store/journal.js';
import { createWorkerPool, type WorkerPool } from './pool/worker-pool.js';
import { createHub, type Hub } from './hub/hub.js';
import { createPm2Source, type Pm2Source } from './sources/pm2-source.js';
import { createSystemSampler } from './sources/system-metrics.js';
import { SessionStore } from './auth/session-store.js';
import { LoginThrottle, type LoginThrottleOptions } from './auth/login-throttle.js';
import { loadSessionSecret } from './auth/session-secret.js';
import { CookieSigner } from './auth/cookie-signer.js';
import { liveAuthenticator } from './auth/live-auth.js';
import { originAllowed } from './auth/access.js';
import { UserService } from './domain/users.js';
import { ApiTokenService } from './domain/api-token-service.js';
import { AuditTrail } from './domain/audit-trail.js';
import { SystemStatus } from './domain/system-status.js';
import { ensureFirstAdmin } from './domain/bootstrap-admin.js';
import { createApp, SESSION_COOKIE } from './app.js';
import type { AppState, Services } from './http/services.js';

export interface ComposeOverrides {
  clock?: Clock;
  logger?: Logger;
  /** Built client to serve; default dist/public next to the gateway (absent in API-only tests). */
  staticDir?: string | null;
  loginThrottle?: LoginThrottleOptions;
  hubPingIntervalMs?: number;
}

export interface Gateway {
  app: Koa<AppState>;
  hub: Hub;
  services: Services;
  db: Db;
  journal: Journal;
  pool: WorkerPool;
  pm2: Pm2Source;
  /** Set on first start when no user existed: print it once. */
  firstAdmin: { username: string; password: string; generated: boolean } | null;
  /** Starts timers (sampling, polling, session sweep). */
  start(): Promise<void>;
  /** Stops timers, closes live connections, drains the pool, flushes the journal. */
  close(): Promise<void>;
}

export function defaultStaticDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // Under tsx this file is gateway/compose.ts; after the build it is dist/gateway/compose.js.
  const candidates = [path.resolve(here, '../dist/public'), path.resolve(here, '../public')];
  return candidates.find((p) => fs.existsSync(path.join(p, 'index.html'))) ?? candidates[0]!;
}

export async function composeGateway(config: Config, o: ComposeOverrides = {}): Promise<Gateway> {
  const clock = o.clock ?? systemClock;
  const logger = o.logger ?? pino({ level: config.logLevel, base: { app: 'ops-center' } });
  fs.mkdirSync(config.dataDir, { recursive: true });
  const journalDir = path.join(config.dataDir, 'journal');

  const db = await openDb(path.join(config.dataDir, 'db.json'));
  const journal = await Journal.open(journalDir, {
    clock,
    retentionDays: config.journalRetentionDays,
    maxTotalBytes: config.journalMaxBytes,
  });
  for (const torn of journal.recovery.tornLines) logger.warn({ torn }, 'journal: torn last line set aside during recovery');

  const pool = createWorkerPool({ maxThreads: config.poolMaxThreads, taskTimeoutMs: config.taskTimeoutMs });
  const pm2 = createPm2Source({ pm2Home: config.pm2Home });
  const sessionStore = new SessionStore({ clock, idleMs: config.sessionIdleMs, absoluteMs: config.sessionAbsoluteMs });
  const cookieSigner = new CookieSigner([loadSessionSecret(config.dataDir, config.sessionSecret)]);

  const users = new UserService(db, clock, config.bcryptCost);
  const status = new SystemStatus({
    sampler: createSystemSampler({ dataDir: config.dataDir, clock }),
    pm2,
    journal,
    pool,
    journalDir,
    clock,
    logger,
    intervalMs: config.metricsIntervalMs,
  });

  let hub: Hub | undefined;
  const services: Services = {
    config,
    clock,
    logger,
    users,
    tokens: new ApiTokenService(db, clock),
    audit: new AuditTrail(journal, pool, journalDir),
    status,
    pm2,
    sessions: sessionStore,
    loginThrottle: new LoginThrottle(o.loginThrottle),
    disconnectLive: (predicate) => hub?.disconnect(predicate, 4001, 'signed out'),
  };

  hub = createHub({
    path: '/ws',
    authenticate: liveAuthenticator(services, sessionStore, cookieSigner, SESSION_COOKIE),
    // Browsers always send Origin, so a cookie upgrade without one is refused; a script with `?token=`
    // sends none and needs none (the token is its own proof, no ambient credential is involved).
    isOriginAllowed: (origin, req) =>
      origin === undefined
        ? new URL(req.url ?? '/', 'http://localhost').searchParams.has('token')
        : originAllowed(origin, req.headers.host, config.trustProxy && req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http', config.publicOrigin),
    snapshot: async (topic) => (topic === 'status' || topic === 'processes' ? status.snapshot(topic) : { state: 'not_configured' }),
    pingIntervalMs: o.hubPingIntervalMs,
    onError: (err, where) => logger.warn({ err, where }, 'live hub'),
  });
  status.setPublisher((topic, type, data) => hub!.publish(topic, type, data));

  const firstAdmin = await ensureFirstAdmin(users, config.adminPassword);
  const staticDir = o.staticDir === null ? undefined : (o.staticDir ?? defaultStaticDir());
  const app = createApp({ services, sessionStore, cookieSigner, staticDir });

  let sweepTimer: NodeJS.Timeout | undefined;
  let retentionTimer: NodeJS.Timeout | undefined;
  return {
    app,
    hub,
    services,
    db,
    journal,
    pool,
    pm2,
    firstAdmin,
    async start() {
      await status.start();
      sweepTimer = setInterval(() => sessionStore.sweep(), 60_000).unref();
      const retention = () => void journal.applyRetention().catch((err: unknown) => logger.warn({ err }, 'journal retention failed'));
      retention();
      retentionTimer = setInterval(retention, 60 * 60_000).unref();
    },
    async close() {
      status.stop();
      if (sweepTimer) clearInterval(sweepTimer);
      if (retentionTimer) clearInterval(retentionTimer);
      await hub!.close();
      await pool.close();
      await journal.close();
      await pm2.close();
    },
  };
}
