// One RPC connection to a running PM2 daemon (its rpc.sock), built on pm2's own axon transport but
// WITHOUT pm2's Client: that one spawns a daemon whenever it finds none and reconnects forever.
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';

// pm2 ships untyped CommonJS; these describe the little of it we use.
interface AxonReqSocket extends EventEmitter {
  set(name: string, value: unknown): AxonReqSocket;
  connect(file: string): AxonReqSocket;
  close(): void;
  connected?: boolean;
  retry?: number;
}
interface AxonRpcClient {
  call(method: string, ...argsThenCallback: unknown[]): void;
}
interface Pm2Paths { PM2_HOME: string; DAEMON_RPC_PORT: string }

// Deep paths on purpose: `import pm2 from 'pm2'` builds a default client at import time, which creates
// ~/.pm2/{logs,pids,modules} even when we never use it.
const requirePm2 = createRequire(createRequire(import.meta.url).resolve('pm2/package.json'));
const axon = requirePm2('./modules/pm2-axon') as { socket(type: 'req'): AxonReqSocket };
const AxonRpc = requirePm2('./modules/pm2-axon-rpc') as { Client: new (sock: AxonReqSocket) => AxonRpcClient };
const pm2Paths = requirePm2('./paths.js') as (home?: string) => Pm2Paths;

// The PM2 home pm2 itself would use ($PM2_HOME, else ~/.pm2) and the daemon's RPC socket in it
// (pm2 honours $PM2_DAEMON_RPC_PORT too, so we ask pm2's own path table).
export function pm2HomeDefault(): string {
  return pm2Paths().PM2_HOME || path.join(os.homedir(), '.pm2');
}
export function rpcSocketFile(pm2Home: string): string {
  return pm2Paths(pm2Home).DAEMON_RPC_PORT;
}

export type Pm2CallFailure = 'unreachable' | 'timeout' | 'remote';
export class Pm2CallError extends Error {
  readonly kind: Pm2CallFailure;
  constructor(kind: Pm2CallFailure, message: string) {
    super(message);
    this.name = 'Pm2CallError';
    this.kind = kind;
  }
}

// Does anything accept connections on the socket? A plain connect, closed at once: no pm2 code runs,
// so nothing can start a daemon as a side effect.
export function probeSocket(file: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(file);
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export class Pm2Connection {
  readonly #sock: AxonReqSocket;
  readonly #rpc: AxonRpcClient;
  readonly #pending = new Set<(err: Error) => void>();
  #closed = false;

  private constructor(sock: AxonReqSocket) {
    this.#sock = sock;
    this.#rpc = new AxonRpc.Client(sock);
    sock.on('error', () => {}); // failures surface as 'close'; an unhandled 'error' would crash the gateway
    sock.on('close', () => this.#shutDown('the PM2 daemon closed the connection'));
  }

  static open(file: string, timeoutMs: number): Promise<Pm2Connection> {
    const sock = axon.socket('req');
    // retry 0 = never reconnect by itself: a dead daemon must show as "closed", and no timer may
    // keep the process alive. We reconnect on demand instead.
    sock.set('retry timeout', 0);
    const connection = new Pm2Connection(sock);
    return new Promise((resolve, reject) => {
      const fail = (message: string): void => {
        clearTimeout(timer);
        sock.removeListener('connect', onConnect);
        connection.close();
        reject(new Pm2CallError('unreachable', message));
      };
      const onConnect = (): void => {
        clearTimeout(timer);
        sock.removeListener('close', onClose);
        resolve(connection);
      };
      const onClose = (): void => fail(`could not connect to ${file}`);
      const timer = setTimeout(() => fail(`no connection to ${file} within ${timeoutMs} ms`), timeoutMs);
      sock.once('connect', onConnect);
      sock.once('close', onClose);
      sock.connect(file);
    });
  }

  get alive(): boolean {
    return !this.#closed && this.#sock.connected === true;
  }

  call<T>(method: string, arg: unknown, timeoutMs: number): Promise<T> {
    if (!this.alive) return Promise.reject(new Pm2CallError('unreachable', 'the connection to the PM2 daemon is closed'));
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#pending.delete(onClosed);
        fn();
      };
      const onClosed = (err: Error): void => settle(() => reject(err));
      const timer = setTimeout(
        () => settle(() => reject(new Pm2CallError('timeout', `PM2 did not answer ${method} within ${timeoutMs} ms`))),
        timeoutMs,
      );
      this.#pending.add(onClosed);
      this.#rpc.call(method, arg, (err: Error | null, result: T) =>
        settle(() => (err ? reject(new Pm2CallError('remote', err.message)) : resolve(result))),
      );
    });
  }

  // Synchronous and idempotent: destroys the socket, fails calls still waiting, leaves no timer behind.
  close(): void {
    this.#shutDown('the connection to the PM2 daemon was closed');
  }

  #shutDown(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#sock.retry = 0;
    try {
      this.#sock.close();
    } catch {
      // axon throws nothing here today; a close must never be what breaks shutdown
    }
    const waiting = [...this.#pending];
    this.#pending.clear();
    for (const fail of waiting) fail(new Pm2CallError('unreachable', reason));
  }
}
