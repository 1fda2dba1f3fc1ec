// Polling for a condition that has no event to await (another process's state, what a page shows): checks
// again after a short pause until a deadline, then fails naming what never came.

export type Probe<T> = () => Promise<T | undefined | false | null> | T | undefined | false | null;

/** Resolves with the probe's first truthy answer; rejects naming `what` once `timeoutMs` has passed without one. */
export async function waitFor<T>(what: string, probe: Probe<T>, timeoutMs = 8_000, pauseMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await probe();
    if (answer) return answer;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, pauseMs));
  }
}
