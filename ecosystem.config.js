// PM2 deployment: `npm run build && pm2 start ecosystem.config.js`.
// The project is ESM; PM2 loads this file with require(), which on Node >= 20.19 returns the
// module namespace, so the apps are exported by name.
export const apps = [
  {
    name: 'monitoring-dashboard',
    script: 'dist/gateway/main.js',
    cwd: import.meta.dirname,
    exec_mode: 'fork',
    instances: 1,
    node_args: '--enable-source-maps',
    env: {
      NODE_ENV: 'production',
      PORT: '8080',
      HOST: '0.0.0.0',
      DATA_DIR: './data',
    },
    // SIGTERM starts a graceful shutdown (close sockets, drain the pool, flush the journal).
    kill_timeout: 12000,
    max_memory_restart: '600M',
    time: true,
  },
  {
    // The WhatsApp button/CRM webhook (webhook/standalone.ts). Secrets come from the
    // environment or .env: WHATSAPP_APP_SECRET (required), WHATSAPP_VERIFY_TOKEN, WHATSAPP_ACCESS_TOKEN,
    // WEBHOOK_TOKEN, WEBHOOK_PUBLIC_URL (README, "The WhatsApp webhook").
    name: 'webhook-button-handler',
    script: 'dist/webhook/standalone.js',
    cwd: import.meta.dirname,
    exec_mode: 'fork',
    instances: 1,
    node_args: '--enable-source-maps',
    env: {
      NODE_ENV: 'production',
      WEBHOOK_PORT: '3000',
      WEBHOOK_HOST: '0.0.0.0',
      WEBHOOK_DATA_DIR: './data/webhook',
    },
    // SIGTERM: clicks under way are finished and recorded, streams closed, then exit 0.
    kill_timeout: 10000,
    max_memory_restart: '300M',
    time: true,
  },
];

export default { apps };
