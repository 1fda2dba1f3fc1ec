// `node dist/webhook/standalone.js` (PM2 app webhook-button-handler): the whole webhook on a plain
// node:http server on WEBHOOK_PORT; tells PM2 when it is ready; graceful on SIGTERM/SIGINT (finish clicks
// under way, close streams).
import http from 'node:http';
import pino from 'pino';
import { ListenError, listenOn } from '../gateway/listen-error.js';
import { createWebhook } from './module.js';
import { loadAdvisors, loadSettings, SettingsError } from './settings.js';

const SHUTDOWN_GRACE_MS = 8_000;

async function main(): Promise<void> {
  const s = loadSettings();
  const logger = pino({ name: 'webhook-button-handler' });
  if (s.openWithoutToken) {
    console.warn(`Warning: WEBHOOK_ALLOW_NO_TOKEN=1 and no WEBHOOK_TOKEN: anyone who can reach ${s.host}:${s.port} can read the conversations (customers' phone numbers) and the event stream.`);
  }
  const advisors = s.advisorsFile ? loadAdvisors(s.advisorsFile) : null;
  const webhook = await createWebhook({
    dataDir: s.dataDir,
    appSecret: s.appSecret,
    apiUrl: s.apiUrl,
    timeZone: s.timeZone,
    retentionDays: s.retentionDays,
    abandonAfterMinutes: s.abandonAfterMinutes,
    logger,
    ...(s.verifyToken ? { verifyToken: s.verifyToken } : {}),
    ...(s.accessToken ? { accessToken: s.accessToken } : {}),
    ...(s.phoneNumberId ? { phoneNumberId: s.phoneNumberId } : {}),
    ...(s.token ? { token: s.token } : {}),
    ...(s.publicUrl ? { tunnelUrl: s.publicUrl } : {}),
    ...(advisors ? { advisorOf: (waId: string) => advisors.get(waId) } : {}),
  });
  const server = http.createServer((req, res) => webhook.handler(req, res));
  server.keepAliveTimeout = 65_000;
  webhook.attach(server);
  await listenOn(server, { port: s.port, host: s.host, portVar: 'WEBHOOK_PORT', hostVar: 'WEBHOOK_HOST' });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS);
    force.unref();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await webhook.close();
    server.closeAllConnections();
    await closed;
    process.exit(0);
  };
  // Kept for the whole run (not `once`): a Ctrl-C arrives from the terminal and again relayed by npm.
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : s.port;
  const shownHost = s.host === '0.0.0.0' || s.host === '::' ? 'localhost' : s.host;
  // One write: whoever waits for "running at" (PM2, a test) sees the whole banner with it.
  const banner = [
    `Webhook (Button Click Handler) is running at http://${shownHost}:${port}`,
    `WhatsApp callback: ${s.publicUrl ?? `http://${shownHost}:${port}`}/webhook; event log: ${s.dataDir} (last seq ${webhook.log.lastSeq})`,
  ];
  if (!s.accessToken) banner.push('WHATSAPP_ACCESS_TOKEN is not set: local mode, replies are recorded but not sent.');
  if (!s.verifyToken) banner.push('WHATSAPP_VERIFY_TOKEN is not set: the GET /webhook handshake is refused.');
  console.log(banner.join('\n'));
  process.send?.('ready'); // PM2 (wait_ready) counts it online from here
}

main().catch((err: unknown) => {
  console.error(err instanceof SettingsError || err instanceof ListenError ? err.message : `The webhook failed to start: ${String((err as Error)?.stack ?? err)}`);
  process.exit(1);
});
