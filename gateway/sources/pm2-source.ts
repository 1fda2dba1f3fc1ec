// The gateway's view of PM2: list processes and start/stop/restart/reload them by name over the
// daemon's RPC socket. It never launches a daemon: no daemon means ApiError 503 'pm2_unreachable'.
import { ApiError } from '../http/api-error.js';
import { systemClock } from '../clock.js';
import type { Clock } from '../clock.js';
import { Pm2CallError, Pm2Connection, pm2HomeDefault, probeSocket, rpcSocketFile } from './pm2-connection.js';

export interface ProcessInfo {
  name: string;
  pmId: number;
  status: string; // online|stopped|errored|launching|stopping|one-launch-status
  cpu: number;
  memory: number;
  restarts: number;
  uptimeSeconds: number | null;
  pid: number | null;
  outLogPath?: string;
  errLogPath?: string;
  execPath?: string;
  mode?: 'fork' | 'cluster';
}
export type ProcessAction = 'start' | 'stop' | 'restart' | 'reload';
export interface Pm2Source {
  list(): Promise<ProcessInfo[]>;
  action(name: string, op: ProcessAction): Promise<ProcessInfo>;
  close(): Promise<void>;
}
export interface Pm2SourceOptions { pm2Home?: string; timeoutMs?: number; clock?: Clock }

// The part of a getMonitorData entry we read. It also carries the app's whole environment
// (secrets included), which is exactly why it is mapped field by field and never passed on.
export interface RawPm2Process {
  name?: string;
  pm_id: number;
  pid?: number;
  monit?: { cpu?: number; memory?: number };
  pm2_env?: {
    name?: string;
    status?: string;
    restart_time?: number;
    pm_uptime?: number;
    pm_out_log_path?: string;
    pm_err_log_path?: string;
    pm_exec_path?: string;
    exec_mode?: string;
  };
}

export function toProcessInfo(raw: RawPm2Process, nowMs: number): ProcessInfo {
  const env = raw.pm2_env ?? {};
  const status = env.status ?? 'unknown';
  const info: ProcessInfo = {
    name: raw.name ?? env.name ?? String(raw.pm_id),
    pmId: raw.pm_id,
    status,
    cpu: raw.monit?.cpu ?? 0,
    memory: raw.monit?.memory ?? 0,
    restarts: env.restart_time ?? 0,
    // pm_uptime is the time of the last (re)start, kept while stopped: only meaningful when online.
    uptimeSeconds: status === 'online' && env.pm_uptime ? Math.max(0, Math.floor((nowMs - env.pm_uptime) / 1000)) : null,
    pid: raw.pid !== undefined && raw.pid > 0 ? raw.pid : null,
  };
  if (env.pm_out_log_path) info.outLogPath = env.pm_out_log_path;
  if (env.pm_err_log_path) info.errLogPath = env.pm_err_log_path;
  if (env.pm_exec_path) info.execPath = env.pm_exec_path;
  if (env.exec_mode === 'cluster_mode') info.mode = 'cluster';
  else if (env.exec_mode === 'fork_mode') info.mode = 'fork';
  return info;
}

export function createPm2Source(opts: Pm2SourceOptions = {}): Pm2Source {
  const home = opts.pm2Home ?? pm2HomeDefault();
  const rpcFile = rpcSocketFile(home);
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const clock = opts.clock ?? systemClock;
  let connection: Pm2Connection | null = null;
  let opening: Promise<Pm2Connection> | null = null;
  let closed = false;

  const unreachable = (why: string): ApiError =>
    new ApiError(503, 'pm2_unreachable', `PM2 is not reachable (PM2_HOME ${home}): ${why}.`, { pm2Home: home });

  async function connect(): Promise<Pm2Connection> {
    // Probe first: only a socket that accepts connections gets the RPC client, so nothing on this
    // path can ever start a daemon, and a missing daemon is reported within timeoutMs.
    if (!(await probeSocket(rpcFile, timeoutMs))) {
      throw unreachable(`no daemon is listening on ${rpcFile}; Ops Center does not start one — start PM2 (e.g. "pm2 resurrect") on this host`);
    }
    try {
      return await Pm2Connection.open(rpcFile, timeoutMs);
    } catch (err) {
      throw unreachable((err as Error).message);
    }
  }

  async function currentConnection(): Promise<Pm2Connection> {
    if (closed) throw unreachable('the PM2 source has been closed');
    if (connection?.alive) return connection;
    // Reconnect on demand (the daemon may have come back); one attempt shared by concurrent callers.
    opening ??= connect().finally(() => {
      opening = null;
    });
    const fresh = await opening;
    if (closed) {
      fresh.close();
      throw unreachable('the PM2 source has been closed');
    }
    connection = fresh;
    return fresh;
  }

  async function call<T>(method: string, arg: unknown): Promise<T> {
    const conn = await currentConnection();
    try {
      return await conn.call<T>(method, arg, timeoutMs);
    } catch (err) {
      if (err instanceof Pm2CallError && err.kind !== 'remote') throw unreachable(err.message);
      throw err;
    }
  }

  async function listRaw(): Promise<RawPm2Process[]> {
    try {
      const list = await call<RawPm2Process[]>('getMonitorData', {});
      return Array.isArray(list) ? list : [];
    } catch (err) {
      if (err instanceof Pm2CallError) throw new ApiError(502, 'pm2_error', `PM2 could not list processes: ${err.message}`);
      throw err;
    }
  }

  async function list(): Promise<ProcessInfo[]> {
    const now = clock.now();
    return (await listRaw()).map((raw) => toProcessInfo(raw, now)).sort((a, b) => a.pmId - b.pmId);
  }

  async function actOn(raw: RawPm2Process, op: ProcessAction): Promise<void> {
    const id = raw.pm_id;
    const status = raw.pm2_env?.status;
    switch (op) {
      case 'stop':
        await call('stopProcessId', id);
        return;
      case 'start':
        // Like `pm2 start <name>` on a known app: an app already up is left alone, otherwise restarted.
        if (status === 'online' || status === 'launching') return;
        await call('restartProcessId', { id, env: {} });
        return;
      case 'restart':
        await call('restartProcessId', { id, env: {} });
        return;
      case 'reload':
        // The daemon falls back to a restart for fork-mode apps, as the pm2 CLI does.
        await call('reloadProcessId', { id, env: {} });
        return;
    }
  }

  async function action(name: string, op: ProcessAction): Promise<ProcessInfo> {
    // Exact name match only: pm2's CLI would also take 'all', ids and /regex/ — not from a URL.
    const targets = (await listRaw()).filter((raw) => (raw.name ?? raw.pm2_env?.name) === name);
    if (targets.length === 0) throw new ApiError(404, 'process_not_found', `No PM2 process is named "${name}".`, { name });
    for (const raw of targets.sort((a, b) => a.pm_id - b.pm_id)) {
      try {
        await actOn(raw, op);
      } catch (err) {
        if (err instanceof Pm2CallError) {
          throw new ApiError(502, 'pm2_action_failed', `PM2 could not ${op} "${name}" (id ${raw.pm_id}): ${err.message}`, { name, op });
        }
        throw err;
      }
    }
    const after = (await list()).find((p) => p.name === name);
    if (!after) throw new ApiError(404, 'process_not_found', `PM2 process "${name}" disappeared during ${op}.`, { name });
    return after;
  }

  return {
    list,
    action,
    async close(): Promise<void> {
      closed = true;
      connection?.close();
      connection = null;
      const inFlight = opening;
      if (inFlight) await inFlight.then((c) => c.close(), () => {});
    },
  };
}
