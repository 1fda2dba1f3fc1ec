// The webhook as one mountable unit: the event log, the responder, the WhatsApp receiver and the
// contract routes behind one connect-style handler, plus the /ws/events stream, the abandonment sweep
// and `status` events when the webhook's health changes. The standalone server and tests use it too.
import type { Server } from 'node:http';
import { createContractHandler, type HealthReport } from './contract-routes.js';
import type { ChatReplier } from './demo-chat.js';
import { EventLog } from './event-log.js';
import { attachEventStream, type EventStream } from './event-stream.js';
import type { ConnectHandler } from './http-reply.js';
import { Responder, type ClickRequest } from './responder.js';
import { createWhatsAppReceiver, type WhatsAppReceiver } from './whatsapp-receiver.js';

export interface WebhookOptions {
  /** WEBHOOK_DATA_DIR: the event log's directory. */
  dataDir: string;
  /** WHATSAPP_APP_SECRET: key of X-Hub-Signature-256. */
  appSecret: string;
  /** WHATSAPP_VERIFY_TOKEN for the GET /webhook handshake. */
  verifyToken?: string;
  /** WHATSAPP_ACCESS_TOKEN; without it replies are not sent (local mode). */
  accessToken?: string;
  /** WHATSAPP_API_URL, default Meta's Graph API. */
  apiUrl?: string;
  /** WHATSAPP_PHONE_NUMBER_ID: the sending number when no notification named one. */
  phoneNumberId?: string;
  /** WEBHOOK_TOKEN: bearer token of the contract routes and /ws/events. */
  token?: string;
  /** WEBHOOK_PUBLIC_URL, reported by /health as tunnelUrl. */
  tunnelUrl?: string;
  timeZone?: string;
  retentionDays?: number;
  /** An active conversation silent this long is closed as abandoned. */
  abandonAfterMinutes?: number;
  /** How often idle conversations and health changes are looked at. */
  sweepIntervalMs?: number;
  advisorOf?: (waId: string) => string | undefined;
  clickReply?: (click: ClickRequest) => string;
  chatReplier?: ChatReplier;
  logger?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  now?: () => number;
}

export interface Webhook {
  log: EventLog;
  responder: Responder;
  receiver: WhatsAppReceiver;
  /** POST/GET /webhook and the contract's GET routes; anything else goes to `next` (or 404). */
  handler: ConnectHandler;
  /** Adds WS /ws/events to the server the handler is served by. */
  attach(server: Server): EventStream;
  health(): HealthReport;
  /** Closes conversations idle past the limit; returns how many. */
  sweep(): Promise<number>;
  /** Waits for clicks and replies under way, then closes the streams and the log. */
  close(): Promise<void>;
}

export async function createWebhook(o: WebhookOptions): Promise<Webhook> {
  const now = o.now ?? Date.now;
  const log = await EventLog.open({ dataDir: o.dataDir, now, ...(o.timeZone ? { timeZone: o.timeZone } : {}), ...(o.retentionDays ? { retentionDays: o.retentionDays } : {}) });
  if (log.openReport.tornTail) o.logger?.warn({ file: log.openReport.tornTail }, 'a torn last line of the event log was set aside');
  if (log.openReport.corruptLines > 0) o.logger?.warn({ lines: log.openReport.corruptLines }, 'unreadable lines in the event log were skipped');
  const responder = new Responder({
    log,
    ...(o.apiUrl ? { apiUrl: o.apiUrl } : {}),
    ...(o.accessToken ? { accessToken: o.accessToken } : {}),
    ...(o.phoneNumberId ? { phoneNumberId: o.phoneNumberId } : {}),
    ...(o.clickReply ? { clickReply: o.clickReply } : {}),
    ...(o.chatReplier ? { chatReplier: o.chatReplier } : {}),
    ...(o.logger ? { logger: o.logger } : {}),
  });
  const receiver = createWhatsAppReceiver({
    log,
    responder,
    appSecret: o.appSecret,
    ...(o.verifyToken ? { verifyToken: o.verifyToken } : {}),
    ...(o.advisorOf ? { advisorOf: o.advisorOf } : {}),
    ...(o.logger ? { logger: o.logger } : {}),
  });
  const health = (): HealthReport => {
    const s = receiver.stats();
    return { ...responder.health(), messagesProcessed: s.messages + s.statuses, replies: responder.mode };
  };
  const contract = createContractHandler(log, {
    health,
    receivedStats: receiver.stats,
    now,
    ...(o.token ? { token: o.token } : {}),
    ...(o.tunnelUrl ? { tunnelUrl: o.tunnelUrl } : {}),
  });
  const handler: ConnectHandler = (req, res, next) => receiver.handler(req, res, () => contract(req, res, next));

  let lastStatus = health().status;
  const started = health();
  log.append({ type: 'status', status: started.status, detail: `started${started.detail ? `; ${started.detail}` : ''}` });

  const abandonMs = (o.abandonAfterMinutes ?? 30) * 60_000;
  // A slow notice must not be sent twice by the next sweep.
  const closing = new Set<string>();
  const sweep = async () => {
    const idle = log.idleConversations(now() - abandonMs).filter((c) => !closing.has(c.conversationId));
    await Promise.all(
      idle.map((c) => {
        closing.add(c.conversationId);
        return responder
          .abandon(c)
          .catch((err: unknown) => o.logger?.error({ err }, 'abandonment not recorded'))
          .finally(() => closing.delete(c.conversationId));
      }),
    );
    return idle.length;
  };
  const timer = setInterval(() => {
    const h = health();
    if (h.status !== lastStatus) {
      lastStatus = h.status;
      log.append({ type: 'status', status: h.status, ...(h.detail ? { detail: h.detail } : {}) });
    }
    void sweep();
  }, o.sweepIntervalMs ?? 15_000);
  timer.unref();

  const streams: EventStream[] = [];
  return {
    log,
    responder,
    receiver,
    handler,
    health,
    sweep,
    attach(server) {
      const s = attachEventStream(server, log, o.token ? { token: o.token } : {});
      streams.push(s);
      return s;
    },
    async close() {
      clearInterval(timer);
      await responder.idle();
      await Promise.all(streams.map((s) => s.close()));
      log.close();
    },
  };
}
