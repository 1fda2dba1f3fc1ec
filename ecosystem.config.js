// PM2 deployment: `npm run build && pm2 start ecosystem.config.js`.
// The project is ESM; PM2 loads this file with require(), which returns an ES module's namespace on every
// Node version in package.json's "engines" (>= 20.19 and >= 22.12), so the apps are exported by name.
// PORT, HOST and DATA_DIR (WEBHOOK_PORT, WEBHOOK_HOST, WEBHOOK_DATA_DIR) are deliberately not set here:
// `cwd` is this directory, so each app reads them from the environment or the .env file there, and the
// defaults live in gateway/config.ts and webhook/settings.ts. A value set here would silently override .env.

// Both apps tell PM2 when they are ready (process.send('ready')); a crash loop backs off.
const lifecycle = {
  exec_mode: 'fork',
  instances: 1,
  node_args: '--enable-source-maps',
  // "online" only once the app says so (the gateway: after its journal replay and start-up); PM2 stops
  // waiting after listen_timeout.
  wait_ready: true,
  listen_timeout: 60000,
  // After a crash: wait 100 ms, then 1.5 times longer on each further crash (at most 15 s); the delay
  // resets once the app has stayed up. An app that dies within min_uptime max_restarts times in a row is
  // left stopped ("errored") instead of restarting forever.
  exp_backoff_restart_delay: 100,
  min_uptime: '10s',
  max_restarts: 10,
  time: true,
};

export const apps = [
  {
    name: 'monitoring-dashboard',
    script: 'dist/gateway/main.js',
    cwd: import.meta.dirname,
    ...lifecycle,
    env: { NODE_ENV: 'production' },
    // SIGINT/SIGTERM start a graceful shutdown (close sockets, drain the pool, flush the journal) that gives
    // up after 10 s; PM2 kills it after kill_timeout.
    kill_timeout: 12000,
    max_memory_restart: '600M',
  },
  {
    // The WhatsApp button/CRM webhook (webhook/standalone.ts). Settings and secrets come from the
    // environment or .env: WHATSAPP_APP_SECRET (required), WHATSAPP_VERIFY_TOKEN, WHATSAPP_ACCESS_TOKEN,
    // WEBHOOK_TOKEN (required unless it listens on a loopback address), WEBHOOK_PUBLIC_URL (README, "The
    // WhatsApp webhook").
    name: 'webhook-button-handler',
    script: 'dist/webhook/standalone.js',
    cwd: import.meta.dirname,
    ...lifecycle,
    env: { NODE_ENV: 'production' },
    // SIGTERM: clicks under way are finished and recorded, streams closed, then exit 0 (at most 8 s).
    kill_timeout: 10000,
    max_memory_restart: '300M',
  },
];

export default { apps };
