// Samples the host: CPU %, load, memory, disk of the data dir and of /, uptime — one SystemSample per call.
// The arithmetic (cpuPercent, meminfo parsing, disk percent) is pure and exported for tests.
import os from 'node:os';
import { readFile, statfs } from 'node:fs/promises';
import path from 'node:path';
import { systemClock } from '../clock.js';
import type { Clock } from '../clock.js';

export interface DiskUsage { label: 'data' | 'root'; path: string; totalBytes: number; usedBytes: number; percent: number }
export interface SystemSample {
  ts: string;
  cpu: { percent: number; cores: number };
  load: [number, number, number];
  memory: { totalBytes: number; usedBytes: number; percent: number };
  disk: DiskUsage[];
  uptimeSeconds: number;
}

// CPU time (ms) summed over all cores: `total` counts every state, `idle` the idle one.
export interface CpuTimes { idle: number; total: number }

export interface SystemSamplerOptions {
  dataDir: string;
  clock?: Clock;
  readCpuTimes?: () => CpuTimes; // injectable so tests can script readings
  readMemInfo?: () => Promise<string | null>;
}

export function cpuTimesOf(cpus: readonly os.CpuInfo[]): CpuTimes {
  let idle = 0;
  let total = 0;
  for (const { times } of cpus) {
    idle += times.idle;
    total += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  return { idle, total };
}

// Busy share of the CPU time that passed between two readings, 0..100 (one decimal).
export function cpuPercent(prev: CpuTimes, next: CpuTimes): number {
  const totalDelta = next.total - prev.total;
  const idleDelta = next.idle - prev.idle;
  // No time passed (or counters went backwards after a CPU went offline): nothing to report.
  if (!(totalDelta > 0)) return 0;
  return round1(clamp(((totalDelta - idleDelta) / totalDelta) * 100));
}

// MemAvailable from /proc/meminfo in bytes; null when the field is absent (old kernels, non-Linux).
export function memAvailableBytes(meminfo: string): number | null {
  const match = /^MemAvailable:\s+(\d+)\s*kB/m.exec(meminfo);
  return match ? Number(match[1]) * 1024 : null;
}

export function percentOf(used: number, total: number): number {
  return total > 0 ? round1(clamp((used / total) * 100)) : 0;
}

// Like df: percent of the space an ordinary user can fill (used + available), not of the raw size,
// because blocks reserved for root are not space the pipeline can use.
export function diskUsageOf(label: DiskUsage['label'], dir: string, s: { bsize: number; blocks: number; bfree: number; bavail: number }): DiskUsage {
  const totalBytes = s.blocks * s.bsize;
  const usedBytes = (s.blocks - s.bfree) * s.bsize;
  return { label, path: dir, totalBytes, usedBytes, percent: percentOf(usedBytes, usedBytes + s.bavail * s.bsize) };
}

export function createSystemSampler(opts: SystemSamplerOptions): { sample(): Promise<SystemSample> } {
  const clock = opts.clock ?? systemClock;
  const readCpuTimes = opts.readCpuTimes ?? (() => cpuTimesOf(os.cpus()));
  const readMemInfo = opts.readMemInfo ?? (() => readFile('/proc/meminfo', 'utf8').catch(() => null));
  // First sample measures since boot: the counters start at zero then.
  let previousCpu: CpuTimes = { idle: 0, total: 0 };

  return {
    async sample(): Promise<SystemSample> {
      const cpuNow = readCpuTimes();
      const percent = cpuPercent(previousCpu, cpuNow);
      previousCpu = cpuNow;

      const totalBytes = os.totalmem();
      const meminfo = await readMemInfo();
      const available = (meminfo === null ? null : memAvailableBytes(meminfo)) ?? os.freemem();
      const usedBytes = Math.max(0, totalBytes - available);

      const [data, root] = await Promise.all([diskUsage('data', opts.dataDir), diskUsage('root', '/')]);
      const [l1, l5, l15] = os.loadavg();
      return {
        ts: new Date(clock.now()).toISOString(),
        cpu: { percent, cores: os.cpus().length || os.availableParallelism() },
        load: [l1 ?? 0, l5 ?? 0, l15 ?? 0],
        memory: { totalBytes, usedBytes, percent: percentOf(usedBytes, totalBytes) },
        disk: [data, root],
        uptimeSeconds: Math.round(os.uptime()),
      };
    },
  };
}

// The data dir may not exist yet (first start): measure the filesystem it will live on.
async function diskUsage(label: DiskUsage['label'], dir: string): Promise<DiskUsage> {
  let probe = path.resolve(dir);
  for (;;) {
    try {
      return diskUsageOf(label, dir, await statfs(probe));
    } catch (err) {
      const parent = path.dirname(probe);
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || parent === probe) throw err;
      probe = parent;
    }
  }
}

function clamp(n: number): number {
  return Math.min(100, Math.max(0, n));
}
function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
