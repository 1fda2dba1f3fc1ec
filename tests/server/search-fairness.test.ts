// Searches cannot starve the gateway: slow searches run in a lane of the worker pool of their own, so audit and
// journal reads still get a thread, and each user has a limit on searches running at once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { signedInAs, startAdminGateway, type AdminGateway, type Reply, type TestClient } from '../support/test-gateway.js';
import { waitFor } from '../support/wait-for.js';
import { holdGate } from '../support/workers/hold.js';

// `^(a+)+$` backtracks for ever on a run of a's that ends in something else: every search of it runs until its
// regex time limit (1 s a chunk) and then answers 422 regex_timeout.
const CATASTROPHIC = '^(a+)+$';
const holdTask = new URL('../support/workers/hold.ts', import.meta.url);
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

const plainSearch = (c: TestClient): Promise<Reply> => c.get(`/api/logs/search?${new URLSearchParams({ q: 'plain', limit: '1' })}`);
const running = (): number => t.gw.services.logSearch.registry.size;

/** Holds both threads of the search lane until release(): searches then wait in the pool as long as a test needs. */
async function holdSearchThreads(): Promise<{ release(): Promise<void> }> {
  const gate = holdGate();
  const started: Array<Promise<void>> = [];
  const holds = [0, 1].map(() => {
    let begun!: () => void;
    started.push(new Promise<void>((resolve) => (begun = resolve)));
    return t.gw.pool.run('hold', { gate: gate.gate }, { filename: holdTask, lane: 'search', onProgress: () => begun() });
  });
  await Promise.all(started);
  return {
    release: async () => {
      gate.open();
      await Promise.allSettled(holds);
    },
  };
}

function assertTooMany(r: Reply): void {
  assert.is(r.status, 429, r.text);
  assert.equal(Object.keys(r.body), ['error']);
  assert.is(r.body.error.code, 'too_many_searches');
  assert.match(r.body.error.message, 'searches running');
  assert.is(r.body.error.details.limit, 2);
  assert.is(r.headers.get('retry-after'), '2');
}

/** A search is over and was not cancelled: 422 once its regex overran, or 200 with what its budget found. */
function assertRanItsCourse(r: Reply): void {
  if (r.status === 200) assert.is(r.body.truncated, true, r.text);
  else assert.is(r.body.error?.code, 'regex_timeout', `${r.status} ${r.text}`);
}

test('a third search by a user with two running answers 429 too_many_searches with Retry-After; the two run on untouched', async () => {
  const dan = await signedInAs(t.base, t.admin, 'viewer', 'dan');
  const eve = await signedInAs(t.base, t.admin, 'viewer', 'eve');
  const held = await holdSearchThreads();
  try {
    const first = slowSearch(dan);
    const second = slowSearch(dan);
    await waitFor('both searches of dan run', () => running() === 2);
    assertTooMany(await slowSearch(dan));
    assert.is(running(), 2, 'the refused search did not cancel either of the running ones');
    // Another user is not held to dan's count.
    const other = plainSearch(eve);
    await waitFor("eve's search runs beside dan's", () => running() === 3);
    await held.release();
    assert.is((await other).status, 200);
    assertRanItsCourse(await first);
    assertRanItsCourse(await second);
    // Once they have answered, their slots are free again.
    const again = await plainSearch(dan);
    assert.is(again.status, 200, again.text);
  } finally {
    await held.release();
  }
});

test('at the limit, a search that replaces one of the same session (X-Search-Replaces) is accepted and the replaced one answers 409', async () => {
  const fay = await signedInAs(t.base, t.admin, 'viewer', 'fay');
  const held = await holdSearchThreads();
  try {
    const first = slowSearch(fay, { 'X-Search-Id': 'fay-1' });
    const second = slowSearch(fay, { 'X-Search-Id': 'fay-2' });
    await waitFor('both searches of fay run', () => running() === 2);
    const replacement = fay.get(`/api/logs/search?${new URLSearchParams({ q: 'plain', limit: '1' })}`, { 'X-Search-Replaces': 'fay-1' });
    const replaced = await first;
    assert.is(replaced.status, 409, replaced.text);
    assert.is(replaced.body.error.code, 'search_cancelled');
    await held.release();
    assert.is((await replacement).status, 200);
    assertRanItsCourse(await second);
  } finally {
    await held.release();
  }
});

test('a search whose client went away frees its slot at once', async () => {
  const gus = await signedInAs(t.base, t.admin, 'viewer', 'gus');
  const held = await holdSearchThreads();
  try {
    const controller = new AbortController();
    const gone = fetch(`${t.base}/api/logs/search?${new URLSearchParams({ q: CATASTROPHIC, regex: '1', source: `dir:${dir}/*.log` })}`, {
      headers: { cookie: gus.cookieHeader() },
      signal: controller.signal,
    }).catch((err: unknown) => err);
    const kept = slowSearch(gus);
    await waitFor('both searches of gus run', () => running() === 2);
    controller.abort();
    assert.instance(await gone, Error);
    await waitFor('the abandoned search is no longer counted', () => running() === 1);
    const next = plainSearch(gus);
    await waitFor('the next search of gus runs', () => running() === 2);
    await held.release();
    assert.is((await next).status, 200);
    assertRanItsCourse(await kept);
  } finally {
    await held.release();
  }
});

test.run();
