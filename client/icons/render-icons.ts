// Renders the app icons (192, 512 and a maskable 512) from client/icons/icon.svg with headless Chromium.
// Run after changing the SVG: `npx tsx client/icons/render-icons.ts`; the PNGs are committed.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const iconsDir = path.dirname(fileURLToPath(import.meta.url));
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Maskable icons are cropped to a circle of 80 % diameter: full-bleed background, artwork inside the safe zone. */
function maskableFrom(svg: string): string {
  return svg
    .replace(/<rect[^>]*\/>/, '<rect width="512" height="512" fill="#2457c5"/>')
    .replace('translate(96 96) scale(13.333)', 'translate(136 136) scale(10)')
    .replace('stroke-width="2.2"', 'stroke-width="2.6"');
}

async function main(): Promise<void> {
  const svg = await readFile(path.join(iconsDir, 'icon.svg'), 'utf8');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const jobs: Array<{ file: string; size: number; source: string }> = [
      { file: 'icon-192.png', size: 192, source: svg },
      { file: 'icon-512.png', size: 512, source: svg },
      { file: 'maskable-512.png', size: 512, source: maskableFrom(svg) },
    ];
    for (const job of jobs) {
      const page = await browser.newPage({ viewport: { width: job.size, height: job.size }, deviceScaleFactor: 1 });
      const sized = job.source.replace(/width="\d+" height="\d+"/, `width="${job.size}" height="${job.size}"`);
      await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${sized}</body></html>`);
      await page.locator('svg').screenshot({ path: path.join(iconsDir, job.file), omitBackground: true });
      await page.close();
      console.log(`wrote ${job.file} (${job.size}×${job.size})`);
    }
  } finally {
    await browser.close();
  }
}

await main();
