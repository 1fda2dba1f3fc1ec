// Test-only task: a synchronous endless loop, so only terminating the thread can stop it.
import type { MessagePort } from 'node:worker_threads';

export default async function neverEnds({ port }: { payload: unknown; port?: MessagePort }): Promise<never> {
  port?.postMessage('started');
  for (;;) {
    // spins until the pool terminates this thread
  }
}
