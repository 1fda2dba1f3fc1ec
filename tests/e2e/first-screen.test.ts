// End to end in Chromium against the real gateway: every request the first screens make, recorded. /login fetches
// its own page chunk and no other (no home, no ECharts, no Shoelace menus); home draws its figures (sparklines,
// webhook row) and never requests ECharts; a page with full charts (analytics) does, after painting. ECharts and the
// page chunks are known by what the build's source maps say they hold. Screenshots of each in every look.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RunningGateway } from '../support/gateway-process.js';
import { openDashboard, signInThroughForm, type Dashboard } from '../support/dashboard-page.js';
import { startFakeWebhook, type FakeWebhook } from '../support/fake-webhook.js';
import { startPm2Sandbox, type Pm2Sandbox } from '../support/pm2-sandbox.js';
import { builtFiles, holdsECharts, pagesIn, recordRequests, type BuiltFile, type RequestLog } from '../support/request-log.js';
import { DOCS_SHOTS, shootAll } from '../support/screenshots.js';
import { SIZES } from '../support/browser.js';
import { printingFailure } from '../support/set-up-failure.js';
import { root } from '../support/gateway-process.js';
import fs from 'node:fs';
import path from 'node:path';

let fake: FakeWebhook;
let sandbox: Pm2Sandbox;
let dashboard: Dashboard;
let gw: RunningGateway;
let browser: Browser;
let files: Map<string, BuiltFile>;
let context: BrowserContext;
let page: Page;
let log: RequestLog;

test.before(() => printingFailure(async () => {
  // A real PM2 process and a webhook, so home shows what it shows in use.
  sandbox = await startPm2Sandbox({ appName: 'demo-worker' });
  fake = await startFakeWebhook();
  dashboard = await openDashboard({ METRICS_INTERVAL_SECONDS: '1', WEBHOOK_URL: fake.url, WEBHOOK_POLL_SECONDS: '1' },
    { pm2Home: sandbox.home });
  ({ gw, browser } = dashboard);
  files = builtFiles();
  assert.ok([...files.values()].some(holdsECharts), 'the build has an ECharts chunk (source maps name echarts sources)');
}));

test.after(async () => {
  await dashboard?.close();
  await fake?.stop();
  await sandbox?.teardown();
});

/** A new browser profile (nothing cached, no service worker yet) at phone size, every request recorded. */
async function freshPage(): Promise<void> {
  await context?.close();
  context = await browser.newContext({ viewport: SIZES.phone, colorScheme: 'light' });
  log = recordRequests(context, gw.base);
  page = await context.newPage();
}

/** What the page itself fetched (the service worker's precache apart): built files, their pages, ECharts. */
async function pageFetches(): Promise<{ urls: string[]; pages: string[]; echarts: string[] }> {
  await log.settled();
  const own = log.requests.filter((r) => !r.fromServiceWorker);
  const built = own.map((r) => files.get(r.path)).filter((f): f is BuiltFile => f !== undefined);
  return {
    urls: own.map((r) => r.url),
    pages: [...new Set(built.flatMap(pagesIn))].sort(),
    echarts: built.filter(holdsECharts).map((f) => f.urlPath),
  };
}

const definedTags = (p: Page, tags: string[]) =>
  p.evaluate(`${JSON.stringify(tags)}.filter((tag) => customElements.get(tag) !== undefined)`) as Promise<string[]>;

test('/login fetches its own page chunk only: no other page, no ECharts, no Shoelace menu, drawer or dialog', async () => {
  for (const from of ['/login', '/']) {
    await freshPage();
    await page.goto(gw.base + from);
    await page.waitForURL(/\/login/);
    await page.getByLabel('Username').waitFor();
    await page.waitForLoadState('networkidle');
    const fetched = await pageFetches();
    // Signed out, the gateway preloads the sign-in page whatever the path, and the client itself loads no page
    // behind sign-in before the session check has let it through.
    assert.equal(fetched.pages, ['page-login'],
      `page chunks fetched from ${from}: ${fetched.pages.join(', ')}`);
    assert.equal(fetched.echarts, [], `ECharts fetched on the sign-in page (from ${from})`);
    assert.equal(await definedTags(page, ['sl-dropdown', 'sl-menu', 'sl-drawer', 'sl-dialog', 'shortcut-sheet', 'page-home']), [],
      'nothing behind sign-in is defined on the sign-in page');
  }
  await shootAll(page, 'login', DOCS_SHOTS);
});

test('home draws its sparklines and webhook row without ever requesting ECharts', async () => {
  await signInThroughForm(page, gw.base, '/');
  await page.locator('metric-gauge spark-line').first().waitFor();
  // The line is SVG drawn by the element once samples exist.
  await page.locator('metric-gauge spark-line path.line').first().waitFor({ timeout: 15_000 });
  await page.locator('webhook-widget-row [data-tile="clicks"] .n').first().waitFor();
  await page.locator('process-table [data-name="demo-worker"]').first().waitFor();
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(1500); // anything loaded "after paint" has been asked for by now
  const fetched = await pageFetches();
  assert.equal(fetched.echarts, [], 'ECharts was requested on home');
  assert.equal(fetched.pages, ['page-home', 'page-login']);
  assert.equal(await definedTags(page, ['sl-dialog', 'sl-dropdown', 'sl-drawer']), [], 'Shoelace dialogs and menus wait until used');
  await shootAll(page, 'home', DOCS_SHOTS);
});

test('a signed-in load asks for the session once: the check reads the answer index.html preloaded', async () => {
  log.clear();
  await page.goto(gw.base + '/agents');
  await page.locator('agent-tree li[role="treeitem"]').first().waitFor();
  await page.waitForLoadState('networkidle');
  const fetched = await pageFetches();
  const session = fetched.urls.filter((u) => new URL(u, gw.base).pathname === '/api/auth/session');
  assert.is(session.length, 1, `session requests: ${session.length}`);
  assert.match(await page.locator('link[rel="preload"][as="fetch"]').getAttribute('href') ?? '', /^\/api\/auth\/session$/);
});

test('home, agents, logs and webhook: each API answer the gateway preloads is asked for once, by the page, from its preload', async () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'dist/public/route-preloads.json'), 'utf8')) as { routes: Array<{ pattern: string; data?: string[] }> };
  // The gateway's answer itself, so no service worker (which answers navigations with its cached shell).
  const direct = await browser.newContext({ viewport: SIZES.phone, serviceWorkers: 'block' });
  await direct.addCookies(await context.cookies(gw.base));
  const sent = recordRequests(direct, gw.base);
  const warnings: string[] = [];
  // What the page's scripts ask fetch() for, beside what goes over the network.
  await direct.addInitScript(`(() => {
    const own = window.fetch.bind(window);
    const asked = window.ocFetched = [];
    window.fetch = (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input), location.href);
      asked.push(url.pathname + url.search);
      return own(input, init);
    };
  })()`);
  try {
    const tab = await direct.newPage();
    tab.on('console', (m) => { if (/preload/i.test(m.text())) warnings.push(m.text()); });
    for (const route of ['/', '/agents', '/logs', '/webhook']) {
      const data = manifest.routes.find((r) => r.pattern === route)?.data ?? [];
      assert.ok(data.length > 0, `${route} has data preloads`);
      sent.clear();
      await tab.goto(gw.base + route);
      await tab.waitForLoadState('networkidle');
      await tab.waitForTimeout(500);
      const links = await tab.locator('link[rel="preload"][as="fetch"]').evaluateAll((els) => els.map((e) => e.getAttribute('href')));
      for (const url of data) assert.ok(links.includes(url), `${route}: the page preloads ${url}`);
      await sent.settled();
      const over = sent.requests.map((r) => { const url = new URL(r.url, gw.base); return `${url.pathname}${url.search}`; });
      const fetched = await tab.evaluate('window.ocFetched') as string[];
      for (const url of data) {
        assert.is(fetched.filter((u) => u === url).length, 1, `${route}: the page asks for ${url} once: ${fetched.join(' ')}`);
        assert.is(over.filter((u) => u === url).length, 1, `${route}: ${url} goes over the network once (the preload answers the page): ${over.join(' ')}`);
      }
    }
    assert.equal(warnings, [], 'no preload left unused');
  } finally {
    await direct.close();
  }
});

test('a page with full charts (analytics) requests ECharts, and draws its bar charts', async () => {
  log.clear();
  await page.goto(gw.base + '/analytics');
  await page.locator('page-analytics bar-chart canvas').first().waitFor({ timeout: 20_000 });
  const fetched = await pageFetches();
  assert.ok(fetched.echarts.length > 0, `ECharts not requested on /analytics: ${fetched.urls.join(' ')}`);
  await shootAll(page, 'analytics', DOCS_SHOTS);
});

test('the account menu opens on the first click, its Shoelace parts loaded on demand', async () => {
  await page.setViewportSize(SIZES.desktop);
  await page.getByRole('button', { name: /^Account/ }).click();
  await page.getByRole('menuitemcheckbox', { name: 'Dark' }).waitFor();
  assert.equal(await definedTags(page, ['sl-dropdown', 'sl-menu']), ['sl-dropdown', 'sl-menu']);
  await page.keyboard.press('Escape');
  await context.close();
});

test.run();
