// `npm run demo` (gateway/cli/demo.ts) as a child process: the dashboard comes up pointed at the standalone
// webhook, simulated events are stored, the example pipeline records a run; SIGINT then stops everything
// (dashboard, webhook, the agents the dashboard launched) and the demo exits 0 with no process left behind.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from '../support/wait-for.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let dataDir = '';
let demo: ChildProcess | null = null;
let out = '';

/** pid → [ppid, pgrp] of every live, non-zombie process (Linux /proc). */
function processTable(): Map<number, [number, number]> {
  const table = new Map<number, [number, number]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue;
      table.set(Number(entry), [Number(fields[1]), Number(fields[2])]);
    } catch {
      // ended while we looked
    }
  }
  return table;
}

/** Every descendant of pid, plus every member of a process group one of them leads. */
function descendants(pid: number): Set<number> {
  const table = processTable();
  const found = new Set<number>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const [p, [ppid, pgrp]] of table) {
      if (found.has(p)) continue;
      if (ppid === pid || found.has(ppid) || found.has(pgrp)) {
        found.add(p);
        grew = true;
      }
    }
  }
  return found;
}

const cmdline = (pid: number) => {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
};

/** waitFor at the demo's pace: a probe that throws has not seen it yet, and a timeout shows the demo's output. */
async function untilDemo<T>(what: string, probe: () => Promise<T | undefined | false | null>, timeoutMs: number): Promise<T> {
  try {
    return await waitFor(what, () => probe().catch(() => undefined), timeoutMs, 200);
  } catch (err) {
    throw new Error(`${(err as Error).message}; demo output:\n${out.slice(-3000)}`);
  }
}

test.after(() => {
  if (demo && demo.exitCode === null && demo.signalCode === null) {
    for (const p of descendants(demo.pid!)) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // gone
      }
    }
    demo.kill('SIGKILL');
  }
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

test('npm run demo: a living system that Ctrl-C stops completely', async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-demo-'));
  // What `npm run demo` runs, on free ports, with a quick simulator and only the start-up pipeline run.
  demo = spawn(process.execPath, ['--import', 'tsx', 'gateway/cli/demo.ts', '--port', '0', '--webhook-port', '0', '--data-dir', dataDir, '--rate', '20', '--agents-every', '0'], {
    cwd: root,
    env: { ...process.env, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  demo.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  demo.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => demo!.once('exit', (code, signal) => r({ code, signal })));

  const [, base, file] = await untilDemo('the demo banner', async () => /running at (http:\/\/\S+)\s+sign in as admin with the password in (\S+)/.exec(out), 120_000);
  assert.is(file, path.join(dataDir, 'admin-password'), 'the banner names the file kept for the next start');
  assert.is(fs.statSync(file!).mode & 0o777, 0o600);
  const password = fs.readFileSync(file!, 'utf8').trim();
  assert.not.ok(out.includes(password), 'the demo never prints the password');

  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base! },
    body: JSON.stringify({ username: 'admin', password }),
  });
  assert.is(login.status, 200, 'the password in the named file signs in');
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const get = async (p: string) => {
    const r = await fetch(`${base}${p}`, { headers: { cookie } });
    return (await r.json()) as Record<string, any>;
  };

  const status = await untilDemo(
    'the webhook up, streaming and events stored',
    async () => {
      const s = await get('/api/webhook/status');
      return s.state === 'up' && s.connection === 'open' && s.eventsStored > 5 && s;
    },
    60_000,
  );
  assert.ok(status.health.type, 'the dashboard reads the standalone webhook');
  const runs = await untilDemo(
    'an example agent run',
    async () => {
      const r = await get('/api/agents/runs?agent=content-engine');
      return Array.isArray(r.runs) && r.runs.length > 0 && r.runs;
    },
    30_000,
  );
  assert.is(runs[0].agent, 'content-engine');

  // Everything the demo started, directly or not: dashboard, webhook and the pipeline's agent processes.
  const tree = await untilDemo(
    'the agent processes under the dashboard',
    async () => {
      const t = descendants(demo!.pid!);
      const lines = [...t].map(cmdline);
      return lines.some((l) => l.includes('gateway/main.ts')) && lines.some((l) => l.includes('webhook/standalone.ts')) && lines.some((l) => l.includes('agents/examples/')) && t;
    },
    30_000,
  );

  demo.kill('SIGINT');
  let grace: NodeJS.Timeout | undefined;
  const end = await Promise.race([exited, new Promise<null>((r) => (grace = setTimeout(() => r(null), 40_000)))]);
  clearTimeout(grace);
  assert.ok(end, `the demo did not exit within 40 s after SIGINT:\n${out.slice(-2000)}`);
  assert.equal(end, { code: 0, signal: null }, out.slice(-2000));
  const live = processTable();
  const left = [...tree].filter((p) => live.has(p)).map((p) => `${p} ${cmdline(p)}`);
  assert.equal(left, [], 'no process of the demo is left');
  assert.match(out, /Stopping the demo/);
  assert.not.ok(out.includes(password), 'nor did anything the demo relayed from its children');
});

test.run();
