// Searches cannot starve the gateway: slow searches run in a lane of the worker pool of their own, so audit and
// journal reads still get a thread, and each user has a limit on searches running at once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { signedInAs, startAdminGateway, type AdminGateway, type Reply, type TestClient } from '../support/test-gateway.js';
import { waitFor } from '../support/wait-for.js';

// `^(a+)+$` backtracks for ever on a run of a's that ends in something else: every search of it runs until its
// regex time limit (1 s a chunk) and then answers 422 regex_timeout.
const CATASTROPHIC = '^(a+)+$';
let dir: string;
let t: AdminGateway;

test.before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-search-fairness-'));
  fs.writeFileSync(path.join(dir, 'evil.log'), `${'a'.repeat(40)}!\n`.repeat(20));
  fs.writeFileSync(path.join(dir, 'plain.log'), `${new Date().toISOString()} INFO plain entry\n`.repeat(20));
  t = await startAdminGateway({ LOG_DIRS: `${dir}/*.log`, POOL_MAX_THREADS: '2' });
  // Threads up and their modules loaded: thread start-up is not what these tests are about.
  assert.is((await t.admin.get('/api/audit?limit=1')).status, 200);
  assert.is((await t.admin.get('/api/logs/search?q=plain&limit=1')).status, 200);
});

test.after(async () => {
  await t?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const slowSearch = (c: TestClient, headers?: Record<string, string>): Promise<Reply> =>
  c.get(`/api/logs/search?${new URLSearchParams({ q: CATASTROPHIC, regex: '1', source: `dir:${dir}/*.log` })}`, headers);

test('GET /api/audit answers while three viewers run six slow regex searches, before any of them ends', async () => {
  const viewers = await Promise.all(['ann', 'bob', 'cai'].map((name) => signedInAs(t.base, t.admin, 'viewer', name)));
  const finished: string[] = [];
  const searches = viewers.flatMap((v, i) => [0, 1].map((j) => slowSearch(v).then((r) => {
    finished.push(`search ${i}.${j}`);
    return r;
  })));
  // Every search thread is busy and more search work waits: the pool is as full as searches can make it.
  await waitFor('the searches fill the pool', () => t.gw.pool.stats().running >= 2 && t.gw.pool.stats().queued >= 1);
  const audit = t.admin.get('/api/audit?limit=5').then((r) => {
    finished.push('audit');
    return r;
  });
  const answers = await Promise.all(searches);
  const auditAnswer = await audit;
  assert.is(auditAnswer.status, 200, auditAnswer.text);
  assert.ok(Array.isArray(auditAnswer.body.items));
  // A search answers 422 once its regex overruns, or its hits so far (none) once its 2 s budget is spent.
  for (const r of answers) {
    if (r.status === 200) assert.is(r.body.truncated, true, r.text);
    else assert.is(r.body.error?.code, 'regex_timeout', r.text);
  }
  assert.is(finished[0], 'audit', `order of answers: ${finished.join(', ')}`);
});

test.run();
