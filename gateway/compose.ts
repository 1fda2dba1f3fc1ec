// The composition root: opens the stores, starts the pool and sources, builds the services, the Koa app
// and the live hub from a Config. The entry (main.ts) and the tests both use it; nothing here listens.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Koa from 'koa';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { systemClock, type Clock } from './clock.js';
import { openDb, type Db } from './store/db.js';
import { ensurePrivateDir, tightenTree } from './store/private-files.js';
import { Journal } from './store/journal.js';
import { JournalQuarantine, reportingJournalIssues } from './store/journal-quarantine.js';
import { StartupReport } from './domain/startup-report.js';
import { createWorkerPool, type WorkerPool } from './pool/worker-pool.js';
import { createHub, UpgradeRefusal, type Hub } from './hub/hub.js';
import { createPm2Source, type Pm2Source } from './sources/pm2-source.js';
import { createLogSources } from './sources/log-sources.js';
import { openSelfLog, selfLogDir } from './self-log.js';
import { removeExpiredSelfLogs } from './domain/logs/log-retention.js';
import { LogDigest } from './domain/logs/log-digest.js';
import { LogSearch } from './domain/logs/log-search.js';
import type { LogSearchWarmUp } from '../workers/log-search.js';
import { LogFollower } from './domain/logs/log-follower.js';
import { tailSnapshot } from './domain/logs/log-tail.js';
import { createSystemSampler } from './sources/system-metrics.js';
import { PersistentSessions } from './auth/persistent-sessions.js';
import { LoginThrottle, type LoginThrottleOptions } from './auth/login-throttle.js';
import { loadSessionSecret } from './auth/session-secret.js';
import { CookieSigner } from './auth/cookie-signer.js';
import { liveAuthenticator, tokenInUrlRefusal } from './auth/live-auth.js';
import { originAllowed } from './auth/access.js';
import { proxyTrustOf, requestHost, requestProtocol } from './http/proxy-trust.js';
import { hostPolicy, hostRefusal } from './http/host-check.js';
import { UserService } from './domain/users.js';
import { ApiTokenService } from './domain/api-token-service.js';
import { AuditTrail } from './domain/audit-trail.js';
import { SystemStatus } from './domain/system-status.js';
import { RunService } from './domain/agents/run-service.js';
import { operationsNow } from './domain/agents/run-queries.js';
import { AgentRegistry } from './domain/agents/agent-registry.js';
import { describeAgents, runHistoryOf } from './domain/agents/agent-overview.js';
import { Launcher } from './domain/agents/launcher.js';
import { Scheduler, SCHEDULE_STREAM, type MissedRun } from './domain/agents/scheduler.js';
import type { JournalPage } from './store/journal.js';
import { ensureFirstAdmin, removeFirstAdminPasswordFile, type FirstAdmin } from './domain/bootstrap-admin.js';
import { createWebhookClient } from './sources/webhook-client.js';
import { WebhookEventStore } from './domain/webhook/event-store.js';
import { WebhookConnector } from './domain/webhook/connector.js';
import { WebhookService } from './domain/webhook/webhook-service.js';
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
  /** Set on the first start (no user existed) and while its generated password is unchanged: where it is, never what. */
  firstAdmin: FirstAdmin | null;
  /** Starts timers (sampling, polling, session sweep and flush). */
  start(): Promise<void>;
  /** Stops timers, closes live connections, writes the sessions, drains the pool, flushes the journal. */
  close(): Promise<void>;
}

/** The application root (package.json): gateway/ under tsx, dist/gateway/ after the build. */
export function appRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '..'), path.resolve(here, '../..')];
  return candidates.find((p) => fs.existsSync(path.join(p, 'package.json'))) ?? candidates[0]!;
}

export function defaultStaticDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // Under tsx this file is gateway/compose.ts; after the build it is dist/gateway/compose.js.
  const candidates = [path.resolve(here, '../dist/public'), path.resolve(here, '../public')];
  return candidates.find((p) => fs.existsSync(path.join(p, 'index.html'))) ?? candidates[0]!;
}

export async function composeGateway(config: Config, o: ComposeOverrides = {}): Promise<Gateway> {
  const clock = o.clock ?? systemClock;
  // Data files 0600 and folders 0700, also what an older version or a restore left looser.
  ensurePrivateDir(config.dataDir);
  const tightened = tightenTree(config.dataDir);
  // Tests pass their own logger; otherwise pino writes to stdout and to DATA_DIR/logs/ops-center.log (rotated).
  const selfLog = o.logger ? null : openSelfLog(config);
  const logger = o.logger ?? selfLog!.logger;
  if (tightened > 0) logger.info({ tightened }, 'data directory: group/other access removed from files and folders');
  const journalDir = path.join(config.dataDir, 'journal');

  const db = await openDb(path.join(config.dataDir, 'db.json'));
  const journal = await Journal.open(journalDir, {
    clock,
    retentionDays: config.journalRetentionDays,
    maxTotalBytes: config.journalMaxBytes,
    // A flood of other events must not push the audit trail out under the size cap.
    minRetentionDays: { audit: config.auditMinRetentionDays },
  });
  for (const torn of journal.recovery.tornLines) logger.warn({ torn }, 'journal: torn last line set aside during recovery');
  // Lines no reader can use are set aside and counted, whichever task meets them (journal-quarantine.ts).
  const quarantine = await JournalQuarantine.open(journalDir, { clock, logger });
  const startup = new StartupReport({ clock, logger });

  const pool = reportingJournalIssues(createWorkerPool({ maxThreads: config.poolMaxThreads, taskTimeoutMs: config.taskTimeoutMs }), quarantine);
  // The search threads start now and load their code while the rest starts (not awaited: /healthz does not
  // wait for it), so the first search after a start finds them ready.
  void pool.warmUp('log-search', { warmUp: true } satisfies LogSearchWarmUp);
  const pm2 = createPm2Source({ pm2Home: config.pm2Home });
  const logSources = createLogSources({ pm2, logDirs: config.logDirs, selfLogDir: selfLogDir(config.dataDir), clock });
  // Error groups and rates of every source: fed live by the follower (below), backfilled in the pool.
  const logDigest = new LogDigest({
    pool,
    sources: logSources,
    clock,
    snapshotFile: path.join(config.dataDir, 'snapshots', 'log-digest.json'),
    // Not in the first seconds after a start, when a user's first search may come: that search then has the
    // cores to itself. The backfill then goes in slices of 256 KiB that wait for any search.
    startDelayMs: config.logDigestDelayMs,
    onError: (err, where) => logger.warn({ err, where }, 'log digest'),
  });
  const cookieSigner = new CookieSigner([loadSessionSecret(config.dataDir, config.sessionSecret)]);

  const users = new UserService(db, clock, config.bcryptCost, { onFirstPasswordRetired: () => removeFirstAdminPasswordFile(config.dataDir) });
  // Sessions survive restarts (DATA_DIR/sessions.json); an unreadable file only signs everyone out.
  const sessions = await PersistentSessions.open({
    file: path.join(config.dataDir, 'sessions.json'),
    clock,
    logger,
    idleMs: config.sessionIdleMs,
    absoluteMs: config.sessionAbsoluteMs,
    user: (username) => users.get(username),
  });
  const sessionStore = sessions.store;
  const tokens = new ApiTokenService(db, clock);
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

  const runs = new RunService({
    journal,
    journalDir,
    pool,
    clock,
    logger,
    snapshotFile: path.join(config.dataDir, 'snapshots', 'agent-runs.json'),
    heartbeatTimeoutMs: config.agentHeartbeatTimeoutMs,
    snapshotIntervalMs: config.agentSnapshotMs,
  });
  // /api/health carries today's pipeline stages (the registry's schedules reach runs via runs.setDefinitions).
  status.setOperationsSource(() => operationsNow(runs, runs.definitions(), clock.now()));

  // The WhatsApp webhook: every event stored once in the journal; the connector runs only when WEBHOOK_URL is set.
  const webhookStore = new WebhookEventStore({ journal, journalDir, pool, clock, logger });
  const webhook = new WebhookService(
    webhookStore,
    config.webhookUrl
      ? new WebhookConnector({
          client: createWebhookClient({ url: config.webhookUrl, token: config.webhookToken, timeoutMs: config.webhookTimeoutMs }),
          store: webhookStore,
          pool,
          clock,
          logger,
          pollMs: config.webhookPollMs,
        })
      : null,
    clock,
  );
  status.setWebhookSource(() => webhook.serviceStatus());
  status.setStartupSource(() => ({ journal: { ...quarantine.stats(), torn: journal.recovery.tornLines.length }, startup: startup.health() }));

  // Agents: definitions (seeded once), the launcher of their commands, and their schedules.
  const agents = new AgentRegistry(db);
  await agents.ensureSeeded();
  let listeningUrl: string | undefined;
  const launcher = new Launcher({
    registry: agents,
    runs,
    tokens,
    clock,
    logger,
    // The listening port is known only after listen (tests use port 0): learned when the hub is attached.
    ingestUrl: () => config.ingestUrl ?? listeningUrl ?? `http://127.0.0.1:${config.port}`,
    appRoot: appRoot(),
  });
  const scheduler = new Scheduler({
    registry: agents,
    launcher,
    runs: runHistoryOf(runs),
    db,
    journal,
    readRecordedMissed: async (since) => {
      const page = await pool.run<JournalPage>('journal-read', {
        dir: journalDir,
        query: { stream: SCHEDULE_STREAM, from: since, limit: 5000, order: 'asc', match: { type: 'schedule.missed' } },
      });
      return page.items as unknown as MissedRun[];
    },
    clock,
    logger,
    graceMs: config.scheduleGraceMs,
  });
  runs.setDefinitions(() => agents.list());
  runs.setAgentsView(() => describeAgents(agents.list(), runs, (name) => scheduler.nextRunAt(name)));

  let hub: Hub | undefined;
  let lifecycle: 'starting' | 'ready' | 'stopping' = 'starting';
  const services: Services = {
    config,
    clock,
    logger,
    users,
    tokens,
    audit: new AuditTrail(journal, pool, journalDir, clock, (err) => logger.error({ err }, 'audit write failed')),
    status,
    pm2,
    logSources,
    logDigest,
    logSearch: new LogSearch({ pool, logSources, perUserLimit: config.searchConcurrencyPerUser }),
    sessions: sessionStore,
    loginThrottle: new LoginThrottle({ ...config.loginThrottle, ...o.loginThrottle }),
    runs,
    agents,
    scheduler,
    launcher,
    webhook,
    lifecycle: () => lifecycle,
    disconnectLive: (predicate) => hub?.disconnect(predicate, 4001, 'signed out'),
  };

  const trust = proxyTrustOf(config);
  const hosts = hostPolicy({ publicOrigin: config.publicOrigin, allowedHosts: config.allowedHosts, trust });
  hub = createHub({
    path: '/ws',
    admit: (req) => {
      if (!hosts.admits(req)) {
        const refused = hostRefusal();
        return new UpgradeRefusal(refused.status, refused.code, refused.message);
      }
      return tokenInUrlRefusal(req);
    },
    authenticate: liveAuthenticator(services, sessionStore, cookieSigner, SESSION_COOKIE),
    // Browsers always send Origin, so a cookie upgrade without one is refused; a script with a bearer header
    // sends none and needs none (the token is its own proof; a browser cannot set that header on a WebSocket).
    isOriginAllowed: (origin, req) =>
      origin === undefined
        ? req.headers.authorization !== undefined
        : originAllowed(origin, requestHost(req, trust), requestProtocol(req, trust), config.publicOrigin),
    snapshot: async (topic, _principal, filter) => {
      if (topic === 'status' || topic === 'processes') return status.snapshot(topic);
      if (topic === 'agents') return runs.agentsSnapshot();
      // Log lines stream as keyed run.log frames; the snapshot says where each watched run's log stands
      // (earlier lines: GET /api/agents/runs/:runId/logs).
      // The log tail (filter.tail) starts now, with the followed sources its filter covers.
      if (topic === 'logs') {
        return {
          runs: (filter?.runIds ?? []).map((runId) => ({ runId, logCount: runs.get(runId)?.logCount ?? null })),
          tail: tailSnapshot(filter?.tail, logFollower.followed().map((f) => f.source), clock.now()),
        };
      }
      if (topic === 'webhook') return webhook.snapshot();
      return { state: 'not_configured' };
    },
    pingIntervalMs: o.hubPingIntervalMs,
    onError: (err, where) => logger.warn({ err, where }, 'live hub'),
  });
  status.setPublisher((topic, type, data) => hub!.publish(topic, type, data));
  runs.setPublisher((topic, type, data, publishOpts) => hub!.publish(topic, type, data, publishOpts));
  webhook.setPublisher((type, data) => hub!.publish('webhook', type, data));
  // New bytes of every live log file: into the digest, and out to the clients tailing on topic logs.
  const logFollower = new LogFollower({
    sources: logSources,
    clock,
    onFileStart: (start) => logDigest.handleFileStart(start),
    onLines: (batch) => {
      logDigest.handleLines(batch);
      hub!.publishTail(batch.lines);
    },
    onError: (err, where) => logger.warn({ err, where }, 'log follower'),
  });
  const attachHub = hub.attach.bind(hub);
  hub.attach = (server) => {
    const learn = () => {
      const address = server.address();
      if (typeof address !== 'object' || address === null) return;
      const wildcard = address.address === '0.0.0.0' || address.address === '::';
      const host = wildcard ? '127.0.0.1' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
      listeningUrl = `http://${host}:${address.port}`;
    };
    if (server.listening) learn();
    else server.once('listening', learn);
    attachHub(server);
  };

  const firstAdmin = await ensureFirstAdmin(users, { dataDir: config.dataDir, configuredPassword: config.adminPassword });
  const staticDir = o.staticDir === null ? undefined : (o.staticDir ?? defaultStaticDir());
  const app = createApp({ services, sessionStore, cookieSigner, staticDir });

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
      // Each part under a guard: bad data or a replay that fails or times out degrades that part, never start-up.
      await startup.part('agent runs', () => runs.start());
      await startup.part('launch tokens', () => launcher.revokeStaleTokens());
      await startup.part('schedules', () => scheduler.start());
      await startup.part('system status', () => status.start());
      await startup.part('log digest', () => logDigest.load());
      await startup.part('log follower', () => logFollower.start());
      await startup.part('webhook', () => webhook.start());
      startup.finished();
      status.invalidateHealth();
      void logDigest.backfillRotated();
      sessions.start();
      const retention = () => void journal.applyRetention().catch((err: unknown) => logger.warn({ err }, 'journal retention failed'));
      retention();
      const logRetention = () =>
        void removeExpiredSelfLogs(logSources, config.logRetentionDays, clock.now()).catch((err: unknown) => logger.warn({ err }, 'log retention failed'));
      retentionTimer = setInterval(() => {
        retention();
        logRetention();
      }, 60 * 60_000).unref();
      logRetention();
      lifecycle = 'ready';
    },
    async close() {
      lifecycle = 'stopping';
      status.stop();
      if (retentionTimer) clearInterval(retentionTimer);
      scheduler.stop();
      await launcher.close();
      await webhook.stop();
      await runs.close();
      await logFollower.close();
      await hub!.close();
      await sessions.close();
      await logDigest.close();
      await services.audit.close();
      await pool.close();
      await journal.close();
      await pm2.close();
      await selfLog?.close();
    },
  };
}
