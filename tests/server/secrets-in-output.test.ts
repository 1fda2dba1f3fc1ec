// Secrets that could reach stdout, a log or an API answer by way of an error message: credentials inside a
// configured URL (a failed request quotes the URL), and the few characters of a state file that V8 quotes in a
// JSON syntax error (db.json and sessions.json hold hashes and CSRF tokens).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, loadConfig } from '../../gateway/config.js';
import { DbOpenError, openDb } from '../../gateway/store/db.js';
import { startTestGateway } from '../support/test-gateway.js';
import { loadSettings, SettingsError } from '../../webhook/settings.js';

const SECRET = 'SECRET5e7a';
const scratch: string[] = [];

test.after(() => {
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-secrets-out-'));
  scratch.push(dir);
  return dir;
}

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig({ DATA_DIR: '/tmp/oc-unused', ...env }, '/nonexistent-cwd-without-dotenv');
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`accepted: ${JSON.stringify(env)}`);
}

test('the failed request of a URL with credentials quotes them: the reason such URLs are refused', async () => {
  const err = await fetch(`http://user:${SECRET}@127.0.0.1:9/health`).then(() => null, (e: Error) => e);
  assert.ok(err?.message.includes(SECRET), `fetch quotes the URL: ${err?.message}`);
});

for (const [key, value] of [
  ['WEBHOOK_URL', `http://ops:${SECRET}@127.0.0.1:3000`],
  ['WEBHOOK_URL', `http://${SECRET}@127.0.0.1:3000`],
  ['WEBHOOK_URL', `http://127.0.0.1:3000/?token=${SECRET}`],
  ['DASHBOARD_INGEST_URL', `http://agent:${SECRET}@127.0.0.1:8080`],
  ['PUBLIC_ORIGIN', `https://ops:${SECRET}@ops.example.org`],
] as const) {
  test(`${key} holding a secret (${value.replace(SECRET, '…')}) is a config error that names the variable and not the value`, () => {
    const err = configError({ [key]: value });
    assert.match(err.message, new RegExp(key));
    assert.not.ok(err.message.includes(SECRET), err.message);
  });
}

for (const key of ['WHATSAPP_API_URL', 'WEBHOOK_PUBLIC_URL']) {
  test(`the webhook's ${key} holding a password is a settings error that names the variable and not the value`, () => {
    let err: unknown = null;
    try {
      loadSettings({ WHATSAPP_APP_SECRET: 'app-secret', [key]: `https://meta:${SECRET}@graph.example.org/v21.0` }, '/nonexistent-dir/.env');
    } catch (e) {
      err = e;
    }
    assert.instance(err, SettingsError);
    assert.match((err as Error).message, new RegExp(key));
    assert.not.ok((err as Error).message.includes(SECRET), (err as Error).message);
  });
}

test('plain URLs are still accepted', () => {
  const c = loadConfig({ DATA_DIR: '/tmp/x', WEBHOOK_URL: 'https://hooks.example.org:3000/base', DASHBOARD_INGEST_URL: 'http://127.0.0.1:8080', PUBLIC_ORIGIN: 'https://ops.example.org' }, '/nonexistent-cwd-without-dotenv');
  assert.is(c.webhookUrl, 'https://hooks.example.org:3000/base');
});

test('a corrupt db.json is refused with a message that quotes none of its content', async () => {
  const file = path.join(tempDir(), 'db.json');
  fs.writeFileSync(file, `{"version":1,"users":[],"tokens":[{"hash":${SECRET}x}],"settings":{}}`);
  const err = await openDb(file).then(() => null, (e: unknown) => e);
  assert.instance(err, DbOpenError);
  assert.match((err as Error).message, /invalid JSON \(Unexpected token/);
  assert.not.ok((err as Error).message.includes(SECRET.slice(1, 6)), (err as Error).message);
});

test('a corrupt sessions.json is logged without quoting its content', async () => {
  const dataDir = tempDir();
  fs.writeFileSync(path.join(dataDir, 'sessions.json'), `{"version":1,"sessions":[{"id":"x","data":{"username":"admin","csrfToken":${SECRET}}}]}`);
  let logged = '';
  const pino = (await import('pino')).default;
  const logger = pino({ level: 'warn' }, { write: (line: string) => void (logged += line) });
  const t = await startTestGateway({ DATA_DIR: dataDir }, { logger });
  await t.close();
  assert.match(logged, /sessions file unreadable/);
  assert.not.ok(logged.includes(SECRET.slice(1, 6)), logged);
});

test.run();
