// Reconciliation of the dashboard's click counts with the webhook's /api/webhook/metrics: both count since the
// webhook's startedAt. The tally keeps the dashboard's side live (a baseline from the journal in the pool,
// then each stored click), and a check compares only what both sides have seen (seq ≤ the metrics' lastSeq).
import { BUTTONS, type Button, type WebhookEvent } from './event-schema.js';
import type { WebhookMetrics } from '../../sources/webhook-client.js';

export interface Drift {
  metric: string;
  webhook: number;
  dashboard: number;
}

export interface Reconciliation {
  checkedAt: string;
  webhookStartedAt: string;
  drift: Drift[];
  ok: boolean;
}

/** Pure comparison of the webhook's counts with the dashboard's. */
export function compareCounts(metrics: Pick<WebhookMetrics, 'startedAt' | 'buttonClicks'>, dashboard: Record<Button, number>, checkedAt: number): Reconciliation {
  const drift: Drift[] = [];
  for (const b of BUTTONS) {
    if (metrics.buttonClicks[b] !== dashboard[b]) drift.push({ metric: `buttonClicks.${b}`, webhook: metrics.buttonClicks[b], dashboard: dashboard[b] });
  }
  return { checkedAt: new Date(checkedAt).toISOString(), webhookStartedAt: metrics.startedAt, drift, ok: drift.length === 0 };
}

type Load = (startedAt: string, adopt: (clicks: Record<Button, number>) => void) => Promise<void>;

const KEEP_RECENT = 20_000;

export class ClickTally {
  #startedAt: string | null = null;
  #startedMs = 0;
  #clicks: Record<Button, number> | null = null;
  /** Clicks counted lately, by seq: those past the metrics' lastSeq are not in the webhook's figures yet. */
  #recent: Array<{ seq: number; button: Button }> = [];
  #generation = 0;

  constructor(private readonly load: Load, private readonly onError: (err: unknown) => void) {}

  /** Follows the webhook instance started at `startedAt` (a new one starts a new baseline). */
  follow(startedAt: string): void {
    if (startedAt === this.#startedAt) return;
    this.#startedAt = startedAt;
    this.#startedMs = Date.parse(startedAt);
    this.#clicks = null;
    this.#recent = [];
    const generation = ++this.#generation;
    void this.load(startedAt, (clicks) => {
      if (generation === this.#generation) this.#clicks = { ...clicks };
    }).catch((err: unknown) => {
      if (generation === this.#generation) {
        this.#startedAt = null; // try again at the next check
        this.onError(err);
      }
    });
  }

  /** Live: events just stored. */
  add(events: readonly WebhookEvent[]): void {
    if (!this.#clicks) return; // the baseline being loaded includes them
    for (const e of events) {
      if (e.type !== 'button_click' || Date.parse(e.ts) < this.#startedMs) continue;
      this.#clicks[e.button]++;
      this.#recent.push({ seq: e.seq, button: e.button });
    }
    if (this.#recent.length > KEEP_RECENT * 2) this.#recent = this.#recent.slice(-KEEP_RECENT);
  }

  /** The dashboard's counts as of the metrics' lastSeq; null while the baseline loads or for another instance. */
  countsAt(metrics: Pick<WebhookMetrics, 'startedAt' | 'lastSeq'>): Record<Button, number> | null {
    if (!this.#clicks || metrics.startedAt !== this.#startedAt) return null;
    const counts = { ...this.#clicks };
    for (const r of this.#recent) if (r.seq > metrics.lastSeq) counts[r.button]--;
    this.#recent = this.#recent.filter((r) => r.seq > metrics.lastSeq);
    return counts;
  }
}
