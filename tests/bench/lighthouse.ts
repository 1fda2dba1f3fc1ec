// Lighthouse on the product path: the built gateway (dist/, as `npm start` serves it) with a fresh data directory,
// fed a simulated business day of WhatsApp traffic through the standalone webhook and a few finished agent runs
// through the ingest API, then Lighthouse's Node API (mobile form factor, default simulated throttling) on /login
// signed out and on /, /agents, /logs and /webhook signed in (the session cookie as an extra header). Each page
// runs `runs` times and every figure is the median of its runs. Debian's Chromium is launched by playwright-core
// with a remote-debugging port that Lighthouse connects to. Asserts nothing: prints a table, the audits that
// cost points outside performance, the performance audits that cost the most, and writes the figures as JSON.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import lighthouse from 'lighthouse';
import type { Result as LighthouseReport } from 'lighthouse';
import { CHROMIUM, CHROMIUM_ARGS } from '../support/browser.js';
import { root, signIn, startGateway } from '../support/gateway-process.js';
import { BenchRun, createIngestToken } from './ingest-support.js';
import { startWebhookProcess, WEBHOOK_BENCH_SECRET, WEBHOOK_BENCH_TOKEN } from './webhook-e2e.js';
import { runSimulation } from '../../webhook/simulator.js';

/** Runs a page from BENCH_LIGHTHOUSE_RUNS (a whole number from 1 to 20), else the default; anything else is refused. */
export function lighthouseRuns(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 20) throw new Error(`BENCH_LIGHTHOUSE_RUNS must be a whole number from 1 to 20, not "${value}"`);
  return n;
}

export const LIGHTHOUSE_PAGES = [
  { name: 'sign-in', path: '/login', signedIn: false },
  { name: 'home', path: '/', signedIn: true },
  { name: 'agents', path: '/agents', signedIn: true },
  { name: 'logs', path: '/logs', signedIn: true },
  { name: 'webhook', path: '/webhook', signedIn: true },
] as const;

const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;
type Category = (typeof CATEGORIES)[number];

export interface LighthousePageFigures {
  page: string;
  path: string;
  scores: Record<Category, number>;
  fcpMs: number;
  lcpMs: number;
  tbtMs: number;
  cls: number;
  /** total-byte-weight: every response the page's load received (the service worker's precache included). */
  bytesTransferred: number;
  /** Script responses the page itself received (its own session: not the service worker's precache). */
  jsBytesTransferred: number;
  requests: number;
  /** Wall time of one Lighthouse run (median). */
  lighthouseSeconds: number;
}

export interface LighthouseFinding {
  page: string;
  category: Category;
  audit: string;
  title: string;
  score: number;
  /** The audit's weight in its category's score (0: reported, but it moves no score). */
  weight: number;
  detail: string;
}

export interface LighthouseResult {
  measuredAt: string;
  machine: string;
  lighthouseVersion: string;
  browser: string;
  runsPerPage: number;
  formFactor: 'mobile';
  throttling: 'simulated (Lighthouse default)';
  pages: LighthousePageFigures[];
  /** Audits below a full score outside performance, with what they flagged (from the median run's page). */
  findings: LighthouseFinding[];
  /** The performance audits that cost the most on each page. */
  performanceCosts: LighthouseFinding[];
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Finished runs of four agents (one still running) through the ingest API, as an agent SDK would send them. */
async function seedRuns(gatewayBase: string, cookie: string): Promise<string> {
  const token = await createIngestToken(gatewayBase, cookie, 'lighthouse-seed');
  const runs = Array.from({ length: 12 }, (_, i) => new BenchRun(`lh-${Date.now().toString(36)}-${i}`, i, 40));
  const events = runs.flatMap((r, i) => {
    const body = [r.started(), ...Array.from({ length: 30 }, () => r.next())];
    if (i === runs.length - 1) return body; // one still running
    return [...body, r.completed()];
  });
  for (let i = 0; i < events.length; i += 100) {
    const res = await fetch(`${gatewayBase}/api/ingest/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events: events.slice(i, i + 100) }),
    });
    if (res.status !== 202) throw new Error(`seeding agent runs failed: ${res.status} ${await res.text()}`);
  }
  return `${runs.length} agent runs (${events.length} events)`;
}

/** Waits (bounded) until the dashboard shows the webhook's stored events: it catches up on its own after start. */
async function webhookEventsArrived(gatewayBase: string, cookie: string): Promise<number> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await fetch(`${gatewayBase}/api/webhook/events?limit=500`, { headers: { cookie } });
    const count = res.ok ? ((await res.json()) as { events: unknown[] }).events.length : 0;
    if (count > 0 || Date.now() > deadline) return count;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Figures of one Lighthouse run. */
function figuresOf(page: (typeof LIGHTHOUSE_PAGES)[number], lhr: LighthouseReport): LighthousePageFigures {
  const numeric = (id: string) => lhr.audits[id]?.numericValue ?? NaN;
  const items = ((lhr.audits['network-requests']?.details as { items?: Array<Record<string, unknown>> } | undefined)?.items ?? []);
  const js = items
    .filter((r) => r.resourceType === 'Script' && (r.sessionTargetType === undefined || r.sessionTargetType === 'page'))
    .reduce((sum, r) => sum + Number(r.transferSize ?? 0), 0);
  const scores = Object.fromEntries(CATEGORIES.map((c) => [c, lhr.categories[c]?.score ?? NaN])) as Record<Category, number>;
  return {
    page: page.name,
    path: page.path,
    scores,
    fcpMs: numeric('first-contentful-paint'),
    lcpMs: numeric('largest-contentful-paint'),
    tbtMs: numeric('total-blocking-time'),
    cls: numeric('cumulative-layout-shift'),
    bytesTransferred: numeric('total-byte-weight'),
    jsBytesTransferred: js,
    requests: items.length,
    lighthouseSeconds: lhr.timing.total / 1000,
  };
}

function medianFigures(runs: LighthousePageFigures[]): LighthousePageFigures {
  const first = runs[0]!;
  const m = (f: (x: LighthousePageFigures) => number) => median(runs.map(f));
  return {
    page: first.page,
    path: first.path,
    scores: Object.fromEntries(CATEGORIES.map((c) => [c, m((x) => x.scores[c])])) as Record<Category, number>,
    fcpMs: m((x) => x.fcpMs),
    lcpMs: m((x) => x.lcpMs),
    tbtMs: m((x) => x.tbtMs),
    cls: m((x) => x.cls),
    bytesTransferred: m((x) => x.bytesTransferred),
    jsBytesTransferred: m((x) => x.jsBytesTransferred),
    requests: m((x) => x.requests),
    lighthouseSeconds: m((x) => x.lighthouseSeconds),
  };
}

/** What an audit flagged, briefly: the first few items' node labels, URLs or snippets. */
function flagged(audit: LighthouseReport['audits'][string]): string {
  const details = audit.details as { items?: Array<Record<string, unknown>> } | undefined;
  const labels = (details?.items ?? []).slice(0, 4).map((item) => {
    const node = item.node as { nodeLabel?: string; snippet?: string; selector?: string } | undefined;
    const source = item.source as { url?: string } | undefined;
    const text = node?.selector ?? node?.nodeLabel ?? node?.snippet ?? (item.url as string | undefined) ?? source?.url ?? (item.description as string | undefined) ?? '';
    return String(text).replace(/\s+/g, ' ').slice(0, 90);
  });
  return [audit.displayValue, ...labels].filter(Boolean).join(' · ');
}

function findingsOf(page: string, lhr: LighthouseReport): { findings: LighthouseFinding[]; costs: LighthouseFinding[] } {
  const findings: LighthouseFinding[] = [];
  for (const category of CATEGORIES.filter((c) => c !== 'performance')) {
    for (const ref of lhr.categories[category]?.auditRefs ?? []) {
      const audit = lhr.audits[ref.id];
      if (!audit || audit.score === null || audit.score >= 1 || audit.scoreDisplayMode === 'informative' || audit.scoreDisplayMode === 'manual') continue;
      findings.push({ page, category, audit: ref.id, title: audit.title, score: audit.score, weight: ref.weight, detail: flagged(audit) });
    }
  }
  // Performance: the metric and diagnostic audits below 0.9, the largest estimated savings first.
  const costs: LighthouseFinding[] = [];
  for (const ref of lhr.categories.performance?.auditRefs ?? []) {
    const audit = lhr.audits[ref.id];
    if (!audit || audit.score === null || audit.score >= 0.9 || audit.scoreDisplayMode === 'informative' || audit.scoreDisplayMode === 'notApplicable') continue;
    costs.push({ page, category: 'performance', audit: ref.id, title: audit.title, score: audit.score, weight: ref.weight, detail: flagged(audit) });
  }
  const savings = (f: LighthouseFinding) => Object.values(lhr.audits[f.audit]?.metricSavings ?? {}).reduce((sum: number, v) => sum + (v ?? 0), 0);
  costs.sort((a, b) => savings(b) - savings(a) || a.score - b.score);
  return { findings, costs: costs.slice(0, 5) };
}

/**
 * `reportsDir`: also keep every run's full Lighthouse report there (JSON, open it in the Lighthouse viewer) and its
 * trace. `pages`: only these (by name); every page when absent.
 */
export async function measureLighthouse(o: { runs: number; reportsDir?: string; pages?: readonly string[] }): Promise<LighthouseResult> {
  const hookDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-lh-webhook-'));
  const hook = await startWebhookProcess(hookDir, { WEBHOOK_ADVISORS_FILE: path.join(root, 'agents/examples/advisors.sample.json') });
  // The day goes in before the dashboard starts, which then runs with its default settings (polling included).
  const stopHook = async (err: unknown): Promise<never> => {
    await hook.stop();
    fs.rmSync(hookDir, { recursive: true, force: true });
    throw err;
  };
  const day = await runSimulation({ url: hook.base, secret: WEBHOOK_BENCH_SECRET, day: true, rate: 400, maxInFlight: 16 }).catch(stopHook);
  const gw = await startGateway({ WEBHOOK_URL: hook.base, WEBHOOK_TOKEN: WEBHOOK_BENCH_TOKEN }).catch(stopHook);
  const port = await freePort();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, `--remote-debugging-port=${port}`], headless: true });
  try {
    const cookie = await signIn(gw.base, gw.adminPassword);
    const runsSeeded = await seedRuns(gw.base, cookie);
    const shown = await webhookEventsArrived(gw.base, cookie);
    console.log(`Seeded ${day.accepted} webhook notifications (${shown >= 500 ? '500 or more' : shown} shown by the dashboard) and ${runsSeeded}.`);

    const pages: LighthousePageFigures[] = [];
    const findings: LighthouseFinding[] = [];
    const performanceCosts: LighthouseFinding[] = [];
    let lighthouseVersion = '';
    let browserVersion = browser.version();
    for (const page of LIGHTHOUSE_PAGES.filter((p) => !o.pages || o.pages.includes(p.name))) {
      const runs: Array<{ figures: LighthousePageFigures; lhr: LighthouseReport }> = [];
      for (let i = 0; i < o.runs; i++) {
        const result = await lighthouse(`${gw.base}${page.path}`, {
          port,
          output: 'json',
          logLevel: 'error',
          onlyCategories: [...CATEGORIES],
          formFactor: 'mobile',
          // Weight 0 in every category, and it costs an extra navigation away and back on each run.
          skipAudits: ['bf-cache'],
          ...(page.signedIn ? { extraHeaders: { cookie } } : {}),
        });
        if (!result) throw new Error(`Lighthouse returned nothing for ${page.path}`);
        if (result.lhr.runtimeError) throw new Error(`Lighthouse on ${page.path}: ${result.lhr.runtimeError.code} ${result.lhr.runtimeError.message}`);
        lighthouseVersion = result.lhr.lighthouseVersion;
        browserVersion = result.lhr.environment.hostUserAgent.match(/Chrome\/[\d.]+/)?.[0] ?? browserVersion;
        runs.push({ figures: figuresOf(page, result.lhr), lhr: result.lhr });
        if (o.reportsDir) {
          fs.mkdirSync(o.reportsDir, { recursive: true });
          fs.writeFileSync(path.join(o.reportsDir, `${page.name}-${i + 1}.json`), JSON.stringify(result.lhr));
          // The unthrottled trace the simulation started from: open it in DevTools' Performance panel.
          const trace = (result.artifacts as { Trace?: unknown }).Trace;
          if (trace) fs.writeFileSync(path.join(o.reportsDir, `${page.name}-${i + 1}.trace.json`), JSON.stringify(trace));
        }
      }
      const figures = medianFigures(runs.map((r) => r.figures));
      pages.push(figures);
      // Findings from the run whose performance score is nearest the median.
      const nearest = runs.reduce((best, r) => (Math.abs(r.figures.scores.performance - figures.scores.performance) < Math.abs(best.figures.scores.performance - figures.scores.performance) ? r : best));
      const f = findingsOf(page.name, nearest.lhr);
      findings.push(...f.findings);
      performanceCosts.push(...f.costs);
    }
    return {
      measuredAt: new Date().toISOString(),
      machine: `${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}`,
      lighthouseVersion,
      browser: browserVersion,
      runsPerPage: o.runs,
      formFactor: 'mobile',
      throttling: 'simulated (Lighthouse default)',
      pages,
      findings,
      performanceCosts,
    };
  } finally {
    await browser.close();
    await gw.stop();
    await hook.stop();
    fs.rmSync(hookDir, { recursive: true, force: true });
  }
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const score = (s: number) => Math.round(s * 100);

export function printLighthouse(r: LighthouseResult, jsonFile: string): void {
  console.log(`Lighthouse ${r.lighthouseVersion}, ${r.browser}, mobile, simulated throttling; median of ${r.runsPerPage} run(s) a page:`);
  console.table(
    r.pages.map((p) => ({
      page: `${p.page} (${p.path})`,
      perf: score(p.scores.performance),
      a11y: score(p.scores.accessibility),
      'best-pr.': score(p.scores['best-practices']),
      seo: score(p.scores.seo),
      'FCP ms': Math.round(p.fcpMs),
      'LCP ms': Math.round(p.lcpMs),
      'TBT ms': Math.round(p.tbtMs),
      CLS: Number(p.cls.toFixed(3)),
      transferred: kb(p.bytesTransferred),
      'JS transferred': kb(p.jsBytesTransferred),
      requests: p.requests,
      's/run': Number(p.lighthouseSeconds.toFixed(1)),
    })),
  );
  if (r.findings.length > 0) {
    console.log('Audits below full score (accessibility, best practices, SEO):');
    for (const f of r.findings) console.log(`  ${f.page}: [${f.category}] ${f.audit} (score ${f.score}, weight ${f.weight}) — ${f.detail}`);
  } else {
    console.log('Accessibility, best practices and SEO: every audit at full score on every page.');
  }
  console.log('Performance audits that cost the most:');
  for (const f of r.performanceCosts) console.log(`  ${f.page}: ${f.audit} (${f.score}) — ${f.detail}`);
  console.log(`Figures written to ${path.relative(root, jsonFile)}\n`);
}
