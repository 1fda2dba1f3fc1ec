// How an agent's events reach the dashboard: over the ingest API (batched, retried with backoff + jitter, one
// request in flight so arrival order is production order) or, without a URL/token, as JSON lines on stdout.
import type { AgentEvent } from '../../gateway/domain/agents/types.js';

export interface EventTransport {
  send(event: AgentEvent): void;
  /** Resolves when everything sent so far has been delivered (or given up on). */
  flush(): Promise<void>;
  /** Flushes and stops timers. */
  close(): Promise<void>;
}

export interface IngestProblem {
  kind: 'rejected' | 'refused' | 'gave_up';
  message: string;
  status?: number;
  events: AgentEvent[];
}

export interface HttpTransportOptions {
  /** Dashboard base URL (DASHBOARD_INGEST_URL) or the full …/api/ingest/events URL. */
  url: string;
  token: string;
  /** Flush after this long or at maxBatch events, whichever comes first. */
  flushIntervalMs?: number;
  maxBatch?: number;
  /** Attempts after the first, for network errors, 408, 429 and 5xx. */
  maxRetries?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  requestTimeoutMs?: number;
  /** Called for refused batches, per-item rejections and batches given up on; default: a line on stderr. */
  onProblem?: (problem: IngestProblem) => void;
  fetch?: typeof fetch;
  random?: () => number;
}

export function ingestEndpoint(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  return trimmed.endsWith('/api/ingest/events') ? trimmed : `${trimmed}/api/ingest/events`;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const retryable = (status: number) => status === 408 || status === 429 || status >= 500;

function retryAfterMs(res: Response): number | null {
  const header = res.headers.get('retry-after');
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : null;
}

export class HttpTransport implements EventTransport {
  readonly #o: Required<Omit<HttpTransportOptions, 'fetch' | 'random' | 'onProblem'>> & Pick<HttpTransportOptions, 'onProblem'>;
  readonly #fetch: typeof fetch;
  readonly #random: () => number;
  readonly #endpoint: string;
  /** Events not yet acknowledged; the head batch stays here until its request succeeds. */
  readonly #queue: AgentEvent[] = [];
  #timer: NodeJS.Timeout | undefined;
  #pump: Promise<void> | null = null;

  constructor(options: HttpTransportOptions) {
    this.#o = {
      flushIntervalMs: 250,
      maxBatch: 100,
      maxRetries: 10,
      retryBaseMs: 250,
      retryMaxMs: 15_000,
      requestTimeoutMs: 15_000,
      ...options,
    };
    this.#fetch = options.fetch ?? fetch;
    this.#random = options.random ?? Math.random;
    this.#endpoint = ingestEndpoint(options.url);
  }

  send(event: AgentEvent): void {
    this.#queue.push(event);
    if (this.#queue.length >= this.#o.maxBatch) this.#kick();
    else this.#timer ??= setTimeout(() => this.#kick(), this.#o.flushIntervalMs);
  }

  async flush(): Promise<void> {
    this.#kick();
    while (this.#pump) await this.#pump;
  }

  async close(): Promise<void> {
    await this.flush();
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #kick(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pump ??= this.#drain().finally(() => (this.#pump = null));
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.slice(0, this.#o.maxBatch);
      await this.#deliver(batch);
      this.#queue.splice(0, batch.length);
    }
  }

  /** Posts one batch until it is answered; the same event ids on every attempt, so a retry never double-counts. */
  async #deliver(batch: AgentEvent[]): Promise<void> {
    const body = JSON.stringify({ events: batch });
    for (let attempt = 0; ; attempt++) {
      let waitMs: number | null = null;
      let failure: string;
      try {
        const res = await this.#fetch(this.#endpoint, {
          method: 'POST',
          headers: { authorization: `Bearer ${this.#o.token}`, 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(this.#o.requestTimeoutMs),
        });
        const text = await res.text();
        if (res.ok) {
          this.#reportRejections(batch, text);
          return;
        }
        if (!retryable(res.status)) {
          this.#problem({ kind: 'refused', status: res.status, message: `ingest refused the batch (${res.status}): ${text.slice(0, 300)}`, events: batch });
          return;
        }
        waitMs = retryAfterMs(res);
        failure = `HTTP ${res.status}`;
      } catch (err) {
        failure = (err as Error).message;
      }
      if (attempt >= this.#o.maxRetries) {
        this.#problem({ kind: 'gave_up', message: `gave up after ${attempt + 1} attempts (${failure})`, events: batch });
        return;
      }
      // Exponential backoff with jitter (half fixed, half random), so many agents do not retry in step.
      const backoff = Math.min(this.#o.retryMaxMs, this.#o.retryBaseMs * 2 ** attempt);
      await sleep(waitMs ?? backoff / 2 + (this.#random() * backoff) / 2);
    }
  }

  #reportRejections(batch: AgentEvent[], text: string): void {
    let rejected: { index: number; error: string; code?: string }[] = [];
    try {
      rejected = (JSON.parse(text) as { rejected?: { index: number; error: string; code?: string }[] }).rejected ?? [];
    } catch {
      return;
    }
    if (rejected.length === 0) return;
    const message = rejected.map((r) => `#${r.index} ${batch[r.index]?.type ?? '?'}: ${r.code ? `[${r.code}] ` : ''}${r.error}`).join('; ');
    this.#problem({ kind: 'rejected', message: `ingest rejected ${rejected.length} event(s): ${message}`, events: rejected.map((r) => batch[r.index]!).filter(Boolean) });
  }

  #problem(problem: IngestProblem): void {
    if (this.#o.onProblem) this.#o.onProblem(problem);
    else process.stderr.write(`[agent-sdk] ${problem.message}\n`);
  }
}

/** One JSON line per event on stdout: the protocol of a process the dashboard launched itself. */
export class StdoutTransport implements EventTransport {
  #last: Promise<void> = Promise.resolve();

  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {}

  send(event: AgentEvent): void {
    // Pipes are written synchronously on Linux; the callback tells when the line left the process.
    this.#last = new Promise<void>((resolve) => this.out.write(`${JSON.stringify(event)}\n`, () => resolve()));
  }

  flush(): Promise<void> {
    return this.#last;
  }

  close(): Promise<void> {
    return this.flush();
  }
}
