// The contract's HTTP side (docs/webhook-contract.md): GET /health, /api/webhook/metrics,
// /api/webhook/conversations and /api/webhook/events, as one connect-style handler behind the optional
// bearer token. The WebSocket stream (/ws/events) is attachEventStream, re-exported from event-stream.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { EventLog } from './event-log.js';
import { bearerOk, sendError, sendJson, sendUnauthorized, type ConnectHandler } from './http-reply.js';

export { attachEventStream, type EventStreamOptions } from './event-stream.js';
export type { ConnectHandler } from './http-reply.js';

export interface HealthReport {
  status: 'healthy' | 'degraded';
  detail?: string;
  /** WhatsApp messages and statuses accepted since start (retried duplicates not counted). */
  messagesProcessed: number;
  /** "local" when replies are not sent to WhatsApp (no access token). */
  replies?: 'whatsapp' | 'local';
}

export interface ContractOptions {
  /** WEBHOOK_TOKEN: when set, every request needs `Authorization: Bearer <token>`. */
  token?: string;
  /** WEBHOOK_PUBLIC_URL, reported as `tunnelUrl` by /health. */
  tunnelUrl?: string;
  health: () => HealthReport;
  /** Extra figures added to /api/webhook/metrics as `received` (counts of what WhatsApp sent). */
  receivedStats?: () => unknown;
  now?: () => number;
}

export const EVENTS_MAX_LIMIT = 1000;
export const EVENTS_DEFAULT_LIMIT = 500;

const intParam = (name: string) => z.string().regex(/^\d{1,15}$/, `${name} must be a non-negative integer`).transform(Number);
const eventsQuery = z.object({
  after: intParam('after').optional(),
  limit: intParam('limit')
    .refine((n) => n >= 1 && n <= EVENTS_MAX_LIMIT, `limit must be between 1 and ${EVENTS_MAX_LIMIT}`)
    .optional(),
});

const ROUTES = new Set(['/health', '/api/webhook/metrics', '/api/webhook/conversations', '/api/webhook/events']);

export function createContractHandler(log: EventLog, o: ContractOptions): ConnectHandler {
  const now = o.now ?? Date.now;
  return (req, res, next) => {
    const url = new URL(req.url ?? '/', 'http://webhook.invalid');
    if (!ROUTES.has(url.pathname)) {
      if (next) next();
      else sendError(res, 404, 'not_found', `No route for ${url.pathname}.`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendError(res, 405, 'method_not_allowed', `${url.pathname} accepts GET only.`, undefined, { allow: 'GET, HEAD' });
      return;
    }
    if (!bearerOk(req, o.token)) {
      sendUnauthorized(res);
      return;
    }
    route(url, req, res).catch((err: unknown) => {
      sendError(res, 500, 'internal', err instanceof Error ? err.message : 'Internal error.');
    });
  };

  async function route(url: URL, _req: IncomingMessage, res: ServerResponse): Promise<void> {
    switch (url.pathname) {
      case '/health': {
        const h = o.health();
        sendJson(res, 200, {
          status: h.status,
          type: 'Button Click Handler',
          startedAt: log.startedAt,
          uptimeSeconds: Math.max(0, Math.floor((now() - Date.parse(log.startedAt)) / 1000)),
          messagesProcessed: h.messagesProcessed,
          tunnelUrl: o.tunnelUrl ?? null,
          replies: h.replies ?? 'whatsapp',
          ...(h.detail === undefined ? {} : { detail: h.detail }),
        });
        return;
      }
      case '/api/webhook/metrics':
        sendJson(res, 200, { ...log.metrics(), ...(o.receivedStats ? { received: o.receivedStats() } : {}) });
        return;
      case '/api/webhook/conversations':
        sendJson(res, 200, log.conversations());
        return;
      case '/api/webhook/events': {
        const parsed = eventsQuery.safeParse(Object.fromEntries(url.searchParams));
        if (!parsed.success) {
          const details = parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
          sendError(res, 400, 'validation_failed', details.map((d) => d.message).join('; '), details);
          return;
        }
        const page = await log.read(parsed.data.after ?? 0, parsed.data.limit ?? EVENTS_DEFAULT_LIMIT);
        sendJson(res, 200, page);
        return;
      }
    }
  }
}
