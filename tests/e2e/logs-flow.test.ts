// End to end in Chromium against the real gateway process reading a LOG_DIRS directory this test writes:
// search for a term and see its hits, open one with its context by keyboard, copy its link and open it, follow
// new lines live (appended to the file while watching), pause and resume, and see the error groups.
// Screenshots of the Logs page at phone and desktop sizes, dark and light, go to docs/screenshots/.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { root, type RunningGateway } from '../support/gateway-process.js';
import { openDashboard, signInThroughForm, type Dashboard } from '../support/dashboard-page.js';
import { DOCS_SHOTS, inEveryLook, shotPath } from '../support/screenshots.js';
import { printingFailure } from '../support/set-up-failure.js';

let dashboard: Dashboard;
let gw: RunningGateway;
let context: BrowserContext;
let page: Page;
let logDir = '';
let logFile = '';
let hitLinkText = '';

const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
const pino = (level: number, minutesAgo: number, msg: string) =>
  `${JSON.stringify({ level, time: Date.now() - minutesAgo * 60_000, pid: 1, hostname: 'e2e', msg })}\n`;

/** A pipeline's log: info lines, warnings, a few errors with stack traces, and the term the test searches for. */
function fixtureLog(): string {
  let text = '';
  for (let i = 0; i < 300; i++) {
    const ago = 300 - i;
    if (i % 50 === 7) {
      text += `${at(ago)} ERROR delivery failed for ARN-${1000 + i}: WhatsApp API timeout after 3000 ms\n` +
        `    at send (/srv/pipeline/delivery.js:42:11)\n    at async deliver (/srv/pipeline/delivery.js:88:5)\n`;
    } else if (i % 25 === 3) {
      text += pino(40, ago, `compliance check slow for item ${i} (needle-e2e ${i})`);
    } else if (i % 10 === 0) {
      text += pino(30, ago, `needle-e2e generated content item ${i}`);
    } else {
      text += pino(30, ago, `heartbeat ${i}`);
    }
  }
  return text;
}

const logs = () => page.locator('page-logs');
const results = () => page.locator('page-logs log-list.results .row');
const tailRows = () => page.locator('page-logs log-list.tail .row');

/** Full-page pictures for the docs in every look; at phone size also the list as someone scrolled to it sees it. */
function shootAll(p: Page, name: string): Promise<void> {
  return inEveryLook(p, name, async ({ size, scheme }) => {
    await p.screenshot({ path: shotPath(DOCS_SHOTS, `${name}-${size}-${scheme}`), fullPage: true });
    if (size !== 'phone') return;
    // The list draws only the rows in the viewport, so a full-page picture of a phone shows it empty below the
    // fold: also picture the screen as someone scrolled to the list sees it.
    await p.locator('page-logs log-list').filter({ visible: true }).first().scrollIntoViewIfNeeded();
    await p.evaluate('window.scrollBy(0, 120)');
    await p.waitForTimeout(300);
    await p.screenshot({ path: shotPath(DOCS_SHOTS, `${name}-${size}-${scheme}-list`) });
    await p.evaluate('window.scrollTo(0, 0)');
  }, 250);
}

async function setUp(): Promise<void> {
  const config = fs.readFileSync(path.join(root, 'gateway/config.ts'), 'utf8');
  assert.ok(config.includes('LOG_DIRS'), 'the gateway reads LOG_DIRS');
  logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-e2e-logs-'));
  logFile = path.join(logDir, 'pipeline.log');
  fs.writeFileSync(logFile, fixtureLog());
  // A rotated file from 40 days ago: the only candidate of the clean-up.
  const rotated = path.join(logDir, 'pipeline.log.1');
  fs.writeFileSync(rotated, pino(30, 40 * 24 * 60, 'rotated old line'));
  const old = new Date(Date.now() - 40 * 86_400_000);
  fs.utimesSync(rotated, old, old);
  dashboard = await openDashboard({ LOG_DIRS: `${logDir}/*.log` });
  ({ gw, context, page } = dashboard);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: gw.base });
  await signInThroughForm(page, gw.base);
}

test.before(() => printingFailure(setUp));

test.after(async () => {
  await dashboard?.close();
  if (logDir) fs.rmSync(logDir, { recursive: true, force: true });
});

test('the Logs page lists the LOG_DIRS source and searches it from the keyboard', async () => {
  await page.goto(gw.base + '/logs');
  await logs().locator('.fresh').getByText(/sources · checked/).waitFor({ timeout: 15_000 });
  await page.waitForTimeout(200);
  await page.keyboard.press('/');
  await page.keyboard.type('needle-e2e');
  await page.keyboard.press('Enter');
  await page.waitForURL((url) => url.searchParams.get('q') === 'needle-e2e');
  await results().first().waitFor({ timeout: 20_000 });
  const first = (await results().first().locator('.msg').textContent()) ?? '';
  assert.match(first, /needle-e2e/);
  // Newest first: the last item written (290) comes before older ones.
  assert.match(first, /290/);
  await logs().locator('.status').getByText(/hits?/).first().waitFor();
  assert.not.match((await logs().locator('.status').textContent()) ?? '', /failed/i);
});

test('j and o open a hit with the entries around it', async () => {
  // From anywhere on the page (not typing in a field): j picks the first hit.
  await page.locator('page-logs h1').click();
  await page.keyboard.press('j');
  await page.locator('page-logs log-list.results .row.active').waitFor();
  await page.keyboard.press('o');
  const ctx = page.locator('page-logs log-context');
  await ctx.locator('li.hit').waitFor({ timeout: 10_000 });
  assert.match((await ctx.locator('li.hit pre').textContent()) ?? '', /needle-e2e/);
  assert.ok((await ctx.locator('li').count()) > 1, 'neighbouring entries shown');
  await page.waitForURL((url) => url.searchParams.has('file') && url.searchParams.has('offset'));
});

test('the copied link opens that entry with its context in a new tab', async () => {
  await page.locator('page-logs log-context button.copy').click();
  const input = page.locator('page-logs .copied input');
  await input.waitFor();
  hitLinkText = await input.inputValue();
  assert.match(hitLinkText, /\/logs\?file=.+&offset=\d+$/);
  const clip = await page.evaluate('navigator.clipboard.readText()').catch(() => null);
  if (clip !== null) assert.is(clip, hitLinkText);
  const other = await context.newPage();
  await other.goto(hitLinkText);
  await other.locator('page-logs log-context li.hit').waitFor({ timeout: 10_000 });
  assert.match((await other.locator('page-logs log-context li.hit pre').textContent()) ?? '', /needle-e2e/);
  await other.close();
});

test('the live tail shows lines appended to the file, pauses with a count and resumes', async () => {
  await page.locator('page-logs button.live').click();
  await logs().locator('.status').getByText(/Live — following/).waitFor({ timeout: 15_000 });
  fs.appendFileSync(logFile, pino(30, 0, 'needle-e2e live line one') + pino(50, 0, 'needle-e2e live line two'));
  await tailRows().filter({ hasText: 'live line two' }).waitFor({ timeout: 15_000 });
  assert.ok((await tailRows().filter({ hasText: 'live line one' }).count()) === 1, 'both appended lines shown');
  await page.locator('page-logs button.pause').click();
  fs.appendFileSync(logFile, pino(30, 0, 'needle-e2e held line A') + pino(30, 0, 'needle-e2e held line B'));
  await logs().locator('.status').getByText('Paused — 2 new lines held.').waitFor({ timeout: 15_000 });
  assert.is(await tailRows().filter({ hasText: 'held line' }).count(), 0, 'nothing appended while paused');
  await page.evaluate('window.scrollTo(0, 0)');
  await shootAll(page, 'logs-tail');
  await page.locator('page-logs button.pause').click();
  await tailRows().filter({ hasText: 'held line B' }).waitFor({ timeout: 10_000 });
});

test('error groups list the delivery failures', async () => {
  const groups = page.locator('page-logs error-groups li.group');
  for (let i = 0; i < 30 && (await groups.count()) === 0; i++) {
    await page.locator('page-logs button.refresh-groups').click();
    await page.waitForTimeout(500);
  }
  await groups.first().waitFor({ timeout: 5_000 });
  const tpl = (await groups.first().locator('.tpl').textContent()) ?? '';
  assert.match(tpl, /delivery failed|timeout/i);
  await groups.first().locator('button.toggle').click();
  await page.locator('page-logs error-groups ol.occ a').first().waitFor({ timeout: 10_000 });
});

test('an admin cleans up rotated files: the dry run lists them, the confirmation deletes them', async () => {
  await page.locator('page-logs button.cleanup').click();
  const dialog = page.locator('page-logs log-cleanup-dialog sl-dialog[open]');
  await dialog.locator('input.days').waitFor();
  await page.waitForTimeout(300);
  await dialog.locator('input.days').fill('30');
  await dialog.locator('sl-button.dry-run').click();
  await dialog.locator('li .path').first().waitFor({ timeout: 10_000 });
  const listed = await dialog.locator('li .path').allTextContents();
  assert.equal(listed, [path.join(logDir, 'pipeline.log.1')]);
  assert.ok(fs.existsSync(path.join(logDir, 'pipeline.log.1')), 'nothing deleted by the dry run');
  await dialog.locator('sl-button.confirm').click();
  await dialog.locator('.outcome.ok').waitFor({ timeout: 10_000 });
  assert.match((await dialog.locator('.outcome.ok').textContent()) ?? '', /Deleted 1 file/);
  assert.not.ok(fs.existsSync(path.join(logDir, 'pipeline.log.1')), 'the rotated file is gone');
  assert.ok(fs.existsSync(logFile), 'the live file stays');
  await dialog.locator('sl-button.close').click();
  await dialog.waitFor({ state: 'hidden' });
});

test('screenshots of the Logs page with results at phone and desktop sizes, dark and light', async () => {
  await page.goto(gw.base + '/logs?q=needle-e2e');
  await results().first().waitFor({ timeout: 20_000 });
  await shootAll(page, 'logs');
});

test.run();
