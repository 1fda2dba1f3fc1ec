// <trigger-dialog>: says what starting the agent does, refuses parameters that are not a JSON object before
// anything is sent, posts the trigger (with the CSRF token) and links to the new run; failures are said plainly.
import { fixture, html, expect, waitUntil } from '@open-wc/testing';
import '../../client/src/components/trigger-dialog.js';
import type { TriggerDialog } from '../../client/src/components/trigger-dialog.js';
import { api } from '../../client/src/api/api-client.js';
import { describeLaunch, parseParams } from '../../client/src/pages/agents-data.js';
import { pipeline, restoreFetch, stubFetch, text } from './agents-fixtures.js';

const perform = (agent: string, params: Record<string, unknown> | undefined) =>
  api.post<{ runId: string }>(`/api/agents/${encodeURIComponent(agent)}/trigger`, params ? { params } : {});

async function openDialog(): Promise<TriggerDialog> {
  const engine = pipeline()[0]!;
  const el = await fixture<TriggerDialog>(html`<trigger-dialog agent="content-engine" description=${describeLaunch(engine)} .perform=${perform}></trigger-dialog>`);
  el.open = true;
  await el.updateComplete;
  return el;
}
const typeParams = async (el: TriggerDialog, value: string) => {
  const area = el.shadowRoot!.querySelector('textarea')!;
  area.value = value;
  area.dispatchEvent(new Event('input'));
  await el.updateComplete;
};

describe('trigger-dialog', () => {
  beforeEach(() => api.forgetSession());
  afterEach(() => restoreFetch());

  it('asks "Start content-engine now? It launches …" before anything is sent', async () => {
    const calls = stubFetch('operator', []);
    const el = await openDialog();
    expect(text(el.shadowRoot!.querySelector('.question'))).to.equal(
      'Start content-engine now? It launches `node agents/examples/content-engine.js` which runs content-orchestrator, approval-guardian; it is stopped after 30 min at the latest.');
    expect(calls.filter((c) => c.method === 'POST')).to.have.length(0);
  });

  it('refuses parameters that are not valid JSON or not an object, without posting', async () => {
    const calls = stubFetch('operator', []);
    const el = await openDialog();
    await typeParams(el, '{"advisor": ');
    await el.confirm();
    expect(el.phase).to.equal('confirm');
    expect(text(el.shadowRoot!.querySelector('#params-error'))).to.match(/^Not valid JSON/);
    expect(el.shadowRoot!.querySelector('textarea')!.getAttribute('aria-invalid')).to.equal('true');
    await typeParams(el, '[1, 2]');
    await el.confirm();
    expect(text(el.shadowRoot!.querySelector('#params-error'))).to.contain('must be a JSON object');
    expect(calls.filter((c) => c.method === 'POST')).to.have.length(0);
    expect(parseParams('   ')).to.deep.equal({ ok: true, params: undefined });
  });

  it('posts valid parameters with the CSRF token and links to the new run', async () => {
    const calls = stubFetch('operator', [
      (c) => (c.method === 'POST' && c.url === '/api/agents/content-engine/trigger' ? { status: 202, body: { runId: 'run-42' } } : undefined),
    ]);
    const el = await openDialog();
    await typeParams(el, '{"advisor": "ARN-1001", "dryRun": true}');
    const done = new Promise<CustomEvent>((resolve) => el.addEventListener('trigger-done', (e) => resolve(e as CustomEvent)));
    await el.confirm();
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.body).to.deep.equal({ params: { advisor: 'ARN-1001', dryRun: true } });
    expect(post.headers['X-CSRF-Token']).to.equal('csrf-1');
    expect(el.phase).to.equal('done');
    expect((await done).detail).to.deep.equal({ agent: 'content-engine', ok: true, runId: 'run-42' });
    await waitUntil(() => el.shadowRoot!.querySelector('a.run-link'));
    expect(el.shadowRoot!.querySelector('a.run-link')!.getAttribute('href')).to.equal('/agents/runs/run-42');
  });

  it('sends no params key when the field is empty, and says why a busy agent was not started', async () => {
    const calls = stubFetch('operator', [
      (c) => (c.method === 'POST' ? { status: 409, body: { error: { code: 'agent_busy', message: 'content-engine is at its limit of 1 running run' } } } : undefined),
    ]);
    const el = await openDialog();
    await el.confirm();
    expect(calls.find((c) => c.method === 'POST')!.body).to.deep.equal({});
    expect(el.phase).to.equal('failed');
    expect(text(el.shadowRoot!.querySelector('.outcome'))).to.equal('content-engine was not started: content-engine is at its limit of 1 running run');
  });
});
