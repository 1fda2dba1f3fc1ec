// EXAMPLE SUPPORT — shared plumbing of the example agents: the run wrapper (start, finish/fail, SIGTERM),
// the advisor list, simulated latency scaled by EXAMPLE_SPEED, seeded randomness, hand-over files between
// pipeline steps and launching a child agent as its own process.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAgentRunFromEnv, type AgentRun } from '../../sdk/index.js';

export const EXAMPLES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const APP_ROOT = path.resolve(EXAMPLES_DIR, '../..');

export interface Advisor {
  id: string;
  name: string;
  arn: string;
  phone: string;
  status: 'active' | 'disabled';
  city: string;
  language: string;
}

/** EXAMPLE_SPEED=50 makes every simulated wait 50× shorter (tests run a whole pipeline in seconds). */
const SPEED = Math.max(0.01, Number(process.env.EXAMPLE_SPEED) || 1);

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms / SPEED));
}

// mulberry32: EXAMPLE_SEED makes a run reproducible (mixed with the script name, so steps do not draw the
// same numbers); without it every run differs.
const scriptSalt = [...path.basename(process.argv[1] ?? '')].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) | 0, 7);
let seed = process.env.EXAMPLE_SEED ? (Number(process.env.EXAMPLE_SEED) ^ scriptSalt) : Math.floor(Math.random() * 2 ** 31);
export function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
export const between = (min: number, max: number) => Math.round(min + random() * (max - min));
export const chance = (p: number) => random() < p;
export const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** Chance that compliance-validator fails on one advisor (EXAMPLE_FAILURE_RATE, default 0.1). */
export const FAILURE_RATE = process.env.EXAMPLE_FAILURE_RATE === undefined ? 0.1 : Number(process.env.EXAMPLE_FAILURE_RATE);

export function activeAdvisors(): Advisor[] {
  const file = process.env.EXAMPLE_ADVISORS_FILE ?? path.join(EXAMPLES_DIR, 'advisors.sample.json');
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { advisors: Advisor[] };
  return data.advisors.filter((a) => a.status === 'active');
}

/** Hand-over between the orchestrator's steps: EXAMPLE_WORK_DIR/<stage>.json (absent when a step runs alone). */
export function writeStage(stage: string, value: unknown): void {
  const dir = process.env.EXAMPLE_WORK_DIR;
  if (dir) fs.writeFileSync(path.join(dir, `${stage}.json`), JSON.stringify(value));
}

export function readStage<T>(stage: string, fallback: T): T {
  const dir = process.env.EXAMPLE_WORK_DIR;
  if (!dir) return fallback;
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, `${stage}.json`), 'utf8')) as T;
  } catch {
    return fallback;
  }
}

export function makeWorkDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'example-pipeline-'));
}

/** Runs an example agent: start, the work, then finish or fail; SIGTERM (cancel/timeout) ends it as cancelled. */
export async function runAgent(agent: string, work: (run: AgentRun) => Promise<string | void>): Promise<void> {
  const run = createAgentRunFromEnv(agent);
  process.once('SIGTERM', () => {
    void run
      .cancelled('stopped by SIGTERM')
      .then(() => run.close())
      .finally(() => process.exit(143));
  });
  run.start(`example agent ${agent} (pid ${process.pid})`);
  try {
    const summary = await work(run);
    await run.finish(summary || undefined);
    await run.close();
  } catch (err) {
    await run.fail(err, (err as { code?: string }).code);
    await run.close();
    process.exitCode = 1;
  }
}

/** Steps through advisors with a progress line per advisor. */
export async function forEachAdvisor<T extends { name: string }>(run: AgentRun, items: readonly T[], verb: string, step: (item: T, index: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i++) {
    run.progress(i, items.length, `${verb} ${items[i]!.name}`);
    await step(items[i]!, i);
  }
  run.progress(items.length, items.length, `${verb}: done`);
}

/**
 * Starts another example agent as a child process under this run (its own run id, this run as parent) and
 * waits for it. Output is inherited, so under a dashboard launch its stdout events reach the launcher too.
 */
export function runChildAgent(parent: AgentRun, agent: string, env: Record<string, string> = {}): Promise<{ code: number | null; runId: string }> {
  const child = parent.child(agent, { observer: true });
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [...process.execArgv, path.join(EXAMPLES_DIR, `${agent}.ts`)], {
      cwd: APP_ROOT,
      env: { ...process.env, ...env, RUN_ID: child.runId, PARENT_RUN_ID: parent.runId, AGENT_NAME: agent },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    // Forward a stop to the child (a dashboard cancel reaches the whole group anyway; a standalone Ctrl-C does not).
    const forward = () => proc.kill('SIGTERM');
    process.once('SIGTERM', forward);
    proc.once('error', (err) => {
      process.off('SIGTERM', forward);
      void child.fail(`could not start ${agent}: ${err.message}`, 'spawn_failed').then(() => resolve({ code: null, runId: child.runId }));
    });
    proc.once('exit', (code, signal) => {
      process.off('SIGTERM', forward);
      // The child ends its own run; this only covers a crash before it could (the dashboard ignores a second end).
      const done = code === 0 ? Promise.resolve() : child.fail(`${agent} exited with ${code ?? signal}`, 'exit_code');
      void done.then(() => resolve({ code, runId: child.runId }));
    });
  });
}
