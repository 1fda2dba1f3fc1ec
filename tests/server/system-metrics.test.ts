// System sampler: the pure CPU/memory/disk arithmetic on fixed numbers, and a real sample of this host.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cpuPercent, cpuTimesOf, createSystemSampler, diskUsageOf, memAvailableBytes } from '../../gateway/sources/system-metrics.js';
import type { CpuTimes } from '../../gateway/sources/system-metrics.js';

test('cpuPercent is the busy share of the time between two readings', () => {
  assert.is(cpuPercent({ idle: 1000, total: 2000 }, { idle: 1300, total: 3000 }), 70);
  assert.is(cpuPercent({ idle: 0, total: 0 }, { idle: 900, total: 1000 }), 10);
  assert.is(cpuPercent({ idle: 0, total: 0 }, { idle: 2, total: 3 }), 33.3);
});

test('cpuPercent reports 0 when no time passed or the counters went backwards', () => {
  assert.is(cpuPercent({ idle: 5, total: 10 }, { idle: 5, total: 10 }), 0);
  assert.is(cpuPercent({ idle: 500, total: 1000 }, { idle: 100, total: 200 }), 0);
});

test('cpuTimesOf sums every state over all cores', () => {
  const core = (user: number, idle: number) => ({ model: 'x', speed: 1, times: { user, nice: 1, sys: 2, idle, irq: 3 } });
  assert.equal(cpuTimesOf([core(10, 100), core(20, 200)]), { idle: 300, total: 342 });
});

test('memAvailableBytes reads MemAvailable in kB, null when absent', () => {
  const meminfo = 'MemTotal:       16000000 kB\nMemFree:         1000000 kB\nMemAvailable:    8000000 kB\n';
  assert.is(memAvailableBytes(meminfo), 8_000_000 * 1024);
  assert.is(memAvailableBytes('MemTotal: 1 kB\n'), null);
});

test('disk percent follows df: used over used + available to users', () => {
  const disk = diskUsageOf('data', '/srv', { bsize: 4096, blocks: 1000, bfree: 300, bavail: 200 });
  assert.equal(disk, { label: 'data', path: '/srv', totalBytes: 4_096_000, usedBytes: 2_867_200, percent: 77.8 });
});

test('a sample of this host has sane ranges, data and root disks, and the injected clock time', async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'oc-metrics-'));
  try {
    const sampler = createSystemSampler({ dataDir, clock: { now: () => Date.parse('2024-05-01T12:00:00.000Z') } });
    const first = await sampler.sample();
    const second = await sampler.sample();
    for (const s of [first, second]) {
      assert.is(s.ts, '2024-05-01T12:00:00.000Z');
      assert.ok(s.cpu.percent >= 0 && s.cpu.percent <= 100, `cpu ${s.cpu.percent}`);
      assert.ok(s.cpu.cores >= 1);
      assert.is(s.load.length, 3);
      assert.ok(s.memory.totalBytes > 0 && s.memory.usedBytes <= s.memory.totalBytes);
      assert.ok(s.memory.percent >= 0 && s.memory.percent <= 100, `memory ${s.memory.percent}`);
      assert.equal(s.disk.map((d) => d.label), ['data', 'root']);
      for (const d of s.disk) assert.ok(d.percent >= 0 && d.percent <= 100 && d.totalBytes > 0, `${d.label} ${d.percent}`);
      assert.is(s.disk[0]!.path, dataDir);
      assert.ok(s.uptimeSeconds > 0);
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('cpu percent of a sample is measured against the previous reading (first: since boot)', async () => {
  const readings: CpuTimes[] = [{ idle: 900, total: 1000 }, { idle: 1000, total: 1400 }];
  const sampler = createSystemSampler({ dataDir: tmpdir(), readCpuTimes: () => readings.shift()! });
  assert.is((await sampler.sample()).cpu.percent, 10);
  assert.is((await sampler.sample()).cpu.percent, 75);
});

test('memory falls back to os.freemem when /proc/meminfo has no MemAvailable', async () => {
  const sampler = createSystemSampler({ dataDir: tmpdir(), readMemInfo: async () => null });
  const s = await sampler.sample();
  assert.ok(s.memory.usedBytes > 0 && s.memory.percent > 0 && s.memory.percent <= 100);
});

test('a data dir that does not exist yet is measured on the filesystem it will live on', async () => {
  const missing = path.join(tmpdir(), 'oc-metrics-missing', 'deeper');
  const s = await createSystemSampler({ dataDir: missing }).sample();
  assert.is(s.disk[0]!.path, missing);
  assert.ok(s.disk[0]!.totalBytes > 0);
});

test.run();
