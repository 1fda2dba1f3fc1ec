// Start-up never fails on the data it finds: each part that rebuilds state (agent runs, schedules, the
// webhook's store, the log digest…) starts under a guard, and a part that fails — a replay that throws or
// times out — is logged and reported as degraded in /api/health while the rest of the gateway starts.
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';

export interface StartupProblem {
  part: string;
  error: string;
  at: string;
}

export interface StartupHealth {
  state: 'starting' | 'ok' | 'degraded';
  problems: StartupProblem[];
}

export class StartupReport {
  #problems: StartupProblem[] = [];
  #done = false;

  constructor(private readonly o: { clock: Clock; logger: Logger }) {}

  /** Runs one part's start; a failure is recorded and logged, not thrown. Resolves true when it started. */
  async part(part: string, start: () => Promise<unknown> | unknown): Promise<boolean> {
    try {
      await start();
      return true;
    } catch (err) {
      const error = (err instanceof Error ? err.message : String(err)).slice(0, 500);
      this.#problems.push({ part, error, at: new Date(this.o.clock.now()).toISOString() });
      this.o.logger.error({ err, part }, `start-up: ${part} could not start; the gateway runs without it (degraded, see /api/health)`);
      return false;
    }
  }

  finished(): void {
    this.#done = true;
  }

  health(): StartupHealth {
    const state = this.#problems.length > 0 ? 'degraded' : this.#done ? 'ok' : 'starting';
    return { state, problems: [...this.#problems] };
  }
}
