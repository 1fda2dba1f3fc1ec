// One topic of the live hub: assigns the per-topic seq, gathers publishes until the next tick,
// serialises each frame once into a Buffer shared by every subscriber, and keeps a replay ring.
import type { HubFrame, Topic } from './protocol.js';

/** A frame ready for the wire: the same `bytes` go to every subscriber. */
export interface ChannelFrame {
  seq: number;
  bytes: Buffer;
  /** Delivery key (a run id): only subscribers whose filter admits it get the frame (protocol.wantsFrame). */
  key?: string;
  /** A seq whose frame each subscriber gets in its own version (the log tail), built by the hub per client:
   *  `bytes` is empty, and the frame is never replayed. */
  perClient?: true;
}

export type FrameSerializer = (frame: HubFrame) => string;

export interface TopicChannelOptions {
  replayLimit: number; // frames kept for `since` replay; 0 disables replay
  serialize?: FrameSerializer; // injectable so tests can count serialisations
  /** First seq is startSeq + 1. The hub starts from the clock (µs) so seqs keep rising across gateway
   *  restarts: a reconnecting client's `since` from an earlier run is then always older than the ring
   *  and gets a snapshot, never another run's frames. */
  startSeq?: number;
}

interface PendingPublish {
  seq: number;
  type: string;
  data: unknown;
  key: string | undefined;
  perClient?: true;
}

const NO_BYTES = Buffer.alloc(0);

export class TopicChannel {
  readonly topic: Topic;
  private readonly replayLimit: number;
  private readonly serialize: FrameSerializer;
  private lastSeq = 0;
  private lastFlushedSeq = 0;
  private pending: PendingPublish[] = [];
  // Circular buffer of the most recent flushed frames, oldest at ringStart.
  private readonly ring: ChannelFrame[] = [];
  private ringStart = 0;

  constructor(topic: Topic, opts: TopicChannelOptions) {
    if (!Number.isInteger(opts.replayLimit) || opts.replayLimit < 0) {
      throw new RangeError(`replayLimit must be a non-negative integer, got ${opts.replayLimit}`);
    }
    this.topic = topic;
    this.replayLimit = opts.replayLimit;
    this.serialize = opts.serialize ?? JSON.stringify;
    this.lastSeq = opts.startSeq ?? 0;
    this.lastFlushedSeq = this.lastSeq;
  }

  /** Seq of the latest publish (flushed or not); 0 before the first. A snapshot taken now is "as of" this seq. */
  get seq(): number {
    return this.lastSeq;
  }

  /** Seq of the latest frame already handed out by flush(). */
  get flushedSeq(): number {
    return this.lastFlushedSeq;
  }

  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** Records a change; it goes out at the next flush(). Returns the seq assigned. The key is not part of
   *  the wire frame: it only decides who receives it. */
  publish(type: string, data: unknown, key?: string): number {
    this.lastSeq += 1;
    this.pending.push({ seq: this.lastSeq, type, data, key });
    return this.lastSeq;
  }

  /** Assigns the next seq to a per-client frame (ChannelFrame.perClient): it keeps its place in seq order and
   *  in the replay ring, so the seqs there stay contiguous, but nothing is serialised for it here. */
  reserve(): number {
    this.lastSeq += 1;
    this.pending.push({ seq: this.lastSeq, type: '', data: undefined, key: undefined, perClient: true });
    return this.lastSeq;
  }

  /** Serialises every pending publish once, in seq order, remembers them for replay and returns them. */
  flush(): ChannelFrame[] {
    if (this.pending.length === 0) return [];
    const batch = this.pending;
    this.pending = [];
    const frames = batch.map((p): ChannelFrame => {
      if (p.perClient) return { seq: p.seq, bytes: NO_BYTES, perClient: true };
      const bytes = this.encode(p.type, p.data, p.seq);
      return p.key === undefined ? { seq: p.seq, bytes } : { seq: p.seq, bytes, key: p.key };
    });
    for (const frame of frames) this.remember(frame);
    this.lastFlushedSeq = batch[batch.length - 1]!.seq;
    return frames;
  }

  /**
   * Frames after `since`, when the ring still holds all of them ([] = nothing missed);
   * null when the client must take a snapshot instead: too old for the ring, or a seq this
   * channel never flushed (e.g. the client saw an earlier run of the server).
   */
  replaySince(since: number): ChannelFrame[] | null {
    if (!Number.isInteger(since) || since < 0 || since > this.lastFlushedSeq) return null;
    const oldestHeld = this.lastFlushedSeq - this.ring.length + 1;
    if (since + 1 < oldestHeld) return null;
    const missed: ChannelFrame[] = [];
    for (let i = since + 1 - oldestHeld; i < this.ring.length; i++) {
      missed.push(this.ring[(this.ringStart + i) % this.ring.length]!);
    }
    return missed;
  }

  /** Serialises one frame of this topic (also used for per-client snapshot frames). */
  encode(type: string, data: unknown, seq: number): Buffer {
    return Buffer.from(this.serialize({ topic: this.topic, seq, type, data }));
  }

  private remember(frame: ChannelFrame): void {
    if (this.replayLimit === 0) return;
    if (this.ring.length < this.replayLimit) {
      this.ring.push(frame);
      return;
    }
    this.ring[this.ringStart] = frame;
    this.ringStart = (this.ringStart + 1) % this.ring.length;
  }
}
