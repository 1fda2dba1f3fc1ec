// Entry: reads the configuration, listens first (a taken port is reported before any state is touched),
// composes and starts the gateway, tells PM2 it is ready, and shuts down gracefully on SIGTERM/SIGINT
// (stop accepting, close live connections, drain the pool, flush the journal, remove the pid file, exit 0).
import http from 'node:http';
import { loadConfig, ConfigError, type Config } from './config.js';
import { composeGateway, type Gateway } from './compose.js';
import { DbOpenError } from './store/db.js';
import { writePidFile } from './cli/pid-file.js';
import { startLoopDelayReport } from './loop-delay-report.js';
import { ListenError, listenOn } from './listen-error.js';

const SHUTDOWN_GRACE_MS = 10_000;

interface Running {
  gateway: Gateway;
  removePidFile: () => void;
}

// Until the app is composed, /healthz says "starting" and everything else is refused the same way.
function startingReply(req: http.IncomingMessage, res: http.ServerResponse): void {
  const body = req.url === '/healthz' ? { status: 'starting' } : { error: { code: 'starting', message: 'Ops Center is starting; try again in a moment.' } };
  res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'retry-after': '2' });
  res.end(JSON.stringify(body));
}

async function boot(config: Config, server: http.Server, route: (app: http.RequestListener) => void): Promise<Running> {
  await listenOn(server, { port: config.port, host: config.host, portVar: 'PORT', hostVar: 'HOST' });
  const gateway = await composeGateway(config);
  gateway.hub.attach(server);
  route(gateway.app.callback()); // /healthz answers 503 "starting" until start() below has finished
  await gateway.start();
  return { gateway, removePidFile: writePidFile(config.dataDir) };
}

async function main(): Promise<void> {
  const config = loadConfig();
  let handle: http.RequestListener = startingReply;
  const server = http.createServer((req, res) => handle(req, res));
  server.keepAliveTimeout = 65_000;
  const booting = boot(config, server, (app) => (handle = app));

  // Installed before anything starts, and kept (not `once`): a Ctrl-C reaches this process from the terminal
  // and again relayed by npm, and a second SIGINT without a listener would kill it mid-shutdown.
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    // A signal during start-up waits for it to finish; a start-up that fails exits through main's catch.
    const running = await booting.catch(() => null);
    if (!running) return;
    const { gateway, removePidFile } = running;
    gateway.services.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      gateway.services.logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await gateway.close();
    server.closeAllConnections();
    await closed;
    removePidFile();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  const { gateway } = await booting;
  startLoopDelayReport(); // GATEWAY_LOOP_STATS=1 only (benchmarks)

  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  console.log(`Ops Center is running at http://${shownHost}:${port}`);
  console.log(`Data directory: ${config.dataDir}`);
  const first = gateway.firstAdmin;
  // Never the password itself: stdout ends up in PM2's log files, which the log center serves to every viewer.
  if (first?.passwordFrom === 'configured') {
    console.log(`First start: created user "${first.username}" with the password from DASHBOARD_ADMIN_PASSWORD.`);
  } else if (first) {
    console.log(
      [
        first.created
          ? `First start: created user "${first.username}"; its password is in ${first.file} (readable by this system user only).`
          : `User "${first.username}" still has its first password, in ${first.file}.`,
        `  Read it with: cat ${first.file}`,
        '  Signing in asks for a new password at once; the file is removed when it is changed.',
      ].join('\n'),
    );
  }
  // PM2 (wait_ready) counts the app as online only now; without an IPC channel there is nobody to tell.
  if (!stopping) process.send?.('ready');
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof DbOpenError || err instanceof ListenError) {
    console.error(err.message);
  } else {
    console.error('Ops Center failed to start:', err);
  }
  process.exit(1);
});
