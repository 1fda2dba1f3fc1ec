// Worker thread of the fan-out benchmark: holds the non-sampled WebSocket clients (bare clients that only count
// frames and keep each run's last one), so their traffic does not delay the sampled clients' clock on the main
// thread and costs the machine as little CPU as it can.
import { parentPort, workerData } from 'node:worker_threads';
import { connectMany, connectRawKeeper, finalOf } from './ws-bench-client.js';

export interface WorkerClientReport {
  frames: number;
  closeCode: number | null;
  /** runId → [status, done] of the client's last frame, or null when it has none. */
  final: Record<string, [string, number | null] | null>;
}

export type WorkerRequest = { type: 'collect'; runIds: string[]; finalStatus: string; waitMs: number } | { type: 'close' };
export type WorkerReply = { type: 'ready'; connectMs: number } | { type: 'report'; clients: WorkerClientReport[] } | { type: 'closed' } | { type: 'failed'; error: string };

const { url, headers, count } = workerData as { url: string; headers: Record<string, string>; count: number };
const port = parentPort!;
const post = (reply: WorkerReply) => port.postMessage(reply);

try {
  const started = performance.now();
  const clients = await connectMany(count, () => connectRawKeeper(url, headers));
  post({ type: 'ready', connectMs: Math.round(performance.now() - started) });
  port.on('message', async (req: WorkerRequest) => {
    if (req.type === 'close') {
      await Promise.all(clients.map((c) => c.stop()));
      post({ type: 'closed' });
      port.close();
      return;
    }
    // Wait (bounded) until every client holds a final frame of every run, then report what each one holds.
    const mark = `"status":"${req.finalStatus}"`;
    const deadline = performance.now() + req.waitMs;
    const settled = () => clients.every((c) => c.closeCode !== null || req.runIds.every((id) => c.last.get(id)?.includes(mark)));
    while (performance.now() < deadline && !settled()) await new Promise((r) => setTimeout(r, 50));
    const report = clients.map((c): WorkerClientReport => {
      const final: WorkerClientReport['final'] = {};
      for (const id of req.runIds) {
        const f = finalOf(c, id);
        final[id] = f ? [f.status, f.done] : null;
      }
      return { frames: c.frames, closeCode: c.closeCode, final };
    });
    post({ type: 'report', clients: report });
  });
} catch (err) {
  post({ type: 'failed', error: String(err) });
}
