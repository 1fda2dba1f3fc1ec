// Test doubles for the live store: a WebSocket stand-in the test drives by hand, and an environment
// whose online/visibility state and events the test controls.
import type { LiveEnvironment, LiveFrame, LiveSocket } from '../../client/src/live/live-store.js';

export class FakeSocket implements LiveSocket {
  static instances: FakeSocket[] = [];
  static #waiters: Array<(s: FakeSocket) => void> = [];

  readyState = 0;
  sent: Array<Record<string, unknown>> = [];
  closedWith: number | null = null;
  onopen: ((ev: Event) => unknown) | null = null;
  onmessage: ((ev: MessageEvent) => unknown) | null = null;
  onclose: ((ev: CloseEvent) => unknown) | null = null;
  onerror: ((ev: Event) => unknown) | null = null;

  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
    for (const resolve of FakeSocket.#waiters.splice(0)) resolve(this);
  }

  static reset(): void {
    FakeSocket.instances = [];
    FakeSocket.#waiters = [];
  }

  /** The next socket the store creates (or the latest, if it was created after `count` sockets). */
  static next(count = FakeSocket.instances.length): Promise<FakeSocket> {
    if (FakeSocket.instances.length > count) return Promise.resolve(FakeSocket.instances[count]!);
    return new Promise((resolve) => FakeSocket.#waiters.push(resolve));
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }

  close(code = 1000): void {
    this.readyState = 3;
    this.closedWith = code;
  }

  // --- driven by the test ---
  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }

  receive(frame: LiveFrame): void {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(frame) }));
  }

  /** A hub error frame; the store also logs it as a warning, kept out of the test output here. */
  receiveHubError(data: unknown): void {
    const warn = console.warn;
    console.warn = () => {};
    try {
      this.receive({ topic: 'hub', seq: 0, type: 'error', data });
    } finally {
      console.warn = warn;
    }
  }

  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.(new CloseEvent('close', { code }));
  }
}

export class FakeEnvironment implements LiveEnvironment {
  online = true;
  visible = true;
  #handlers = new Map<string, Set<() => void>>();

  isOnline(): boolean { return this.online; }
  isVisible(): boolean { return this.visible; }

  on(event: 'online' | 'offline' | 'visibilitychange', handler: () => void): () => void {
    const set = this.#handlers.get(event) ?? new Set();
    set.add(handler);
    this.#handlers.set(event, set);
    return () => set.delete(handler);
  }

  fire(event: 'online' | 'offline' | 'visibilitychange'): void {
    for (const handler of [...(this.#handlers.get(event) ?? [])]) handler();
  }
}
