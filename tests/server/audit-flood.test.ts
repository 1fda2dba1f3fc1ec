// A flood cannot bury the audit trail: refused anonymous requests are summed per IP, action and reason a minute
// into lines with a count (signed-in callers' refusals stay one line each), and the journal's size cap never
// removes audit days younger than AUDIT_MIN_RETENTION_DAYS.
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readJournal } from '../../gateway/store/journal.js';
import { MAX_BUCKETS_PER_MINUTE, RefusalAggregator } from '../../gateway/domain/audit-refusals.js';
import type { AuditEntry } from '../../gateway/domain/audit-trail.js';
import { ConfigError, loadConfig } from '../../gateway/config.js';
import { ManualClock, signedInAs, startAdminGateway, TestClient, type AdminGateway } from '../support/test-gateway.js';

interface Line extends AuditEntry {
  ts: string;
}

const sum = (lines: Line[]): number => lines.reduce((n, l) => n + (l.count ?? 0), 0);

async function anonymousRestarts(base: string, n: number, headers: (i: number) => Record<string, string> = () => ({})): Promise<number[]> {
  const anonymous = new TestClient(base);
  const statuses: number[] = [];
  // 50 at a time: a flood, without running the test machine out of sockets.
  for (let i = 0; i < n; i += 50) {
    const batch = Array.from({ length: Math.min(50, n - i) }, (_, j) => anonymous.post('/api/processes/web/restart', undefined, headers(i + j)));
    for (const r of await Promise.all(batch)) statuses.push(r.status);
  }
  return statuses;
}

async function auditLines(t: AdminGateway, query: string): Promise<Line[]> {
  const r = await t.admin.get(`/api/audit?limit=500&${query}`);
  assert.is(r.status, 200, r.text);
  return r.body.items;
}

test('1,000 refused anonymous requests from one IP leave two audit lines whose counts sum to 1,000', async () => {
  const clock = new ManualClock();
  const t = await startAdminGateway({}, { clock });
  try {
    const before = await auditLines(t, '');
    const statuses = await anonymousRestarts(t.base, 1000);
    assert.equal([...new Set(statuses)], [401]);
    const lines = await auditLines(t, 'actor=anonymous&action=process.action');
    assert.is(lines.length, 2, JSON.stringify(lines));
    assert.is(sum(lines), 1000);
    for (const l of lines) {
      assert.is(l.outcome, 'denied');
      assert.is(l.status, 401);
      assert.is(l.detail, 'unauthenticated');
      assert.is(l.ip, lines[0]!.ip);
      assert.is(l.target, 'web');
    }
    // Newest first: the summed line, then the first refusal written at once.
    assert.is(lines[1]!.count, 1);
    assert.is(lines[0]!.count, 999);
    assert.is(lines[0]!.firstAt, new Date(clock.now()).toISOString());
    // What was there before is all still there, unchanged.
    const after = await auditLines(t, '');
    assert.equal(after.slice(-before.length), before);
  } finally {
    await t.close();
  }
});

test("signed-in callers' refusals stay one line each, without a count", async () => {
  const t = await startAdminGateway();
  try {
    const viewer = await signedInAs(t.base, t.admin, 'viewer', 'vic');
    for (let i = 0; i < 3; i++) assert.is((await viewer.post('/api/processes/web/restart')).status, 403);
    const lines = await auditLines(t, 'actor=vic&action=process.action');
    assert.is(lines.length, 3);
    for (const l of lines) {
      assert.is(l.outcome, 'denied');
      assert.is(l.detail, 'forbidden');
      assert.is(l.count, undefined);
    }
  } finally {
    await t.close();
  }
});

test('each IP and reason has lines of its own; a new minute starts new lines; shutdown writes what was summed', async () => {
  const clock = new ManualClock();
  const t = await startAdminGateway({ TRUST_PROXY: '1' }, { clock });
  const journalDir = path.join(t.dataDir, 'journal');
  let closed = false;
  try {
    const from = (ip: string) => () => ({ 'x-forwarded-for': ip });
    await anonymousRestarts(t.base, 5, from('203.0.113.7'));
    await anonymousRestarts(t.base, 3, from('198.51.100.9'));
    // Another reason from the first IP: a forged Origin.
    const forged = new TestClient(t.base);
    forged.origin = 'https://evil.example';
    for (let i = 0; i < 2; i++) assert.is((await forged.post('/api/processes/web/restart', undefined, { 'x-forwarded-for': '203.0.113.7' })).status, 403);
    clock.advance(60_000);
    await anonymousRestarts(t.base, 4, from('203.0.113.7'));
    // Shut down without reading the trail first: the sums still reach the journal.
    await t.gw.close();
    closed = true;
    const page = await readJournal(journalDir, { stream: 'audit', order: 'asc', limit: 500, match: { actor: 'anonymous' } });
    const lines = page.items as unknown as Line[];
    const summary = lines.map((l) => `${l.ip} ${l.detail} ${l.count}`);
    assert.equal(summary, [
      '203.0.113.7 unauthenticated 1',
      '198.51.100.9 unauthenticated 1',
      '203.0.113.7 origin_mismatch 1',
      // The minute ended: its sums, then the new minute's first line.
      '203.0.113.7 unauthenticated 4',
      '198.51.100.9 unauthenticated 2',
      '203.0.113.7 origin_mismatch 1',
      '203.0.113.7 unauthenticated 1',
      // Shutdown.
      '203.0.113.7 unauthenticated 3',
    ]);
  } finally {
    if (closed) {
      t.server.closeAllConnections();
      await new Promise<void>((resolve) => t.server.close(() => resolve()));
      fs.rmSync(t.dataDir, { recursive: true, force: true });
    } else {
      await t.close();
    }
  }
});

test(`past ${MAX_BUCKETS_PER_MINUTE} buckets a minute, further IPs share one bucket per action and reason (ip "*")`, async () => {
  const written: AuditEntry[] = [];
  const agg = new RefusalAggregator({ clock: new ManualClock(), write: async (e) => written.push(...e), onError: (err) => { throw err; } });
  const refusal = (ip: string): AuditEntry => ({ actor: 'anonymous', action: 'auth.login', outcome: 'denied', status: 401, ip, detail: 'invalid_credentials', target: `user-${ip}` });
  for (let i = 0; i < MAX_BUCKETS_PER_MINUTE + 100; i++) {
    await agg.record(refusal(`10.0.${i >> 8}.${i & 255}`));
    await agg.record(refusal(`10.0.${i >> 8}.${i & 255}`));
  }
  await agg.close();
  assert.is(written.reduce((n, e) => n + (e.count ?? 0), 0), 2 * (MAX_BUCKETS_PER_MINUTE + 100));
  const ips = new Set(written.map((e) => e.ip));
  assert.is(ips.size, MAX_BUCKETS_PER_MINUTE + 1);
  const shared = written.filter((e) => e.ip === '*');
  assert.equal(shared.map((e) => e.count), [1, 199]);
  // A summed line names the distinct targets it covers, ten at most.
  assert.is(shared[1]!.targets!.length, 10);
  assert.is(shared[1]!.target, undefined);
});

test('a minute that ends without further refusals is summed up by its timer', async () => {
  // A clock just before the end of a minute, so the timer fires soon after.
  const shift = Math.ceil(Date.now() / 60_000) * 60_000 - 1_200 - Date.now();
  const clock = { now: () => Date.now() + shift };
  let summed!: (e: AuditEntry[]) => void;
  const summedLine = new Promise<AuditEntry[]>((resolve) => (summed = resolve));
  const written: AuditEntry[] = [];
  const agg = new RefusalAggregator({
    clock,
    write: async (e) => {
      written.push(...e);
      if (e.some((x) => (x.count ?? 0) > 1)) summed(e);
    },
    onError: (err) => { throw err; },
  });
  const refusal: AuditEntry = { actor: 'anonymous', action: 'auth.login', outcome: 'denied', status: 429, ip: '10.1.1.1', detail: 'rate_limited' };
  for (let i = 0; i < 7; i++) await agg.record(refusal);
  // The aggregator's timer does not hold the process open (a gateway closes it at shutdown); this test must wait.
  const holdOpen = setInterval(() => undefined, 1_000);
  try {
    assert.equal((await summedLine).map((e) => e.count), [6]);
  } finally {
    clearInterval(holdOpen);
  }
  assert.equal(written.map((e) => e.count), [1, 6]);
  await agg.close();
  assert.is(written.length, 2, 'nothing left to write at close');
});

test('the gateway keeps audit days under JOURNAL_MAX_MB and removes other streams\' instead', async () => {
  const clock = new ManualClock(); // 2026-11-25
  const t = await startAdminGateway({ JOURNAL_MAX_MB: '1', AUDIT_MIN_RETENTION_DAYS: '30' }, { clock });
  try {
    const journalDir = path.join(t.dataDir, 'journal');
    const plant = (stream: string, date: string, bytes: number): string => {
      fs.mkdirSync(path.join(journalDir, stream), { recursive: true });
      const line = JSON.stringify({ ts: `${date}T12:00:00.000Z`, pad: 'x'.repeat(200) }) + '\n';
      const file = path.join(journalDir, stream, `${date}.jsonl`);
      fs.writeFileSync(file, line.repeat(Math.ceil(bytes / line.length)));
      return file;
    };
    const oldAudit = plant('audit', '2026-11-05', 950_000); // 20 days old: inside the 30
    const agedAudit = plant('audit', '2026-10-01', 100_000); // 55 days old: past them, removable by size
    const oldSamples = plant('samples', '2026-11-20', 700_000);
    plant('samples', '2026-11-24', 10_000);
    const { removed } = await t.gw.journal.applyRetention();
    assert.equal(removed, [path.join('samples', '2026-11-20.jsonl'), path.join('audit', '2026-10-01.jsonl')]);
    assert.not.ok(fs.existsSync(oldSamples));
    assert.not.ok(fs.existsSync(agedAudit));
    assert.ok(fs.existsSync(oldAudit), 'the audit day inside AUDIT_MIN_RETENTION_DAYS stays');
  } finally {
    await t.close();
  }
});

test('AUDIT_MIN_RETENTION_DAYS and SEARCH_CONCURRENCY_PER_USER must be whole numbers from 1', () => {
  for (const env of [{ AUDIT_MIN_RETENTION_DAYS: '0' }, { AUDIT_MIN_RETENTION_DAYS: 'a year' }, { SEARCH_CONCURRENCY_PER_USER: '0' }, { SEARCH_CONCURRENCY_PER_USER: '1.5' }]) {
    const name = Object.keys(env)[0]!;
    try {
      loadConfig(env, '/nonexistent');
      assert.unreachable(`${JSON.stringify(env)} was accepted`);
    } catch (err) {
      assert.instance(err, ConfigError);
      assert.match((err as ConfigError).message, name);
    }
  }
  const defaults = loadConfig({}, '/nonexistent');
  assert.is(defaults.auditMinRetentionDays, 365);
  assert.is(defaults.searchConcurrencyPerUser, 2);
});

test.run();
