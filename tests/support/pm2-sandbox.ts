// Test helper: a real PM2 daemon in a temporary PM2_HOME running one tiny app, and a teardown that
// deletes the app, kills the daemon, removes the directory and leaves no handle open.
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

// pm2's API class is untyped CommonJS; this is the part the sandbox drives (all node-style callbacks).
type Cb<T = unknown> = (err: Error | null, result?: T) => void;
interface AxonSocket { set(name: string, value: unknown): unknown; close(): void; retry?: number }
interface Pm2Api {
  connect(cb: Cb): void;
  start(app: Record<string, unknown> | string, opts: Record<string, unknown>, cb: Cb): void;
  launchBus(cb: (err: Error | null, bus?: Pm2Bus) => void): void;
  describe(name: string, cb: Cb<Pm2Description[]>): void;
  delete(name: string, cb: Cb): void;
  killDaemon(cb: Cb): void;
  Client: { client_sock?: AxonSocket; sub_sock?: AxonSocket };
}
interface Pm2Bus { on(event: string, listener: (packet: Pm2BusPacket) => void): void }
/** What an app sent with process.send, as PM2's bus relays it. */
export interface Pm2BusPacket { raw?: unknown; process: { name: string; pm_id: number } }
export interface Pm2Description { name: string; pid: number; pm2_env: Record<string, unknown> & { status: string } }
type Pm2ApiClass = new (opts: { pm2_home: string; daemon_mode: boolean }) => Pm2Api;

let Pm2Api: Pm2ApiClass | undefined;
function pm2ApiClass(): Pm2ApiClass {
  // As pm2's index.js does, but without its default instance, which would create ~/.pm2 on import.
  // PM2_PROGRAMMATIC also keeps pm2 quiet and skips its online version check on a fresh home.
  process.env.PM2_PROGRAMMATIC = 'true';
  process.env.PM2_NO_INTERACTION = 'true'; // never start or contact the PM2 Plus agent
  const requirePm2 = createRequire(createRequire(import.meta.url).resolve('pm2/package.json'));
  Pm2Api ??= requirePm2('./lib/API.js') as Pm2ApiClass;
  return Pm2Api;
}

const APP_SOURCE = `// sandbox app: stays up until PM2 stops it
console.log('sandbox app up, pid ' + process.pid);
setInterval(() => {}, 60_000);
`;

export interface Pm2Sandbox {
  readonly home: string;
  readonly appName: string;
  readonly scriptPath: string;
  daemonPid(): Promise<number | null>;
  /** Launch (or relaunch after killDaemon) the daemon in this home and start the app in it. */
  startDaemon(): Promise<void>;
  /** Starts one more app (a PM2 app declaration: script, name, cwd, env, …) in the running daemon. */
  startApp(app: Record<string, unknown>): Promise<void>;
  /** `pm2 kill` through the API, then wait until the daemon process is gone. */
  killDaemon(): Promise<void>;
  /** `pm2 start <file> [--only <name>]`: PM2's own loader reads the ecosystem file. Resolves when PM2 answers. */
  startFile(file: string, opts?: { only?: string }): Promise<void>;
  /** Calls `listener` with every message an app sends with process.send (PM2's bus, event process:msg). */
  onProcessMessage(listener: (packet: Pm2BusPacket) => void): Promise<void>;
  /** `pm2 describe <name>`. */
  describe(name: string): Promise<Pm2Description[]>;
  /** Delete processes, kill the daemon, remove the directory. Idempotent. */
  teardown(): Promise<void>;
}

export async function makeTempPm2Home(prefix = 'oc-pm2-'): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

export async function startPm2Sandbox(opts: { appName?: string } = {}): Promise<Pm2Sandbox> {
  const home = await makeTempPm2Home();
  const appName = opts.appName ?? 'sandbox-app';
  const scriptPath = path.join(home, 'sandbox-app.cjs');
  await writeFile(scriptPath, APP_SOURCE);
  let api: Pm2Api | null = null;

  const daemonPid = async (): Promise<number | null> => {
    const text = await readFile(path.join(home, 'pm2.pid'), 'utf8').catch(() => null);
    const pid = text === null ? NaN : Number.parseInt(text.trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  };

  const sandbox: Pm2Sandbox = {
    home,
    appName,
    scriptPath,
    daemonPid,
    async startDaemon() {
      const Api = pm2ApiClass();
      api = new Api({ pm2_home: home, daemon_mode: true });
      await callback((cb) => api!.connect(cb));
      await callback((cb) => api!.start({ script: scriptPath, name: appName, cwd: home, autorestart: true }, {}, cb));
    },
    async startFile(file, opts = {}) {
      if (!api) throw new Error('the sandbox daemon is not running');
      await callback((cb) => api!.start(file, opts, cb));
    },
    async onProcessMessage(listener) {
      if (!api) throw new Error('the sandbox daemon is not running');
      const bus = await callback<Pm2Bus>((cb) => api!.launchBus(cb));
      bus!.on('process:msg', listener);
    },
    async describe(name) {
      if (!api) throw new Error('the sandbox daemon is not running');
      return (await callback<Pm2Description[]>((cb) => api!.describe(name, cb))) ?? [];
    },
    async startApp(app) {
      if (!api) throw new Error('the sandbox daemon is not running');
      const current = api;
      await callback((cb) => current.start(app, {}, cb));
    },
    async killDaemon() {
      if (!api) return;
      const current = api;
      api = null;
      const pid = await daemonPid();
      // pm2's client would reconnect forever once the daemon is gone (keeping this process alive) and
      // its disconnect() then fails with "RPC already being closed": switch reconnection off first.
      for (const sock of [current.Client.client_sock, current.Client.sub_sock]) {
        sock?.set('retry timeout', 0);
        if (sock) sock.retry = 0;
      }
      // The daemon answers killMe with SIGQUIT to this process; pm2's killDaemon listens for it.
      await callback((cb) => current.killDaemon(cb)).catch(() => {});
      for (const sock of [current.Client.client_sock, current.Client.sub_sock]) {
        try {
          sock?.close();
        } catch {
          // already closed by pm2
        }
      }
      if (pid !== null) {
        // Last resort, so a failed kill never leaves a daemon behind on the machine.
        await waitForExit(pid, 5_000).catch(async (err: unknown) => {
          process.kill(pid, 'SIGTERM');
          await waitForExit(pid, 5_000);
          throw err;
        });
      }
    },
    async teardown() {
      if (api) {
        const current = api;
        await callback((cb) => current.delete('all', cb)).catch(() => {});
        await sandbox.killDaemon();
      }
      await rm(home, { recursive: true, force: true });
    },
  };

  try {
    await sandbox.startDaemon();
  } catch (err) {
    await sandbox.teardown().catch(() => {});
    throw err;
  }
  return sandbox;
}

function callback<T>(fn: (cb: Cb<T>) => void): Promise<T | undefined> {
  return new Promise((resolve, reject) => fn((err, result) => (err ? reject(err) : resolve(result))));
}

// The daemon exits a moment after answering killMe; there is no event to await from another
// process, so poll its pid with a deadline.
async function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`PM2 daemon ${pid} still running ${timeoutMs} ms after killDaemon`);
}
