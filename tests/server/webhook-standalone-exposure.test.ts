// Who can reach the real standalone webhook (webhook/standalone.ts as a child process): without
// WEBHOOK_TOKEN it starts only on a loopback address (or with WEBHOOK_ALLOW_NO_TOKEN=1, warned); /ws/events
// refuses upgrades from web pages (Origin) and serves a script without Origin that has the token; a taken
// WEBHOOK_PORT is one line.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocket } from 'ws';
import { killLeftovers, spawnWatched, type Spawned } from '../support/spawned.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const STANDALONE = path.join(root, 'webhook/standalone.ts');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const TOKEN = 'exposure-token-0123456789';

const scratch: string[] = [];
test.after(() => {
  killLeftovers();
  for (const d of scratch) fs.rmSync(d, { recursive: true, force: true });
});

function launch(env: Record<string, string>): { proc: Spawned; dataDir: string } {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-webhook-exposure-'));
  scratch.push(base);
  const dataDir = path.join(base, 'events');
  const proc = spawnWatched(process.execPath, ['--import', TSX, STANDALONE], {
    cwd: base, // no stray .env
    env: { PATH: process.env.PATH, HOME: base, WEBHOOK_PORT: '0', WEBHOOK_DATA_DIR: dataDir, WHATSAPP_APP_SECRET: 'exposure-secret', ...env },
  });
  return { proc, dataDir };
}

async function running(env: Record<string, string>): Promise<{ proc: Spawned; base: string; dataDir: string }> {
  const { proc, dataDir } = launch(env);
  const m = await proc.waitForOutput(/running at (http:\/\/\S+)/);
  return { proc, dataDir, base: m[1]!.replace('localhost', '127.0.0.1') };
}

/** The exit code of a start that must be refused; one still running after `ms` is stopped and reported as such. */
async function refusedExit(proc: Spawned, ms = 20_000): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  const still = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still running'), ms)));
  const r = await Promise.race([proc.exited, still]);
  clearTimeout(timer);
  if (r === 'still running') await stop(proc);
  return r;
}

async function stop(proc: Spawned): Promise<number | string> {
  proc.child.kill('SIGTERM');
  return proc.exited;
}

test('without WEBHOOK_TOKEN on WEBHOOK_HOST 0.0.0.0 it refuses to start: one line naming WEBHOOK_TOKEN and the way out, exit 1, no event log written', async () => {
  const { proc, dataDir } = launch({ WEBHOOK_HOST: '0.0.0.0' });
  assert.is(await refusedExit(proc), 1);
  const lines = proc.stderr().trimEnd().split('\n');
  assert.is(lines.length, 1, proc.stderr());
  assert.match(lines[0]!, /^WEBHOOK_TOKEN is not set, and WEBHOOK_HOST 0\.0\.0\.0 lets other machines read the conversations/);
  assert.match(lines[0]!, /WEBHOOK_HOST=127\.0\.0\.1/);
  assert.match(lines[0]!, /WEBHOOK_ALLOW_NO_TOKEN=1/);
  assert.not.match(proc.stdout(), /running at/);
  assert.not.ok(fs.existsSync(dataDir), 'nothing written');
});

test('the same on an IPv6 wildcard and on a host name; loopback addresses (127.0.0.1, ::1, localhost) start without a token', async () => {
  for (const host of ['::', 'webhook.example']) {
    const { proc } = launch({ WEBHOOK_HOST: host });
    assert.is(await refusedExit(proc), 1, host);
    assert.match(proc.stderr(), new RegExp(`^WEBHOOK_TOKEN is not set, and WEBHOOK_HOST ${host.replace(/\./g, '\\.')} `));
  }
  for (const host of ['127.0.0.1', '::1', 'localhost']) {
    const { proc } = await running({ WEBHOOK_HOST: host });
    assert.not.match(proc.stderr(), /WEBHOOK_TOKEN/, host);
    assert.is(await stop(proc), 0, host);
  }
});

test('WEBHOOK_ALLOW_NO_TOKEN=1 starts it on 0.0.0.0 without a token and says on stderr that anyone can read the conversations', async () => {
  const { proc, base } = await running({ WEBHOOK_HOST: '0.0.0.0', WEBHOOK_ALLOW_NO_TOKEN: '1' });
  assert.match(proc.stderr(), /^Warning: WEBHOOK_ALLOW_NO_TOKEN=1 and no WEBHOOK_TOKEN: anyone who can reach 0\.0\.0\.0:0 can read the conversations/);
  const res = await fetch(`${base}/api/webhook/conversations`);
  assert.is(res.status, 200, 'open, as explicitly accepted');
  assert.is(await stop(proc), 0);
});

test('WEBHOOK_ALLOW_NO_TOKEN that is not a yes/no is refused naming the variable', async () => {
  const { proc } = launch({ WEBHOOK_HOST: '0.0.0.0', WEBHOOK_ALLOW_NO_TOKEN: 'sure' });
  assert.is(await refusedExit(proc), 1);
  assert.match(proc.stderr(), /WEBHOOK_ALLOW_NO_TOKEN must be 1 or 0/);
});

/** The upgrade's answer: 'open', or the refusal's status and JSON body. */
function upgrade(url: string, headers: Record<string, string>): Promise<{ status: number; body: unknown } | 'open'> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.close();
      resolve('open');
    });
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    });
    ws.once('error', reject);
  });
}

test('/ws/events refuses an upgrade carrying an Origin (a web page), cross-site or not and even with the token, with 403 in the error shape; a script without Origin and with the token gets the stream', async () => {
  const { proc, base } = await running({ WEBHOOK_HOST: '127.0.0.1', WEBHOOK_TOKEN: TOKEN });
  const url = `${base.replace('http', 'ws')}/ws/events?after=0`;
  const auth = { authorization: `Bearer ${TOKEN}` };
  try {
    for (const origin of ['https://evil.example', base]) {
      const r = await upgrade(url, { ...auth, origin });
      assert.ok(r !== 'open', `Origin ${origin} refused`);
      assert.is(r.status, 403);
      assert.is((r.body as { error: { code: string } }).error.code, 'origin_refused');
      assert.match((r.body as { error: { message: string } }).error.message, /web pages are refused/);
    }
    const noToken = await upgrade(url, {});
    assert.ok(noToken !== 'open' && noToken.status === 401, 'no token: 401');
    assert.is(await upgrade(url, auth), 'open');
  } finally {
    await stop(proc);
  }
});

test('a WEBHOOK_PORT already in use: exactly one line naming WEBHOOK_PORT, exit 1', async () => {
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const port = (holder.address() as net.AddressInfo).port;
  try {
    const { proc } = launch({ WEBHOOK_HOST: '127.0.0.1', WEBHOOK_PORT: String(port) });
    assert.is(await refusedExit(proc), 1);
    assert.is(proc.stderr(), `Port ${port} is already in use (set WEBHOOK_PORT to another port).\n`);
  } finally {
    await new Promise<void>((resolve) => holder.close(() => resolve()));
  }
});


test('an empty variable in the environment does not blank out the token that .env sets', async () => {
  const { loadSettings, SettingsError } = await import('../../webhook/settings.js');
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-webhook-dotenv-'));
  scratch.push(base);
  const dotenv = path.join(base, '.env');
  fs.writeFileSync(dotenv, `WEBHOOK_TOKEN=${TOKEN}\nWEBHOOK_HOST=0.0.0.0\n`);
  const s = loadSettings({ WHATSAPP_APP_SECRET: 'exposure-secret', WEBHOOK_TOKEN: '', WEBHOOK_HOST: '' }, dotenv);
  assert.is(s.token, TOKEN);
  assert.is(s.host, '0.0.0.0');
  assert.is(s.openWithoutToken, false);
  // Without the file the same environment is refused on a non-loopback address.
  assert.throws(() => loadSettings({ WHATSAPP_APP_SECRET: 'exposure-secret', WEBHOOK_TOKEN: '', WEBHOOK_HOST: '0.0.0.0' }, path.join(base, 'none.env')), (e: unknown) => e instanceof SettingsError);
});

test.run();
