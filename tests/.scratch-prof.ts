import { launchChromium, SIZES } from './support/browser.js';
import { signIn, startGateway } from './support/gateway-process.js';
const gw = await startGateway({ METRICS_INTERVAL_SECONDS: '1' });
const browser = await launchChromium();
try {
  await new Promise((r) => setTimeout(r, 2500));
  const c = await signIn(gw.base, gw.adminPassword);
  const context = await browser.newContext({ viewport: SIZES.phone });
  await context.addCookies(c.split('; ').map((p) => ({ name: p.split('=')[0]!, value: p.slice(p.indexOf('=') + 1), url: gw.base })));
  await context.addInitScript({ content: `window.__lt=[];new PerformanceObserver((l)=>{for(const e of l.getEntries())window.__lt.push([Math.round(e.startTime),Math.round(e.duration)])}).observe({type:'longtask',buffered:true});` });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  await page.goto(gw.base + '/');
  await page.waitForLoadState('networkidle');
  const { profile } = await cdp.send('Profiler.stop') as any;
  console.log('long tasks', JSON.stringify(await page.evaluate('window.__lt')));
  console.log('fcp', JSON.stringify(await page.evaluate(`performance.getEntriesByType('paint').map(e=>[e.name,Math.round(e.startTime)])`)));
  const self = new Map<string, number>();
  const dt = profile.timeDeltas as number[]; const byId = new Map(profile.nodes.map((n: any) => [n.id, n]));
  const counts = new Map<number, number>();
  profile.samples.forEach((id: number, i: number) => counts.set(id, (counts.get(id) ?? 0) + (dt[i] ?? 0)));
  for (const [id, t] of counts) { const n: any = byId.get(id); const cf = n.callFrame; const key = `${cf.functionName || '(anon)'} ${cf.url.replace(gw.base, '')}:${cf.lineNumber}:${cf.columnNumber}`; self.set(key, (self.get(key) ?? 0) + t); }
  // bursts of busy samples
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stackOf = (id: number) => { const out: string[] = []; let cur: number | undefined = id; while (cur !== undefined) { const n: any = byId.get(cur); const cf = n.callFrame; if (cf.url) out.push(`${cf.functionName || '(anon)'}@${cf.url.replace(gw.base, '').replace('/chunks/', '')}:${cf.columnNumber}`); cur = parent.get(cur); } return out; };
  let t = 0; let burst: { start: number; end: number; ids: Array<[number, number]> } | null = null; const bursts: typeof burst[] = [];
  profile.samples.forEach((id: number, i: number) => {
    t += dt[i] ?? 0; const n: any = byId.get(id); const idle = n.callFrame.functionName === '(idle)';
    if (idle) { if (burst) { bursts.push(burst); burst = null; } return; }
    if (!burst) burst = { start: t, end: t, ids: [] };
    burst.end = t; burst.ids.push([id, dt[i + 1] ?? 0]);
  });
  if (burst) bursts.push(burst);
  for (const b of bursts) {
    if (!b || b.end - b.start < 150_000) continue;
    const roots = new Map<string, number>(); const selfs = new Map<string, number>();
    for (const [id, d] of b.ids) { const st = stackOf(id); const root = st.slice(-3).reverse().join(' > ') || '(native)'; roots.set(root, (roots.get(root) ?? 0) + d); const n: any = byId.get(id); const k = `${n.callFrame.functionName || '(anon)'}@${n.callFrame.url.replace(gw.base, '')}`; selfs.set(k, (selfs.get(k) ?? 0) + d); }
    console.log(`burst @${Math.round(b.start / 1000)}ms ${Math.round((b.end - b.start) / 1000)}ms`);
    for (const [r, d] of [...roots].sort((a, b) => b[1] - a[1]).slice(0, 4)) console.log('   root', Math.round(d / 1000), r);
    for (const [r, d] of [...selfs].sort((a, b) => b[1] - a[1]).slice(0, 4)) console.log('   self', Math.round(d / 1000), r);
  }
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 25);
  for (const [k, t] of top) console.log(String(Math.round(t / 1000)).padStart(6), 'ms', k);
  // aggregate by url
  const byUrl = new Map<string, number>();
  for (const [k, t] of self) { const u = k.split(' ')[1]!.split(':')[0]!; byUrl.set(u, (byUrl.get(u) ?? 0) + t); }
  console.log([...byUrl].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([u, t]) => `${Math.round(t / 1000)}ms ${u}`).join('\n'));
} finally { await browser.close(); await gw.stop(); }
