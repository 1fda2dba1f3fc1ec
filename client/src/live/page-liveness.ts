// What every live page tracks besides its own data: the connection state, a clock for "N s ago" and
// staleness, and the signed-in user's role; and, for a page that follows topics, their listeners and the hub's
// refusals.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { api } from '../api/api-client.js';
import type { ConnectionState, HubError, LiveListener, LiveStore } from './live-store.js';

export interface PageLiveness {
  connection?: ConnectionState;
  now?: number;
  userRole?: string | null;
}

/**
 * Starts tracking; call the returned function to stop. Call from connectedCallback (after super, so a consumed
 * live store is in place), or let a PageLivenessController do it.
 */
export function watchPageLiveness(live: LiveStore, tickMs: number, update: (change: PageLiveness) => void): () => void {
  const onConnection = () => update({ connection: live.connection, now: Date.now() });
  live.addEventListener('connection', onConnection);
  update({ connection: live.connection });
  const ticker = setInterval(() => update({ now: Date.now() }), tickMs);
  let active = true;
  api.me().then(
    (me) => active && update({ userRole: me.user.role }),
    () => active && update({ userRole: null }),
  );
  return () => {
    active = false;
    live.removeEventListener('connection', onConnection);
    clearInterval(ticker);
  };
}

/** A page element that takes the live store as a property (consumed from context, or handed in by tests). */
export type LivePageHost = ReactiveControllerHost & HTMLElement & { live: LiveStore };

export interface PageLivenessOptions {
  /** How often `now` ticks. */
  tickMs: number;
  /** Topics the page follows while connected, each with its listener. */
  topics?: Record<string, LiveListener>;
  /** Called with each message the hub refuses (its error frames). */
  onHubError?: (error: HubError) => void;
}

/**
 * Liveness and topic listeners for the time a page is connected: its `connection`, `now` and `userRole` are
 * kept up to date (assigned on the page). Create it in a field initialiser: it starts in the page's
 * super.connectedCallback(), after the live store was consumed from context.
 */
export class PageLivenessController implements ReactiveController {
  readonly #host: LivePageHost;
  readonly #options: PageLivenessOptions;
  #stop: Array<() => void> = [];

  constructor(host: LivePageHost, options: PageLivenessOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  hostConnected(): void {
    const { live } = this.#host;
    const { tickMs, topics = {}, onHubError } = this.#options;
    this.#stop = [
      watchPageLiveness(live, tickMs, (change) => Object.assign(this.#host, change)),
      ...Object.entries(topics).map(([topic, listener]) => live.subscribe(topic, listener)),
    ];
    if (onHubError) {
      const listener = (e: Event) => onHubError((e as CustomEvent<HubError>).detail);
      live.addEventListener('hub-error', listener);
      this.#stop.push(() => live.removeEventListener('hub-error', listener));
    }
  }

  hostDisconnected(): void {
    for (const stop of this.#stop) stop();
    this.#stop = [];
  }
}
