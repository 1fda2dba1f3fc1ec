// Calls back when the effective theme may have changed: the OS preference (media query) or the user's override
// (data-theme / class on <html>). Canvas charts use it to redraw with the new colours.
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class ThemeChangeController implements ReactiveController {
  readonly #darkQuery = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
  #observer: MutationObserver | null = null;
  readonly #onChange: () => void;

  constructor(host: ReactiveControllerHost, onChange: () => void) {
    this.#onChange = () => onChange();
    host.addController(this);
  }

  hostConnected(): void {
    this.#darkQuery?.addEventListener('change', this.#onChange);
    this.#observer = new MutationObserver(this.#onChange);
    this.#observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme', 'class'] });
  }

  hostDisconnected(): void {
    this.#darkQuery?.removeEventListener('change', this.#onChange);
    this.#observer?.disconnect();
    this.#observer = null;
  }
}
