// TopicChannel: per-topic seq, batching until flush, serialise-once frames and the replay ring.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TopicChannel } from '../../gateway/hub/topic-channel.js';
import type { HubFrame } from '../../gateway/hub/protocol.js';

function countingChannel(replayLimit: number) {
  const serialised: HubFrame[] = [];
  const channel = new TopicChannel('status', {
    replayLimit,
    serialize: (frame) => {
      serialised.push(frame);
      return JSON.stringify(frame);
    },
  });
  return { channel, serialised };
}

const seqs = (frames: { seq: number }[] | null) => frames?.map((f) => f.seq) ?? null;

test('publish assigns consecutive seqs starting at 1 and holds frames until flush', () => {
  const { channel, serialised } = countingChannel(10);
  assert.is(channel.seq, 0);
  assert.is(channel.publish('a', 1), 1);
  assert.is(channel.publish('b', 2), 2);
  assert.is(channel.seq, 2);
  assert.is(channel.flushedSeq, 0);
  assert.ok(channel.hasPending);
  assert.is(serialised.length, 0, 'nothing is serialised before the tick');
});

test('flush serialises each frame exactly once, in seq order, as {topic, seq, type, data}', () => {
  const { channel, serialised } = countingChannel(10);
  channel.publish('system.sample', { cpu: 1 });
  channel.publish('health', { ok: true });
  const frames = channel.flush();
  assert.equal(seqs(frames), [1, 2]);
  assert.is(serialised.length, 2);
  assert.equal(JSON.parse(frames[0]!.bytes.toString()), { topic: 'status', seq: 1, type: 'system.sample', data: { cpu: 1 } });
  assert.equal(JSON.parse(frames[1]!.bytes.toString()), { topic: 'status', seq: 2, type: 'health', data: { ok: true } });
  assert.is(channel.flushedSeq, 2);
  assert.not.ok(channel.hasPending);
  assert.equal(channel.flush(), [], 'a second flush has nothing to send');
  assert.is(serialised.length, 2);
});

test('replaySince returns only the frames after since, sharing the flushed Buffers', () => {
  const { channel, serialised } = countingChannel(10);
  for (let i = 0; i < 5; i++) channel.publish('x', i);
  const flushed = channel.flush();
  const missed = channel.replaySince(2);
  assert.equal(seqs(missed), [3, 4, 5]);
  assert.ok(missed![0]!.bytes === flushed[2]!.bytes, 'replay re-uses the bytes, no re-serialisation');
  assert.is(serialised.length, 5);
  assert.equal(channel.replaySince(5), [], 'an up-to-date client misses nothing');
  assert.equal(seqs(channel.replaySince(0)), [1, 2, 3, 4, 5]);
});

test('replaySince returns null when since is older than the ring holds', () => {
  const { channel } = countingChannel(3);
  for (let i = 0; i < 6; i++) channel.publish('x', i);
  channel.flush();
  assert.equal(seqs(channel.replaySince(3)), [4, 5, 6]);
  assert.is(channel.replaySince(2), null);
  assert.is(channel.replaySince(0), null);
});

test('the ring keeps the newest frames across many flushes (wrap-around)', () => {
  const { channel } = countingChannel(4);
  for (let round = 0; round < 5; round++) {
    channel.publish('x', round * 2);
    channel.publish('x', round * 2 + 1);
    channel.flush();
  }
  assert.equal(seqs(channel.replaySince(6)), [7, 8, 9, 10]);
  const data = channel.replaySince(8)!.map((f) => (JSON.parse(f.bytes.toString()) as HubFrame).data);
  assert.equal(data, [8, 9]);
  assert.is(channel.replaySince(5), null);
});

test('replaySince returns null for a seq this channel never flushed (pending, future or invalid)', () => {
  const { channel } = countingChannel(10);
  channel.publish('x', 1);
  channel.flush();
  channel.publish('x', 2); // pending, not flushed
  assert.is(channel.replaySince(2), null, 'a client cannot have seen an unflushed frame');
  assert.is(channel.replaySince(99), null, 'seq from an earlier server run');
  assert.is(channel.replaySince(-1), null);
  assert.is(channel.replaySince(1.5), null);
});

test('replayLimit 0 disables replay except for an up-to-date client', () => {
  const { channel } = countingChannel(0);
  channel.publish('x', 1);
  channel.publish('x', 2);
  channel.flush();
  assert.is(channel.replaySince(1), null);
  assert.equal(channel.replaySince(2), []);
});

test('encode serialises a one-off frame (snapshot) of the topic through the same serializer', () => {
  const { channel, serialised } = countingChannel(10);
  const bytes = channel.encode('snapshot', { n: 1 }, 7);
  assert.equal(JSON.parse(bytes.toString()), { topic: 'status', seq: 7, type: 'snapshot', data: { n: 1 } });
  assert.is(serialised.length, 1);
});

test('a negative or fractional replayLimit is refused', () => {
  assert.throws(() => new TopicChannel('logs', { replayLimit: -1 }), /replayLimit/);
  assert.throws(() => new TopicChannel('logs', { replayLimit: 2.5 }), /replayLimit/);
});

test('a channel started from a later startSeq numbers every frame above any seq of an earlier run', () => {
  const earlier = new TopicChannel('status', { replayLimit: 10, startSeq: 1_000 });
  for (let i = 0; i < 5; i++) earlier.publish('x', i);
  const lastOfEarlierRun = earlier.seq;
  const later = new TopicChannel('status', { replayLimit: 10, startSeq: 2_000 });
  later.publish('x', 'after restart');
  later.flush();
  assert.ok(later.seq > lastOfEarlierRun);
  // A client still holding the earlier run's seq is older than the ring: it needs a snapshot.
  assert.is(later.replaySince(lastOfEarlierRun), null);
});

test('a keyed publish keeps its key beside the frame (not in the bytes), through flush and replay', () => {
  const { channel, serialised } = countingChannel(10);
  channel.publish('run.log', { line: 1 }, 'run-a');
  channel.publish('run.log', { line: 2 });
  const frames = channel.flush();
  assert.equal(frames.map((f) => f.key), ['run-a', undefined]);
  assert.not.ok('key' in frames[1]!, 'an unkeyed frame has no key property');
  assert.equal(JSON.parse(frames[0]!.bytes.toString()), { topic: 'status', seq: 1, type: 'run.log', data: { line: 1 } });
  assert.equal(channel.replaySince(0)!.map((f) => f.key), ['run-a', undefined]);
  assert.is(serialised.length, 2, 'keyed frames are serialised once like any other');
});

test.run();
