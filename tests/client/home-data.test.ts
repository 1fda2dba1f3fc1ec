// The home screen's pure data shaping: the hour of samples and the Problems list.
import { expect } from '@open-wc/testing';
import { findProblems, mergeSamples, processesFromHealth } from '../../client/src/pages/home-data.js';
import type { HealthBody, SystemSample } from '../../client/src/pages/home-data.js';
import type { ProcessInfo } from '../../client/src/components/process-table.js';

function sample(ts: string, cpu = 1): SystemSample {
  return { ts, cpu: { percent: cpu, cores: 2 }, load: [0, 0, 0], memory: { totalBytes: 10, usedBytes: 5, percent: 50 },
    disk: [{ label: 'data', path: '/data', totalBytes: 10, usedBytes: 5, percent: 50 }], uptimeSeconds: 100 };
}
function proc(name: string, status: string, pmId = 0): ProcessInfo {
  return { name, pmId, status, cpu: 0, memory: 0, restarts: 3, uptimeSeconds: null, pid: null };
}
function health(over: Partial<HealthBody> = {}): HealthBody {
  return {
    generatedAt: '2025-01-01T10:00:00Z', system: null, processes: [],
    services: {
      pm2: { state: 'up', observedAt: '2025-01-01T10:00:00Z' }, webhook: { state: 'up', observedAt: null },
      whatsapp: { state: 'not_configured', observedAt: null }, sheets: { state: 'not_configured', observedAt: null },
      drive: { state: 'not_configured', observedAt: null },
    },
    operations: { state: 'not_configured', detail: '' }, ...over,
  };
}

describe('home data', () => {
  it('merges samples by time, oldest first, keeping one hour before the newest', () => {
    const merged = mergeSamples([sample('2025-01-01T09:00:00Z'), sample('2025-01-01T09:30:00Z')],
      [sample('2025-01-01T10:00:30Z'), sample('2025-01-01T09:30:00Z', 9)]);
    expect(merged.map((s) => s.ts)).to.deep.equal(['2025-01-01T09:30:00Z', '2025-01-01T10:00:30Z']);
    expect(merged[0]!.cpu.percent).to.equal(9);
  });

  it('reads processes: null with PM2 down as unreachable, never as an empty list', () => {
    const body = health({ processes: null, services: { ...health().services, pm2: { state: 'down', observedAt: '2025-01-01T10:00:00Z', detail: 'ECONNREFUSED' } } });
    expect(processesFromHealth(body)).to.include({ state: 'down', error: 'ECONNREFUSED', processes: null });
  });

  it('a healthy system has no problems; not configured is not a problem', () => {
    expect(findProblems(health(), processesFromHealth(health()))).to.deep.equal([]);
  });

  it('lists down services and processes that are not online, worst first, each linking to its cause', () => {
    const body = health({
      processes: [proc('api', 'online'), proc('worker', 'stopped'), proc('sync', 'errored', 1), proc('sync', 'online', 2)],
      services: { ...health().services, webhook: { state: 'degraded', observedAt: null, detail: 'slow' } },
    });
    const problems = findProblems(body, processesFromHealth(body));
    expect(problems.map((p) => [p.title, p.href])).to.deep.equal([
      ['sync #1 errored', '/logs?source=pm2%3Async%3Aerr%2Cpm2%3Async%3Aout'], ['worker stopped', '/logs?source=pm2%3Aworker%3Aerr%2Cpm2%3Aworker%3Aout'], ['Webhook degraded', '/webhook'],
    ]);
    expect(problems[0]!.detail).to.equal('3 restarts — open its logs');
  });

  it('counts what the shell counts: one problem per instance not online, plus active alerts', () => {
    const body = health({ processes: [proc('sync', 'errored', 1), proc('sync', 'stopped', 2)], alerts: { active: [{ id: 'a1', title: 'Disk 93 % full' }], state: 'ok' } });
    const problems = findProblems(body, processesFromHealth(body));
    expect(problems.map((p) => p.title)).to.deep.equal(['sync #1 errored', 'sync #2 stopped', 'Disk 93 % full']);
  });

  it('an unreachable PM2 is one problem, not also a down pm2 service', () => {
    const body = health({ processes: null, services: { ...health().services, pm2: { state: 'down', observedAt: null, detail: 'gone' } } });
    const problems = findProblems(body, processesFromHealth(body));
    expect(problems.map((p) => p.title)).to.deep.equal(['PM2 unreachable']);
  });
});
