// End to end in Chromium against the real gateway process: an operator starts content-engine (the example
// pipeline) from the Agents page, follows the run, and watches every child run finish live. Screenshots of
// the agent viewer, the run page and the schedules page at phone and desktop sizes, dark and light.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startGateway, root, type RunningGateway } from '../support/gateway-process.js';
import { launchChromium, screenshotPath } from '../support/browser.js';
import { ensureClientBuilt } from '../../gateway/cli/client-build.js';

const PASSWORD = 'e2e-admin-password';
const SIZES = { phone: { width: 375, height: 740 }, desktop: { width: 1440, height: 900 } } as const;
const PIPELINE = ['content-orchestrator', 'content-strategist', 'fatigue-checker', 'content-generator', 'image-creator', 'compliance-validator', 'distribution-manager'];

let gw: RunningGateway;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let runId = '';

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const cookies = (await context.cookies(gw.base)).map((c) => `${c.name}=${c.value}`).join('; ');
  const me = (await (await fetch(`${gw.base}/api/auth/me`, { headers: { cookie: cookies } })).json()) as { csrfToken: string };
  const res = await fetch(gw.base + path, {
    method,
    headers: { cookie: cookies, 'x-csrf-token': me.csrfToken, origin: gw.base, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function shootAll(p: Page, name: string): Promise<void> {
  for (const scheme of ['dark', 'light'] as const) {
    await p.emulateMedia({ colorScheme: scheme });
    for (const [size, viewport] of Object.entries(SIZES)) {
      await p.setViewportSize(viewport);
      await p.waitForTimeout(150);
      await p.screenshot({ path: screenshotPath(`${name}-${size}-${scheme}`), fullPage: true });
      const overflow = (await p.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
      assert.ok(overflow <= 0, `${name} scrolls sideways at ${size} (${overflow}px)`);
    }
  }
  await p.setViewportSize(SIZES.desktop);
  await p.emulateMedia({ colorScheme: 'dark' });
}

async function setUp(): Promise<void> {
  assert.ok(ensureClientBuilt(root), 'client build failed');
  gw = await startGateway({ DASHBOARD_ADMIN_PASSWORD: PASSWORD, BCRYPT_COST: '4' }, { fromSources: true });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: SIZES.desktop, colorScheme: 'dark' });
  page = await context.newPage();
  await page.goto(gw.base + '/login');
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  // The example agents simulate minutes of work; make this pipeline run fast.
  const engine = (await api('GET', '/api/agents')).body.agents.find((a: { name: string }) => a.name === 'content-engine');
  const put = await api('PUT', '/api/agents/content-engine', { launch: { ...engine.launch, env: { EXAMPLE_SPEED: '40' } } });
  assert.is(put.status, 200, JSON.stringify(put.body));
}

// uvu reports a failing hook only as failed tests: print why.
test.before(() => setUp().catch((err: unknown) => {
  console.error('set-up failed:', err);
  throw err;
}));

test.after(async () => {
  await browser?.close();
  await gw?.stop();
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
