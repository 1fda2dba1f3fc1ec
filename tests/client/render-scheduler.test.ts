// The first-render queue: runs first renders in slices with a pause between them, first come first served,
// resolves idle() only once a pause has gone by with nothing new; and, routed through it, a Lit element's first
// render waits for a slice while its later updates stay Lit's own.
import { expect } from '@open-wc/testing';
import { LitElement, html } from 'lit';
import { RenderQueue, sliceRenders } from '../../client/src/app/render-scheduler.js';

function manualClock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => { t += ms; } };
}

describe('RenderQueue', () => {
  it('runs queued renders in order, in slices of the given length with a pause between them', async () => {
    const clock = manualClock();
    let pauses = 0;
    const queue = new RenderQueue(10, async () => { pauses += 1; await new Promise((r) => setTimeout(r, 0)); }, clock.now);
    const ran: number[] = [];
    const done = [1, 2, 3, 4, 5].map((n) => queue.add(() => { ran.push(n); clock.advance(4); }));
    expect(queue.pending).to.be.greaterThan(0);
    expect(ran).to.deep.equal([]); // nothing runs before the first pause
    await Promise.all(done);
    expect(ran).to.deep.equal([1, 2, 3, 4, 5]);
    expect(pauses).to.equal(2); // 4 ms each in 10 ms slices: 3, then 2
    await queue.idle();
    expect(pauses).to.equal(3); // and the pause that finds nothing new
    expect(queue.pending).to.equal(0);
  });

  it('counts what a render queues a few microtasks later as part of the same fill', async () => {
    const queue = new RenderQueue(50, () => new Promise((r) => setTimeout(r, 0)));
    const ran: string[] = [];
    void queue.add(() => {
      ran.push('parent');
      void Promise.resolve().then(() => Promise.resolve()).then(() => queue.add(() => ran.push('child')));
    });
    await queue.idle();
    expect(ran).to.deep.equal(['parent', 'child']);
  });

  it('rejects the add of a render that throws, and goes on with the rest', async () => {
    const queue = new RenderQueue(50, () => new Promise((r) => setTimeout(r, 0)));
    const failing = queue.add(() => { throw new Error('render failed'); });
    const after = queue.add(() => undefined);
    let error: unknown = null;
    await failing.catch((err: unknown) => { error = err; });
    await after;
    expect((error as Error).message).to.equal('render failed');
  });
});

class SlicedProbe extends LitElement {
  static properties = { value: {} };
  value = 'first';
  renders = 0;
  render() { this.renders += 1; return html`<span>${this.value}</span>`; }
}
customElements.define('sliced-probe', SlicedProbe);

// Lit's prototype is patched once for the whole file; each pause of the queue waits for release().
let release: () => void = () => undefined;
const sliced = sliceRenders(new RenderQueue(50, () => new Promise<void>((r) => { release = r; })));
let unhold = sliced.hold();

describe('sliceRenders, held', () => {
  it('while held, holds an element\'s first render and its later updates for a slice each', async () => {
    const queue = sliced;
    const el = document.createElement('sliced-probe') as SlicedProbe;
    document.body.append(el);
    try {
      await new Promise((r) => setTimeout(r, 10));
      expect(el.renders).to.equal(0);
      expect(queue.pending).to.be.greaterThan(0);
      release();
      await el.updateComplete;
      expect(el.renderRoot.querySelector('span')?.textContent).to.equal('first');
      await new Promise((r) => setTimeout(r, 10)); // the queue is in its next pause
      el.value = 'second';
      el.value = 'third'; // one update for both, when its slice comes
      await new Promise((r) => setTimeout(r, 10));
      expect(el.renders).to.equal(1);
      release();
      await el.updateComplete;
      expect(el.renderRoot.querySelector('span')?.textContent).to.equal('third');
      expect(el.renders).to.equal(2);
    } finally {
      el.remove();
      release();
    }
  });
});

describe('sliceRenders, unheld', () => {
  it('leaves first renders to Lit when nothing holds the queue, and slices them again once something does', async () => {
    unhold();
    unhold(); // a second release changes nothing
    expect(sliced.slicing).to.equal(false);
    const el = document.createElement('sliced-probe') as SlicedProbe;
    document.body.append(el);
    try {
      await el.updateComplete; // the queue's pause is never released here: only Lit's own update can render it
      expect(el.renders).to.equal(1);
      el.value = 'later';
      await el.updateComplete; // and so is a later update
      expect(el.renderRoot.querySelector('span')?.textContent).to.equal('later');
    } finally {
      el.remove();
      unhold = sliced.hold();
    }
    expect(sliced.slicing).to.equal(true);
  });
});

describe('sliceRenders, an element upgraded late', () => {
  it('keeps a property set while its first render waits, over the value it had before the upgrade', async () => {
    const el = document.createElement('late-probe') as HTMLElement & { open: boolean };
    el.open = false; // a parent's binding, before the element is defined
    document.body.append(el);
    class LateProbe extends LitElement {
      static properties = { open: { type: Boolean } };
      open = false;
      render() { return html`<span>${this.open ? 'open' : 'closed'}</span>`; }
    }
    customElements.define('late-probe', LateProbe);
    try {
      await new Promise((r) => setTimeout(r, 10));
      el.open = true; // the parent's next update, before the first render has had its slice
      release();
      await (el as unknown as LateProbe).updateComplete;
      expect(el.open).to.equal(true);
      expect(el.shadowRoot?.querySelector('span')?.textContent).to.equal('open');
    } finally {
      el.remove();
      release();
    }
  });
});
