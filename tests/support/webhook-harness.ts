// The webhook module (webhook/module.ts) on a real http server on 127.0.0.1 with a temporary event-log
// directory, plus signed POST helpers.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createWebhook, type Webhook, type WebhookOptions } from '../../webhook/module.js';
import { signatureOf } from '../../webhook/whatsapp-receiver.js';

export const SECRET = 'test-app-secret';
export const VERIFY = 'test-verify-token';

export interface RunningWebhook {
  base: string;
  webhook: Webhook;
  server: http.Server;
  dataDir: string;
  /** POST /webhook signed with the app secret (or the given signature header; null = none). */
  post(body: object | string, signature?: string | null): Promise<Response>;
  /** The event log file's lines, parsed. */
  storedEvents(): { id: string; seq: number; type: string; [k: string]: unknown }[];
  /** Stops the server and the module; keeps the data directory when `keepData`. */
  close(keepData?: boolean): Promise<void>;
}

export async function startWebhook(o: Partial<WebhookOptions> = {}): Promise<RunningWebhook> {
  const dataDir = o.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'oc-webhook-'));
  const webhook = await createWebhook({ appSecret: SECRET, verifyToken: VERIFY, sweepIntervalMs: 3_600_000, ...o, dataDir });
  const server = http.createServer((req, res) => webhook.handler(req, res));
  webhook.attach(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    webhook,
    server,
    dataDir,
    post(body, signature) {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (signature === undefined) headers['x-hub-signature-256'] = signatureOf(text, SECRET);
      else if (signature !== null) headers['x-hub-signature-256'] = signature;
      return fetch(`${base}/webhook`, { method: 'POST', headers, body: text });
    },
    storedEvents() {
      return fs
        .readdirSync(dataDir)
        .filter((f) => f.endsWith('.jsonl'))
        .sort()
        .flatMap((f) => fs.readFileSync(path.join(dataDir, f), 'utf8').split('\n').filter(Boolean))
        .map((l) => JSON.parse(l) as { id: string; seq: number; type: string });
    },
    async close(keepData = false) {
      server.closeAllConnections();
      await webhook.close();
      await new Promise<void>((r) => server.close(() => r()));
      if (!keepData) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
