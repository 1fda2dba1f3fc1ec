// <schedule-editor> and <page-schedules>: the gateway's per-field validation errors shown by their fields,
// local checks before sending, and the PUT body; missed runs sort first.
import { fixture, html, expect, waitUntil } from '@open-wc/testing';
import '../../client/src/components/schedule-editor.js';
import '../../client/src/pages/page-schedules.js';
import type { ScheduleEditor } from '../../client/src/components/schedule-editor.js';
import type { PageSchedules } from '../../client/src/pages/page-schedules.js';
import { api } from '../../client/src/api/api-client.js';
import { fieldErrors, type ScheduleView } from '../../client/src/pages/agents-data.js';
import { LiveStore } from '../../client/src/live/live-store.js';
import { FakeEnvironment, FakeSocket } from './fake-live.js';
import { restoreFetch, run, stubFetch, text } from './agents-fixtures.js';

const fieldError = (el: ScheduleEditor, field: string) => text(el.shadowRoot!.querySelector(`.error[data-field="${field}"]`));

describe('schedule-editor', () => {
  it('shows API field errors next to their fields', async () => {
    const value = { crons: ['30 20 * * *', '61 5 * * *'], timezone: 'Asia/Kolkata', enabled: true };
    const errors = fieldErrors([{ field: 'cron.1', problem: 'minute 61 is out of range' }, { field: 'timezone', problem: 'unknown timezone "Mars/Base"' }]);
    expect(errors).to.deep.equal({ 'cron.1': 'minute 61 is out of range', timezone: 'unknown timezone "Mars/Base"' });
    const el = await fixture<ScheduleEditor>(html`<schedule-editor agent="content-engine" .value=${value} .errors=${errors}></schedule-editor>`);
    expect(fieldError(el, 'cron.0')).to.equal('');
    expect(fieldError(el, 'cron.1')).to.equal('minute 61 is out of range');
    expect(el.shadowRoot!.querySelector('input[name="cron-1"]')!.getAttribute('aria-invalid')).to.equal('true');
    expect(el.shadowRoot!.querySelector('input[name="cron-0"]')!.getAttribute('aria-invalid')).to.equal('false');
    expect(fieldError(el, 'timezone')).to.equal('unknown timezone "Mars/Base"');
    expect(text(el.shadowRoot!.querySelector('.cron .said'))).to.equal('every day at 20:30 (Asia/Kolkata)');
  });

  it('reads the other usual error shapes too', () => {
    expect(fieldErrors({ crons: ['bad'], timeZone: 'nope' })).to.deep.equal({ cron: 'bad', timezone: 'nope' });
    expect(fieldErrors({ fields: { 'cron[0]': 'x' } })).to.deep.equal({ 'cron.0': 'x' });
    expect(fieldErrors([{ path: ['cron', 2], message: 'y' }])).to.deep.equal({ 'cron.2': 'y' });
    expect(fieldErrors(undefined)).to.deep.equal({});
  });

  it('catches an empty schedule and a wrong field count before sending', async () => {
    const el = await fixture<ScheduleEditor>(html`<schedule-editor agent="a" .value=${{ crons: [], timezone: 'Asia/Kolkata', enabled: true }}></schedule-editor>`);
    let saved = 0;
    el.addEventListener('schedule-save', () => { saved += 1; });
    el.shadowRoot!.querySelector<HTMLButtonElement>('button.save')!.click();
    await el.updateComplete;
    expect(fieldError(el, 'cron')).to.equal('Add at least one time, or untick Enabled.');
    const input = el.shadowRoot!.querySelector<HTMLInputElement>('input[name="cron-0"]')!;
    input.value = '30 20 *';
    input.dispatchEvent(new Event('input'));
    el.shadowRoot!.querySelector<HTMLButtonElement>('button.save')!.click();
    await el.updateComplete;
    expect(fieldError(el, 'cron.0')).to.contain('Expected 5 fields');
    expect(saved).to.equal(0);
  });
});

describe('page-schedules', () => {
  let store: LiveStore;
  beforeEach(() => { api.forgetSession(); FakeSocket.reset(); store = new LiveStore({ socketClass: FakeSocket, environment: new FakeEnvironment() }); });
  afterEach(() => { store.stop(); restoreFetch(); });

  const schedules = (): ScheduleView[] => [
    { agent: 'content-engine', crons: ['30 20 * * *', '0 5 * * *'], timezone: 'Asia/Kolkata', enabled: true,
      nextRunAt: new Date(Date.now() + 3600_000).toISOString(), lastRun: run('r1', 'content-engine', { status: 'completed' }), missed: [] },
    { agent: 'approval-guardian', crons: ['0 23 * * *'], timezone: 'Asia/Kolkata', enabled: true,
      nextRunAt: new Date(Date.now() + 7200_000).toISOString(), lastRun: null, missed: [{ expectedAt: new Date(Date.now() - 3600_000).toISOString() }] },
  ];

  it('lists missed runs first and puts the API\'s field errors on the editor (admin)', async () => {
    const calls = stubFetch('admin', [
      (c) => (c.method === 'GET' && c.url === '/api/schedules' ? { body: { schedules: schedules() } } : undefined),
      (c) => (c.method === 'PUT' ? { status: 400, body: { error: { code: 'bad_request', message: 'The schedule has invalid fields: …',
        details: [{ field: 'cron.0', problem: 'minute 75 is out of range' }] } } } : undefined),
    ]);
    const page = await fixture<PageSchedules>(html`<page-schedules .live=${store}></page-schedules>`);
    await waitUntil(() => page.shadowRoot!.querySelectorAll('li.card').length === 2, 'schedules listed');
    const cards = [...page.shadowRoot!.querySelectorAll<HTMLElement>('li.card')];
    expect(cards.map((c) => c.dataset.agent)).to.deep.equal(['approval-guardian', 'content-engine']);
    expect(text(cards[0]!.querySelector('.missed-list'))).to.match(/^1 missed run in the last 24 h expected/);
    await waitUntil(() => cards[1]!.querySelector('button.edit'), 'admin can edit');
    cards[1]!.querySelector<HTMLButtonElement>('button.edit')!.click();
    await page.updateComplete;
    const editor = page.shadowRoot!.querySelector('schedule-editor')!;
    await editor.updateComplete;
    const input = editor.shadowRoot!.querySelector<HTMLInputElement>('input[name="cron-0"]')!;
    input.value = '75 20 * * *';
    input.dispatchEvent(new Event('input'));
    await editor.updateComplete;
    editor.shadowRoot!.querySelector<HTMLButtonElement>('button.save')!.click();
    await waitUntil(() => fieldError(editor, 'cron.0') !== '', 'field error shown');
    expect(fieldError(editor, 'cron.0')).to.equal('minute 75 is out of range');
    const put = calls.find((c) => c.method === 'PUT')!;
    expect(put.url).to.equal('/api/schedules/content-engine');
    expect(put.body).to.deep.equal({ cron: ['75 20 * * *', '0 5 * * *'], timezone: 'Asia/Kolkata', enabled: true });
    expect(put.headers['X-CSRF-Token']).to.equal('csrf-1');
    // The edits stay in the editor for the user to fix.
    expect(editor.shadowRoot!.querySelector<HTMLInputElement>('input[name="cron-0"]')!.value).to.equal('75 20 * * *');
  });

  it('shows no edit controls to operators', async () => {
    stubFetch('operator', [(c) => (c.url === '/api/schedules' ? { body: { schedules: schedules() } } : undefined)]);
    const page = await fixture<PageSchedules>(html`<page-schedules .live=${store}></page-schedules>`);
    await waitUntil(() => page.shadowRoot!.querySelectorAll('li.card').length === 2);
    await new Promise((r) => setTimeout(r, 50));
    await page.updateComplete;
    expect(page.shadowRoot!.querySelector('button.edit')).to.be.null;
  });
});
