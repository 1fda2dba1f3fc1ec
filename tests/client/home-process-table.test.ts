// <process-table>: worst first, words instead of an empty table when PM2 is unreachable, actions only for operators.
import { fixture, html, expect, oneEvent, waitUntil } from '@open-wc/testing';
import '../../client/src/components/process-table.js';
import type { ProcessTable, ProcessInfo } from '../../client/src/components/process-table.js';

function proc(name: string, status: string, extra: Partial<ProcessInfo> = {}): ProcessInfo {
  return { name, pmId: extra.pmId ?? name.length, status, cpu: 1, memory: 50 * 1024 * 1024, restarts: 0,
    uptimeSeconds: status === 'online' ? 3600 : null, pid: status === 'online' ? 1234 : null, ...extra };
}

const LIST = [proc('api-server', 'online'), proc('worker', 'errored', { restarts: 7 }), proc('cron', 'stopped'), proc('alpha', 'online')];

function rowNames(el: ProcessTable): string[] {
  return [...el.shadowRoot!.querySelectorAll('[data-name]')].map((r) => r.getAttribute('data-name')!);
}

describe('process-table', () => {
  it('sorts worst first: errored, then stopped, then online by name', async () => {
    const el = await fixture<ProcessTable>(html`<process-table style="width:900px" state="up" .processes=${LIST}></process-table>`);
    expect(el.shadowRoot!.querySelector('table')).to.exist;
    expect(rowNames(el)).to.deep.equal(['worker', 'cron', 'alpha', 'api-server']);
  });

  it('shows each row with its status badge, memory, restarts and a link to its logs', async () => {
    const el = await fixture<ProcessTable>(html`<process-table style="width:900px" state="up" .processes=${LIST}></process-table>`);
    const row = el.shadowRoot!.querySelector('[data-name="worker"]')!;
    expect(row.querySelector('state-badge')!.getAttribute('state')).to.equal('errored');
    expect(row.textContent).to.contain('50 MB');
    expect(row.textContent).to.contain('7');
    expect(row.querySelector('a')!.getAttribute('href')).to.equal('/logs?source=pm2%3Aworker%3Aerr%2Cpm2%3Aworker%3Aout');
  });

  it('says "PM2 unreachable — <error>, since HH:MM:SS" instead of an empty table', async () => {
    const el = await fixture<ProcessTable>(html`<process-table state="down" .processes=${null}
      error="connect ENOENT rpc.sock" .since=${'2025-01-01T08:32:10Z'}></process-table>`);
    const root = el.shadowRoot!;
    expect(root.querySelector('table')).to.be.null;
    expect(root.querySelector('ul')).to.be.null;
    const msg = root.querySelector('[role="alert"]')!.textContent!.replace(/\s+/g, ' ').trim();
    expect(msg).to.match(/^PM2 unreachable — connect ENOENT rpc\.sock, since \d\d:\d\d:\d\d/);
  });

  it('says "No processes under PM2" for an empty list', async () => {
    const el = await fixture<ProcessTable>(html`<process-table state="up" .processes=${[]}></process-table>`);
    expect(el.shadowRoot!.querySelector('table')).to.be.null;
    expect(el.shadowRoot!.textContent).to.contain('No processes under PM2');
  });

  it('shows a loading state (not an empty table) while the state is unknown', async () => {
    const el = await fixture<ProcessTable>(html`<process-table></process-table>`);
    expect(el.shadowRoot!.querySelector('table')).to.be.null;
    expect(el.shadowRoot!.textContent).to.contain('Loading processes');
  });

  it('emits process-action {name, op} (bubbling, composed) when an action is clicked', async () => {
    const wrapper = await fixture<HTMLDivElement>(html`<div><process-table style="width:900px" state="up" .processes=${LIST} canAct></process-table></div>`);
    const el = wrapper.querySelector('process-table')!;
    await el.updateComplete;
    const button = el.shadowRoot!.querySelector<HTMLButtonElement>('[data-name="api-server"] button[data-op="restart"]')!;
    setTimeout(() => button.click());
    const event = await oneEvent(wrapper, 'process-action') as CustomEvent;
    expect(event.detail).to.deep.equal({ name: 'api-server', op: 'restart' });
    expect(event.composed).to.be.true;
  });

  it('offers start for a stopped process and restart/reload/stop for an online one', async () => {
    const el = await fixture<ProcessTable>(html`<process-table style="width:900px" state="up" .processes=${LIST} canAct></process-table>`);
    const ops = (name: string) => [...el.shadowRoot!.querySelectorAll(`[data-name="${name}"] button`)].map((b) => b.getAttribute('data-op'));
    expect(ops('cron')).to.deep.equal(['start']);
    expect(ops('alpha')).to.deep.equal(['restart', 'reload', 'stop']);
  });

  it('hides every action button when canAct is false', async () => {
    const el = await fixture<ProcessTable>(html`<process-table style="width:900px" state="up" .processes=${LIST}></process-table>`);
    expect(el.shadowRoot!.querySelectorAll('button').length).to.equal(0);
    expect(el.shadowRoot!.textContent).not.to.contain('Actions');
  });

  it('renders cards instead of a table when narrower than 700 px', async () => {
    const el = await fixture<ProcessTable>(html`<process-table style="width:360px" state="up" .processes=${LIST} canAct></process-table>`);
    await waitUntil(() => el.shadowRoot!.querySelector('li.card'), 'cards appear');
    expect(el.shadowRoot!.querySelector('table')).to.be.null;
    expect(rowNames(el)).to.deep.equal(['worker', 'cron', 'alpha', 'api-server']);
    expect(el.shadowRoot!.querySelector('li.card button')).to.exist;
  });
});
