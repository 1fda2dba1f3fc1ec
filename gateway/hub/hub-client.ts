// State of one live connection: who it is, what it follows (and up to which seq), whether it
// answers pings, and the backpressure rule that drops it rather than buffering without bound.
import { WebSocket } from 'ws';
import type { Role } from '../auth/role.js';
import type { TailGate } from '../domain/logs/log-tail.js';
import type { Topic } from './protocol.js';
import { CLOSE_CODES, wantsFrame } from './protocol.js';

export interface HubPrincipal {
  id: string;
  username: string;
  role: Role;
  sessionId?: string;
  tokenId?: string;
}

/**
 * A subscription is 'pending' while its snapshot is being fetched (frames are held back: the
 * snapshot will cover them) and 'live' afterwards. Frames at or below `lastSeq` are never sent.
 */
export interface Subscription {
  state: 'pending' | 'live';
  lastSeq: number;
  /** Keys (run ids) whose keyed frames this subscription receives; undefined = no filter. */
  filter?: ReadonlySet<string>;
  /** The log tail of a `logs` subscription (its filter and rate bound); null/undefined = no tail (paused). */
  tail?: TailGate | null;
}

/** The part of ws's private net.Socket the hub uses. */
interface RawSocket {
  cork(): void;
  uncork(): void;
  write(data: Buffer): boolean;
  destroyed: boolean;
}

export interface HubClientCounters {
  framesSent: number;
  bytesSent: number;
}

export interface HubClientOptions {
  maxBufferedBytes: number;
  closeTimeoutMs: number; // a close handshake that takes longer ends in terminate()
  counters: HubClientCounters; // shared with the hub, for stats()
  onSlow(client: HubClient): void;
}

export class HubClient {
  readonly ws: WebSocket;
  readonly principal: HubPrincipal;
  readonly subscriptions = new Map<Topic, Subscription>();
  private readonly opts: HubClientOptions;
  private alive = true;
  private closing = false;
  private closeTimer: NodeJS.Timeout | undefined;

  constructor(ws: WebSocket, principal: HubPrincipal, opts: HubClientOptions) {
    this.ws = ws;
    this.principal = principal;
    this.opts = opts;
    ws.on('pong', () => {
      this.alive = true;
    });
    ws.once('close', () => this.clearCloseTimer());
  }

  /** False once the hub has started closing this connection (or the peer has). */
  get isOpen(): boolean {
    return !this.closing && this.ws.readyState === WebSocket.OPEN;
  }

  /**
   * Sends an already-serialised frame of `topic` when the client follows it live, has not seen `seq`
   * yet and its filter admits the frame's key. Returns false when nothing was sent.
   */
  deliver(topic: Topic, seq: number, bytes: Buffer, key?: string): boolean {
    const sub = this.subscriptions.get(topic);
    if (!sub || sub.state !== 'live' || seq <= sub.lastSeq) return false;
    if (!wantsFrame(topic, sub.filter, key)) return false;
    sub.lastSeq = seq;
    return this.send(bytes);
  }

  /**
   * Writes bytes as a text frame. A client whose unsent bytes are already over the limit is
   * dropped (4008) instead: it has stopped reading, and buffering more would grow without bound.
   */
  send(bytes: Buffer): boolean {
    if (!this.isOpen) return false;
    if (this.ws.bufferedAmount > this.opts.maxBufferedBytes) {
      this.opts.onSlow(this);
      this.close(CLOSE_CODES.slowConsumer, 'too slow: re-sync from a snapshot');
      return false;
    }
    // The same Buffer goes to every subscriber; ws does not copy or mask it on the server side.
    this.ws.send(bytes, { binary: false, compress: false });
    this.opts.counters.framesSent += 1;
    this.opts.counters.bytesSent += bytes.length;
    return true;
  }

  /**
   * Writes WebSocket frames built once for every subscriber (wire-frames.ts) straight to the socket, with the
   * same slow-consumer rule as send(). ws sends uncompressed Buffers synchronously and whole, so frames written
   * here and through ws.send() never interleave within a frame.
   */
  sendFramed(wire: Buffer, frames: number, payloadBytes: number): boolean {
    if (!this.isOpen) return false;
    if (this.ws.bufferedAmount > this.opts.maxBufferedBytes) {
      this.opts.onSlow(this);
      this.close(CLOSE_CODES.slowConsumer, 'too slow: re-sync from a snapshot');
      return false;
    }
    const socket = this.socket();
    if (!socket) return false;
    socket.write(wire);
    this.opts.counters.framesSent += frames;
    this.opts.counters.bytesSent += payloadBytes;
    return true;
  }

  private socket(): RawSocket | null {
    const socket = (this.ws as unknown as { _socket?: RawSocket | null })._socket;
    return socket && !socket.destroyed ? socket : null;
  }

  /**
   * Runs `write` (several send/deliver calls) with the TCP socket corked, so a tick's frames leave in one
   * writev instead of one syscall each: with 1,000 clients the per-frame syscalls were most of the hub's CPU.
   */
  batch(write: () => void): void {
    // ws keeps its net.Socket private; cork/uncork nest, so ws's own per-frame cork inside send() is harmless.
    const socket = this.socket();
    if (!socket) return write();
    socket.cork();
    try {
      write();
    } finally {
      socket.uncork();
    }
  }

  /** One liveness round: false when the previous ping went unanswered (the caller terminates). */
  ping(): boolean {
    if (this.ws.readyState !== WebSocket.OPEN) return true;
    if (!this.alive) return false;
    this.alive = false;
    this.ws.ping();
    return true;
  }

  /** Starts the close handshake; terminates if it has not completed within closeTimeoutMs. */
  close(code: number, reason: string): void {
    if (this.closing || this.ws.readyState === WebSocket.CLOSED) return;
    this.closing = true;
    this.subscriptions.clear();
    this.ws.close(code, reason);
    this.closeTimer = setTimeout(() => this.ws.terminate(), this.opts.closeTimeoutMs);
  }

  terminate(): void {
    this.closing = true;
    this.subscriptions.clear();
    this.clearCloseTimer();
    this.ws.terminate();
  }

  private clearCloseTimer(): void {
    if (this.closeTimer) clearTimeout(this.closeTimer);
    this.closeTimer = undefined;
  }
}
