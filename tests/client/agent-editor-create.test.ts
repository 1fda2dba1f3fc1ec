// <agent-editor mode="create">: a blank form with an editable, checked name; the POST body (no envKeys);
// the gateway's per-field errors and a taken name (409) shown by their fields; and the page's "New agent"
// action for admins only, which POSTs, re-reads the agents and shows the new one.
import { html, expect, waitUntil } from '@open-wc/testing';
import '../../client/src/components/agent-editor.js';
import { agentNameProblem, type AgentCreateBody, type AgentEditor, type AgentSavedDetail } from '../../client/src/components/agent-editor.js';
import { ApiClientError } from '../../client/src/api/api-client.js';
import type { AgentView } from '../../client/src/pages/agents-data.js';
import { LiveStore } from '../../client/src/live/live-store.js';
import { FakeEnvironment, FakeSocket } from './fake-live.js';
import { agent, pipeline, restoreFetch, text, type Call } from './agents-fixtures.js';
import { focused, openShown, q } from './dialog-fixtures.js';
import { mountAgentsPage } from './agents-page-fixtures.js';

function type(el: AgentEditor, sel: string, value: string, event = 'input'): void {
  const input = q<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(el, sel);
  input.value = value;
  input.dispatchEvent(new Event(event));
}
const err = (el: AgentEditor, field: string) => text(el.shadowRoot!.querySelector(`.error[data-field="${field}"]`));

// The create form, opened and shown (Shoelace has moved the first focus, to the name field). `agent` is handed in
// as the page does (the selected one): create mode must not start from it.
const openCreate = (create?: (body: AgentCreateBody) => Promise<unknown>, agents: AgentView[] = pipeline()) =>
  openShown<AgentEditor>(html`<agent-editor mode="create" .agent=${agents[0]} .agents=${agents} .create=${create}></agent-editor>`);

describe('agentNameProblem', () => {
  it('accepts what the gateway accepts and explains the rest', () => {
    expect(agentNameProblem('lead-scorer', ['content-engine'])).to.equal('');
    expect(agentNameProblem('ab', [])).to.equal('');
    expect(agentNameProblem('', [])).to.contain('Enter a name');
    for (const bad of ['a', 'Lead', '9lives', 'lead_scorer', 'lead scorer', `a${'b'.repeat(40)}`]) {
      expect(agentNameProblem(bad, []), bad).to.contain('lowercase letters');
    }
    expect(agentNameProblem('content-engine', ['content-engine'])).to.equal('An agent named "content-engine" already exists.');
  });
});

describe('agent-editor in create mode', () => {
  it('opens blank, titled "New agent", with a name field and every agent as a parent choice', async () => {
    const el = await openCreate();
    expect(q(el, 'sl-dialog').getAttribute('label')).to.equal('New agent');
    const name = q<HTMLInputElement>(el, 'input[name="name"]');
    expect(name.value).to.equal('');
    expect(name.readOnly).to.be.false;
    expect(focused(el, 'input[name="name"]'), 'the form opens on the name').to.be.true;
    expect(q<HTMLTextAreaElement>(el, 'textarea[name="description"]').value).to.equal('');
    expect(q<HTMLInputElement>(el, 'input[name="launch-enabled"]').checked).to.be.false;
    const parents = [...el.shadowRoot!.querySelectorAll('select[name="parent"] option')].map((o) => (o as HTMLOptionElement).value);
    expect(parents).to.deep.equal(['', ...pipeline().map((a) => a.name)]);
    expect(text(q(el, 'sl-button.save'))).to.equal('Create');
    // The edit form has no name field.
    el.mode = 'edit';
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('input[name="name"]')).to.be.null;
  });

  it('checks the name before sending: empty, malformed and taken names never reach the gateway', async () => {
    let calls = 0;
    const el = await openCreate(async () => { calls += 1; });
    await el.save();
    expect(calls).to.equal(0);
    expect(err(el, 'name')).to.contain('Enter a name');
    expect(q(el, 'input[name="name"]').getAttribute('aria-invalid')).to.equal('true');
    expect(focused(el, 'input[name="name"]'), 'the name has the focus').to.be.true;
    type(el, 'input[name="name"]', 'Lead Scorer');
    await el.updateComplete;
    expect(err(el, 'name'), 'typing clears the old message').to.equal('');
    await el.save();
    expect(err(el, 'name')).to.contain('lowercase letters');
    type(el, 'input[name="name"]', 'approval-guardian');
    await el.save();
    expect(err(el, 'name')).to.equal('An agent named "approval-guardian" already exists.');
    expect(calls).to.equal(0);
  });

  it('POSTs the whole definition without envKeys, then says it was created and offers Close', async () => {
    const sent: AgentCreateBody[] = [];
    const el = await openCreate(async (body) => { sent.push(body); return { agent: body }; });
    let saved: AgentSavedDetail | null = null;
    el.addEventListener('agent-saved', (e) => { saved = (e as CustomEvent<AgentSavedDetail>).detail; });
    type(el, 'input[name="name"]', '  lead-scorer ');
    type(el, 'textarea[name="description"]', 'Scores new leads');
    type(el, 'select[name="parent"]', 'content-engine', 'change');
    const box = q<HTMLInputElement>(el, 'input[name="launch-enabled"]');
    box.checked = true;
    box.dispatchEvent(new Event('change'));
    await el.updateComplete;
    expect(el.shadowRoot!.querySelectorAll('.env.stored')).to.have.length(0);
    type(el, 'input[name="command"]', 'node');
    type(el, 'textarea[name="args"]', 'agents/lead-scorer.js');
    el.shadowRoot!.querySelector<HTMLButtonElement>('button.add-env')!.click();
    await el.updateComplete;
    type(el, 'input[name="new-env-name-0"]', 'CRM_TOKEN');
    type(el, 'input[name="new-env-value-0"]', 'abc');
    await el.updateComplete;
    // Enter in a one-line field creates (the form has several text fields, so no implicit submission).
    q(el, 'input[name="command"]').dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
    await waitUntil(() => saved !== null, 'Enter sent the form');
    expect(sent).to.deep.equal([{ name: 'lead-scorer', description: 'Scores new leads', parent: 'content-engine',
      launch: { command: 'node', args: ['agents/lead-scorer.js'], timeoutSeconds: 3600, maxConcurrent: 1, env: { CRM_TOKEN: 'abc' } } }]);
    expect(saved).to.deep.equal({ agent: 'lead-scorer', ok: true, created: true });
    expect(text(q(el, '.outcome.ok'))).to.equal('Created lead-scorer.');
    expect(el.shadowRoot!.querySelector('sl-button.save')).to.be.null;
    expect(focused(el, 'sl-button.close'), 'Close has the focus').to.be.true;
    // Opening again starts a new blank form.
    el.open = false;
    await el.updateComplete;
    el.open = true;
    await el.updateComplete;
    expect(q<HTMLInputElement>(el, 'input[name="name"]').value).to.equal('');
    expect(el.shadowRoot!.querySelector('.outcome.ok')).to.be.null;
  });

  it('sends launch null for an agent that reports on its own', async () => {
    const sent: AgentCreateBody[] = [];
    const el = await openCreate(async (body) => { sent.push(body); });
    type(el, 'input[name="name"]', 'solo-reporter');
    await el.save();
    expect(sent).to.deep.equal([{ name: 'solo-reporter', description: '', parent: null, launch: null }]);
  });

  it('shows the gateway\'s field errors by their fields, and a taken name (409) by the name', async () => {
    let reply: ApiClientError = new ApiClientError(400, 'validation_failed', 'The agent definition has invalid fields: name (use 2–40 lowercase letters)', [
      { field: 'name', problem: 'use 2–40 lowercase letters, digits or dashes, starting with a letter' },
      { field: 'launch.command', problem: 'empty command' }]);
    let saved: AgentSavedDetail | null = null;
    const el = await openCreate(async () => { throw reply; });
    el.addEventListener('agent-saved', (e) => { saved = (e as CustomEvent<AgentSavedDetail>).detail; });
    type(el, 'input[name="name"]', 'lead-scorer');
    const box = q<HTMLInputElement>(el, 'input[name="launch-enabled"]');
    box.checked = true;
    box.dispatchEvent(new Event('change'));
    await el.updateComplete;
    type(el, 'input[name="command"]', 'node');
    await el.save();
    expect(err(el, 'name')).to.equal('use 2–40 lowercase letters, digits or dashes, starting with a letter');
    expect(err(el, 'launch.command')).to.equal('empty command');
    expect(q(el, 'input[name="command"]').getAttribute('aria-invalid')).to.equal('true');
    expect(text(q(el, '.form-error'))).to.contain('lead-scorer was not created: The agent definition has invalid fields');
    expect(q<HTMLInputElement>(el, 'input[name="name"]').value, 'the form keeps what was typed').to.equal('lead-scorer');
    expect(saved).to.include({ agent: 'lead-scorer', ok: false, created: false });

    // Created meanwhile by someone else: the gateway's 409 goes by the name.
    reply = new ApiClientError(409, 'agent_exists', 'An agent named "lead-scorer" already exists.');
    await el.save();
    expect(err(el, 'name')).to.equal('An agent named "lead-scorer" already exists.');
    expect(err(el, 'launch.command')).to.equal('');
    expect(q(el, 'input[name="name"]').getAttribute('aria-invalid')).to.equal('true');
    expect(focused(el, 'input[name="name"]'), 'the name has the focus').to.be.true;
    expect(el.saving).to.be.false;
  });

  it('shows a busy "Creating…" state while the request is out', async () => {
    let release!: () => void;
    const el = await openCreate(() => new Promise<void>((r) => { release = r; }));
    type(el, 'input[name="name"]', 'lead-scorer');
    await el.updateComplete;
    const saving = el.save();
    await el.updateComplete;
    expect(q(el, 'form').getAttribute('aria-busy')).to.equal('true');
    expect(text(q(el, 'sl-button[disabled]'))).to.contain('Creating');
    release();
    await saving;
    expect(el.saving).to.be.false;
  });
});

describe('page-agents "New agent"', () => {
  let store: LiveStore;
  beforeEach(() => { FakeSocket.reset(); store = new LiveStore({ socketClass: FakeSocket, environment: new FakeEnvironment() }); });
  afterEach(() => { store.stop(); restoreFetch(); });

  it('is offered to admins only; a create POSTs, re-reads the agents and shows the new one', async () => {
    let agents = pipeline();
    const create = (c: Call) => {
      if (c.method !== 'POST' || c.url !== '/api/agents') return undefined;
      const body = c.body as AgentCreateBody;
      agents = [...agents, agent(body.name, body.parent, { description: body.description, example: false })];
      return { status: 201, body: { agent: body } };
    };
    for (const [role, expected] of [['viewer', false], ['operator', false], ['admin', true]] as const) {
      const { page, calls } = await mountAgentsPage(store, role, () => agents, create);
      expect(!!page.shadowRoot!.querySelector('button.new-agent'), role).to.equal(expected);
      expect(!!page.shadowRoot!.querySelector('agent-editor[mode="create"]'), role).to.equal(expected);
      if (!expected) continue;
      page.shadowRoot!.querySelector<HTMLButtonElement>('button.new-agent')!.click();
      await page.updateComplete;
      const editor = page.shadowRoot!.querySelector<AgentEditor>('agent-editor[mode="create"]')!;
      await editor.updateComplete;
      expect(editor.open).to.be.true;
      type(editor, 'input[name="name"]', 'lead-scorer');
      type(editor, 'select[name="parent"]', 'approval-guardian', 'change');
      await editor.updateComplete;
      await editor.save();
      const post = calls.find((c) => c.method === 'POST' && c.url === '/api/agents')!;
      expect(post.body).to.deep.equal({ name: 'lead-scorer', description: '', parent: 'approval-guardian', launch: null });
      await waitUntil(() => page.agents.some((a) => a.name === 'lead-scorer'), 'the page re-read the agents');
      await page.updateComplete;
      expect(page.selected).to.equal('lead-scorer');
      expect(new URL(window.location.href).searchParams.get('agent')).to.equal('lead-scorer');
      expect(text(page.shadowRoot!.querySelector('h2#agent-h'))).to.equal('lead-scorer');
      const tree = page.shadowRoot!.querySelector('agent-tree')!;
      await tree.updateComplete;
      expect(tree.shadowRoot!.querySelector('li[role="treeitem"][data-name="lead-scorer"]')).to.exist;
    }
    window.history.replaceState(null, '', window.location.pathname);
  });
});
