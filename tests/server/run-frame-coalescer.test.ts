// The run-frame coalescer on real timers: latest state wins, first and terminal frames at once, at most one
// frame per run per interval, and held-back frames of all runs leaving together on one shared beat.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RunFrameCoalescer } from '../../gateway/domain/agents/run-frame-coalescer.js';
import type { RunState, RunStatus } from '../../gateway/domain/agents/types.js';

const INTERVAL = 60;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const run = (runId: string, done: number, status: RunStatus = 'processing') => ({ runId, status, progress: { done, total: 1000 } }) as unknown as RunState;

interface Sent { at: number; runId: string; done: number; status: string }

function recorder(): { sent: Sent[]; coalescer: RunFrameCoalescer } {
  const sent: Sent[] = [];
  const coalescer = new RunFrameCoalescer((r) => sent.push({ at: performance.now(), runId: r.runId, done: r.progress!.done, status: r.status }), INTERVAL);
  return { sent, coalescer };
}

test('first frame at once, then the latest held-back state on the beat, the terminal frame at once', async () => {
  const { sent, coalescer } = recorder();
  coalescer.update(run('a', 0));
  assert.equal(sent.map((s) => s.done), [0], 'first frame immediately');
  for (let i = 1; i <= 20; i++) coalescer.update(run('a', i));
  assert.is(sent.length, 1, 'later states are held back');
  await sleep(INTERVAL * 2.5);
  assert.equal(sent.map((s) => s.done), [0, 20], 'only the latest held state went out');
  coalescer.update(run('a', 21));
  coalescer.update(run('a', 22, 'completed'));
  assert.equal(sent.at(-1), { ...sent.at(-1)!, done: 22, status: 'completed' }, 'terminal frame at once');
  coalescer.stop();
});

test('busy runs on different phases share one beat and never exceed one frame per interval', async () => {
  const { sent, coalescer } = recorder();
  const runs = Array.from({ length: 12 }, (_, i) => `r${i}`);
  const done = new Map(runs.map((r) => [r, 0]));
  // Each run updates every 7 ms, starting at staggered moments.
  const start = performance.now();
  while (performance.now() - start < INTERVAL * 8) {
    const elapsed = performance.now() - start;
    for (const [i, r] of runs.entries()) {
      if (elapsed < i * 9) continue;
      done.set(r, done.get(r)! + 1);
      coalescer.update(run(r, done.get(r)!));
    }
    await sleep(7);
  }
  coalescer.stop();
  for (const r of runs) {
    const times = sent.filter((s) => s.runId === r).map((s) => s.at);
    assert.ok(times.length >= 4, `${r} sent ${times.length} frames`);
    for (let k = 2; k < times.length; k++) {
      assert.ok(times[k]! - times[k - 1]! >= INTERVAL * 0.9 - 1, `${r}: frames ${k - 1}→${k} only ${(times[k]! - times[k - 1]!).toFixed(1)} ms apart`);
    }
  }
  // After the first frames, sends happen in bursts: the instants (rounded to 1 ms) are few, shared by runs.
  const held = sent.filter((s, i) => sent.findIndex((t) => t.runId === s.runId) !== i);
  const instants = new Set(held.map((s) => Math.round(s.at)));
  assert.ok(instants.size <= 10, `held-back frames left at ${instants.size} distinct instants (expected one per beat)`);
  assert.ok(held.length >= runs.length * 3, `held-back frames: ${held.length}`);
});

test.run();
