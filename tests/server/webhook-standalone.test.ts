// The standalone webhook (webhook/standalone.ts) as a child process, and the simulator CLI against it:
// signed simulated traffic is accepted; a restart continues seq with a new startedAt; SIGTERM exits 0;
// bad settings are refused with a clear message.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { WebhookEvent } from '../../webhook/events.js';
import { interactiveTap, notification, postNotification } from '../../webhook/simulator.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const SECRET = 'standalone-secret';
const scratch: string[] = [];
const children = new Set<ChildProcess>();

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-webhook-proc-'));
  scratch.push(d);
  return d;
}

interface Proc {
  child: ChildProcess;
  out(): string;
  exited: Promise<number | string>;
}

function run(script: string, args: string[], cwd: string, env: Record<string, string>): Proc {
  const child = spawn(process.execPath, ['--import', TSX, path.join(root, script), ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: cwd, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | string>((r) => child.once('exit', (code, sig) => {
    children.delete(child);
    r(code ?? sig ?? -1);
  }));
  return { child, out: () => out, exited };
}

async function startStandalone(dataDir: string, extra: Record<string, string> = {}): Promise<Proc & { base: string }> {
  const p = run('webhook/standalone.ts', [], path.dirname(dataDir), {
    WEBHOOK_PORT: '0',
    WEBHOOK_HOST: '127.0.0.1',
    WEBHOOK_DATA_DIR: dataDir,
    WHATSAPP_APP_SECRET: SECRET,
    WHATSAPP_VERIFY_TOKEN: 'vt',
    ...extra,
  });
  const base = await new Promise<string>((resolve, reject) => {
    const t = setInterval(() => {
      const m = /running at (http:\/\/\S+)/.exec(p.out());
      if (m) {
        clearInterval(t);
        resolve(m[1]!);
      }
    }, 20);
    void p.exited.then((code) => {
      clearInterval(t);
      reject(new Error(`standalone exited (${code}): ${p.out()}`));
    });
  });
  return { ...p, base };
}

async function stop(p: Proc): Promise<number | string> {
  p.child.kill('SIGTERM');
  return p.exited;
}

async function events(base: string): Promise<WebhookEvent[]> {
  const res = await fetch(`${base}/api/webhook/events?after=0&limit=1000`);
  return ((await res.json()) as { events: WebhookEvent[] }).events;
}

test('the simulator CLI posts a signed business day that the standalone accepts in full', async () => {
  const dataDir = path.join(tempDir(), 'webhook');
  const w = await startStandalone(dataDir);
  try {
    assert.match(w.out(), /local mode/);
    const sim = run('webhook/simulator.ts', ['--url', w.base, '--secret', SECRET, '--day', '--rate', '400', '--seed', '7'], path.dirname(dataDir), {});
    assert.is(await sim.exited, 0, sim.out());
    const last = sim.out().trim().split('\n').at(-1)!;
    const m = /posted (\d+) \(taps (\d+), texts (\d+), statuses (\d+), retries (\d+)\); accepted (\d+); refused 0/.exec(last);
    assert.ok(m, last);
    assert.is(m![6], m![1], 'every POST accepted');
    // Clicks are recorded when their (local) send is done: wait for all of them.
    let evs: WebhookEvent[] = [];
    for (let i = 0; i < 50; i++) {
      evs = await events(w.base);
      if (evs.filter((e) => e.type === 'button_click').length >= Number(m![2])) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.is(evs.filter((e) => e.type === 'button_click').length, Number(m![2]));
    assert.is(evs.filter((e) => e.type === 'chat_message' && e.direction === 'inbound').length, Number(m![3]));
    assert.is(evs.filter((e) => e.type === 'delivery_status').length, Number(m![4]));
    const health = (await (await fetch(`${w.base}/health`)).json()) as { messagesProcessed: number };
    assert.is(health.messagesProcessed, Number(m![2]) + Number(m![3]) + Number(m![4]));
  } finally {
    assert.is(await stop(w), 0);
  }
});

test('a restart continues seq, changes startedAt, and still serves the events of before', async () => {
  const dataDir = path.join(tempDir(), 'webhook');
  const first = await startStandalone(dataDir);
  const h1 = (await (await fetch(`${first.base}/health`)).json()) as { startedAt: string };
  for (let i = 0; i < 3; i++) assert.is((await postNotification(first.base, notification([{ messages: [interactiveTap('919820011001', 'UNLOCK_CONTENT')] }]), SECRET)).status, 200);
  await new Promise((r) => setTimeout(r, 50));
  const before = await events(first.base);
  assert.is(await stop(first), 0, 'graceful exit on SIGTERM');
  assert.is(before.filter((e) => e.type === 'button_click').length, 3, 'clicks under way were recorded before exit');

  const second = await startStandalone(dataDir);
  try {
    const h2 = (await (await fetch(`${second.base}/health`)).json()) as { startedAt: string };
    assert.ok(h2.startedAt > h1.startedAt, `${h2.startedAt} after ${h1.startedAt}`);
    const after = await events(second.base);
    assert.equal(after.slice(0, before.length), before);
    const fresh = after.slice(before.length);
    assert.is(fresh[0]!.seq, before.at(-1)!.seq + 1);
    assert.is(fresh[0]!.type, 'status');
    const metrics = (await (await fetch(`${second.base}/api/webhook/metrics`)).json()) as { startedAt: string; lastSeq: number; buttonClicks: Record<string, number> };
    assert.is(metrics.startedAt, h2.startedAt);
    assert.is(metrics.lastSeq, fresh.at(-1)!.seq);
    assert.is(metrics.buttonClicks.UNLOCK_CONTENT, 0, 'metrics count since this start only');
    assert.is(new Set(after.map((e) => e.id)).size, after.length);
  } finally {
    await stop(second);
  }
});

test('missing or bad settings stop the standalone with a clear message', async () => {
  const dir = tempDir();
  const noSecret = run('webhook/standalone.ts', [], dir, { WEBHOOK_PORT: '0', WEBHOOK_DATA_DIR: path.join(dir, 'w') });
  assert.is(await noSecret.exited, 1);
  assert.match(noSecret.out(), /WHATSAPP_APP_SECRET is required/);
  const badUrl = run('webhook/standalone.ts', [], dir, { WEBHOOK_PORT: '0', WHATSAPP_APP_SECRET: 's', WHATSAPP_API_URL: 'not a url', WEBHOOK_TIMEZONE: 'Mars/Base' });
  assert.is(await badUrl.exited, 1);
  assert.match(badUrl.out(), /WHATSAPP_API_URL must be a URL/);
  assert.match(badUrl.out(), /WEBHOOK_TIMEZONE must be an IANA time zone/);
  assert.not.ok(fs.existsSync(path.join(dir, 'w')), 'nothing created');
});

test.after(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const d of scratch) fs.rmSync(d, { recursive: true, force: true });
});

test.run();
