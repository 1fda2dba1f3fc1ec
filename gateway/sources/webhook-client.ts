// HTTP and WebSocket calls to the WhatsApp webhook (docs/webhook-contract.md) at WEBHOOK_URL, with the
// optional bearer token, a time limit on every request, and zod parsing of each response.
import WebSocket from 'ws';
import { z } from 'zod';
import { MAX_JSON_DEPTH, tooDeep } from '../json-limits.js';

export interface WebhookClientOptions {
  url: string;
  token?: string;
  timeoutMs: number;
}

export const healthSchema = z.looseObject({
  status: z.enum(['healthy', 'degraded']),
  type: z.string().max(200),
  startedAt: z.iso.datetime({ offset: true }),
  uptimeSeconds: z.number().nonnegative(),
  messagesProcessed: z.number().nonnegative(),
});
export type WebhookHealth = z.infer<typeof healthSchema>;

const msSummary = z.object({ avg: z.number(), p95: z.number() }).nullable().optional();
export const metricsSchema = z.looseObject({
  generatedAt: z.iso.datetime({ offset: true }),
  startedAt: z.iso.datetime({ offset: true }),
  lastSeq: z.number().int().nonnegative(),
  buttonClicks: z.object({
    RETRIEVE_CONTENT: z.number().int().nonnegative(),
    UNLOCK_CONTENT: z.number().int().nonnegative(),
    SHARE_WITH_CLIENTS: z.number().int().nonnegative(),
  }),
  clickResponseMs: msSummary,
  clickSuccessRate: z.number().nullable().optional(),
  chat: z.looseObject({}).optional(),
});
export type WebhookMetrics = z.infer<typeof metricsSchema>;

export type FailureKind = 'timeout' | 'refused' | 'http' | 'invalid';
export type HealthOutcome =
  | { ok: true; health: WebhookHealth; latencyMs: number }
  | { ok: false; kind: FailureKind; detail: string; latencyMs: number | null };

export class WebhookCallError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookCallError';
  }
}

export interface StreamHandlers {
  onOpen(): void;
  onFrame(text: string): void;
  onClose(detail: string): void;
}

export interface WebhookClient {
  readonly url: string;
  health(): Promise<HealthOutcome>;
  metrics(): Promise<WebhookMetrics>;
  /** The raw text of one /api/webhook/events page (parsed and validated in the pool). */
  eventsPage(after: number, limit: number): Promise<string>;
  /** Opens /ws/events?after=; close() on the returned handle ends it (onClose still fires once). */
  openStream(after: number, handlers: StreamHandlers): { close(): void };
}

export function createWebhookClient(o: WebhookClientOptions): WebhookClient {
  const base = o.url.replace(/\/+$/, '');
  const headers: Record<string, string> = { accept: 'application/json' };
  if (o.token) headers.authorization = `Bearer ${o.token}`;

  async function get(pathname: string): Promise<{ text: string; latencyMs: number }> {
    const started = performance.now();
    let res: Response;
    try {
      res = await fetch(base + pathname, { headers, signal: AbortSignal.timeout(o.timeoutMs), redirect: 'error' });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      if (e.name === 'TimeoutError' || e.name === 'AbortError') throw new WebhookCallError('timeout', `no answer within ${o.timeoutMs} ms`);
      throw new WebhookCallError('refused', e.cause?.code ?? e.cause?.message ?? e.message);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      const e = err as Error;
      throw new WebhookCallError(e.name === 'TimeoutError' || e.name === 'AbortError' ? 'timeout' : 'refused', `reading the answer failed: ${e.message}`);
    }
    if (res.status !== 200) throw new WebhookCallError('http', `HTTP ${res.status}`);
    return { text, latencyMs: Math.round(performance.now() - started) };
  }

  function parse<S extends z.ZodType>(schema: S, text: string, what: string): z.infer<S> {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new WebhookCallError('invalid', `${what}: not JSON`);
    }
    // Unknown fields are kept (looseObject) and shown in the status: bounded before anything serialises them.
    if (tooDeep(raw, MAX_JSON_DEPTH)) throw new WebhookCallError('invalid', `${what}: nests deeper than ${MAX_JSON_DEPTH} levels`);
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(body)'} ${i.message}`);
      throw new WebhookCallError('invalid', `${what}: ${problems.join('; ')}`);
    }
    return parsed.data;
  }

  return {
    url: base,
    async health() {
      const started = performance.now();
      try {
        const { text, latencyMs } = await get('/health');
        return { ok: true, health: parse(healthSchema, text, '/health'), latencyMs };
      } catch (err) {
        const e = err instanceof WebhookCallError ? err : new WebhookCallError('invalid', String(err));
        return { ok: false, kind: e.kind, detail: e.message, latencyMs: e.kind === 'http' || e.kind === 'invalid' ? Math.round(performance.now() - started) : null };
      }
    },
    async metrics() {
      return parse(metricsSchema, (await get('/api/webhook/metrics')).text, '/api/webhook/metrics');
    },
    async eventsPage(after, limit) {
      return (await get(`/api/webhook/events?after=${after}&limit=${limit}`)).text;
    },
    openStream(after, h) {
      const wsUrl = `${base.replace(/^http/, 'ws')}/ws/events?after=${after}`;
      const ws = new WebSocket(wsUrl, { headers: o.token ? { authorization: `Bearer ${o.token}` } : {}, handshakeTimeout: o.timeoutMs });
      let closed = false;
      const finish = (detail: string) => {
        if (closed) return;
        closed = true;
        h.onClose(detail);
      };
      ws.on('open', () => h.onOpen());
      ws.on('message', (data, isBinary) => {
        if (!isBinary) h.onFrame(data.toString());
      });
      ws.on('error', (err) => {
        finish(err.message);
        ws.terminate();
      });
      ws.on('close', (code) => finish(`closed (${code})`));
      return {
        close() {
          finish('closed by the dashboard');
          ws.terminate();
        },
      };
    },
  };
}
