// Starts the real gateway as its own process on a free port with a temp data dir: from dist/ (benchmarks,
// production-like) or from sources under tsx (end-to-end tests).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface StartOptions {
  fromSources?: boolean;
  pm2Home?: string;
  /** Extra node flags, e.g. --cpu-prof for profiling a benchmark. */
  nodeArgs?: string[];
  /** Reuse this data directory (a restart on the same state); stop() then leaves it in place. */
  dataDir?: string;
  /** Runs it on these CPUs only (`taskset -c`, e.g. "0"), so a load generator can have the others. */
  cpus?: string;
  /**
   * Its own session (setsid), as a service under PM2 or a shell runs: on Linux with autogroup scheduling it is
   * then weighed against other work on the machine by itself, not sharing one group with the benchmark.
   */
  ownSession?: boolean;
}

/** The command with `taskset -c` in front when CPUs are given (taskset execs it in place: same pid). */
export function pinnedCommand(command: string[], cpus: string | undefined): string[] {
  return cpus === undefined ? command : ['taskset', '-c', cpus, ...command];
}

export interface RunningGateway {
  child: ChildProcess;
  base: string;
  dataDir: string;
  adminPassword: string;
  stop(): Promise<void>;
}

export function buildAll(): void {
  for (const [what, args] of [
    ['server', [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json']],
    ['client', ['--import', 'tsx', 'client/build.ts']],
  ] as const) {
    const r = spawnSync(process.execPath, [...args], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`${what} build failed`);
  }
}

export async function startGateway(env: Record<string, string> = {}, o: StartOptions = {}): Promise<RunningGateway> {
  const dataDir = o.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'oc-gw-'));
  const ownPm2Home = o.pm2Home ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'oc-gw-pm2-'));
  const pm2Home = o.pm2Home ?? ownPm2Home!;
  const adminPassword = 'bench-admin-password';
  const entry = o.fromSources ? ['--import', 'tsx', path.join(root, 'gateway/main.ts')] : [path.join(root, 'dist/gateway/main.js')];
  // taskset execs node in place, so child.pid is the gateway's own.
  const pinned = pinnedCommand([process.execPath, ...(o.nodeArgs ?? []), ...entry], o.cpus);
  const child = spawn(pinned[0]!, pinned.slice(1), {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      PM2_HOME: pm2Home,
      DASHBOARD_ADMIN_PASSWORD: adminPassword,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: o.ownSession === true,
  });
  // Outside our session a terminal's Ctrl-C does not reach it: it goes when this process does.
  const orphanGuard = () => child.kill('SIGTERM');
  if (o.ownSession) process.once('exit', orphanGuard);
  child.once('exit', () => process.off('exit', orphanGuard));
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!.replace('localhost', '127.0.0.1'));
    });
    child.once('exit', (code) => reject(new Error(`gateway exited early (${code}): ${out}`)));
  }).catch((err: unknown) => {
    // It never started: nothing will call stop(), so its temp directories go now.
    if (!o.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    if (ownPm2Home) fs.rmSync(ownPm2Home, { recursive: true, force: true });
    throw err;
  });
  return {
    child,
    base,
    dataDir,
    adminPassword,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      if (!o.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
      if (ownPm2Home) fs.rmSync(ownPm2Home, { recursive: true, force: true });
    },
  };
}

export async function signIn(base: string, password: string): Promise<string> {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base },
    body: JSON.stringify({ username: 'admin', password }),
  });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

export function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb * 1024;
}

export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
