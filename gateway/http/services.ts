// What route handlers may use: domain services and a few sources, built once by the composition root.
import type { RouterContext } from '@koa/router';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Clock } from '../clock.js';
import type { Principal } from '../auth/principal.js';
import type { UserService } from '../domain/users.js';
import type { ApiTokenService } from '../domain/api-token-service.js';
import type { AuditTrail } from '../domain/audit-trail.js';
import type { SystemStatus } from '../domain/system-status.js';
import type { Pm2Source } from '../sources/pm2-source.js';
import type { LogSources } from '../sources/log-sources.js';
import type { LogDigest } from '../domain/logs/log-digest.js';
import type { LogSearch } from '../domain/logs/log-search.js';
import type { SessionStore } from '../auth/session-store.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import type { AgentRegistry } from '../domain/agents/agent-registry.js';
import type { Scheduler } from '../domain/agents/scheduler.js';
import type { Launcher } from '../domain/agents/launcher.js';
import type { RunService } from '../domain/agents/run-service.js';
import type { WebhookService } from '../domain/webhook/webhook-service.js';

export interface Services {
  config: Config;
  clock: Clock;
  logger: Logger;
  users: UserService;
  tokens: ApiTokenService;
  audit: AuditTrail;
  status: SystemStatus;
  pm2: Pm2Source;
  /** Log center: which files are log sources, and the path checks (docs/log-center.md). */
  logSources: LogSources;
  /** Log center: error groups and per-minute rates of every source (docs/log-center.md). */
  logDigest: LogDigest;
  /** Log search in the worker pool and the context of a hit (docs/log-center.md). */
  logSearch: LogSearch;
  sessions: SessionStore;
  loginThrottle: LoginThrottle;
  /** Agent definitions (lowdb), their schedules and the launcher of their commands. */
  agents: AgentRegistry;
  scheduler: Scheduler;
  launcher: Launcher;
  /** Agent runs: ingest, live state, history. */
  runs: RunService;
  /** The WhatsApp webhook: connector status, stored events, button and CRM figures (docs/webhook.md). */
  webhook: WebhookService;
  /** 'ready' once start() has finished, 'stopping' once close() began; /healthz answers 503 otherwise. */
  lifecycle(): 'starting' | 'ready' | 'stopping';
  /** Closes live connections of matching principals (logout, user disabled). */
  disconnectLive(predicate: (p: { username: string; sessionId?: string; tokenId?: string }) => boolean): void;
}

export interface AppState {
  principal?: Principal;
  /** Set by a handler when the audit target is not a route parameter. */
  auditTarget?: string;
  auditDetail?: string;
}

export type Ctx = RouterContext<AppState>;
export type Handler = (ctx: Ctx, s: Services) => Promise<void> | void;
