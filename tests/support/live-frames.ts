// The frames a test client reads from the gateway's live hub (/ws): every frame kept in arrival order, and
// next() awaiting the first frame after the last one it returned that matches (no sleeps).
import type { WebSocket } from 'ws';

export interface Frame {
  topic: string;
  seq: number;
  type: string;
  data: any;
}

export interface FrameReader {
  /** Every frame received so far, in order. */
  seen: Frame[];
  /** The next matching frame after the last one returned (already received or still to come); rejects after `timeoutMs`. */
  next(pred: (f: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
}

export function readFrames(ws: WebSocket, defaultTimeoutMs = 5_000): FrameReader {
  const seen: Frame[] = [];
  const waiters: Array<{ pred: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];
  let read = 0;
  ws.on('message', (data) => {
    const f = JSON.parse(String(data)) as Frame;
    seen.push(f);
    for (const w of [...waiters]) {
      if (!w.pred(f)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      read = seen.length;
      w.resolve(f);
    }
  });
  return {
    seen,
    next(pred, timeoutMs = defaultTimeoutMs) {
      const index = seen.findIndex((f, i) => i >= read && pred(f));
      if (index !== -1) {
        read = index + 1;
        return Promise.resolve(seen[index]!);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching frame; seen ${JSON.stringify(seen).slice(0, 800)}`)), timeoutMs);
        waiters.push({ pred, resolve: (f) => (clearTimeout(timer), resolve(f)) });
      });
    },
  };
}
