// `npm run demo`: a living system in one command. Builds the client when needed, starts the standalone
// webhook and the dashboard (pointed at it through WEBHOOK_URL) as two child processes on 127.0.0.1, posts
// simulated WhatsApp traffic to the webhook at a gentle rate, and triggers the example pipeline
// (content-engine) at start and then every few minutes. Ctrl-C stops the simulator, then both processes
// (the dashboard stops the agents it launched), and exits once every child is gone.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureClientBuilt } from './client-build.js';
import { runSimulation } from '../../webhook/simulator.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HOST = '127.0.0.1';
const STOP_GRACE_MS = 15_000;

const USAGE = `npm run demo -- [--port 8080] [--webhook-port 3000] [--data-dir data/demo] [--rate 2] [--agents-every 10]
  --port           dashboard port (a free one when taken; 0 = any)
  --webhook-port   webhook port (a free one when taken; 0 = any)
  --data-dir       state of the demo (dashboard and webhook), kept between runs
  --rate           simulated WhatsApp notifications per second
  --agents-every   minutes between runs of the example pipeline (0 = only at start)`;

interface DemoArgs {
  port: number;
  webhookPort: number;
  dataDir: string;
  rate: number;
  agentsEveryMinutes: number;
}

function readArgs(): DemoArgs {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      'webhook-port': { type: 'string', default: '3000' },
      'data-dir': { type: 'string', default: 'data/demo' },
      rate: { type: 'string', default: '2' },
      'agents-every': { type: 'string', default: '10' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const a: DemoArgs = {
    port: Number(values.port),
    webhookPort: Number(values['webhook-port']),
    dataDir: path.resolve(root, values['data-dir']),
    rate: Number(values.rate),
    agentsEveryMinutes: Number(values['agents-every']),
  };
  const port = (n: number) => Number.isInteger(n) && n >= 0 && n <= 65535;
  const problems = [
    !port(a.port) && '--port must be a port number (0–65535)',
    !port(a.webhookPort) && '--webhook-port must be a port number (0–65535)',
    !(a.rate > 0 && a.rate <= 1000) && '--rate must be above 0 and at most 1000',
    !(a.agentsEveryMinutes >= 0) && '--agents-every must be 0 or more minutes',
  ].filter(Boolean);
  if (problems.length > 0) {
    console.error(`${problems.join('\n')}\n\n${USAGE}`);
    process.exit(2);
  }
  return a;
}

/** The preferred port when it can be bound now, else one the system picks. */
function freePort(preferred: number): Promise<number> {
  const tryPort = (p: number) =>
    new Promise<number | null>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(null));
      server.listen(p, HOST, () => {
        const got = (server.address() as net.AddressInfo).port;
        server.close(() => resolve(got));
      });
    });
  return tryPort(preferred).then((p) => p ?? tryPort(0).then((q) => q ?? 0));
}

/** A secret kept in the demo's data directory (the admin password must survive a restart of the demo). */
function keptSecret(file: string): string {
  try {
    const kept = fs.readFileSync(file, 'utf8').trim();
    if (kept) return kept;
  } catch {
    // first run
  }
  const fresh = randomBytes(18).toString('base64url');
  fs.writeFileSync(file, `${fresh}\n`, { mode: 0o600 });
  return fresh;
}

interface Child {
  name: string;
  proc: ChildProcess;
  exited: Promise<void>;
}

/** Starts `node --import tsx <script>` (one process, no wrapper) and resolves with the URL it prints. */
function startChild(name: string, script: string, env: Record<string, string>): Promise<{ child: Child; url: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(root, script)], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a Ctrl-C in the terminal reaches only the demo, which stops the children in order.
    detached: true,
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const child: Child = { name, proc, exited };
  return new Promise((resolve, reject) => {
    let banner = '';
    let found = false;
    const prefix = (text: string) => text.replace(/\n$/, '').split('\n').map((l) => `[${name}] ${l}`).join('\n');
    proc.stdout!.setEncoding('utf8').on('data', (text: string) => {
      if (!found) {
        banner += text;
        const m = /running at (http:\/\/\S+)/.exec(banner);
        if (m) {
          found = true;
          resolve({ child, url: m[1]!.replace('localhost', HOST) });
        }
        return; // the banner lines are summed up by the demo's own
      }
      console.log(prefix(text));
    });
    proc.stderr!.setEncoding('utf8').on('data', (text: string) => console.error(prefix(text)));
    proc.once('exit', (code, signal) => {
      if (!found) reject(new Error(`${name} exited before it was ready (${code ?? signal}):\n${banner}`));
    });
  });
}

async function stopChild(c: Child): Promise<void> {
  if (c.proc.exitCode !== null || c.proc.signalCode !== null) return;
  c.proc.kill('SIGTERM');
  const timer = setTimeout(() => c.proc.kill('SIGKILL'), STOP_GRACE_MS);
  await c.exited;
  clearTimeout(timer);
}

/** Signs in as admin and triggers an agent; a run already under way (409) is fine. */
async function triggerAgent(base: string, password: string, agent: string): Promise<string> {
  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base },
    body: JSON.stringify({ username: 'admin', password }),
  });
  if (login.status !== 200) throw new Error(`signing in as admin failed (${login.status}); was the password changed? It is kept in the demo's data directory`);
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const me = (await (await fetch(`${base}/api/auth/me`, { headers: { cookie } })).json()) as { csrfToken?: string };
  const res = await fetch(`${base}/api/agents/${agent}/trigger`, {
    method: 'POST',
    headers: { cookie, origin: base, 'x-csrf-token': me.csrfToken ?? '', 'content-type': 'application/json' },
    body: '{}',
  });
  if (res.status === 409) return 'already running';
  if (res.status !== 202) throw new Error(`trigger ${agent}: ${res.status} ${await res.text()}`);
  return `run ${((await res.json()) as { runId: string }).runId}`;
}

async function main(): Promise<void> {
  const args = readArgs();
  if (!ensureClientBuilt(root)) process.exit(1);
  fs.mkdirSync(args.dataDir, { recursive: true });
  const adminPasswordFile = path.join(args.dataDir, 'admin-password');
  const adminPassword = keptSecret(adminPasswordFile);
  const appSecret = randomBytes(16).toString('hex');
  const webhookToken = randomBytes(16).toString('hex');

  const children: Child[] = [];
  const ac = new AbortController();
  let agentTimer: NodeJS.Timeout | null = null;
  let simulation: Promise<unknown> = Promise.resolve();
  let stopping: Promise<void> | null = null;
  const stopAll = (code: number) => {
    stopping ??= (async () => {
      ac.abort();
      if (agentTimer) clearInterval(agentTimer);
      await simulation.catch(() => undefined);
      // The dashboard first (it stops the agents it launched), then the webhook it reads from.
      for (const c of children) await stopChild(c);
      process.exit(code);
    })();
    return stopping;
  };
  process.on('SIGINT', () => {
    if (stopping) {
      for (const c of children) c.proc.kill('SIGKILL'); // a second Ctrl-C: no more waiting
      return;
    }
    console.log('\nStopping the demo…');
    void stopAll(0);
  });
  process.once('SIGTERM', () => void stopAll(0));
  process.once('SIGHUP', () => void stopAll(0)); // the terminal went away: the children are in their own groups

  try {
    const webhookPort = await freePort(args.webhookPort);
    const hook = await startChild('webhook', 'webhook/standalone.ts', {
      WEBHOOK_PORT: String(webhookPort),
      WEBHOOK_HOST: HOST,
      WEBHOOK_DATA_DIR: path.join(args.dataDir, 'webhook'),
      WHATSAPP_APP_SECRET: appSecret,
      WHATSAPP_VERIFY_TOKEN: 'demo-verify-token',
      WEBHOOK_TOKEN: webhookToken,
      WEBHOOK_ADVISORS_FILE: path.join(root, 'agents/examples/advisors.sample.json'),
      // Demo conversations are short: close the silent ones within minutes, not half an hour.
      WEBHOOK_ABANDON_MINUTES: '3',
      WHATSAPP_ACCESS_TOKEN: '',
    });
    children.push(hook.child);
    void hook.child.exited.then(() => {
      if (!stopping) {
        console.error('The webhook stopped unexpectedly; stopping the demo.');
        void stopAll(1);
      }
    });

    const port = await freePort(args.port);
    const dash = await startChild('dashboard', 'gateway/main.ts', {
      PORT: String(port),
      HOST,
      DATA_DIR: path.join(args.dataDir, 'dashboard'),
      DASHBOARD_ADMIN_PASSWORD: adminPassword,
      WEBHOOK_URL: hook.url,
      WEBHOOK_TOKEN: webhookToken,
      WEBHOOK_POLL_SECONDS: '5',
      LOG_LEVEL: 'warn',
    });
    children.unshift(dash.child);
    void dash.child.exited.then(() => {
      if (!stopping) {
        console.error('The dashboard stopped unexpectedly; stopping the demo.');
        void stopAll(1);
      }
    });

    simulation = runSimulation({ url: hook.url, secret: appSecret, rate: args.rate, durationSeconds: 0, signal: ac.signal, maxInFlight: 8 });
    const pipeline = () =>
      triggerAgent(dash.url, adminPassword, 'content-engine').then(
        (what) => console.log(`[demo] example pipeline content-engine: ${what}`),
        (err: unknown) => console.error(`[demo] could not trigger the example pipeline: ${(err as Error).message}`),
      );
    await pipeline();
    if (args.agentsEveryMinutes > 0) agentTimer = setInterval(() => void pipeline(), args.agentsEveryMinutes * 60_000);

    console.log(
      [
        '',
        `Ops Center demo is running at ${dash.url}`,
        // The path, not the password: this output is often kept (a terminal log, a PM2 log).
        `  sign in as admin with the password in ${adminPasswordFile} (cat ${adminPasswordFile})`,
        `  webhook (standalone, local mode): ${hook.url}   WhatsApp traffic simulated at ${args.rate} notifications/s`,
        `  example agents: content-engine runs now${args.agentsEveryMinutes > 0 ? ` and every ${args.agentsEveryMinutes} min` : ''}`,
        `  state: ${args.dataDir}`,
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
  } catch (err) {
    console.error(`The demo failed to start: ${(err as Error).message}`);
    await stopAll(1);
  }
}

void main();
