// <agent-editor>: fields from an agent, the PUT body (stored env names kept, removed ones dropped, new values
// sent, launch null when disabled), the gateway's per-field errors, and the Edit button on the page for admins only.
import { fixture, html, expect, waitUntil } from '@open-wc/testing';
import '../../client/src/components/agent-editor.js';
import '../../client/src/pages/page-agents.js';
import type { AgentEditor, AgentUpdateBody } from '../../client/src/components/agent-editor.js';
import type { PageAgents } from '../../client/src/pages/page-agents.js';
import { ApiClientError, api } from '../../client/src/api/api-client.js';
import type { AgentView } from '../../client/src/pages/agents-data.js';
import { LiveStore } from '../../client/src/live/live-store.js';
import { FakeEnvironment, FakeSocket } from './fake-live.js';
import { agent, pipeline, restoreFetch, stubFetch, text } from './agents-fixtures.js';

function withEnv(): AgentView[] {
  const agents = pipeline();
  agents[0] = { ...agents[0]!, launch: { ...agents[0]!.launch!, cwd: '/srv/agents', envKeys: ['API_TOKEN', 'OLD_KEY'] } as AgentView['launch'] };
  return agents;
}

const q = <T extends Element>(el: AgentEditor, sel: string) => el.shadowRoot!.querySelector<T>(sel)!;
function type(el: AgentEditor, sel: string, value: string, event = 'input'): void {
  const input = q<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(el, sel);
  input.value = value;
  input.dispatchEvent(new Event(event));
}

async function open(perform?: (name: string, body: AgentUpdateBody) => Promise<unknown>, agents = withEnv()): Promise<AgentEditor> {
  const el = await fixture<AgentEditor>(html`<agent-editor .agent=${agents[0]} .agents=${agents} .perform=${perform}></agent-editor>`);
  el.open = true;
  await el.updateComplete;
  return el;
}

describe('agent-editor', () => {
  it('renders the fields from the agent, never the environment values', async () => {
    const el = await open();
    expect(q<HTMLTextAreaElement>(el, 'textarea[name="description"]').value).to.equal('content-engine does its part');
    expect(q<HTMLSelectElement>(el, 'select[name="parent"]').value).to.equal('');
    const parents = [...el.shadowRoot!.querySelectorAll('select[name="parent"] option')].map((o) => (o as HTMLOptionElement).value);
    expect(parents).to.deep.equal(['', 'approval-guardian', 'content-orchestrator', 'compliance-validator', 'content-generator']);
    expect(q<HTMLInputElement>(el, 'input[name="launch-enabled"]').checked).to.be.true;
    expect(q<HTMLInputElement>(el, 'input[name="command"]').value).to.equal('node');
    expect(q<HTMLTextAreaElement>(el, 'textarea[name="args"]').value).to.equal('agents/examples/content-engine.js');
    expect(q<HTMLInputElement>(el, 'input[name="cwd"]').value).to.equal('/srv/agents');
    expect(q<HTMLInputElement>(el, 'input[name="timeout"]').value).to.equal('1800');
    expect(q<HTMLInputElement>(el, 'input[name="max-concurrent"]').value).to.equal('1');
    const stored = [...el.shadowRoot!.querySelectorAll<HTMLElement>('.env.stored')];
    expect(stored.map((s) => s.dataset.name)).to.deep.equal(['API_TOKEN', 'OLD_KEY']);
    expect(q<HTMLSelectElement>(el, 'select[name="env-action-0"]').value).to.equal('keep');
    expect(q<HTMLInputElement>(el, 'input[name="env-value-0"]').value).to.equal('');
    // Unchanged, the body keeps every stored value.
    expect(el.body()).to.deep.equal({ description: 'content-engine does its part', parent: null, launch: {
      command: 'node', args: ['agents/examples/content-engine.js'], cwd: '/srv/agents', timeoutSeconds: 1800, maxConcurrent: 1,
      envKeys: ['API_TOKEN', 'OLD_KEY'] } });
  });

  it('builds the PUT body: kept keys, a removed key dropped, new values in env', async () => {
    const sent: Array<{ name: string; body: AgentUpdateBody }> = [];
    const el = await open(async (name, body) => { sent.push({ name, body }); return {}; });
    let saved: { ok: boolean } | null = null;
    el.addEventListener('agent-saved', (e) => { saved = (e as CustomEvent<{ ok: boolean }>).detail; });
    type(el, 'textarea[name="description"]', 'Plans tonight\'s content');
    type(el, 'select[name="parent"]', 'approval-guardian', 'change');
    type(el, 'textarea[name="args"]', 'agents/run.js\n\n--fast\n');
    type(el, 'input[name="timeout"]', '600');
    type(el, 'input[name="max-concurrent"]', '2');
    type(el, 'select[name="env-action-1"]', 'remove', 'change');
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('input[name="env-value-1"]')).to.be.null;
    el.shadowRoot!.querySelector<HTMLButtonElement>('button.add-env')!.click();
    await el.updateComplete;
    type(el, 'input[name="new-env-name-0"]', 'REGION');
    type(el, 'input[name="new-env-value-0"]', 'ap-south-1');
    await el.updateComplete;
    await el.save();
    expect(sent).to.have.length(1);
    expect(sent[0]!.name).to.equal('content-engine');
    expect(sent[0]!.body).to.deep.equal({ description: 'Plans tonight\'s content', parent: 'approval-guardian', launch: {
      command: 'node', args: ['agents/run.js', '--fast'], cwd: '/srv/agents', timeoutSeconds: 600, maxConcurrent: 2,
      envKeys: ['API_TOKEN'], env: { REGION: 'ap-south-1' } } });
    expect(saved).to.deep.equal({ agent: 'content-engine', ok: true });
    expect(text(q(el, '.outcome.ok'))).to.equal('Saved content-engine.');
  });

  it('sends a new value for a stored key in env instead of keeping it', async () => {
    const el = await open();
    type(el, 'input[name="env-value-0"]', 's3cret');
    await el.updateComplete;
    expect(el.body().launch).to.include({ command: 'node' });
    expect(el.body().launch!.env).to.deep.equal({ API_TOKEN: 's3cret' });
    expect(el.body().launch!.envKeys).to.deep.equal(['OLD_KEY']);
  });

  it('sends launch null when the launch command is disabled', async () => {
    const el = await open();
    const box = q<HTMLInputElement>(el, 'input[name="launch-enabled"]');
    box.checked = false;
    box.dispatchEvent(new Event('change'));
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('input[name="command"]')).to.be.null;
    expect(el.body()).to.deep.equal({ description: 'content-engine does its part', parent: null, launch: null });
  });

  it('shows the API\'s field errors by their fields and keeps the edits', async () => {
    const el = await open(async () => {
      throw new ApiClientError(400, 'bad_request', 'The agent has invalid fields', [
        { field: 'launch.command', problem: 'empty command' }, { field: 'launch.timeoutSeconds', problem: 'too big' },
        { field: 'parent', problem: 'would make a cycle' }]);
    });
    type(el, 'select[name="parent"]', 'content-generator', 'change');
    await el.updateComplete;
    await el.save();
    await el.updateComplete;
    const err = (f: string) => text(el.shadowRoot!.querySelector(`.error[data-field="${f}"]`));
    expect(err('launch.command')).to.equal('empty command');
    expect(err('launch.timeoutSeconds')).to.equal('too big');
    expect(err('parent')).to.equal('would make a cycle');
    expect(q(el, 'input[name="command"]').getAttribute('aria-invalid')).to.equal('true');
    expect(q(el, 'input[name="cwd"]').getAttribute('aria-invalid')).to.equal('false');
    expect(text(q(el, '.form-error'))).to.contain('content-engine was not saved: The agent has invalid fields');
    expect(q<HTMLSelectElement>(el, 'select[name="parent"]').value).to.equal('content-generator');
    expect(el.saving).to.be.false;
  });

  it('checks locally before sending and shows a busy state while saving', async () => {
    let release!: () => void;
    let calls = 0;
    const el = await open(() => { calls += 1; return new Promise<void>((r) => { release = r; }); });
    type(el, 'input[name="command"]', '  ');
    type(el, 'input[name="timeout"]', '0');
    await el.updateComplete;
    await el.save();
    expect(calls).to.equal(0);
    expect(text(el.shadowRoot!.querySelector('.error[data-field="launch.command"]'))).to.contain('Enter the command');
    expect(text(el.shadowRoot!.querySelector('.error[data-field="launch.timeoutSeconds"]'))).to.contain('1 to 604800');
    type(el, 'input[name="command"]', 'node');
    type(el, 'input[name="timeout"]', '60');
    await el.updateComplete;
    const saving = el.save();
    await el.updateComplete;
    expect(calls).to.equal(1);
    expect(q(el, 'form').getAttribute('aria-busy')).to.equal('true');
    expect(text(q(el, 'sl-button[disabled]'))).to.contain('Saving');
    release();
    await saving;
    expect(el.saving).to.be.false;
  });

  it('starts blank-launch agents unticked', async () => {
    const agents = [agent('solo', null)];
    const el = await open(undefined, agents);
    expect(q<HTMLInputElement>(el, 'input[name="launch-enabled"]').checked).to.be.false;
    expect(el.body()).to.deep.equal({ description: 'solo does its part', parent: null, launch: null });
  });
});

describe('page-agents edit button', () => {
  let store: LiveStore;
  beforeEach(() => { FakeSocket.reset(); store = new LiveStore({ socketClass: FakeSocket, environment: new FakeEnvironment() }); });
  afterEach(() => { store.stop(); restoreFetch(); });

  it('offers "Edit" to admins only; a save PUTs and refreshes', async () => {
    const routes = [
      (c: { url: string; method: string }) => (c.method === 'PUT' ? { body: { agent: {} } } : undefined),
      (c: { url: string }) => (c.url === '/api/agents' ? { body: { agents: withEnv() } } : undefined),
      (c: { url: string }) => (c.url.startsWith('/api/agents/runs') ? { body: { runs: [], nextCursor: null } } : undefined),
      (c: { url: string }) => (c.url.startsWith('/api/agents/performance') ? { body: { agents: [] } } : undefined),
    ];
    for (const [role, expected] of [['viewer', false], ['operator', false], ['admin', true]] as const) {
      api.forgetSession();
      const calls = stubFetch(role, routes);
      const page = await fixture<PageAgents>(html`<page-agents .live=${store}></page-agents>`);
      await waitUntil(() => page.agents.length > 0);
      page.selected = 'content-engine';
      await new Promise((r) => setTimeout(r, 50));
      await page.updateComplete;
      expect(page.canEdit, role).to.equal(expected);
      expect(!!page.shadowRoot!.querySelector('button.edit'), role).to.equal(expected);
      expect(!!page.shadowRoot!.querySelector('agent-editor'), role).to.equal(expected);
      if (!expected) continue;
      page.shadowRoot!.querySelector<HTMLButtonElement>('button.edit')!.click();
      await page.updateComplete;
      const editor = page.shadowRoot!.querySelector('agent-editor')!;
      await editor.updateComplete;
      expect(editor.open).to.be.true;
      const before = calls.filter((c) => c.url === '/api/agents').length;
      await editor.save();
      const put = calls.find((c) => c.method === 'PUT')!;
      expect(put.url).to.equal('/api/agents/content-engine');
      expect((put.body as AgentUpdateBody).launch!.envKeys).to.deep.equal(['API_TOKEN', 'OLD_KEY']);
      await waitUntil(() => calls.filter((c) => c.url === '/api/agents').length > before, 'page refreshed');
    }
  });
});
