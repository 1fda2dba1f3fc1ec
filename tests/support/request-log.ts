// Every request a browser context makes, with its transferred bytes and who made it (the page or the service
// worker), and what each built JavaScript file holds — read from the build's source maps, so the ECharts chunk and
// the page chunks are known by their contents, never by their size or hashed name.
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Request } from 'playwright-core';
import { root } from './gateway-process.js';

export interface LoggedRequest {
  /** Path and query on the gateway, or the full URL for another origin. */
  url: string;
  path: string;
  resourceType: string;
  /** Made by the service worker (its precache), not by the page. */
  fromServiceWorker: boolean;
  status: number | null;
  /** Response headers + body as they crossed the network (compressed if the gateway compressed them); 0 if unknown. */
  transferBytes: number;
}

export interface RequestLog {
  readonly requests: LoggedRequest[];
  /** Waits until every response seen so far has finished (so its size is known). */
  settled(): Promise<void>;
  clear(): void;
  stop(): void;
}

export function recordRequests(context: BrowserContext, base: string): RequestLog {
  const requests: LoggedRequest[] = [];
  const pending = new Set<Promise<void>>();
  const onRequest = (request: Request) => {
    const full = new URL(request.url());
    const entry: LoggedRequest = {
      url: full.origin === new URL(base).origin ? `${full.pathname}${full.search}` : full.href,
      path: full.pathname,
      resourceType: request.resourceType(),
      fromServiceWorker: request.serviceWorker() !== null,
      status: null,
      transferBytes: 0,
    };
    requests.push(entry);
    const done = (async () => {
      const response = await request.response().catch(() => null);
      if (!response) return;
      entry.status = response.status();
      await response.finished().catch(() => null);
      const sizes = await request.sizes().catch(() => null);
      if (sizes) entry.transferBytes = sizes.responseHeadersSize + sizes.responseBodySize;
    })();
    pending.add(done);
    void done.finally(() => pending.delete(done));
  };
  context.on('request', onRequest);
  return {
    requests,
    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    clear() { requests.length = 0; },
    stop() { context.off('request', onRequest); },
  };
}

/** What one built file holds: the source files its source map lists (paths relative to the repository). */
export interface BuiltFile { urlPath: string; sources: string[] }

/** Every JavaScript file of the built client (dist/public), keyed by the path the gateway serves it at. */
export function builtFiles(publicDir = path.join(root, 'dist/public')): Map<string, BuiltFile> {
  const files = new Map<string, BuiltFile>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.js') && fs.existsSync(`${full}.map`)) {
        const map = JSON.parse(fs.readFileSync(`${full}.map`, 'utf8')) as { sources: string[] };
        const urlPath = `/${path.relative(publicDir, full).split(path.sep).join('/')}`;
        files.set(urlPath, { urlPath, sources: map.sources.map((s) => path.relative(root, path.resolve(path.dirname(full), s))) });
      }
    }
  };
  walk(publicDir);
  if (files.size === 0) throw new Error(`no JavaScript with source maps in ${publicDir} (is the client built?)`);
  return files;
}

/** The file holds ECharts (or its renderer, zrender). */
export function holdsECharts(file: BuiltFile): boolean {
  return file.sources.some((s) => /(^|\/)node_modules\/(echarts|zrender)\//.test(s));
}

/** The page modules (client/src/pages/page-*.ts) the file holds, by page name: ['page-home']. */
export function pagesIn(file: BuiltFile): string[] {
  return file.sources.flatMap((s) => /^client\/src\/pages\/(page-[a-z-]+)\.ts$/.exec(s.split(path.sep).join('/'))?.[1] ?? []);
}

/** Sums what the page itself fetched (service-worker precache requests apart). */
export function summarise(requests: readonly LoggedRequest[]): { count: number; bytes: number; swCount: number; swBytes: number } {
  const page = requests.filter((r) => !r.fromServiceWorker);
  const sw = requests.filter((r) => r.fromServiceWorker);
  const sum = (rs: LoggedRequest[]) => rs.reduce((n, r) => n + r.transferBytes, 0);
  return { count: page.length, bytes: sum(page), swCount: sw.length, swBytes: sum(sw) };
}
