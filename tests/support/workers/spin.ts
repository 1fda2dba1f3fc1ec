// Test-only task: burns CPU for payload.ms, posting {step, of} progress, then returns how long it spun.
import type { MessagePort } from 'node:worker_threads';

export interface SpinPayload { ms: number; steps?: number }

export default async function spin({ payload, port }: { payload: SpinPayload; port?: MessagePort }): Promise<{ spunMs: number; steps: number }> {
  const steps = payload.steps ?? 4;
  const started = Date.now();
  for (let step = 1; step <= steps; step++) {
    const until = started + (payload.ms * step) / steps;
    while (Date.now() < until) {
      // busy on purpose: this task exists to occupy a core
    }
    port?.postMessage({ step, of: steps });
  }
  return { spunMs: Date.now() - started, steps };
}
