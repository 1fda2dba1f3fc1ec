// <process-action-dialog>: says what will happen, runs the page's request with progress, shows the outcome.
import { fixture, html, expect, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../client/src/components/process-action-dialog.js';
import type { ProcessActionDialog } from '../../client/src/components/process-action-dialog.js';
import { describeAction } from '../../client/src/components/process-action-dialog.js';
import type { ProcessInfo } from '../../client/src/components/process-table.js';

const AFTER: ProcessInfo = { name: 'api-server', pmId: 0, status: 'online', cpu: 0, memory: 1, restarts: 4, uptimeSeconds: 1, pid: 99 };

function text(el: ProcessActionDialog): string {
  return el.shadowRoot!.querySelector('sl-dialog')!.textContent!.replace(/\s+/g, ' ').trim();
}

describe('process-action-dialog', () => {
  it('asks with what will happen, naming the instances', async () => {
    expect(describeAction('api-server', 'restart', 2)).to.equal('Restart api-server? Its 2 instances restart; requests in flight may fail.');
    const el = await fixture<ProcessActionDialog>(html`<process-action-dialog open name="api-server" op="restart" .instances=${2}></process-action-dialog>`);
    expect(text(el)).to.contain('Restart api-server? Its 2 instances restart; requests in flight may fail.');
  });

  it('focuses the confirming button when it opens', async () => {
    const el = await fixture<ProcessActionDialog>(html`<process-action-dialog name="api-server" op="stop"></process-action-dialog>`);
    el.open = true;
    const dialog = el.shadowRoot!.querySelector('sl-dialog')!;
    await oneEvent(dialog, 'sl-after-show');
    expect(el.shadowRoot!.activeElement?.classList.contains('confirm')).to.be.true;
  });

  it('on confirm emits process-action-confirm, shows progress, then the outcome with the new restart count', async () => {
    let release!: (p: ProcessInfo) => void;
    const calls: string[] = [];
    const perform = (name: string, op: string) => { calls.push(`${name}/${op}`); return new Promise<ProcessInfo>((r) => { release = r; }); };
    const el = await fixture<ProcessActionDialog>(html`<process-action-dialog open name="api-server" op="restart" .perform=${perform}></process-action-dialog>`);
    const confirmed = oneEvent(el, 'process-action-confirm');
    el.shadowRoot!.querySelector<HTMLElement>('sl-button.confirm')!.click();
    expect((await confirmed as CustomEvent).detail).to.deep.equal({ name: 'api-server', op: 'restart' });
    expect(calls).to.deep.equal(['api-server/restart']);
    await el.updateComplete;
    expect(el.phase).to.equal('running');
    expect(text(el)).to.contain('Restarting api-server');
    const done = oneEvent(el, 'process-action-done');
    release(AFTER);
    expect((await done as CustomEvent).detail).to.include({ name: 'api-server', op: 'restart', ok: true });
    expect(text(el)).to.contain('Restarted api-server: now online, 4 restarts in total.');
  });

  it('shows the error message when the action fails', async () => {
    const perform = () => Promise.reject(new Error('Process api-server not found'));
    const el = await fixture<ProcessActionDialog>(html`<process-action-dialog open name="api-server" op="stop" .perform=${perform}></process-action-dialog>`);
    const done = oneEvent(el, 'process-action-done');
    await el.confirm();
    expect((await done as CustomEvent).detail.ok).to.be.false;
    expect(el.phase).to.equal('failed');
    expect(el.shadowRoot!.querySelector('[role="alert"]')!.textContent).to.contain('Process api-server not found');
  });

  it('Escape cancels without running the action', async () => {
    let ran = false;
    const el = await fixture<ProcessActionDialog>(html`<process-action-dialog name="api-server" op="restart"
      .perform=${() => { ran = true; return Promise.resolve(AFTER); }}></process-action-dialog>`);
    el.open = true;
    const dialog = el.shadowRoot!.querySelector('sl-dialog')!;
    await oneEvent(dialog, 'sl-after-show');
    const closed = oneEvent(el, 'process-action-closed');
    // A real key press: Chromium's CloseWatcher (which Shoelace uses) ignores synthetic key events.
    await sendKeys({ press: 'Escape' });
    await closed;
    await waitUntil(() => !el.open);
    expect(ran).to.be.false;
  });
});
