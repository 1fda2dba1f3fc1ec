// A chart element's ECharts instance: the chart module is imported once the element's first render has been
// painted and its chart area is near the viewport (so ECharts never weighs on the initial bundle, nor delays the
// page's first paint, nor loads for a chart below the fold that nobody scrolls to), the chart follows the
// element's size and the theme, and it is disposed when the element leaves the page (and made again if it comes back).
import type { ReactiveController, ReactiveElement } from 'lit';
import { ThemeChangeController } from '../app/theme-change-controller.js';
import { afterNextPaint } from '../app/after-paint.js';

/** What the controller needs of a chart handle (./echarts-handle.js); drawing is the element's business. */
export interface SizedChart { resize(): void; dispose(): void }

export interface LazyChartOptions<Chart extends SizedChart> {
  /** The element's tag name, for the warning when the chart module fails to load. */
  name: string;
  /** Imports the chart module and hands back its init function. */
  load: () => Promise<(container: HTMLElement) => Chart>;
  /** The element the chart draws into (rendered by the host). */
  container: () => HTMLElement;
  /** Draws the host's data in the current colours: once the chart exists, on redraw() and on a theme change. */
  draw: (chart: Chart) => void;
}

/** Vertical distance from the viewport at which a chart starts loading. */
const NEAR_VIEWPORT = '300px 0px';

/** Resolves true once `el` is within NEAR_VIEWPORT of the viewport; false if `still()` no longer holds by then. */
function nearViewport(el: HTMLElement, still: () => boolean): Promise<boolean> {
  if (typeof IntersectionObserver !== 'function') return Promise.resolve(true);
  return new Promise((resolve) => {
    const observer = new IntersectionObserver((entries) => {
      if (!still()) {
        observer.disconnect();
        resolve(false);
      } else if (entries.some((e) => e.isIntersecting)) {
        observer.disconnect();
        resolve(true);
      }
    }, { rootMargin: NEAR_VIEWPORT });
    observer.observe(el);
  });
}

export class LazyChartController<Chart extends SizedChart> implements ReactiveController {
  readonly #host: ReactiveElement;
  readonly #options: LazyChartOptions<Chart>;
  #chart: Chart | null = null;
  #loading: Promise<void> | null = null;
  #resizeObserver: ResizeObserver | null = null;
  /** Counts starts, so a load begun before the host left and came back is dropped. */
  #attempt = 0;

  constructor(host: ReactiveElement, options: LazyChartOptions<Chart>) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
    // Redraws with the new colours when the OS preference or the user's theme override changes.
    new ThemeChangeController(host, () => this.redraw());
  }

  /** The chart, once its module has loaded (null before, and after the host left the page). */
  get handle(): Chart | null {
    return this.#chart;
  }

  /** Resolves once the chart module has loaded and drawn (or failed to load). */
  get ready(): Promise<void> {
    return this.#loading ?? Promise.resolve();
  }

  redraw(): void {
    if (this.#chart) this.#options.draw(this.#chart);
  }

  hostConnected(): void {
    // A host that comes back to the page gets a new chart; the first one starts after the first render.
    if (this.#host.hasUpdated) this.#start();
  }

  hostUpdated(): void {
    if (!this.#host.hasUpdated) this.#start();
  }

  hostDisconnected(): void {
    this.#attempt += 1;
    this.#resizeObserver?.disconnect();
    this.#resizeObserver = null;
    this.#chart?.dispose();
    this.#chart = null;
    this.#loading = null;
  }

  #start(): void {
    if (this.#loading) return;
    const { name, load, container } = this.#options;
    const attempt = ++this.#attempt;
    const current = () => attempt === this.#attempt && this.#host.isConnected;
    this.#loading = afterNextPaint().then(() => (current() ? nearViewport(container(), () => current()) : false))
      .then((near) => (near && current() ? load() : null)).then((init) => {
      if (!init || !current() || this.#chart) return;
      const el = container();
      this.#chart = init(el);
      this.#resizeObserver = new ResizeObserver(() => this.#chart?.resize());
      this.#resizeObserver.observe(el);
      this.redraw();
    }, (err: unknown) => {
      // A failed chunk load (e.g. offline with an old cache) leaves the element's words; nothing else breaks.
      console.warn(`${name}: chart module failed to load`, err);
    });
  }
}
