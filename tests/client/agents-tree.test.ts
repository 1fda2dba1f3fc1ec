// <agent-tree> and <page-agents>: the hierarchy from parent links, state as icon + word (never colour alone),
// keyboard navigation as a tree, and a node updated live when a `run` frame arrives over the live store.
import { fixture, html, expect, waitUntil } from '@open-wc/testing';
import '../../client/src/components/agent-tree.js';
import '../../client/src/pages/page-agents.js';
import type { AgentTree } from '../../client/src/components/agent-tree.js';
import type { PageAgents } from '../../client/src/pages/page-agents.js';
import { LiveStore } from '../../client/src/live/live-store.js';
import { api } from '../../client/src/api/api-client.js';
import { FakeEnvironment, FakeSocket } from './fake-live.js';
import { pipeline, restoreFetch, run, stubFetch, text } from './agents-fixtures.js';

const items = (tree: AgentTree) => [...tree.shadowRoot!.querySelectorAll<HTMLElement>('li[role="treeitem"]')];
const item = (tree: AgentTree, name: string) => tree.shadowRoot!.querySelector<HTMLElement>(`li[data-name="${name}"]`)!;
const rowOf = (li: HTMLElement) => li.querySelector(':scope > .row')!;

describe('agent-tree', () => {
  it('renders the hierarchy from parent links, in the order the parent lists its children', async () => {
    const tree = await fixture<AgentTree>(html`<agent-tree .agents=${pipeline()}></agent-tree>`);
    expect(tree.shadowRoot!.querySelector('[role="tree"]')).to.exist;
    const order = items(tree).map((li) => `${li.getAttribute('aria-level')}:${li.dataset.name}`);
    expect(order).to.deep.equal(['1:content-engine', '2:content-orchestrator', '3:content-generator', '3:compliance-validator', '2:approval-guardian']);
    expect(item(tree, 'content-engine').getAttribute('aria-expanded')).to.equal('true');
    expect(item(tree, 'content-generator').hasAttribute('aria-expanded')).to.be.false;
    expect(text(rowOf(item(tree, 'content-generator')))).to.contain('never run');
  });

  it('names each item by its own visible row: flat items with level, set size and position, no aria-label', async () => {
    const tree = await fixture<AgentTree>(html`<agent-tree .agents=${pipeline()}></agent-tree>`);
    const place = items(tree).map((li) => `${li.dataset.name} ${li.getAttribute('aria-posinset')}/${li.getAttribute('aria-setsize')}`);
    expect(place).to.deep.equal(['content-engine 1/1', 'content-orchestrator 1/2', 'content-generator 1/2', 'compliance-validator 2/2', 'approval-guardian 2/2']);
    for (const li of items(tree)) {
      expect(li.querySelector('[role="treeitem"]'), `${li.dataset.name} holds no other item`).to.be.null;
      // A label different from the visible text fails voice control ("click content-engine") and axe's
      // label-content-name-mismatch; the name comes from the row itself.
      expect(li.hasAttribute('aria-label'), `${li.dataset.name} has no aria-label`).to.be.false;
      expect(text(li)).to.contain(li.dataset.name!);
    }
  });

  it('shows state as icon + word, with progress counts, activity and last run', async () => {
    const agents = pipeline();
    agents[4] = { ...agents[4]!, state: 'processing', currentRunId: 'r9',
      currentRun: run('r9', 'content-generator', { progress: { done: 12, total: 40, label: 'advisors' }, activity: 'Writing for ARN-1001' }) };
    agents[3] = { ...agents[3]!, lastRun: run('r8', 'compliance-validator', { status: 'error', endedAt: new Date().toISOString() }) };
    const tree = await fixture<AgentTree>(html`<agent-tree .agents=${agents}></agent-tree>`);
    for (const li of items(tree)) {
      const badge = rowOf(li).querySelector('state-badge')!;
      await badge.updateComplete;
      expect(badge.shadowRoot!.querySelector('oc-icon'), `${li.dataset.name} icon`).to.exist;
      expect(text(badge.shadowRoot!.querySelector('.word')), `${li.dataset.name} word`).to.not.equal('');
    }
    const generator = rowOf(item(tree, 'content-generator'));
    expect(generator.querySelector('state-badge')!.state).to.equal('processing');
    expect(generator.querySelector<HTMLProgressElement>('progress')!.value).to.equal(12);
    expect(text(generator.querySelector('.count'))).to.equal('12 / 40 advisors');
    expect(text(generator.querySelector('.activity'))).to.equal('Writing for ARN-1001');
    const validator = rowOf(item(tree, 'compliance-validator'));
    expect(validator.querySelector('state-badge')!.state).to.equal('error');
    expect(text(validator.querySelector('.last'))).to.match(/^last run just now · error$/);
  });

  it('is keyboard navigable: arrows move and fold, Enter selects (agent-select)', async () => {
    const tree = await fixture<AgentTree>(html`<agent-tree .agents=${pipeline()}></agent-tree>`);
    const selected: string[] = [];
    tree.addEventListener('agent-select', (e) => selected.push((e as CustomEvent<{ name: string }>).detail.name));
    const first = item(tree, 'content-engine');
    expect(first.tabIndex).to.equal(0);
    expect(item(tree, 'content-orchestrator').tabIndex).to.equal(-1);
    first.focus();
    const key = (k: string) => (tree.shadowRoot!.activeElement as HTMLElement).dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, composed: true }));
    key('ArrowDown');
    await waitUntil(() => tree.shadowRoot!.activeElement === item(tree, 'content-orchestrator'), 'focus moves down');
    key('ArrowLeft');   // collapse the orchestrator
    await waitUntil(() => item(tree, 'content-orchestrator').getAttribute('aria-expanded') === 'false');
    expect(item(tree, 'content-generator')).to.be.null;
    key('ArrowDown');
    await waitUntil(() => tree.shadowRoot!.activeElement === item(tree, 'approval-guardian'), 'skips the folded children');
    key('ArrowLeft');   // a leaf: to its parent
    await waitUntil(() => tree.shadowRoot!.activeElement === item(tree, 'content-engine'), 'left goes to the parent');
    key('Enter');
    expect(selected).to.deep.equal(['content-engine']);
    await tree.updateComplete;
    expect(item(tree, 'content-engine').getAttribute('aria-selected')).to.equal('true');
  });
});

describe('page-agents', () => {
  let store: LiveStore;
  beforeEach(() => {
    api.forgetSession();
    FakeSocket.reset();
    store = new LiveStore({ url: 'ws://test/ws', socketClass: FakeSocket, environment: new FakeEnvironment() });
  });
  afterEach(() => { store.stop(); restoreFetch(); });

  it('updates a tree node live when a `run` frame arrives', async () => {
    stubFetch('viewer', [
      (c) => (c.url === '/api/agents' ? { body: { agents: pipeline() } } : undefined),
      (c) => (c.url.startsWith('/api/agents/runs') ? { body: { runs: [], nextCursor: null } } : undefined),
      (c) => (c.url.startsWith('/api/agents/performance') ? { body: { agents: [] } } : undefined),
    ]);
    store.start();
    const socket = await FakeSocket.next(0);
    socket.open();
    const page = await fixture<PageAgents>(html`<page-agents .live=${store}></page-agents>`);
    expect(socket.sent).to.deep.include({ op: 'subscribe', topics: ['agents'] });
    const tree = page.shadowRoot!.querySelector('agent-tree')!;
    await waitUntil(() => tree.shadowRoot!.querySelector('li[data-name="content-generator"]'), 'tree drawn');
    socket.receive({ topic: 'agents', seq: 1, type: 'snapshot', data: { agents: pipeline(), openRuns: [] } });
    const generatorBadge = () => rowOf(item(tree, 'content-generator')).querySelector('state-badge')!;
    expect(generatorBadge().state).to.equal('idle');

    socket.receive({ topic: 'agents', seq: 2, type: 'run',
      data: run('r1', 'content-generator', { progress: { done: 3, total: 10 }, activity: 'ARN-1003' }) });
    await waitUntil(() => generatorBadge().state === 'processing', 'node turns processing');
    const row = rowOf(item(tree, 'content-generator'));
    expect(text(row.querySelector('.count'))).to.equal('3 / 10');
    expect(text(row.querySelector('.activity'))).to.equal('ARN-1003');
    await generatorBadge().updateComplete;
    expect(text(generatorBadge().shadowRoot!.querySelector('.word'))).to.equal('processing');

    socket.receive({ topic: 'agents', seq: 3, type: 'run',
      data: run('r1', 'content-generator', { status: 'error', endedAt: new Date().toISOString(), error: { message: 'LLM quota' } }) });
    await waitUntil(() => generatorBadge().state === 'error', 'node shows the failed outcome');
    expect(rowOf(item(tree, 'content-generator')).querySelector('progress')).to.be.null;
    // The recent-runs list got the run too, with a one-tap link to its error lines.
    const history = page.shadowRoot!.querySelector('run-history')!;
    await waitUntil(() => history.shadowRoot!.querySelector('a.errors'), 'error-lines link');
    expect(history.shadowRoot!.querySelector('a.errors')!.getAttribute('href')).to.equal('/agents/runs/r1?log=errors');
  });

  it('offers "Start now" to operators only, for agents with a launch command', async () => {
    const routes = [
      (c: { url: string }) => (c.url === '/api/agents' ? { body: { agents: pipeline() } } : undefined),
      (c: { url: string }) => (c.url.startsWith('/api/agents/runs') ? { body: { runs: [], nextCursor: null } } : undefined),
      (c: { url: string }) => (c.url.startsWith('/api/agents/performance') ? { body: { agents: [] } } : undefined),
    ];
    for (const [role, expected] of [['viewer', false], ['operator', true]] as const) {
      api.forgetSession();
      stubFetch(role, routes);
      const page = await fixture<PageAgents>(html`<page-agents .live=${store}></page-agents>`);
      await waitUntil(() => page.agents.length > 0);
      page.selected = 'content-engine';
      await new Promise((r) => setTimeout(r, 50));
      await page.updateComplete;
      expect(!!page.shadowRoot!.querySelector('button.trigger'), role).to.equal(expected);
    }
  });
});
