// Test-only task: returns its payload and the thread it ran on, to prove the pool still serves.
import { threadId } from 'node:worker_threads';

export default async function echo({ payload }: { payload: unknown }): Promise<{ payload: unknown; threadId: number }> {
  return { payload, threadId };
}
