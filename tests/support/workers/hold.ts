// Test-only task: holds its thread until the test opens the gate (payload.gate[0] set to 1 and notified), so a
// test can keep a thread busy for exactly as long as it needs, whatever the machine's speed.
import type { MessagePort } from 'node:worker_threads';

export interface HoldPayload { gate: Int32Array }

/** A gate for hold tasks: pass `gate` in the payload, call open() to let every holder finish. */
export function holdGate(): { gate: Int32Array; open(): void } {
  const gate = new Int32Array(new SharedArrayBuffer(4));
  return {
    gate,
    open: () => {
      Atomics.store(gate, 0, 1);
      Atomics.notify(gate, 0);
    },
  };
}

export default async function hold({ payload, port }: { payload: HoldPayload; port?: MessagePort }): Promise<{ held: true }> {
  port?.postMessage('started');
  while (Atomics.load(payload.gate, 0) === 0) Atomics.wait(payload.gate, 0, 0);
  return { held: true };
}
