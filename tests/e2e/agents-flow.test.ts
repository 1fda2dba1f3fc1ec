// End to end in Chromium against the real gateway process: an admin creates an agent from the Agents page and
// deletes it again (and sees the gateway refuse to delete a parent); an operator starts content-engine (the
// example pipeline) from the Agents page, follows the run, and watches every child run finish live. Screenshots
// of the agent viewer, the new-agent form, the run page and the schedules page at phone and desktop sizes,
// dark and light.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import type { RunningGateway } from '../support/gateway-process.js';
import { SIZES } from '../support/browser.js';
import { cookieHeader, openDashboard, signInThroughForm, until, type Dashboard } from '../support/dashboard-page.js';
import { inEveryLook, screenshotPath, shootAll } from '../support/screenshots.js';
import { printingFailure } from '../support/set-up-failure.js';

const PIPELINE = ['content-orchestrator', 'content-strategist', 'fatigue-checker', 'content-generator', 'image-creator', 'compliance-validator', 'distribution-manager'];

let dashboard: Dashboard;
let gw: RunningGateway;
let context: BrowserContext;
let page: Page;
let runId = '';

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const cookies = await cookieHeader(context, gw.base);
  const me = (await (await fetch(`${gw.base}/api/auth/me`, { headers: { cookie: cookies } })).json()) as { csrfToken: string };
  const res = await fetch(gw.base + path, {
    method,
    headers: { cookie: cookies, 'x-csrf-token': me.csrfToken, origin: gw.base, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Whether the element is the focused one of its (shadow) root. */
const hasFocus = (l: Locator): Promise<boolean> =>
  l.evaluate((el) => (el.getRootNode() as unknown as { activeElement: unknown }).activeElement === el);

async function setUp(): Promise<void> {
  dashboard = await openDashboard();
  ({ gw, context, page } = dashboard);
  await signInThroughForm(page, gw.base);
  // The example agents simulate minutes of work; make this pipeline run fast.
  const engine = (await api('GET', '/api/agents')).body.agents.find((a: { name: string }) => a.name === 'content-engine');
  const put = await api('PUT', '/api/agents/content-engine', { launch: { ...engine.launch, env: { EXAMPLE_SPEED: '40' } } });
  assert.is(put.status, 200, JSON.stringify(put.body));
}

test.before(() => printingFailure(setUp));

test.after(async () => {
  await dashboard?.close();
});

test('the Agents page shows the pipeline as a tree with every agent and its state in words', async () => {
  await page.goto(gw.base + '/agents');
  for (const name of ['content-engine', ...PIPELINE, 'approval-guardian']) {
    await page.locator(`agent-tree li[role="treeitem"][data-name="${name}"]`).first().waitFor();
  }
  await page.locator('agent-tree').getByText(/idle/i).first().waitFor();
  await shootAll(page, 'agents');
});

test('an admin opens the definition editor, which never shows environment values', async () => {
  await page.locator('agent-tree li[role="treeitem"][data-name="content-engine"] > .row').first().click();
  await page.locator('page-agents h2#agent-h').getByText('content-engine').waitFor();
  await page.locator('button.edit').click();
  const dialog = page.locator('agent-editor sl-dialog[open]');
  await dialog.getByText('EXAMPLE_SPEED').first().waitFor();
  await page.waitForTimeout(300);
  assert.is(await dialog.getByText('40', { exact: true }).count(), 0, 'the stored value is not shown');
  for (const [size, viewport] of Object.entries(SIZES)) {
    await page.setViewportSize(viewport);
    await page.waitForTimeout(150);
    await page.screenshot({ path: screenshotPath(`agent-editor-${size}-dark`) });
  }
  await page.setViewportSize(SIZES.desktop);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
});

test('an admin creates an agent with the keyboard, sees it in the tree, deletes it after confirming, and it is gone', async () => {
  const NAME = 'lead-scorer';
  await page.goto(gw.base + '/agents');
  await page.locator('agent-tree li[role="treeitem"][data-name="content-engine"]').first().waitFor();
  await page.locator('button.new-agent').click();
  const form = page.locator('agent-editor[mode="create"] sl-dialog[open]');
  await form.getByText('New agent').first().waitFor();
  const nameInput = form.locator('input[name="name"]');
  // The form opens on the name field, and Enter there sends the form (checked first, here refused).
  await until(() => hasFocus(nameInput), 'the name field has the focus', 5_000);
  await page.keyboard.type('Lead Scorer');
  await page.keyboard.press('Enter');
  await form.locator('.error[data-field="name"]').getByText(/lowercase letters/).waitFor();
  assert.is(await nameInput.getAttribute('aria-invalid'), 'true');
  await nameInput.fill(NAME);
  await form.locator('textarea[name="description"]').fill('Scores new leads from the CRM every evening.');
  await form.locator('select[name="parent"]').selectOption('content-engine');
  await form.locator('input[name="launch-enabled"]').check();
  await form.locator('input[name="command"]').fill('node');
  await form.locator('textarea[name="args"]').fill('agents/lead-scorer.js');
  await inEveryLook(page, 'the new-agent form', ({ size, scheme }) => page.screenshot({ path: screenshotPath(`agent-create-${size}-${scheme}`) }), 200);
  await nameInput.focus();
  await page.keyboard.press('Enter');
  await form.locator('.outcome.ok').getByText(`Created ${NAME}.`).waitFor();
  const created = (await api('GET', '/api/agents')).body.agents.find((a: { name: string }) => a.name === NAME);
  assert.ok(created, 'the gateway has the new agent');
  assert.is(created.parent, 'content-engine');
  assert.equal(created.launch.args, ['agents/lead-scorer.js']);
  await page.keyboard.press('Escape');
  await form.waitFor({ state: 'hidden' });
  // The tree has it under its parent, and the detail shows it.
  await page.locator(`agent-tree li[role="treeitem"][data-name="${NAME}"][aria-level="2"]`).waitFor();
  await page.locator('page-agents h2#agent-h').getByText(NAME).waitFor();

  await page.locator('button.delete').click();
  const confirm = page.locator('agent-delete-dialog sl-dialog[open]');
  await confirm.getByText(`Delete the agent ${NAME}?`).waitFor();
  await confirm.getByText(/stay in the run history/).waitFor();
  await page.waitForTimeout(300);
  await page.screenshot({ path: screenshotPath('agent-delete-desktop-dark') });
  // Cancel has the focus, so Enter alone does not delete; one Tab reaches "Delete lead-scorer".
  const cancel = confirm.locator('sl-button.cancel');
  await until(() => hasFocus(cancel), 'Cancel has the focus', 5_000);
  await page.keyboard.press('Tab');
  assert.is(await hasFocus(confirm.locator('sl-button.confirm')), true, 'Tab moves to Delete');
  await page.keyboard.press('Enter');
  await confirm.locator('.outcome.ok').getByText(`Deleted ${NAME}.`).waitFor();
  await page.keyboard.press('Escape');
  await confirm.waitFor({ state: 'hidden' });
  await page.locator(`agent-tree li[role="treeitem"][data-name="${NAME}"]`).waitFor({ state: 'detached' });
  assert.is(await page.locator(`agent-tree li[role="treeitem"][data-name="${NAME}"]`).count(), 0);
  assert.is(await page.locator('page-agents h2#agent-h').count(), 0, 'the detail of the deleted agent is gone');
  const after = (await api('GET', '/api/agents')).body.agents.map((a: { name: string }) => a.name);
  assert.not.ok(after.includes(NAME), 'the gateway no longer has it');
});

test('deleting a parent is refused by the gateway, and the dialog says why', async () => {
  await page.locator('agent-tree li[role="treeitem"][data-name="content-orchestrator"] > .row').first().click();
  await page.locator('page-agents h2#agent-h').getByText('content-orchestrator').waitFor();
  await page.locator('button.delete').click();
  const confirm = page.locator('agent-delete-dialog sl-dialog[open]');
  await confirm.locator('.blocker').getByText(/content-orchestrator is the parent of/).waitFor();
  await confirm.locator('sl-button.confirm').click();
  const refusal = confirm.locator('.outcome.bad[role="alert"]');
  await refusal.waitFor();
  await page.setViewportSize(SIZES.phone);
  await page.waitForTimeout(200);
  await page.screenshot({ path: screenshotPath('agent-delete-refused-phone-dark') });
  await page.setViewportSize(SIZES.desktop);
  assert.match((await refusal.textContent()) ?? '', /content-orchestrator was not deleted: "content-orchestrator" is the parent of .*content-strategist.*move or delete them first\./);
  await confirm.locator('sl-button.close').click();
  await confirm.waitFor({ state: 'hidden' });
  const names = (await api('GET', '/api/agents')).body.agents.map((a: { name: string }) => a.name);
  assert.ok(names.includes('content-orchestrator'), 'still there');
});

test('an operator starts content-engine after confirming, and follows the run', async () => {
  // The item's own row: the item's box also holds its children.
  await page.locator('agent-tree li[role="treeitem"][data-name="content-engine"] > .row').first().click();
  await page.locator('page-agents h2#agent-h').getByText('content-engine').waitFor();
  await page.locator('button.trigger').click();
  const dialog = page.locator('trigger-dialog sl-dialog[open]');
  await dialog.getByText(/content-engine/).first().waitFor();
  await page.waitForTimeout(300);
  await dialog.locator('sl-button.confirm').click();
  const follow = dialog.locator('a.run-link');
  await follow.waitFor({ timeout: 15_000 });
  runId = ((await follow.getAttribute('href')) ?? '').split('/').pop()!.split('?')[0]!;
  assert.ok(runId.length > 0, 'the dialog links to the new run');
  await follow.click();
  await page.waitForURL(new RegExp(`/agents/runs/${runId}`));
});

test('the run page shows the children appear and finish live, ending with the whole pipeline done', async () => {
  for (const agent of PIPELINE) {
    await page.locator('run-timeline').getByText(agent).first().waitFor({ timeout: 60_000 });
  }
  await page.waitForFunction(
    `(() => { const b = document.querySelector('oc-app')?.shadowRoot?.querySelector('page-run'); return true; })()`,
  );
  let run: any;
  for (let i = 0; i < 120; i++) {
    run = (await api('GET', `/api/agents/runs/${runId}`)).body;
    if (['completed', 'error', 'crashed', 'cancelled'].includes(run.run.status)) break;
    await page.waitForTimeout(500);
  }
  assert.is(run.run.status, 'completed', `content-engine ended ${run.run.status}`);
  const children = run.timeline.filter((t: { depth: number }) => t.depth > 0);
  assert.equal(children.map((c: { agent: string }) => c.agent).sort(), [...PIPELINE].sort());
  for (const c of children) assert.ok(['completed', 'error'].includes(c.status), `${c.agent} ended ${c.status}`);
  // The page caught up by itself (no reload): the root's state word says completed.
  await page.getByText(/completed/i).first().waitFor({ timeout: 10_000 });
  await page.locator('run-log').waitFor();
  await shootAll(page, 'run');
});

test('the schedules page lists next runs in the business timezone', async () => {
  await page.goto(gw.base + '/agents/schedules');
  await page.getByText('content-engine').first().waitFor();
  await page.getByText(/Asia\/Kolkata|IST/).first().waitFor();
  await shootAll(page, 'schedules');
});

test.run();
