// End to end in Chromium against the real gateway process and a real PM2 daemon: sign in, see a process,
// restart it, go offline, reload, and see the last known status with its time. Screenshots of each screen
// at phone and desktop sizes, dark and light.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BrowserContext, Page } from 'playwright-core';
import { startPm2Sandbox, type Pm2Sandbox } from '../support/pm2-sandbox.js';
import type { RunningGateway } from '../support/gateway-process.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchChromiumProfile } from '../support/browser.js';
import { cookieHeader, fillSignIn, openDashboard, signInThroughForm, type Dashboard } from '../support/dashboard-page.js';
import { screenshotPath, shootAll } from '../support/screenshots.js';
import { printingFailure } from '../support/set-up-failure.js';

const APP = 'demo-worker';

let sandbox: Pm2Sandbox;
let dashboard: Dashboard;
let gw: RunningGateway;
let context: BrowserContext;
let page: Page;

test.before(() => printingFailure(async () => {
  sandbox = await startPm2Sandbox({ appName: APP });
  dashboard = await openDashboard({ METRICS_INTERVAL_SECONDS: '1' }, { pm2Home: sandbox.home });
  ({ gw, context, page } = dashboard);
}));

test.after(async () => {
  await dashboard?.close();
  await sandbox?.teardown();
});

function processRow(p: Page) {
  return p.locator(`process-table [data-name="${APP}"]`).first();
}

async function restartsOf(name: string): Promise<number> {
  const res = await fetch(`${gw.base}/api/processes`, { headers: { cookie: await cookieHeader(context, gw.base) } });
  const list = (await res.json()) as Array<{ name: string; restarts: number }>;
  return list.find((p) => p.name === name)!.restarts;
}

test('an unauthenticated visit lands on the sign-in page, which shows a wrong password plainly', async () => {
  await page.goto(gw.base + '/');
  await page.waitForURL(/\/login/);
  await shootAll(page, 'login');
  await fillSignIn(page, 'not-the-password');
  await page.getByText('Wrong username or password.').waitFor();
});

test('after sign-in the home screen lists the PM2 process live', async () => {
  await signInThroughForm(page, gw.base, '/');
  await processRow(page).waitFor();
  await page.getByText(/online/i).first().waitFor();
  await page.getByText(/^live$/i).first().waitFor({ timeout: 10_000 });
  await shootAll(page, 'home');
});

test('restarting a process asks first, shows the outcome, and PM2 counts one more restart', async () => {
  const before = await restartsOf(APP);
  await page.getByRole('button', { name: new RegExp(`^Restart\\s+${APP}$`, 'i') }).first().click();
  // Shoelace slots the footer buttons into the dialog: look them up from the element, not the ARIA dialog.
  const dialog = page.locator('process-action-dialog sl-dialog[open]');
  await dialog.getByText(new RegExp(`Restart ${APP}\\?`, 'i')).first().waitFor();
  await page.waitForTimeout(300); // the opening animation
  await page.screenshot({ path: screenshotPath('home-restart-confirm-desktop-dark') });
  await dialog.getByRole('button', { name: /^Restart$/ }).click();
  await dialog.locator('.outcome.ok, .outcome.bad').first().waitFor({ timeout: 15_000 });
  assert.ok(await dialog.locator('.outcome.ok').isVisible(), await dialog.locator('.outcome').innerText());
  await page.screenshot({ path: screenshotPath('home-restart-done-desktop-dark') });
  assert.is(await restartsOf(APP), before + 1);
  await dialog.locator('sl-button.close').click();
});

test('offline, a reload still opens the app on the last known status with its time', async () => {
  // Browser-side expressions are strings: this file is type-checked without the DOM library.
  await page.evaluate('navigator.serviceWorker.ready.then(() => true)');
  // Make sure the status the service worker keeps is a fresh one, then reload under its control.
  await page.reload();
  await page.waitForFunction('navigator.serviceWorker.controller !== null');
  await processRow(page).waitFor();
  await context.setOffline(true);
  const response = await page.reload();
  assert.ok(response?.fromServiceWorker(), 'the shell came from the service worker');
  await page.getByText(/Offline — last known status as of \d{2}:\d{2}:\d{2}/).first().waitFor({ timeout: 15_000 });
  await processRow(page).waitFor();
  await shootAll(page, 'home-offline');
  await context.setOffline(false);
});

test('the app passes Chromium\'s installability check (manifest, icons, service worker)', async () => {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-chromium-profile-'));
  const installed = await launchChromiumProfile(profile);
  try {
    const p = installed.pages()[0] ?? (await installed.newPage());
    await p.goto(gw.base + '/login');
    await p.evaluate('navigator.serviceWorker.ready.then(() => true)');
    const cdp = await installed.newCDPSession(p);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: Array<{ errorId: string }> };
    assert.equal(installabilityErrors.map((e) => e.errorId), []);
    const manifest = (await cdp.send('Page.getAppManifest')) as { errors: unknown[] };
    assert.equal(manifest.errors, []);
  } finally {
    await installed.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
});

test('a section not built yet says so plainly', async () => {
  await page.goto(gw.base + '/backups');
  await page.getByText(/not built yet/i).first().waitFor();
  await shootAll(page, 'section-backups');
});

test('the ? key opens the keyboard shortcuts sheet', async () => {
  await page.goto(gw.base + '/');
  await processRow(page).waitFor();
  await page.keyboard.press('?');
  await page.locator('shortcut-sheet').getByText(/shortcuts/i).first().waitFor();
  await page.screenshot({ path: screenshotPath('shortcuts-desktop-dark') });
  await page.keyboard.press('Escape');
});

test.run();
