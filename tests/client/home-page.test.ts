// <page-home> against a stubbed fetch (the live store stays unstarted, i.e. not live): problems first,
// gauges, the process action flow through the dialog, and the offline/stale view of an old cached status.
import { fixture, html, expect, waitUntil } from '@open-wc/testing';
import '../../client/src/pages/page-home.js';
import type { PageHome } from '../../client/src/pages/page-home.js';
import type { HealthBody, SystemSample } from '../../client/src/pages/home-data.js';
import type { ProcessInfo } from '../../client/src/components/process-table.js';
import type { ProcessActionDialog } from '../../client/src/components/process-action-dialog.js';
import { api } from '../../client/src/api/api-client.js';


function proc(name: string, status: string, restarts = 0): ProcessInfo {
  return { name, pmId: name.length, status, cpu: 2, memory: 1e8, restarts, uptimeSeconds: 60, pid: 10 };
}
function sample(ts: string): SystemSample {
  return { ts, cpu: { percent: 12, cores: 4 }, load: [0.5, 0.4, 0.3], memory: { totalBytes: 8e9, usedBytes: 4e9, percent: 50 },
    disk: [{ label: 'data', path: '/data', totalBytes: 1e11, usedBytes: 5e10, percent: 50 },
      { label: 'root', path: '/', totalBytes: 1e11, usedBytes: 2e10, percent: 20 }], uptimeSeconds: 90_000 };
}
function healthAt(generatedAt: string): HealthBody {
  return {
    generatedAt, system: { ...sample(generatedAt), observedAt: generatedAt },
    processes: [proc('api', 'online'), proc('worker', 'errored', 5)],
    services: {
      pm2: { state: 'up', observedAt: generatedAt }, webhook: { state: 'up', observedAt: generatedAt },
      whatsapp: { state: 'not_configured', observedAt: null }, sheets: { state: 'not_configured', observedAt: null },
      drive: { state: 'not_configured', observedAt: null },
    },
    operations: { state: 'not_configured', detail: '' },
  };
}

interface Call { method: string; url: string; headers: Record<string, string> }
const realFetch = window.fetch;
let calls: Call[] = [];
let health: HealthBody;

function stubFetch(role: string): void {
  calls = [];
  window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const method = init?.method ?? 'GET';
    calls.push({ method, url, headers: (init?.headers ?? {}) as Record<string, string> });
    const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
    if (url === '/api/health') return json(health);
    if (url.startsWith('/api/metrics/system')) return json({ samples: [sample(new Date(Date.now() - 60_000).toISOString())] });
    if (url === '/api/auth/me') return json({ user: { username: 'op', role }, csrfToken: 'csrf-1' });
    if (url === '/api/processes/worker/restart' && method === 'POST') return json({ process: proc('worker', 'online', 6) });
    return json({ error: { code: 'not_found', message: 'no route' } }, 404);
  };
}


describe('page-home', () => {
  beforeEach(() => { api.forgetSession(); });
  afterEach(() => { window.fetch = realFetch; });

  it('paints problems first, then gauges, processes, services and the pipeline strip', async () => {
    health = healthAt(new Date().toISOString());
    stubFetch('viewer');
    const el = await fixture<PageHome>(html`<page-home></page-home>`);
    const root = el.shadowRoot!;
    await waitUntil(() => root.querySelector('.problems li'), 'problems appear');
    const sections = [...root.querySelectorAll('section h2')].map((h) => h.id);
    expect(sections).to.deep.equal(['problems-h', 'system-h', 'processes-h', 'services-h', 'pipeline-h']);
    const problem = root.querySelector('.problems li a')!;
    expect(problem.textContent).to.equal('worker errored');
    expect(problem.getAttribute('href')).to.equal('/logs?source=pm2%3Aworker%3Aerr%2Cpm2%3Aworker%3Aout');
    expect(root.querySelectorAll('metric-gauge').length).to.equal(6);
    expect(root.querySelector('.pipeline pipeline-strip'), "today's pipeline strip").to.exist;
    expect(root.querySelector('offline-banner')).to.be.null;
    expect(root.querySelector('process-table')!.canAct).to.be.false;
  });

  it('lets an operator restart a process through the dialog, sending the CSRF token, then refetches', async () => {
    health = healthAt(new Date().toISOString());
    stubFetch('operator');
    const el = await fixture<PageHome>(html`<page-home></page-home>`);
    const root = el.shadowRoot!;
    const table = root.querySelector('process-table')!;
    await waitUntil(() => table.canAct && table.shadowRoot!.querySelector('button[data-op="restart"]'), 'actions appear');
    expect(root.querySelector('process-action-dialog'), 'the dialog is imported on first use').to.equal(null);
    table.dispatchEvent(new CustomEvent('process-action', { detail: { name: 'worker', op: 'restart' }, bubbles: true, composed: true }));
    await waitUntil(() => root.querySelector<ProcessActionDialog>('process-action-dialog')?.open, 'the dialog opens', { timeout: 5000 });
    const dialog = root.querySelector<ProcessActionDialog>('process-action-dialog')!;
    await dialog.updateComplete;
    expect(dialog.open).to.be.true;
    expect(dialog.name).to.equal('worker');
    const healthFetches = calls.filter((c) => c.url === '/api/health').length;
    await dialog.confirm();
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.url).to.equal('/api/processes/worker/restart');
    expect(post.headers['X-CSRF-Token']).to.equal('csrf-1');
    expect(dialog.phase).to.equal('done');
    await waitUntil(() => calls.filter((c) => c.url === '/api/health').length > healthFetches, 'status refetched');
  });

  it('shows the offline banner and stale markers for an old cached status while not live', async () => {
    health = healthAt(new Date(Date.now() - 10 * 60_000).toISOString());
    stubFetch('viewer');
    const el = await fixture<PageHome>(html`<page-home></page-home>`);
    const root = el.shadowRoot!;
    await waitUntil(() => root.querySelector('offline-banner'), 'offline banner appears');
    expect(root.querySelector('.problems .fresh')!.textContent).to.match(/^stale since \d\d:\d\d:\d\d/);
    expect(root.querySelector('service-list')!.stale).to.be.true;
  });

  it('refetches when the Refresh button is pressed', async () => {
    health = healthAt(new Date().toISOString());
    stubFetch('viewer');
    const el = await fixture<PageHome>(html`<page-home></page-home>`);
    await waitUntil(() => calls.some((c) => c.url === '/api/health'));
    await waitUntil(() => el.shadowRoot!.querySelector('.refresh')!.getAttribute('aria-busy') === 'false');
    const before = calls.filter((c) => c.url === '/api/health').length;
    el.shadowRoot!.querySelector<HTMLButtonElement>('.refresh')!.click();
    await waitUntil(() => calls.filter((c) => c.url === '/api/health').length === before + 1, 'health fetched again');
  });
});
