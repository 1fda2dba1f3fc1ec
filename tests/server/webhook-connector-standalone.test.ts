// The connector against the project's own webhook (webhook/module.ts, as the standalone runs it) on
// 127.0.0.1: a signed WhatsApp button tap posted with the simulator's helpers is stored and counted once by
// the dashboard, and the two sides reconcile.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { signedInAdmin, startTestGateway, type TestGateway } from '../support/test-gateway.js';
import { waitFor } from '../support/wait-for.js';
import { createWebhook, type Webhook } from '../../webhook/module.js';
import { interactiveTap, notification, postNotification, sampleAdvisors } from '../../webhook/simulator.js';

const SECRET = 'app-secret-for-tests';
let graph: http.Server;
let hookServer: http.Server;
let hook: Webhook;
let t: TestGateway;
let dirs: string[] = [];

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test.before(async () => {
  try {
    // Stands in for the WhatsApp Cloud API the webhook replies through.
    graph = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ messaging_product: 'whatsapp', messages: [{ id: `wamid.reply${Date.now()}` }] }));
      });
    });
    const apiUrl = await listen(graph);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-hook-'));
    dirs.push(dataDir);
    hook = await createWebhook({ dataDir, appSecret: SECRET, apiUrl, accessToken: 'test-access', phoneNumberId: '1', token: 'dash-token' });
    hookServer = http.createServer((req, res) => hook.handler(req, res));
    hook.attach(hookServer);
    const hookUrl = await listen(hookServer);
    t = await startTestGateway({ WEBHOOK_URL: hookUrl, WEBHOOK_TOKEN: 'dash-token', WEBHOOK_POLL_SECONDS: '0.2' });
  } catch (err) {
    console.error(err);
    throw err;
  }
});

test.after(async () => {
  await t?.close();
  await hook?.close();
  hookServer?.closeAllConnections();
  await new Promise((r) => hookServer?.close(r));
  await new Promise((r) => graph?.close(r));
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

test('a signed button tap posted to the webhook is stored and counted once by the dashboard', async () => {
  const c = await signedInAdmin(t.base);
  await waitFor('up and open', async () => {
    const s = (await c.get('/api/webhook/status')).body;
    return s.state === 'up' && s.connection === 'open';
  });
  const advisor = sampleAdvisors()[0]!;
  const body = notification([{ contacts: [advisor], messages: [interactiveTap(advisor.waId, 'UNLOCK_CONTENT')] }]);
  const hookUrl = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}`;
  const r = await postNotification(hookUrl, body, SECRET);
  assert.is(r.status, 200);
  await postNotification(hookUrl, body, SECRET); // WhatsApp retries the same wamid: still one click
  const b = await waitFor('one click', async () => {
    const x = (await c.get('/api/webhook/buttons')).body;
    return x.clicks.total >= 1 && x;
  });
  assert.is(b.clicks.UNLOCK_CONTENT, 1);
  const s = await waitFor('reconciled', async () => {
    const st = (await c.get('/api/webhook/status')).body;
    return st.reconciliation?.ok === true && st;
  });
  assert.equal(s.reconciliation.drift, []);
  assert.is((await c.get('/api/webhook/buttons')).body.clicks.total, 1);
});

test.run();
