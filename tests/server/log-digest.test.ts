// The log digest on the real gateway: what the files held before the start is backfilled in the worker pool,
// new entries are counted live, GET /api/logs/groups|groups/:fingerprint|rates answer (and refuse bad input),
// and a restart on the same data directory counts nothing twice, while what was written meanwhile is counted.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startAdminGateway, signedInAs, ManualClock, TestClient, type TestGateway } from '../support/test-gateway.js';

let logDir: string;
let dataDir: string;
let file: string;
const source = () => `dir:${logDir}/*.log`;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

async function boot(clock?: ManualClock): Promise<{ t: TestGateway; viewer: TestClient }> {
  const t = await startAdminGateway({ LOG_DIRS: `${logDir}/*.log`, DATA_DIR: dataDir }, clock ? { clock } : {});
  const viewer = await signedInAs(t.base, t.admin, 'viewer');
  await t.gw.services.logDigest.whenIdle();
  return { t, viewer };
}

/** Retries `check` until it passes (the follower reads on its own schedule), at most 8 s. */
async function eventually<T>(check: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 8_000;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function groupCount(viewer: TestClient, template: string): Promise<number> {
  const r = await viewer.get('/api/logs/groups');
  assert.is(r.status, 200);
  return r.body.groups.find((g: { template: string }) => g.template === template)?.count ?? 0;
}

test.before(() => {
  logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-digest-logs-'));
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-digest-data-'));
  file = path.join(logDir, 'api.log');
  fs.writeFileSync(
    file,
    [
      `${ago(30 * 3_600_000)} ERROR Payment 1 failed for order 5`, // older than a day: not counted
      `${ago(3_600_000)} ERROR Payment 17 failed for order 99`,
      `${ago(3_000_000)} ERROR Payment 18 failed for order 100`,
      '    at charge (/app/pay.js:10:3)',
      `${ago(2_000_000)} WARN slow response`,
      `${ago(1_000_000)} INFO fine`,
      '',
    ].join('\n'),
  );
});

test.after(() => {
  fs.rmSync(logDir, { recursive: true, force: true });
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('backfill, live counting, the routes, and a restart that counts nothing twice', async () => {
  let { t, viewer } = await boot();
  try {
    // Backfilled in the pool: two payment errors of the last day (one with a stack, so another group).
    let r = await viewer.get('/api/logs/groups');
    assert.is(r.status, 200);
    const templates = r.body.groups.map((g: { template: string }) => g.template).sort();
    assert.equal(templates, ['ERROR Payment <n> failed for order <n>', 'ERROR Payment <n> failed for order <n>']);
    assert.is(r.body.pendingBytes, 0);
    assert.ok(r.body.indexedBytes > 0);
    assert.ok(Date.parse(r.body.since) >= Date.now() - 24 * 3_600_000 - 60_000, 'nothing older than a day was counted');
    const withStack = r.body.groups.find((g: { topFrame: string | null }) => g.topFrame !== null);
    assert.is(withStack.topFrame, 'at charge (/app/pay.js)');
    assert.is(withStack.hourly.length, 24);
    assert.equal(withStack.sources, [source()]);

    // Live: appended after the start.
    fs.appendFileSync(file, `${ago(0)} ERROR Payment 19 failed for order 101\n${ago(0)} INFO ok\n`);
    const plain = 'ERROR Payment <n> failed for order <n>';
    const plainGroup = () => r.body.groups.find((g: { template: string; topFrame: string | null }) => g.template === plain && g.topFrame === null);
    await eventually(async () => {
      r = await viewer.get('/api/logs/groups');
      assert.is(plainGroup()?.count, 2);
    });
    const fingerprint: string = plainGroup().fingerprint;
    const detail = await viewer.get(`/api/logs/groups/${fingerprint}`);
    assert.is(detail.status, 200);
    assert.is(detail.body.group.count, 2);
    assert.equal(detail.body.occurrences.map((o: { file: string }) => o.file), [file, file]);
    assert.ok(detail.body.occurrences[0].offset > detail.body.occurrences[1].offset, 'newest first');
    const line = fs.readFileSync(file).subarray(detail.body.occurrences[0].offset).toString().split('\n')[0];
    assert.match(line, /ERROR Payment 19 failed/);

    // The last line (INFO ok) is given out after the file's quiet time.
    await eventually(async () => {
      const rates = await viewer.get(`/api/logs/rates?source=${encodeURIComponent(source())}`);
      assert.is(rates.status, 200);
      assert.is(rates.body.interval, 'minute');
      const total = (level: string) => rates.body.buckets.filter((b: { level: string }) => b.level === level).reduce((n: number, b: { count: number }) => n + b.count, 0);
      assert.is(total('info'), 2);
      assert.is(total('error'), 3);
      assert.is(total('warn'), 1);
    });
    assert.equal((await viewer.get('/api/logs/rates?source=pm2:nothing:out')).body.buckets, []);

    // Restart: the saved state is read back; bytes written while the gateway was down are counted once. The
    // clock is 23.5 h on, so a backfill from scratch would no longer see Payment 17 (1 h old): a count of 3
    // needs the saved state (2) plus the new line, where re-reading everything would give 4 and losing it 2.
    await t.close();
    fs.appendFileSync(file, `${ago(0)} ERROR Payment 20 failed for order 102\n`);
    ({ t, viewer } = await boot(new ManualClock(Date.now() + 23.5 * 3_600_000)));
    r = await viewer.get('/api/logs/groups');
    assert.is(plainGroup()?.count, 3, 'the two counted before plus the one written while down');
    assert.is(await groupCount(viewer, plain), 3);
    const after = await viewer.get(`/api/logs/rates?source=${encodeURIComponent(source())}`);
    assert.is(after.body.buckets.filter((b: { level: string }) => b.level === 'info').reduce((n: number, b: { count: number }) => n + b.count, 0), 2, 'info lines are not counted again');
  } finally {
    await t.close();
  }
});

test('bad queries are refused with invalid_input; an unknown fingerprint is 404', async () => {
  const { t, viewer } = await boot();
  try {
    for (const q of ['limit=0', 'limit=501', 'limit=x', 'from=yesterday', 'from=2026-11-25T10:00:00Z&to=2026-11-24T10:00:00Z', 'limit=1&limit=2']) {
      const r = await viewer.get(`/api/logs/groups?${q}`);
      assert.is(r.status, 400, q);
      assert.is(r.body.error.code, 'invalid_input', q);
      assert.ok(Array.isArray(r.body.error.details), q);
    }
    const rates = await viewer.get('/api/logs/rates?to=not-a-time');
    assert.is(rates.status, 400);
    assert.is(rates.body.error.details[0].field, 'to');
    const missing = await viewer.get('/api/logs/groups/0123456789abcdef');
    assert.is(missing.status, 404);
    assert.is(missing.body.error.code, 'not_found');
    const anonymous = await new TestClient(t.base).get('/api/logs/groups');
    assert.is(anonymous.status, 401);
  } finally {
    await t.close();
  }
});

test.run();
