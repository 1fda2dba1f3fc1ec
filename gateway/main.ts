// Entry: reads the configuration, composes the gateway, listens, and shuts down gracefully on
// SIGTERM/SIGINT (stop accepting, close live connections, drain the pool, flush the journal, exit 0).
import http from 'node:http';
import { loadConfig, ConfigError } from './config.js';
import { composeGateway } from './compose.js';
import { DbOpenError } from './store/db.js';
import { writePidFile } from './cli/pid-file.js';
import { startLoopDelayReport } from './loop-delay-report.js';

const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const gateway = await composeGateway(config);
  const server = http.createServer(gateway.app.callback());
  server.keepAliveTimeout = 65_000;
  gateway.hub.attach(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  await gateway.start();
  const removePidFile = writePidFile(config.dataDir);
  startLoopDelayReport(); // GATEWAY_LOOP_STATS=1 only (benchmarks)

  // Handlers first: whoever reads the banner below (a test, PM2) may send SIGTERM right away.
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
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
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

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
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof DbOpenError) {
    console.error(err.message);
  } else {
    console.error('Ops Center failed to start:', err);
  }
  process.exit(1);
});
