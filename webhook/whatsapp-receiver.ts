// The WhatsApp Cloud API endpoint: GET /webhook answers Meta's verification handshake; POST /webhook
// checks X-Hub-Signature-256 over the raw bytes, then turns messages and statuses into contract events,
// keyed by wamid so WhatsApp's retries never record anything twice. Answers 200 once the POST's
// inbound messages and statuses are stored; clicks and replies are recorded when their send is done.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { EventLog } from './event-log.js';
// The dashboard's JSON limits: a dependency-free file, so the module stays mountable on its own.
import { checkJsonLimits, MAX_JSON_DEPTH } from '../gateway/json-limits.js';
import { sendError, sendJson, type ConnectHandler } from './http-reply.js';
import type { Responder } from './responder.js';
import {
  changeValueSchema,
  messageSchema,
  notificationSchema,
  parseButtonPayload,
  statusError,
  statusSchema,
  type InboundMessage,
  type InboundStatus,
} from './whatsapp-payload.js';

export interface ReceiverOptions {
  log: EventLog;
  responder: Responder;
  /** WHATSAPP_VERIFY_TOKEN; without it every verification attempt gets 403. */
  verifyToken?: string;
  /** WHATSAPP_APP_SECRET: the key of X-Hub-Signature-256. */
  appSecret: string;
  path?: string;
  maxBodyBytes?: number;
  /** The advisor behind a WhatsApp number (wa_id), when known. */
  advisorOf?: (waId: string) => string | undefined;
  logger?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export interface ReceivedStats {
  /** Messages and statuses accepted (retried duplicates excluded). */
  messages: number;
  statuses: number;
  duplicates: number;
  /** Messages of types the webhook does not handle, by type (e.g. "image", "interactive:list_reply"). */
  unknown: Record<string, number>;
  /** Messages or statuses without the fields WhatsApp promises (docs/webhook-contract.md, appendix). */
  malformed: number;
  badSignatures: number;
}

export interface IngestResult {
  recorded: number;
  duplicates: number;
  unknown: number;
  malformed: number;
  /** Clicks and replies under way; resolves when they are recorded. */
  pending: Promise<unknown>[];
}

export interface WhatsAppReceiver {
  handler: ConnectHandler;
  /** Processes an already verified notification body (what the handler does after the signature check). */
  ingest(body: unknown, receivedAt?: number): IngestResult;
  stats(): ReceivedStats;
}

/** `sha256=<hex HMAC-SHA256 of body keyed with secret>`: the header WhatsApp sends (and the simulator signs with). */
export const signatureOf = (body: Buffer | string, secret: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

export function signatureValid(raw: Buffer, header: string | undefined, secret: string): boolean {
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec((header ?? '').trim());
  if (!m) return false;
  const expected = createHmac('sha256', secret).update(raw).digest();
  return timingSafeEqual(Buffer.from(m[1]!, 'hex'), expected);
}

const UNKNOWN_MEMORY = 10_000;

export function createWhatsAppReceiver(o: ReceiverOptions): WhatsAppReceiver {
  const path = o.path ?? '/webhook';
  const maxBody = o.maxBodyBytes ?? 1024 * 1024;
  const stats: ReceivedStats = { messages: 0, statuses: 0, duplicates: 0, unknown: {}, malformed: 0, badSignatures: 0 };
  const inFlight = new Set<string>();
  const seenUnknown = new Set<string>();
  const { log, responder } = o;

  const advisor = (waId: string) => {
    const id = o.advisorOf?.(waId);
    return id === undefined ? {} : { advisorId: id };
  };

  const countUnknown = (wamid: string, kind: string): boolean => {
    if (seenUnknown.has(wamid)) return false;
    seenUnknown.add(wamid);
    if (seenUnknown.size > UNKNOWN_MEMORY) seenUnknown.delete(seenUnknown.values().next().value!);
    stats.unknown[kind] = (stats.unknown[kind] ?? 0) + 1;
    return true;
  };

  function onMessage(m: InboundMessage, phoneNumberId: string, receivedAt: number, r: IngestResult): void {
    let tap: string | undefined;
    if (m.type === 'button' && m.button) tap = m.button.payload;
    else if (m.type === 'interactive' && m.interactive?.type === 'button_reply' && m.interactive.button_reply) tap = m.interactive.button_reply.id;

    if (tap !== undefined) {
      const parsed = parseButtonPayload(tap);
      if (!parsed) {
        if (countUnknown(m.id, `button:${tap.slice(0, 40)}`)) r.unknown += 1;
        return;
      }
      if (log.has(`${m.id}:click`) || inFlight.has(m.id)) {
        r.duplicates += 1;
        return;
      }
      inFlight.add(m.id);
      stats.messages += 1;
      const work = responder
        .handleClick({ wamid: m.id, waId: m.from, ...advisor(m.from), ...parsed, phoneNumberId, receivedAt })
        .catch((err: unknown) => o.logger?.error({ err, wamid: m.id }, 'click not recorded'))
        .finally(() => inFlight.delete(m.id));
      r.pending.push(work);
      return;
    }

    if (m.type === 'text' && m.text) {
      const id = `${m.id}:in`;
      if (log.has(id)) {
        r.duplicates += 1;
        return;
      }
      const open = log.activeConversationFor(m.from);
      const conversationId = open?.conversationId ?? `conv-${createHash('sha256').update(m.id).digest('hex').slice(0, 16)}`;
      const body = m.text.body;
      log.append({ id, type: 'chat_message', conversationId, waId: m.from, ...advisor(m.from), direction: 'inbound', chars: [...body].length, state: 'active' });
      stats.messages += 1;
      r.recorded += 1;
      const work = responder
        .handleText({ wamid: m.id, conversationId, waId: m.from, ...advisor(m.from), text: body, phoneNumberId, receivedAt, messagesSoFar: (open?.messages ?? 0) + 1 })
        .catch((err: unknown) => o.logger?.error({ err, wamid: m.id }, 'reply not recorded'));
      r.pending.push(work);
      return;
    }

    const kind = m.type === 'interactive' ? `interactive:${m.interactive?.type ?? '?'}` : m.type;
    if (countUnknown(m.id, kind)) {
      stats.messages += 1;
      r.unknown += 1;
    }
  }

  function onStatus(s: InboundStatus, r: IngestResult): void {
    const id = `${s.id}:${s.status}`;
    if (log.has(id)) {
      r.duplicates += 1;
      return;
    }
    const ours = responder.sentMessage(s.id);
    const error = s.status === 'failed' ? statusError(s) : undefined;
    log.append({
      id,
      type: 'delivery_status',
      messageId: s.id,
      waId: s.recipient_id,
      ...(ours?.contentId === undefined ? {} : { contentId: ours.contentId }),
      status: s.status,
      ...(error === undefined ? {} : { error }),
    });
    stats.statuses += 1;
    r.recorded += 1;
  }

  function ingest(body: unknown, receivedAt = performance.now()): IngestResult {
    const r: IngestResult = { recorded: 0, duplicates: 0, unknown: 0, malformed: 0, pending: [] };
    const n = notificationSchema.safeParse(body);
    if (!n.success || n.data.object !== 'whatsapp_business_account') {
      stats.malformed += 1;
      r.malformed += 1;
      return r;
    }
    for (const entry of n.data.entry) {
      for (const change of entry.changes) {
        if (change.field !== 'messages') {
          stats.unknown[`field:${change.field}`] = (stats.unknown[`field:${change.field}`] ?? 0) + 1;
          r.unknown += 1;
          continue;
        }
        const v = changeValueSchema.safeParse(change.value);
        if (!v.success) {
          stats.malformed += 1;
          r.malformed += 1;
          continue;
        }
        const phoneNumberId = v.data.metadata?.phone_number_id ?? '';
        for (const raw of v.data.messages ?? []) {
          const m = messageSchema.safeParse(raw);
          if (m.success) onMessage(m.data, phoneNumberId, receivedAt, r);
          else {
            stats.malformed += 1;
            r.malformed += 1;
          }
        }
        for (const raw of v.data.statuses ?? []) {
          const s = statusSchema.safeParse(raw);
          if (s.success) onStatus(s.data, r);
          else {
            stats.malformed += 1;
            r.malformed += 1;
          }
        }
      }
    }
    stats.duplicates += r.duplicates;
    return r;
  }

  const handler: ConnectHandler = (req, res, next) => {
    const receivedAt = performance.now();
    const url = new URL(req.url ?? '/', 'http://webhook.invalid');
    if (url.pathname !== path) {
      if (next) next();
      else sendError(res, 404, 'not_found', `No route for ${url.pathname}.`);
      return;
    }
    if (req.method === 'GET') {
      const q = url.searchParams;
      const token = q.get('hub.verify_token') ?? '';
      const ok =
        q.get('hub.mode') === 'subscribe' &&
        o.verifyToken !== undefined &&
        o.verifyToken !== '' &&
        timingSafeEqual(createHash('sha256').update(token).digest(), createHash('sha256').update(o.verifyToken).digest());
      if (!ok) {
        sendError(res, 403, 'verification_failed', 'hub.mode must be "subscribe" and hub.verify_token must equal the configured verify token.');
        return;
      }
      const challenge = q.get('hub.challenge') ?? '';
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(challenge) });
      res.end(challenge);
      return;
    }
    if (req.method !== 'POST') {
      sendError(res, 405, 'method_not_allowed', `${path} accepts GET (verification) and POST (notifications).`, undefined, { allow: 'GET, POST' });
      return;
    }
    rawBody(req, maxBody).then(
      (raw) => {
        if (raw === 'too_large') return sendError(res, 413, 'payload_too_large', `The body is larger than ${maxBody} bytes.`);
        if (raw === 'consumed') {
          return sendError(res, 500, 'raw_body_unavailable', 'The body was parsed before the webhook saw it; mount the webhook before JSON body parsers (or keep req.rawBody).');
        }
        if (!signatureValid(raw, header(req, 'x-hub-signature-256'), o.appSecret)) {
          stats.badSignatures += 1;
          return sendError(res, 401, 'bad_signature', 'X-Hub-Signature-256 is missing or does not match the body.');
        }
        let body: unknown;
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          stats.malformed += 1;
          return sendError(res, 400, 'bad_json', 'The body is not JSON.');
        }
        // WhatsApp bodies nest about ten levels; a deeper one is refused before anything walks it.
        const deep = checkJsonLimits(body, '(body)', { maxDepth: MAX_JSON_DEPTH });
        if (deep) {
          stats.malformed += 1;
          return sendError(res, 400, deep.code, `The body nests deeper than ${MAX_JSON_DEPTH} levels.`, [{ field: deep.field, problem: deep.problem }]);
        }
        try {
          const r = ingest(body, receivedAt);
          sendJson(res, 200, { ok: true, recorded: r.recorded, pending: r.pending.length, duplicates: r.duplicates, unknown: r.unknown, malformed: r.malformed });
        } catch (err) {
          // Storing failed: a 500 makes WhatsApp retry, and what was stored is recognised then.
          o.logger?.error({ err }, 'notification not stored');
          sendError(res, 500, 'store_failed', 'The notification could not be stored; WhatsApp will retry.');
        }
      },
      () => sendError(res, 400, 'body_unreadable', 'The request body could not be read.'),
    );
  };

  return { handler, ingest, stats: () => ({ ...stats, unknown: { ...stats.unknown } }) };
}

const header = (req: IncomingMessage, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** The raw bytes: from Express's raw parser or a `rawBody` kept by a JSON parser's verify hook, else the stream. */
function rawBody(req: IncomingMessage, max: number): Promise<Buffer | 'too_large' | 'consumed'> {
  const r = req as IncomingMessage & { rawBody?: unknown; body?: unknown };
  if (Buffer.isBuffer(r.rawBody)) return Promise.resolve(r.rawBody);
  if (Buffer.isBuffer(r.body)) return Promise.resolve(r.body);
  if (r.readableEnded || (r.body !== undefined && r.body !== null && typeof r.body === 'object')) return Promise.resolve('consumed');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? 'too_large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
