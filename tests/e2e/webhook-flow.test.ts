// End to end against real processes: the standalone webhook (webhook/standalone.ts) on a free port and the gateway
// with WEBHOOK_URL pointing at it, in Chromium. A signed WhatsApp button tap posted to the webhook moves the home
// screen's "Today's clicks" widget; the Webhook page shows the status, the link's 24 h uptime strip, figures and
// the event live; stopping the webhook turns the widgets stale/down with their last values kept and adds a down
// span to the strip. Screenshots of the Webhook page (up, and down) and the home widget row at 375 px and 1440 px,
// dark and light, go to docs/screenshots/.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { root, type RunningGateway } from '../support/gateway-process.js';
import { SIZES } from '../support/browser.js';
import { openDashboard, signInThroughForm, until, type Dashboard } from '../support/dashboard-page.js';
import { DOCS_SHOTS, inEveryLook, shotPath } from '../support/screenshots.js';
import { printingFailure } from '../support/set-up-failure.js';
import { interactiveTap, notification, postNotification, sampleAdvisors, statusUpdate, textMessage, newWamid } from '../../webhook/simulator.js';

const SECRET = 'e2e-app-secret';

interface RunningWebhook { child: ChildProcess; base: string; dataDir: string; stop(): Promise<void> }

let webhook: RunningWebhook | null = null;
let dashboard: Dashboard;
let gw: RunningGateway;
let page: Page;
let clicksAfterTap = -1;

/** The real standalone webhook as its own process (local mode: replies are recorded, nothing is sent anywhere). */
async function startStandaloneWebhook(): Promise<RunningWebhook> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-e2e-webhook-'));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'webhook/standalone.ts')], {
    cwd: root,
    env: {
      ...process.env, WEBHOOK_PORT: '0', WEBHOOK_HOST: '127.0.0.1', WEBHOOK_DATA_DIR: dataDir, WHATSAPP_APP_SECRET: SECRET,
      WHATSAPP_API_URL: 'http://127.0.0.1:9/', WEBHOOK_PUBLIC_URL: 'https://ops-demo.tunnel.example', LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /is running at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!.replace('localhost', '127.0.0.1'));
    });
    child.once('exit', (code) => reject(new Error(`webhook exited early (${code}): ${out}`)));
  });
  child.stdout!.resume();
  return {
    child, base, dataDir,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

const tileValue = async (key: string): Promise<string> =>
  ((await page.locator(`webhook-widget-row [data-tile="${key}"] .n`).first().textContent()) ?? '').trim();
const stripStates = async (): Promise<string[]> =>
  page.locator('page-webhook uptime-strip .seg').evaluateAll((els) => els.map((e) => e.getAttribute('data-state') ?? ''));
const rowState = async (): Promise<string | null> =>
  page.locator('webhook-widget-row [data-tile="state"] state-badge').first().getAttribute('state');

/** Pictures for the docs in every look: of the whole page, or of the home screen's webhook row. */
function shoot(name: string, target: 'page' | 'row'): Promise<void> {
  return inEveryLook(page, name, async ({ size, scheme }) => {
    const file = shotPath(DOCS_SHOTS, `${name}-${size}-${scheme}`);
    if (target === 'row') return page.locator('webhook-widget-row').first().screenshot({ path: file });
    // The feed is virtualised: it draws rows once it is in view, so bring it there before the full-page shot.
    await page.locator('webhook-event-feed .scroller').first().scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    await page.evaluate('window.scrollTo(0, 0)');
    return page.screenshot({ path: file, fullPage: true });
  }, 400);
}

async function setUp(): Promise<void> {
  webhook = await startStandaloneWebhook();
  dashboard = await openDashboard({ WEBHOOK_URL: webhook.base, WEBHOOK_POLL_SECONDS: '1', WEBHOOK_TIMEOUT_SECONDS: '1' });
  ({ gw, page } = dashboard);
  await signInThroughForm(page, gw.base);
}

test.before(() => printingFailure(setUp));

test.after(async () => {
  await dashboard?.close();
  await webhook?.stop();
  if (webhook) fs.rmSync(webhook.dataDir, { recursive: true, force: true });
});

test('a signed button tap posted to the webhook changes the home widget\'s click count', async () => {
  await page.goto(gw.base + '/');
  await until(async () => (await rowState()) === 'up', 'the home row says the webhook is up');
  await until(async () => /^\d+$/.test(await tileValue('clicks')), 'today\'s clicks are shown as a number');
  const before = Number(await tileValue('clicks'));
  const [advisor] = sampleAdvisors();
  const res = await postNotification(webhook!.base, notification([{ contacts: [advisor!], messages: [interactiveTap(advisor!.waId, 'UNLOCK_CONTENT')] }]), SECRET);
  assert.is(res.status, 200, `the webhook took the signed tap (${res.status})`);
  await until(async () => (await tileValue('clicks')) === String(before + 1), `the clicks widget goes from ${before} to ${before + 1}`);
  clicksAfterTap = before + 1;
  assert.is(await page.locator('webhook-widget-row [data-tile="clicks"].kept').count(), 0, 'a live value is not marked stale');
});

test('the Webhook page shows the status, the figures and the live event feed', async () => {
  // A little more traffic, so the page has something to show: taps of every kind, a chat and deliveries.
  const advisors = sampleAdvisors().slice(0, 4);
  const sent = newWamid(advisors[1]!.waId);
  const body = notification([
    { contacts: advisors, messages: [interactiveTap(advisors[0]!.waId, 'RETRIEVE_CONTENT'), interactiveTap(advisors[1]!.waId, 'SHARE_WITH_CLIENTS'),
      interactiveTap(advisors[2]!.waId, 'UNLOCK_CONTENT'), textMessage(advisors[3]!.waId, 'How do I unlock today\'s fund note?')] },
    { statuses: [statusUpdate(sent, advisors[1]!.waId, 'delivered'), statusUpdate(newWamid(advisors[2]!.waId), advisors[2]!.waId, 'failed')] },
  ]);
  assert.is((await postNotification(webhook!.base, body, SECRET)).status, 200);
  await page.goto(gw.base + '/webhook');
  await page.locator('page-webhook webhook-status-card state-badge[state="up"]').first().waitFor();
  await page.locator('page-webhook webhook-status-card').getByText('https://ops-demo.tunnel.example').first().waitFor();
  await until(async () => (await page.locator('page-webhook webhook-event-feed .row').count()) >= 4, 'the feed lists the events');
  const feedText = (await page.locator('page-webhook webhook-event-feed .row').allTextContents()).join('\n');
  assert.match(feedText, /Unlock content click/);
  assert.not.match(feedText, /fund note/, 'message texts never reach the dashboard');
  await until(async () => {
    const t = (await page.locator('page-webhook button-analytics [data-button="total"] .n').first().textContent())?.trim();
    return Number(t) >= clicksAfterTap + 3;
  }, 'the button analytics count the new taps');
  await page.locator('page-webhook button-analytics bar-chart.hourly canvas').first().waitFor();
  // The uptime strip: the time before this dashboard first watched is "no record", then the link is up until now.
  await until(async () => (await stripStates()).at(-1) === 'up', 'the uptime strip ends with the link up');
  assert.is((await stripStates())[0], 'none', 'a fresh dashboard has no record of most of the day');
  const summary = (await page.locator('page-webhook uptime-strip .summary').first().textContent()) ?? '';
  assert.match(summary, /^Last 24 h: up [\d.]+ % of the time watched \(.+\), no outages, (stale [^,]+, )?no record before \d\d:\d\d:\d\d/, summary);
  assert.match((await page.locator('page-webhook uptime-strip .seg[aria-selected="true"]').first().getAttribute('aria-label')) ?? '', /^up from .* to now, /);
  // A live event appears at the top of the feed without reloading.
  const [advisor] = sampleAdvisors();
  await postNotification(webhook!.base, notification([{ contacts: [advisor!], messages: [interactiveTap(advisor!.waId, 'SHARE_WITH_CLIENTS')] }]), SECRET);
  await until(async () => ((await page.locator('page-webhook webhook-event-feed .row').first().locator('.title').textContent()) ?? '') === 'Share with clients click',
    'the new tap is on top of the feed');
  // Keyboard: the range picker and the feed's Pause button are reachable.
  await page.locator('page-webhook range-picker sl-radio-button[value="week"]').first().click();
  await until(async () => new URL(page.url()).searchParams.get('range') === 'week', 'the range is in the URL');
  await page.locator('page-webhook range-picker sl-radio-button[value="day"]').first().click();
  await page.waitForTimeout(500);
  await shoot('webhook', 'page');
});

test('the analytics page shows the button analytics', async () => {
  await page.goto(gw.base + '/analytics');
  await page.locator('page-analytics').getByText(/rest of Analytics is not built yet/).first().waitFor();
  await until(async () => /^\d+$/.test(((await page.locator('page-analytics button-analytics [data-button="total"] .n').first().textContent()) ?? '').trim()),
    'clicks shown on the analytics page');
  await page.setViewportSize(SIZES.phone);
  await page.waitForTimeout(300);
  await page.screenshot({ path: shotPath(DOCS_SHOTS, 'analytics-buttons-phone-dark'), fullPage: true });
  await page.setViewportSize(SIZES.desktop);
});

test('stopping the webhook marks the home widgets down/stale with their last values, never zeros', async () => {
  await page.goto(gw.base + '/');
  await until(async () => (await rowState()) === 'up' && /^\d+$/.test(await tileValue('clicks')), 'the row is live');
  const last = await tileValue('clicks');
  assert.ok(Number(last) >= clicksAfterTap + 4, `the row counted every tap (${last})`);
  await shoot('home-webhook-row', 'row');
  await webhook!.stop();
  const stoppedAt = Date.now();
  await until(async () => ['down', 'stale'].includes((await rowState()) ?? ''), 'the row says the webhook is down or stale', 10_000);
  console.log(`webhook marked ${await rowState()} ${Date.now() - stoppedAt} ms after it stopped (poll interval 1 s)`);
  assert.is(await tileValue('clicks'), last, 'the last click count stays');
  await page.locator('webhook-widget-row [data-tile="clicks"].kept .asof').first().waitFor();
  assert.match((await page.locator('webhook-widget-row [data-tile="clicks"] .asof').first().textContent()) ?? '', /^stale · as of \d\d:\d\d:\d\d/);
  await page.setViewportSize(SIZES.phone);
  await page.waitForTimeout(300);
  await page.locator('webhook-widget-row').first().screenshot({ path: shotPath(DOCS_SHOTS, 'home-webhook-row-down-phone-dark') });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(SIZES.desktop);
  await page.waitForTimeout(300);
  await page.locator('webhook-widget-row').first().screenshot({ path: shotPath(DOCS_SHOTS, 'home-webhook-row-down-desktop-light') });
  await page.emulateMedia({ colorScheme: 'dark' });
  // The Webhook page's uptime strip now ends with the outage, and says so in words.
  await page.goto(gw.base + '/webhook');
  await until(async () => (await stripStates()).at(-1) === 'down', 'the strip ends with the webhook down', 10_000);
  assert.match((await page.locator('page-webhook uptime-strip .summary').first().textContent()) ?? '', /1 outage \(/);
  await shoot('webhook-down', 'page');
});

test.run();
