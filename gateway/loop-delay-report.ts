// Benchmark aid, off by default: with GATEWAY_LOOP_STATS=1 the gateway samples its own event-loop delay
// (perf_hooks.monitorEventLoopDelay, 10 ms resolution) and, on each SIGUSR2, prints one stdout line
//   loop-delay {"p50":…,"p99":…,"max":…,"samples":…,"windowMs":…}
// (milliseconds a timer fired late, beyond the sampling interval, since the previous SIGUSR2 or the start),
// then starts a new window. `npm run bench -- --only=webhook` reads it; nothing else depends on it.
import { monitorEventLoopDelay } from 'node:perf_hooks';

const RESOLUTION_MS = 10;

export interface LoopDelayWindow {
  p50: number;
  p99: number;
  max: number;
  samples: number;
  windowMs: number;
}

const ms = (ns: number) => Math.round(Math.max(0, ns / 1e6 - RESOLUTION_MS) * 10) / 10;

/** Starts sampling when GATEWAY_LOOP_STATS=1; returns a stop function (or null when off). */
export function startLoopDelayReport(env: NodeJS.ProcessEnv = process.env): (() => void) | null {
  if (env.GATEWAY_LOOP_STATS !== '1') return null;
  const h = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  h.enable();
  let since = performance.now();
  const report = () => {
    const now = performance.now();
    const w: LoopDelayWindow = { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max), samples: h.count, windowMs: Math.round(now - since) };
    process.stdout.write(`loop-delay ${JSON.stringify(w)}\n`);
    h.reset();
    since = now;
  };
  process.on('SIGUSR2', report);
  return () => {
    process.off('SIGUSR2', report);
    h.disable();
  };
}

/** Parses a `loop-delay {…}` line as printed above (null for any other line). */
export function parseLoopDelayLine(line: string): LoopDelayWindow | null {
  const m = /^loop-delay (\{.*\})\s*$/.exec(line);
  return m ? (JSON.parse(m[1]!) as LoopDelayWindow) : null;
}
