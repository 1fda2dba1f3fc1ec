// PacedRefetchController: a burst of "figures moved" becomes one refetch, sent once the interval since the last
// fetch began is over (at once when it already is); a page that leaves drops the pending refetch.
import { expect } from '@open-wc/testing';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { PacedRefetchController } from '../../client/src/pages/paced-refetch.js';

class Host implements ReactiveControllerHost {
  controllers: ReactiveController[] = [];
  addController(c: ReactiveController): void { this.controllers.push(c); }
  removeController(): void {}
  requestUpdate(): void {}
  get updateComplete(): Promise<boolean> { return Promise.resolve(true); }
  disconnect(): void { for (const c of this.controllers) c.hostDisconnected?.(); }
}

const EVERY_MS = 120;

function paced() {
  const host = new Host();
  const times: number[] = [];
  let next: (() => void) | null = null;
  const refetched = () => new Promise<void>((resolve) => { next = resolve; });
  const pacer = new PacedRefetchController(host, EVERY_MS, () => { times.push(performance.now()); next?.(); });
  return { host, pacer, times, refetched };
}

describe('PacedRefetchController', () => {
  it('turns a burst into one refetch, sent the interval after the last fetch began', async () => {
    const { pacer, times, refetched } = paced();
    const began = performance.now();
    pacer.started();
    const done = refetched();
    pacer.schedule();
    pacer.schedule();
    pacer.schedule();
    await done;
    expect(times.length).to.equal(1);
    expect(times[0]! - began).to.be.at.least(EVERY_MS - 5);
    await new Promise((r) => setTimeout(r, EVERY_MS + 50));
    expect(times.length, 'the burst was one refetch').to.equal(1);
  });

  it('refetches at once when the interval is already over, and again after the next burst', async () => {
    const { pacer, times, refetched } = paced();
    let done = refetched();
    pacer.schedule();
    await done;
    expect(times.length).to.equal(1);
    done = refetched();
    pacer.schedule();
    await done;
    expect(times.length, 'the pending one was sent, so a new one can be').to.equal(2);
  });

  it('drops the pending refetch when the page leaves', async () => {
    const { host, pacer, times } = paced();
    pacer.started();
    pacer.schedule();
    host.disconnect();
    await new Promise((r) => setTimeout(r, EVERY_MS + 80));
    expect(times.length).to.equal(0);
    pacer.schedule();
    await new Promise((r) => setTimeout(r, EVERY_MS + 80));
    expect(times.length, 'scheduling again after leaving works (the timer was cleared, not left pending)').to.equal(1);
  });
});
