// Refetches a page's figures when live frames say they moved, at most once per interval: a burst of events
// becomes one request, sent when the interval since the last fetch began is over.
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class PacedRefetchController implements ReactiveController {
  readonly #everyMs: number;
  readonly #refetch: () => void;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #lastStart = 0;

  constructor(host: ReactiveControllerHost, everyMs: number, refetch: () => void) {
    this.#everyMs = everyMs;
    this.#refetch = refetch;
    host.addController(this);
  }

  /** A fetch begins now (whatever asked for it): the next paced one waits the interval from here. */
  started(): void {
    this.#lastStart = Date.now();
  }

  /** Refetches once the interval since the last fetch began is over (at once if it is); one is pending at most. */
  schedule(): void {
    if (this.#timer !== null) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#refetch();
    }, Math.max(0, this.#lastStart + this.#everyMs - Date.now()));
  }

  hostDisconnected(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
