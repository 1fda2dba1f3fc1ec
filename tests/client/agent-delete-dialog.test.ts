// <agent-delete-dialog>: names the agent and what deleting it does (children block it, schedule stops, a run in
// progress goes on, history stays), starts on Cancel, deletes only on confirm, shows the gateway's refusal as
// it says it; and the page's "Delete" action for admins only, which DELETEs, re-reads and drops the agent.
import { html, expect, waitUntil, oneEvent } from '@open-wc/testing';
import '../../client/src/components/agent-delete-dialog.js';
import { describeDeletion, type AgentDeleteDialog, type AgentDeletedDetail } from '../../client/src/components/agent-delete-dialog.js';
import { ApiClientError } from '../../client/src/api/api-client.js';
import type { AgentView } from '../../client/src/pages/agents-data.js';
import { LiveStore } from '../../client/src/live/live-store.js';
import { FakeEnvironment, FakeSocket } from './fake-live.js';
import { agent, pipeline, restoreFetch, run, text, type Call } from './agents-fixtures.js';
import { focused, openShown, q } from './dialog-fixtures.js';
import { mountAgentsPage } from './agents-page-fixtures.js';

const openDialog = (target: AgentView, perform?: (name: string) => Promise<unknown>) =>
  openShown<AgentDeleteDialog>(html`<agent-delete-dialog .agent=${target} .perform=${perform}></agent-delete-dialog>`);

describe('describeDeletion', () => {
  it('names the children that block it, the schedule that stops, the run that goes on and the history that stays', () => {
    const engine = pipeline()[0]!;
    const busy = { ...engine, state: 'processing' as const, currentRunId: 'r-1', lastRun: run('r-1', 'content-engine') };
    const { blocker, effects } = describeDeletion(busy);
    expect(blocker).to.equal('content-engine is the parent of content-orchestrator, approval-guardian. The gateway refuses to delete it until those agents are given another parent or deleted.');
    expect(effects.join(' ')).to.contain('Its schedule (every day at 20:30; every day at 05:00) stops');
    expect(effects.join(' ')).to.contain('can no longer be started');
    expect(effects.join(' ')).to.contain('run in progress is not stopped');
    expect(effects.join(' ')).to.contain('Runs it already made stay in the run history');
    const leaf = describeDeletion(agent('approval-guardian', 'content-engine'));
    expect(leaf.blocker).to.be.null;
    expect(leaf.effects.join(' ')).not.to.contain('schedule');
    expect(leaf.effects.join(' ')).not.to.contain('run in progress');
    expect(describeDeletion(agent('one', null, { children: ['two'] })).blocker).to.contain('until that agent is given another parent');
  });
});

describe('agent-delete-dialog', () => {
  it('asks about the named agent, warns about its children, and starts on Cancel', async () => {
    const el = await openDialog(pipeline()[0]!);
    expect(q(el, 'sl-dialog').getAttribute('label')).to.equal('Delete content-engine');
    expect(text(q(el, '.question'))).to.equal('Delete the agent content-engine?');
    expect(text(q(el, '.blocker'))).to.contain('content-engine is the parent of content-orchestrator, approval-guardian');
    expect(text(q(el, 'sl-button.confirm'))).to.equal('Delete content-engine');
    expect(q(el, 'sl-button.confirm').getAttribute('variant')).to.equal('danger');
    expect(focused(el, 'sl-button.cancel'), 'Cancel has the focus').to.be.true;
    // Cancel closes without a request.
    q<HTMLElement>(el, 'sl-button.cancel').click();
    await el.updateComplete;
    expect(el.open).to.be.false;
  });

  it('deletes only on confirm, shows progress, then the outcome', async () => {
    const asked: string[] = [];
    let release!: () => void;
    const el = await openDialog(agent('approval-guardian', 'content-engine'), (name) => {
      asked.push(name);
      return new Promise<void>((r) => { release = r; });
    });
    expect(el.shadowRoot!.querySelector('.blocker')).to.be.null;
    expect(asked).to.deep.equal([]);
    const done = oneEvent(el, 'agent-deleted');
    q<HTMLElement>(el, 'sl-button.confirm').click();
    await el.updateComplete;
    expect(asked).to.deep.equal(['approval-guardian']);
    expect(text(q(el, '.progress'))).to.equal('Deleting approval-guardian…');
    release();
    const detail = (await done).detail as AgentDeletedDetail;
    expect(detail).to.deep.equal({ agent: 'approval-guardian', ok: true });
    expect(text(q(el, '.outcome.ok'))).to.equal('Deleted approval-guardian.');
    // The page drops the agent once it is gone; the outcome keeps naming it.
    el.agent = null;
    await el.updateComplete;
    expect(q(el, 'sl-dialog').getAttribute('label')).to.equal('Delete approval-guardian');
    expect(focused(el, 'sl-button.close'), 'Close has the focus').to.be.true;
  });

  it('shows the gateway\'s refusal as it says it (409 with children)', async () => {
    const message = '"content-engine" is the parent of content-orchestrator, approval-guardian; move or delete them first.';
    const el = await openDialog(pipeline()[0]!, async () => {
      throw new ApiClientError(409, 'agent_has_children', message, { children: ['content-orchestrator', 'approval-guardian'] });
    });
    const done = oneEvent(el, 'agent-deleted');
    await el.confirm();
    expect((await done).detail).to.deep.equal({ agent: 'content-engine', ok: false, error: message });
    const outcome = q(el, '.outcome.bad');
    expect(outcome.getAttribute('role')).to.equal('alert');
    expect(text(outcome)).to.equal(`content-engine was not deleted: ${message}`);
    expect(el.phase).to.equal('failed');
    // Reopening asks again.
    el.open = false;
    await el.updateComplete;
    el.open = true;
    await el.updateComplete;
    expect(el.phase).to.equal('confirm');
  });
});

describe('page-agents "Delete"', () => {
  let store: LiveStore;
  beforeEach(() => { FakeSocket.reset(); store = new LiveStore({ socketClass: FakeSocket, environment: new FakeEnvironment() }); });
  afterEach(() => { store.stop(); restoreFetch(); window.history.replaceState(null, '', window.location.pathname); });

  it('is offered to admins only; a delete DELETEs, re-reads the agents and the agent is gone', async () => {
    let agents = pipeline();
    const remove = (c: Call) => {
      if (c.method !== 'DELETE') return undefined;
      const name = decodeURIComponent(c.url.split('/').pop()!);
      agents = agents.filter((a) => a.name !== name).map((a) => ({ ...a, children: a.children.filter((x) => x !== name) }));
      return { status: 200, body: {} };
    };
    for (const [role, expected] of [['viewer', false], ['operator', false], ['admin', true]] as const) {
      window.history.replaceState(null, '', `${window.location.pathname}?agent=approval-guardian`);
      const { page, calls } = await mountAgentsPage(store, role, () => agents, remove);
      expect(page.selected).to.equal('approval-guardian');
      expect(!!page.shadowRoot!.querySelector('button.delete'), role).to.equal(expected);
      expect(!!page.shadowRoot!.querySelector('agent-delete-dialog'), role).to.equal(expected);
      if (!expected) continue;
      q<HTMLButtonElement>(page, 'button.delete').click();
      await page.updateComplete;
      const dialog = q<AgentDeleteDialog>(page, 'agent-delete-dialog');
      await dialog.updateComplete;
      expect(dialog.open).to.be.true;
      expect(text(q(dialog, '.question'))).to.equal('Delete the agent approval-guardian?');
      await dialog.confirm();
      const del = calls.find((c) => c.method === 'DELETE')!;
      expect(del.url).to.equal('/api/agents/approval-guardian');
      await waitUntil(() => !page.agents.some((a) => a.name === 'approval-guardian'), 'the page re-read the agents');
      await page.updateComplete;
      expect(page.selected).to.equal('');
      expect(new URL(window.location.href).searchParams.has('agent')).to.be.false;
      expect(page.shadowRoot!.querySelector('h2#agent-h')).to.be.null;
      const tree = page.shadowRoot!.querySelector('agent-tree')!;
      await tree.updateComplete;
      expect(tree.shadowRoot!.querySelector('li[role="treeitem"][data-name="approval-guardian"]')).to.be.null;
      expect(text(q(dialog, '.outcome.ok'))).to.equal('Deleted approval-guardian.');
    }
  });
});
