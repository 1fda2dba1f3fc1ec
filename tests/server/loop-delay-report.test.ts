// GATEWAY_LOOP_STATS (gateway/loop-delay-report.ts): off unless set to 1; when on, each SIGUSR2 prints one
// `loop-delay {…}` line for the window since the previous one, which parseLoopDelayLine reads back.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseLoopDelayLine, startLoopDelayReport } from '../../gateway/loop-delay-report.js';

test('off by default: no sampling, no SIGUSR2 listener', () => {
  const before = process.listenerCount('SIGUSR2');
  assert.is(startLoopDelayReport({}), null);
  assert.is(startLoopDelayReport({ GATEWAY_LOOP_STATS: 'yes' }), null);
  assert.is(process.listenerCount('SIGUSR2'), before);
});

test('on: SIGUSR2 prints the window’s delay percentiles and starts a new window', async () => {
  const stop = startLoopDelayReport({ GATEWAY_LOOP_STATS: '1' })!;
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
  try {
    await new Promise((r) => setTimeout(r, 120));
    const blockedUntil = Date.now() + 60;
    while (Date.now() < blockedUntil); // the loop is held for 60 ms
    await new Promise((r) => setTimeout(r, 30));
    process.emit('SIGUSR2', 'SIGUSR2');
    await new Promise((r) => setTimeout(r, 60));
    process.emit('SIGUSR2', 'SIGUSR2');
  } finally {
    process.stdout.write = write;
    stop();
  }
  assert.is(lines.length, 2);
  const [first, second] = lines.map((l) => parseLoopDelayLine(l.trim()));
  assert.ok(first && second, lines.join(''));
  assert.ok(first!.max >= 40, `the 60 ms block shows: max ${first!.max}`);
  assert.ok(first!.samples > 5 && first!.windowMs >= 200, JSON.stringify(first));
  assert.ok(second!.max < first!.max, 'a new window starts after each report');
  assert.ok(second!.windowMs < 200, JSON.stringify(second));
  assert.is(parseLoopDelayLine('Ops Center is running at http://127.0.0.1:1'), null);
});

test.run();
