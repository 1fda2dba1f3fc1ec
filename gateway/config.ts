// Reads and validates the whole configuration once (environment plus an optional .env file);
// everything else receives the resulting Config object and never reads process.env itself.
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { passwordProblems } from './domain/password-policy.js';

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

// A DNS name (labels of letters, digits and inner hyphens); IP literals need no listing.
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

// A user name or password inside a URL ends up wherever the URL does: in the error a failed request reports (shown in
// /api/health and logged), in a launched agent's log. Credentials go in their own variables.
const noCredentials = (v: string) => {
  try {
    const u = new URL(v);
    return u.username === '' && u.password === '';
  } catch {
    return true; // not a URL at all: the .url() check says so
  }
};
const noQuery = (v: string) => {
  try {
    const u = new URL(v);
    return u.search === '' && u.hash === '';
  } catch {
    return true;
  }
};

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  TRUST_PROXY: bool.default(false),
  TRUST_PROXY_HOPS: z.coerce.number().int().min(1, 'TRUST_PROXY_HOPS must be at least 1').max(10).default(1),
  ALLOWED_HOSTS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((h) => h.trim().toLowerCase().replace(/\.$/, '')).filter((h) => h.length > 0))
    .refine((hosts) => hosts.every((h) => HOST_NAME.test(h)), 'ALLOWED_HOSTS must be a comma-separated list of host names without scheme or port, e.g. ops.example.org,dashboard.lan'),
  SESSION_SECRET: z.string().min(32, 'SESSION_SECRET must be at least 32 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // The same policy as every other new password; the messages name the rule, never the value.
  DASHBOARD_ADMIN_PASSWORD: z
    .string()
    .superRefine((value, ctx) => {
      for (const problem of passwordProblems(value)) ctx.addIssue({ code: 'custom', message: `DASHBOARD_ADMIN_PASSWORD needs ${problem}` });
    })
    .optional(),
  PUBLIC_ORIGIN: z.string().url().refine(noCredentials, 'PUBLIC_ORIGIN must not hold a user name or password').optional(),
  PM2_HOME: z.string().min(1).optional(),
  SESSION_IDLE_MINUTES: z.coerce.number().int().positive().default(60 * 12),
  SESSION_ABSOLUTE_HOURS: z.coerce.number().int().positive().default(24 * 7),
  METRICS_INTERVAL_SECONDS: z.coerce.number().positive().default(5),
  POOL_MAX_THREADS: z.coerce.number().int().positive().optional(),
  TASK_TIMEOUT_SECONDS: z.coerce.number().positive().default(30),
  LOG_DIGEST_DELAY_SECONDS: z.coerce.number().min(0).max(3600).default(30),
  SEARCH_CONCURRENCY_PER_USER: z.coerce.number().int().min(1).max(100).default(2),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(6000),
  INGEST_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(120_000),
  JOURNAL_RETENTION_DAYS: z.coerce.number().int().positive().default(90),
  JOURNAL_MAX_MB: z.coerce.number().int().positive().default(2048),
  AUDIT_MIN_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(365),
  BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12),
  LOGIN_MAX_FAILURES_PER_USER_IP: z.coerce.number().int().min(1).max(1000).default(5),
  LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().min(1).max(100_000).default(100),
  LOGIN_MAX_FAILURES_PER_USER: z.coerce.number().int().min(0).max(100_000).default(50),
  LOGIN_WINDOW_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  AGENT_HEARTBEAT_TIMEOUT_SECONDS: z.coerce.number().positive().default(120),
  AGENT_SNAPSHOT_SECONDS: z.coerce.number().positive().default(30),
  SCHEDULE_GRACE_MINUTES: z.coerce.number().positive().default(10),
  DASHBOARD_INGEST_URL: z
    .string()
    .url()
    .refine(noCredentials, 'DASHBOARD_INGEST_URL must not hold a user name or password (agents get their own token)')
    .optional(),
  LOG_DIRS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((g) => g.trim()).filter((g) => g.length > 0))
    .refine((globs) => globs.every((g) => path.isAbsolute(g)), 'LOG_DIRS must be a comma-separated list of absolute globs, e.g. /home/mvp/logs/*.log')
    .refine((globs) => globs.every((g) => !g.split(/[\\/]+/).includes('..')), 'LOG_DIRS globs must not contain ".."'),
  LOG_SELF_MAX_MB: z.coerce.number().positive().max(10_240).default(20),
  LOG_SELF_KEEP: z.coerce.number().int().min(1).max(1000).default(10),
  LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  WEBHOOK_URL: z
    .string()
    .url('WEBHOOK_URL must be a URL, e.g. http://127.0.0.1:3000')
    .refine((v) => /^https?:\/\//i.test(v), 'WEBHOOK_URL must start with http:// or https://')
    .refine(noCredentials, 'WEBHOOK_URL must not hold a user name or password; put the token in WEBHOOK_TOKEN')
    .refine(noQuery, 'WEBHOOK_URL must be the base URL only, without ?query or #fragment; put a token in WEBHOOK_TOKEN')
    .optional(),
  WEBHOOK_TOKEN: z.string().min(1).optional(),
  WEBHOOK_POLL_SECONDS: z.coerce.number().positive().max(3600).default(10),
  WEBHOOK_TIMEOUT_SECONDS: z.coerce.number().positive().max(300).default(5),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  trustProxy: boolean;
  /** How many proxies in front append to X-Forwarded-*: the client is the entry this many from the right. */
  trustProxyHops: number;
  /** Host names (besides IP literals, localhost and PUBLIC_ORIGIN's host) the gateway answers to. */
  allowedHosts: string[];
  sessionSecret?: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  adminPassword?: string;
  /** Extra origins accepted for WebSocket upgrades and CSRF origin checks, besides the request's own host. */
  publicOrigin?: string;
  pm2Home?: string;
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
  metricsIntervalMs: number;
  poolMaxThreads?: number;
  taskTimeoutMs: number;
  /** The log digest's backfill starts this long after the gateway has started (LOG_DIGEST_DELAY_SECONDS). */
  logDigestDelayMs: number;
  /** Log searches one user (or token) may have running at once; more answer 429 too_many_searches. */
  searchConcurrencyPerUser: number;
  rateLimitPerMinute: number;
  /** Requests (batches) per minute per ingest principal on /api/ingest/*. */
  ingestRateLimitPerMinute: number;
  journalRetentionDays: number;
  journalMaxBytes: number;
  /** Audit segments younger than this are never removed: not by JOURNAL_MAX_MB, nor by a shorter journal age. */
  auditMinRetentionDays: number;
  bcryptCost: number;
  /** Sign-in throttle: failures per (username, IP) pair, per IP across users, per username across IPs (0 = none). */
  loginThrottle: { perUserIp: number; perIp: number; perUser: number; windowSeconds: number };
  /** An open run with no heartbeat or event for this long is marked crashed. */
  agentHeartbeatTimeoutMs: number;
  /** How often the run states are snapshotted (restart = snapshot + journal after it). */
  agentSnapshotMs: number;
  /** A scheduled run that has not started this long after its time counts as missed. */
  scheduleGraceMs: number;
  /** Ingest URL handed to launched agents; unset → http://127.0.0.1:<listening port>. */
  ingestUrl?: string;
  /** LOG_DIRS: globs (absolute) of log files the log center reads besides PM2's and its own. */
  logDirs: string[];
  /** The gateway's own log (DATA_DIR/logs/ops-center.log) rotates at this size… */
  logSelfMaxBytes: number;
  /** …keeping this many gzip-compressed rotated files. */
  logSelfKeep: number;
  /** Rotated files of the gateway's own log older than this are removed. */
  logRetentionDays: number;
  /** The WhatsApp webhook (docs/webhook-contract.md); unset → nothing polls, status not_configured. */
  webhookUrl?: string;
  /** Bearer token sent on every webhook request. */
  webhookToken?: string;
  webhookPollMs: number;
  webhookTimeoutMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads `.env` (if present in cwd) under the real environment: the environment wins. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const dotenvPath = path.join(cwd, '.env');
  const fromFile = fs.existsSync(dotenvPath) ? parseDotenv(fs.readFileSync(dotenvPath)) : {};
  const merged: Record<string, string | undefined> = { ...fromFile };
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') merged[k] = v;
  const parsed = schema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const c = parsed.data;
  return {
    port: c.PORT,
    host: c.HOST,
    dataDir: path.resolve(cwd, c.DATA_DIR),
    trustProxy: c.TRUST_PROXY,
    trustProxyHops: c.TRUST_PROXY_HOPS,
    allowedHosts: c.ALLOWED_HOSTS,
    sessionSecret: c.SESSION_SECRET,
    logLevel: c.LOG_LEVEL,
    adminPassword: c.DASHBOARD_ADMIN_PASSWORD,
    publicOrigin: c.PUBLIC_ORIGIN,
    pm2Home: c.PM2_HOME,
    sessionIdleMs: c.SESSION_IDLE_MINUTES * 60_000,
    sessionAbsoluteMs: c.SESSION_ABSOLUTE_HOURS * 3_600_000,
    metricsIntervalMs: c.METRICS_INTERVAL_SECONDS * 1000,
    poolMaxThreads: c.POOL_MAX_THREADS,
    taskTimeoutMs: c.TASK_TIMEOUT_SECONDS * 1000,
    logDigestDelayMs: c.LOG_DIGEST_DELAY_SECONDS * 1000,
    searchConcurrencyPerUser: c.SEARCH_CONCURRENCY_PER_USER,
    rateLimitPerMinute: c.RATE_LIMIT_PER_MINUTE,
    ingestRateLimitPerMinute: c.INGEST_RATE_LIMIT_PER_MINUTE,
    journalRetentionDays: c.JOURNAL_RETENTION_DAYS,
    journalMaxBytes: c.JOURNAL_MAX_MB * 1024 * 1024,
    auditMinRetentionDays: c.AUDIT_MIN_RETENTION_DAYS,
    bcryptCost: c.BCRYPT_COST,
    loginThrottle: {
      perUserIp: c.LOGIN_MAX_FAILURES_PER_USER_IP,
      perIp: c.LOGIN_MAX_FAILURES_PER_IP,
      perUser: c.LOGIN_MAX_FAILURES_PER_USER,
      windowSeconds: c.LOGIN_WINDOW_MINUTES * 60,
    },
    agentHeartbeatTimeoutMs: c.AGENT_HEARTBEAT_TIMEOUT_SECONDS * 1000,
    agentSnapshotMs: c.AGENT_SNAPSHOT_SECONDS * 1000,
    scheduleGraceMs: c.SCHEDULE_GRACE_MINUTES * 60_000,
    ingestUrl: c.DASHBOARD_INGEST_URL,
    logDirs: c.LOG_DIRS,
    logSelfMaxBytes: Math.round(c.LOG_SELF_MAX_MB * 1024 * 1024),
    logSelfKeep: c.LOG_SELF_KEEP,
    logRetentionDays: c.LOG_RETENTION_DAYS,
    webhookUrl: c.WEBHOOK_URL,
    webhookToken: c.WEBHOOK_TOKEN,
    webhookPollMs: c.WEBHOOK_POLL_SECONDS * 1000,
    webhookTimeoutMs: c.WEBHOOK_TIMEOUT_SECONDS * 1000,
  };
}
