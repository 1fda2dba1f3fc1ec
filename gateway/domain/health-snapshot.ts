// Builds the /api/health body (docs/api.md) from the latest observations: a pure function of its inputs.
import type { SystemSample } from '../sources/system-metrics.js';
import type { ProcessInfo } from '../sources/pm2-source.js';
import type { OperationsToday } from './agents/operations-today.js';
import type { QuarantineStats } from '../store/journal-quarantine.js';
import type { StartupHealth } from './startup-report.js';

/** The journal lines set aside (journal-quarantine.ts) and torn tails repaired at open. */
export type JournalHealth = QuarantineStats & { torn: number };

export type ServiceState = 'up' | 'down' | 'degraded' | 'unknown' | 'not_configured';
export interface ServiceStatus {
  state: ServiceState;
  observedAt: string | null;
  latencyMs?: number;
  detail?: string;
}

export interface ProcessesState {
  state: 'up' | 'down' | 'unknown';
  observedAt: string | null;
  processes: ProcessInfo[] | null;
  error?: string;
  /** The last list seen before PM2 stopped answering, for context only. */
  lastKnown?: ProcessInfo[] | null;
}

export interface HealthBody {
  generatedAt: string;
  system: (SystemSample & { observedAt: string; stale: boolean }) | null;
  processes: ProcessInfo[] | null;
  services: Record<'pm2' | 'webhook' | 'whatsapp' | 'sheets' | 'drive', ServiceStatus>;
  operations: OperationsHealth;
  alerts: { state: 'not_configured'; active: never[]; detail: string };
  journal: JournalHealth | null;
  startup: StartupHealth | null;
}

/** Today's stages plus one overall word: failed if any stage failed, late if any is late, else ok. */
export type OperationsHealth =
  | (OperationsToday & { state: 'ok' | 'late' | 'failed'; detail: string })
  | { state: 'not_configured'; detail: string };

export function operationsHealth(today: OperationsToday | null): OperationsHealth {
  if (!today) return { state: 'not_configured', detail: "Today's pipeline status is not available." };
  const failed = today.stages.filter((s) => s.state === 'failed').map((s) => s.stage);
  const late = today.stages.filter((s) => s.state === 'late').map((s) => s.stage);
  if (failed.length > 0) return { ...today, state: 'failed', detail: `Failed: ${failed.join(', ')}.` };
  if (late.length > 0) return { ...today, state: 'late', detail: `Late: ${late.join(', ')}.` };
  return { ...today, state: 'ok', detail: 'No stage is late or failed.' };
}

const notConfigured = (detail: string): ServiceStatus => ({ state: 'not_configured', observedAt: null, detail });

export function buildHealth(input: {
  now: number;
  intervalMs: number;
  latest: SystemSample | null;
  processes: ProcessesState;
  operations?: OperationsToday | null;
  webhook?: ServiceStatus | null;
  journal?: JournalHealth | null;
  startup?: StartupHealth | null;
}): HealthBody {
  const { now, latest, processes } = input;
  const stale = latest ? now - Date.parse(latest.ts) > input.intervalMs * 3 : false;
  const pm2: ServiceStatus =
    processes.state === 'up'
      ? { state: 'up', observedAt: processes.observedAt }
      : processes.state === 'down'
        ? { state: 'down', observedAt: processes.observedAt, detail: processes.error ?? 'PM2 unreachable' }
        : { state: 'unknown', observedAt: null, detail: 'PM2 has not been asked yet' };
  return {
    generatedAt: new Date(now).toISOString(),
    system: latest ? { ...latest, observedAt: latest.ts, stale } : null,
    processes: processes.state === 'up' ? processes.processes : null,
    services: {
      pm2,
      webhook: input.webhook ?? notConfigured('WEBHOOK_URL is not set.'),
      whatsapp: notConfigured('WhatsApp delivery status is not configured: no WhatsApp connector is set up.'),
      sheets: notConfigured('Google Sheets is not configured; advisors and content live in the local store.'),
      drive: notConfigured('Google Drive is not configured.'),
    },
    operations: operationsHealth(input.operations ?? null),
    alerts: { state: 'not_configured', active: [], detail: 'The alert engine is not built yet.' },
    journal: input.journal ?? null,
    startup: input.startup ?? null,
  };
}
