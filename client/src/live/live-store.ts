// THE live connection to the gateway's /ws hub: one WebSocket shared by every page, topic listeners,
// resubscription with `since` after a drop, backoff with jitter, and respect for offline/visibility.

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';
export interface LiveFrame<T = unknown> { topic: string; seq: number; type: string; data: T }
export type LiveListener = (frame: LiveFrame) => void;
/** A hub error frame's data (`topic: "hub"`, type `error`): e.g. `invalid_regex` when a log tail's pattern is refused. */
export interface HubError { code: string; message: string; details?: unknown }
/**
 * Hub-side filter of keyed frames, e.g. `{runIds: ['r1']}` on `logs`: only frames with those keys arrive. A list
 * is merged with the other listeners' lists; any other value (the log center's `tail` object) is sent as the
 * latest listener set it.
 */
export type LiveFilter = Record<string, string[] | Record<string, unknown> | null>;
/** Topics whose frames the hub filters per client: their seqs have gaps by design, which are not losses. */
const FILTERED_TOPICS: ReadonlySet<string> = new Set(['logs']);
export interface SubscribeOptions { filter?: LiveFilter }

/** The part of WebSocket the store uses, so tests can hand in a fake class. */
export interface LiveSocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: Event) => unknown) | null;
  onmessage: ((ev: MessageEvent) => unknown) | null;
  onclose: ((ev: CloseEvent) => unknown) | null;
  onerror: ((ev: Event) => unknown) | null;
}
export type LiveSocketClass = new (url: string) => LiveSocket;

/** Where online/offline and visibility come from; defaults to window/document. */
export interface LiveEnvironment {
  isOnline(): boolean;
  isVisible(): boolean;
  /** Registers for 'online' | 'offline' | 'visibilitychange'; returns the unregister function. */
  on(event: 'online' | 'offline' | 'visibilitychange', handler: () => void): () => void;
}

export interface LiveStoreOptions {
  url?: string | (() => string);
  socketClass?: LiveSocketClass;
  environment?: LiveEnvironment;
  now?: () => number;
  random?: () => number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Timer functions (tests record the backoff delays through these). */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

const OPEN = 1;
/** Hub close code for a client that could not keep up: its state is gone, re-sync from snapshots. */
export const CLOSE_TOO_SLOW = 4008;

function defaultUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

const browserEnvironment: LiveEnvironment = {
  isOnline: () => navigator.onLine !== false,
  isVisible: () => document.visibilityState !== 'hidden',
  on(event, handler) {
    const target: EventTarget = event === 'visibilitychange' ? document : window;
    target.addEventListener(event, handler);
    return () => target.removeEventListener(event, handler);
  },
};

/**
 * Events: `connection` when the connection state changes; `hub-error` (a CustomEvent<HubError>) when the hub
 * refuses a message. The hub answers a refused message with nothing else, so that is the only way to hear of it.
 */
export class LiveStore extends EventTarget {
  #connection: ConnectionState = 'offline';
  #lastMessageAt: number | null = null;
  #listeners = new Map<string, Set<LiveListener>>();
  #filters = new Map<string, Map<LiveListener, LiveFilter>>();
  #seqByTopic = new Map<string, number>();
  #needsSnapshot = new Set<string>();
  #socket: LiveSocket | null = null;
  #timer: unknown = null;
  #attempt = 0;
  #running = false;
  #everLive = false;
  #unlisten: Array<() => void> = [];
  readonly #opts: Required<Omit<LiveStoreOptions, 'url' | 'socketClass' | 'environment'>> &
    Pick<LiveStoreOptions, 'url' | 'socketClass' | 'environment'>;


  constructor(options: LiveStoreOptions = {}) {
    super();
    this.#opts = {
      now: () => Date.now(), random: Math.random, baseDelayMs: 500, maxDelayMs: 30_000,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
      ...options,
    };
  }

  get connection(): ConnectionState { return this.#connection; }
  get lastMessageAt(): number | null { return this.#lastMessageAt; }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#everLive = false;
    this.#attempt = 0;
    const env = this.#env();
    this.#unlisten = [
      env.on('offline', () => this.#goOffline()),
      env.on('online', () => this.#reconnectNow()),
      env.on('visibilitychange', () => {
        // A backgrounded tab may have been throttled through many retries: retry at once when seen again.
        if (env.isVisible() && this.#connection !== 'live' && this.#socket === null) this.#reconnectNow();
      }),
    ];
    if (env.isOnline()) this.#open();
    else this.#setConnection('offline');
  }

  stop(): void {
    this.#running = false;
    for (const off of this.#unlisten) off();
    this.#unlisten = [];
    this.#clearTimer();
    this.#closeSocket(1000, 'stopped');
    this.#seqByTopic.clear();
    this.#needsSnapshot = new Set(this.#listeners.keys());
    this.#setConnection('offline');
  }

  /**
   * Listens to a topic. With `filter`, the hub is asked for those keyed frames too; the filters of every
   * listener of a topic are sent as their union (listeners still check the frames they get).
   */
  subscribe(topic: string, listener: LiveListener, options: SubscribeOptions = {}): () => void {
    let set = this.#listeners.get(topic);
    if (!set) {
      set = new Set();
      this.#listeners.set(topic, set);
    }
    set.add(listener);
    if (options.filter) {
      const filters = this.#filters.get(topic) ?? new Map<LiveListener, LiveFilter>();
      filters.set(listener, options.filter);
      this.#filters.set(topic, filters);
    }
    // A new listener has no state yet: ask for a fresh snapshot (other listeners simply get it too).
    this.#askSnapshot(topic);
    return () => {
      const current = this.#listeners.get(topic);
      if (!current?.delete(listener)) return;
      const filters = this.#filters.get(topic);
      const hadFilter = filters?.delete(listener) ?? false;
      if (filters?.size === 0) this.#filters.delete(topic);
      if (current.size > 0) {
        // The union shrank: tell the hub, so it stops sending frames nobody here watches.
        if (hadFilter) this.#askSnapshot(topic);
        return;
      }
      this.#listeners.delete(topic);
      this.#seqByTopic.delete(topic);
      this.#needsSnapshot.delete(topic);
      if (this.#isOpen()) this.#send({ op: 'unsubscribe', topics: [topic] });
    };
  }

  #askSnapshot(topic: string): void {
    this.#needsSnapshot.add(topic);
    this.#seqByTopic.delete(topic);
    if (this.#isOpen()) this.#send(this.#withFilter({ op: 'subscribe', topics: [topic] }, topic));
  }

  /** The union of the filters of a topic's listeners; undefined when none asked for one. */
  #topicFilter(topic: string): LiveFilter | undefined {
    const filters = this.#filters.get(topic);
    if (!filters || filters.size === 0) return undefined;
    const union: Record<string, Set<string>> = {};
    const single: Record<string, Record<string, unknown> | null> = {};
    for (const filter of filters.values()) {
      for (const [key, values] of Object.entries(filter)) {
        if (Array.isArray(values)) for (const v of values) (union[key] ??= new Set()).add(v);
        else single[key] = values;
      }
    }
    return { ...single, ...Object.fromEntries(Object.entries(union).map(([key, values]) => [key, [...values]])) };
  }

  #withFilter(message: { op: 'subscribe'; topics: string[]; since?: Record<string, number> }, topic: string): object {
    const filter = this.#topicFilter(topic);
    return filter ? { ...message, filter } : message;
  }

  #env(): LiveEnvironment {
    return this.#opts.environment ?? browserEnvironment;
  }

  #url(): string {
    const url = this.#opts.url;
    return typeof url === 'function' ? url() : url ?? defaultUrl();
  }

  #isOpen(): boolean {
    return this.#socket !== null && this.#socket.readyState === OPEN;
  }

  #open(): void {
    this.#clearTimer();
    if (!this.#running || this.#socket) return;
    this.#setConnection(this.#everLive || this.#attempt > 0 ? 'reconnecting' : 'connecting');
    const SocketClass = this.#opts.socketClass ?? (WebSocket as unknown as LiveSocketClass);
    let socket: LiveSocket;
    try {
      socket = new SocketClass(this.#url());
    } catch {
      this.#scheduleReconnect();
      return;
    }
    this.#socket = socket;
    socket.onopen = () => {
      if (this.#socket !== socket) return;
      this.#everLive = true;
      this.#setConnection('live');
      this.#resubscribe();
    };
    socket.onmessage = (ev) => {
      if (this.#socket === socket) this.#onMessage(ev.data);
    };
    socket.onerror = () => { /* a close event always follows; handled there */ };
    socket.onclose = (ev) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      if (!this.#running) return;
      if (ev.code === CLOSE_TOO_SLOW) {
        this.#seqByTopic.clear();
        this.#needsSnapshot = new Set(this.#listeners.keys());
      }
      if (!this.#env().isOnline()) this.#setConnection('offline');
      else this.#scheduleReconnect();
    };
  }

  #resubscribe(): void {
    const topics = [...this.#listeners.keys()];
    if (topics.length === 0) return;
    const sinceFor = (topic: string): number | undefined => {
      const seq = this.#seqByTopic.get(topic);
      return seq !== undefined && !this.#needsSnapshot.has(topic) ? seq : undefined;
    };
    // Topics with a filter go in a message of their own, so a filter never applies to another topic.
    const plain = topics.filter((t) => !this.#topicFilter(t));
    if (plain.length > 0) {
      const since: Record<string, number> = {};
      for (const topic of plain) {
        const seq = sinceFor(topic);
        if (seq !== undefined) since[topic] = seq;
      }
      this.#send(Object.keys(since).length > 0 ? { op: 'subscribe', topics: plain, since } : { op: 'subscribe', topics: plain });
    }
    for (const topic of topics.filter((t) => this.#topicFilter(t))) {
      const seq = sinceFor(topic);
      this.#send(this.#withFilter(seq !== undefined ? { op: 'subscribe', topics: [topic], since: { [topic]: seq } }
        : { op: 'subscribe', topics: [topic] }, topic));
    }
  }

  #onMessage(raw: unknown): void {
    if (typeof raw !== 'string') return;
    let frame: LiveFrame;
    try {
      frame = JSON.parse(raw) as LiveFrame;
    } catch {
      return; // the hub only sends JSON; anything else is noise
    }
    if (!frame || typeof frame.topic !== 'string' || typeof frame.type !== 'string') return;
    this.#lastMessageAt = this.#opts.now();
    this.#attempt = 0; // a frame arrived: the connection really works, so the backoff starts over
    if (frame.topic === 'hub') {
      if (frame.type === 'error') this.#onHubError(frame.data);
      this.#deliver(frame);
      return;
    }
    if (!this.#listeners.has(frame.topic)) return;
    const last = this.#seqByTopic.get(frame.topic);
    if (frame.type === 'snapshot') {
      this.#needsSnapshot.delete(frame.topic);
    } else if (last !== undefined && typeof frame.seq === 'number') {
      if (frame.seq <= last) return; // replayed twice (e.g. a replay overlapping a snapshot)
      if (frame.seq > last + 1 && !FILTERED_TOPICS.has(frame.topic)) {
        // Frames were lost: the listeners' state is unreliable, so take a fresh snapshot.
        this.#seqByTopic.delete(frame.topic);
        this.#needsSnapshot.add(frame.topic);
        this.#send(this.#withFilter({ op: 'subscribe', topics: [frame.topic] }, frame.topic));
        return;
      }
    } else if (this.#needsSnapshot.has(frame.topic)) {
      return; // a change before the snapshot it applies to: the snapshot already includes it
    }
    if (typeof frame.seq === 'number') this.#seqByTopic.set(frame.topic, frame.seq);
    this.#deliver(frame);
  }

  #onHubError(data: unknown): void {
    console.warn('live hub reported an error', data);
    const error = data as Partial<HubError> | null;
    if (typeof error?.code === 'string' && typeof error.message === 'string') {
      this.dispatchEvent(new CustomEvent<HubError>('hub-error', { detail: { code: error.code, message: error.message, details: error.details } }));
    }
    // The hub drops a subscription whose snapshot failed and asks to subscribe again: do so after a pause.
    if ((data as { code?: unknown } | null)?.code !== 'snapshot_failed') return;
    const socket = this.#socket;
    this.#opts.setTimer(() => {
      const topics = [...this.#needsSnapshot].filter((t) => this.#listeners.has(t));
      if (this.#socket !== socket || topics.length === 0) return;
      const plain = topics.filter((t) => !this.#topicFilter(t));
      if (plain.length > 0) this.#send({ op: 'subscribe', topics: plain });
      for (const t of topics.filter((x) => this.#topicFilter(x))) this.#send(this.#withFilter({ op: 'subscribe', topics: [t] }, t));
    }, 2_000);
  }

  #deliver(frame: LiveFrame): void {
    for (const listener of [...(this.#listeners.get(frame.topic) ?? [])]) {
      try {
        listener(frame);
      } catch (err) {
        console.error(`live listener for "${frame.topic}" failed`, err);
      }
    }
  }

  #send(message: object): void {
    if (this.#isOpen()) this.#socket?.send(JSON.stringify(message));
  }

  #scheduleReconnect(): void {
    this.#clearTimer();
    this.#setConnection('reconnecting');
    // Exponential backoff with jitter (half fixed, half random) so a restarted gateway isn't stampeded.
    const ceiling = Math.min(this.#opts.maxDelayMs, this.#opts.baseDelayMs * 2 ** this.#attempt);
    const delay = ceiling / 2 + this.#opts.random() * (ceiling / 2);
    this.#attempt = Math.min(this.#attempt + 1, 30);
    this.#timer = this.#opts.setTimer(() => {
      this.#timer = null;
      if (!this.#env().isOnline()) this.#setConnection('offline');
      else this.#open();
    }, delay);
  }

  #reconnectNow(): void {
    if (!this.#running) return;
    this.#attempt = 0;
    if (this.#socket) return;
    this.#open();
  }

  #goOffline(): void {
    if (!this.#running) return;
    this.#clearTimer();
    this.#closeSocket(1000, 'offline');
    this.#setConnection('offline');
  }

  #closeSocket(code: number, reason: string): void {
    const socket = this.#socket;
    this.#socket = null;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    try {
      socket.close(code, reason);
    } catch {
      // closing a socket that never opened can throw in some browsers; it is gone either way
    }
  }

  #clearTimer(): void {
    if (this.#timer !== null) this.#opts.clearTimer(this.#timer);
    this.#timer = null;
  }

  #setConnection(state: ConnectionState): void {
    if (state === this.#connection) return;
    this.#connection = state;
    this.dispatchEvent(new Event('connection'));
  }
}

/** The app's one live connection. */
export const liveStore = new LiveStore();
