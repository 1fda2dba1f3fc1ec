// End to end in Chromium against the real gateway process started without DASHBOARD_ADMIN_PASSWORD: the admin
// password is read from the file the first start wrote, signing in leads to "Choose a new password" (the policy's
// errors under the field), a reload asks for the current password too, and saving goes on to the page the visit
// started at; the file is then gone. Screenshots of the form at phone and desktop sizes, dark and light, go to
// docs/screenshots/.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { RunningGateway } from '../support/gateway-process.js';
import { fillSignIn, openDashboard, until, type Dashboard } from '../support/dashboard-page.js';
import { DOCS_SHOTS, inEveryLook, shotPath } from '../support/screenshots.js';
import { printingFailure } from '../support/set-up-failure.js';

const NEW_PASSWORD = 'night-shift-ops-2031';

let dashboard: Dashboard;
let gw: RunningGateway;
let page: Page;
let firstPassword = '';
let passwordFile = '';

test.before(() => printingFailure(async () => {
  // An empty DASHBOARD_ADMIN_PASSWORD counts as unset: the first start generates the password into its file.
  dashboard = await openDashboard({ DASHBOARD_ADMIN_PASSWORD: '' });
  ({ gw, page } = dashboard);
  passwordFile = path.join(gw.dataDir, 'first-admin-password');
  firstPassword = fs.readFileSync(passwordFile, 'utf8').trim();
}));

test.after(async () => {
  await dashboard?.close();
});

const form = () => page.locator('page-login password-change-form');
const fieldErrors = (name: string) => form().locator(`sl-input[name="${name}"] .field-error`);

test('signing in with the first password shows "Choose a new password" with the new password asked twice', async () => {
  await page.goto(`${gw.base}/logs`);
  await page.waitForURL(/\/login\?next=%2Flogs/);
  await fillSignIn(page, firstPassword);
  await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
  assert.ok(page.url().includes('/login'), 'still on the sign-in page');
  assert.is(await form().locator('sl-input[name="currentPassword"]').count(), 0, 'the current password is not asked again');
  await page.getByLabel('New password', { exact: true }).waitFor();
  await page.getByLabel('New password again', { exact: true }).waitFor();
  await inEveryLook(page, 'first password form', ({ size, scheme }) =>
    page.screenshot({ path: shotPath(DOCS_SHOTS, `first-password-${size}-${scheme}`), fullPage: true }), 250);
});

test('the policy\'s errors are shown under the new-password field, and nothing else happens', async () => {
  await page.getByLabel('New password', { exact: true }).fill('password');
  await page.getByLabel('New password again', { exact: true }).fill('password');
  await page.getByRole('button', { name: 'Save and continue' }).click();
  await fieldErrors('newPassword').first().waitFor();
  const shown = await fieldErrors('newPassword').allInnerTexts();
  assert.equal(shown.map((t) => t.trim()), ['At least 12 characters.', 'Too common (on a list of leaked passwords); choose another.']);
  assert.ok(fs.existsSync(passwordFile), 'the first password is still the one in use');
  await inEveryLook(page, 'first password form with errors', ({ size, scheme }) =>
    size === 'phone' ? page.screenshot({ path: shotPath(DOCS_SHOTS, `first-password-errors-${size}-${scheme}`), fullPage: true }) : Promise.resolve(), 250);
});

test('after a reload the form asks for the current password too; saving goes on to the page first asked for and removes the file', async () => {
  await page.reload();
  await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
  await page.getByLabel('Current password', { exact: true }).fill(firstPassword);
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('New password again', { exact: true }).fill(NEW_PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForURL((url) => url.pathname === '/logs');
  await page.locator('page-logs').waitFor();
  await until(async () => !fs.existsSync(passwordFile), 'the first-password file removed');

  const old = await fetch(`${gw.base}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json', origin: gw.base }, body: JSON.stringify({ username: 'admin', password: firstPassword }),
  });
  assert.is(old.status, 401, 'the first password no longer signs in');
  const fresh = await fetch(`${gw.base}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json', origin: gw.base }, body: JSON.stringify({ username: 'admin', password: NEW_PASSWORD }),
  });
  assert.equal(await fresh.json(), { user: { username: 'admin', role: 'admin' }, mustChangePassword: false });
});

test.run();
