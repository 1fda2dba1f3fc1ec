// Renders in time slices while a page fills. Lit renders a whole page in one task: the page's first update
// creates its children, whose updates run as microtasks of the same task, and so on down the tree; when the
// page's data arrives, its update sets new values on its children, whose updates again run in that task. With
// a few hundred elements that one task blocks the main thread for a long time on a phone (a tap goes
// unanswered). Here every element's update joins a queue that runs in slices of SLICE_MS, yielding to the
// browser between them (input, paint). A page filling in this way would move what is already painted as its
// parts arrive, so the shell keeps a new page hidden until the queue is idle: it appears whole, as before,
// without the long task. Slicing is on only while something holds it (the shell, while it starts and while a
// new page fills): after that, updates are Lit's own again, because code that opens a dialog or adds a row may
// rightly expect the new element to have rendered once its parent has.
import { ReactiveElement } from 'lit';

/** Work per slice: 4× this on a slow phone still stays under the 50 ms of a long task. */
export const SLICE_MS = 8;

type Run = () => void;

interface Scheduler { yield?: () => Promise<void> }

function yieldToBrowser(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: Scheduler }).scheduler;
  if (typeof scheduler?.yield === 'function') return scheduler.yield();
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** The queue of renders: takes runs, gives them slices of the main thread, first come first served. */
export class RenderQueue {
  #queue: Run[] = [];
  #draining = false;
  #idle: Array<() => void> = [];
  #holds = 0;

  constructor(private readonly sliceMs = SLICE_MS, private readonly pause: () => Promise<void> = yieldToBrowser,
    private readonly now: () => number = () => performance.now()) {}

  /** Whether renders go through the queue now (someone holds it). */
  get slicing(): boolean { return this.#holds > 0; }

  /** Turns slicing on until the returned release is called (once; calling it again does nothing). */
  hold(): () => void {
    this.#holds += 1;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.#holds -= 1;
    };
  }

  /** Renders waiting or running. */
  get pending(): number { return this.#queue.length + (this.#draining ? 1 : 0); }

  /** Resolves once `render` has run (in a later slice). */
  add(render: Run): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push(() => {
        try { render(); resolve(); } catch (err) { reject(err); }
      });
      if (!this.#draining) void this.#drain();
    });
  }

  /** Resolves when nothing is waiting (at once when nothing is). */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      // A run's children queue themselves a few microtasks after it (Lit's update chain), so an empty queue
      // is only final once a whole task has gone by without anything new: then the idle promises resolve.
      for (;;) {
        await this.pause();
        if (this.#queue.length === 0) break;
        const deadline = this.now() + this.sliceMs;
        while (this.#queue.length > 0 && this.now() < deadline) {
          this.#queue.shift()!();
          if (this.#queue.length === 0) await settleMicrotasks();
        }
      }
    } finally {
      this.#draining = false;
      for (const resolve of this.#idle.splice(0)) resolve();
    }
  }
}

/** Lets the microtasks queued so far (and the ones they queue, a few levels deep) run. */
async function settleMicrotasks(): Promise<void> {
  for (let i = 0; i < 4; i++) await Promise.resolve();
}

/** The app's queue (main.ts routes updates through it; oc-app holds it and hides a page until it is filled). */
export const renderQueue = new RenderQueue();

/**
 * Routes every element's updates through `queue` while something holds it (once; the app calls this before any
 * element renders).
 *
 * An element upgraded after it was created (its definition loaded later) keeps the properties set on it before
 * the upgrade and Lit puts them back at the start of its first update. Lit's first update follows the upgrade
 * within a microtask; here it may come several tasks later, and a property set in between (a parent's binding:
 * `.open=${…}`) would be overwritten by the older value. So what is set while the first update waits is set
 * again as that update starts (in willUpdate, which runs after Lit's restore and before rendering).
 */
export function sliceRenders(queue: RenderQueue = renderQueue): RenderQueue {
  type Update = (this: ReactiveElement, name?: PropertyKey, oldValue?: unknown, options?: unknown) => void;
  const proto = ReactiveElement.prototype as unknown as {
    scheduleUpdate(this: ReactiveElement): void | Promise<unknown>;
    requestUpdate: Update;
  };
  const lit = proto.scheduleUpdate;
  const request = proto.requestUpdate;
  /** Elements whose first update waits in the queue → the properties set on them meanwhile. */
  const waiting = new WeakMap<ReactiveElement, Set<PropertyKey>>();
  proto.requestUpdate = function requestUpdate(this: ReactiveElement, name, oldValue, options) {
    if (name !== undefined) waiting.get(this)?.add(name);
    request.call(this, name, oldValue, options);
  };
  proto.scheduleUpdate = function scheduleUpdate(this: ReactiveElement) {
    if (!queue.slicing) return lit.call(this);
    if (this.hasUpdated) return queue.add(() => { void lit.call(this); });
    waiting.set(this, new Set());
    return queue.add(() => {
      const names = waiting.get(this);
      waiting.delete(this);
      if (names?.size) reapplyAtFirstUpdate(this, names);
      void lit.call(this);
    });
  };
  return queue;
}

/** Sets `names` to their present values again once Lit has restored the pre-upgrade ones (see above). */
function reapplyAtFirstUpdate(element: ReactiveElement, names: Set<PropertyKey>): void {
  const el = element as unknown as Record<PropertyKey, unknown> & { willUpdate(changed: unknown): void };
  const values = [...names].map((name) => [name, el[name]] as const);
  el.willUpdate = function willUpdate(this: typeof el, changed: unknown) {
    delete (this as Partial<typeof el>).willUpdate; // the instance's own hook goes; the class's runs below
    for (const [name, value] of values) this[name] = value;
    this.willUpdate(changed);
  };
}
