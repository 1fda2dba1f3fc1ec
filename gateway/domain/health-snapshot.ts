// Builds the /api/health body (API.md) from the latest observations: a pure function of its inputs.
import type { SystemSample } from '../sources/system-metrics.js';
import type { ProcessInfo } from '../sources/pm2-source.js';

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
  operations: { state: 'not_configured'; detail: string };
  alerts: { state: 'not_configured'; active: never[]; detail: string };
}

const notConfigured = (detail: string): ServiceStatus => ({ state: 'not_configured', observedAt: null, detail });

export function buildHealth(input: { now: number; intervalMs: number; latest: SystemSample | null; processes: ProcessesState }): HealthBody {
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
      webhook: notConfigured('The webhook connector arrives with the Story 3.2 integration.'),
      whatsapp: notConfigured('WhatsApp delivery status arrives with the Story 3.2 integration.'),
      sheets: notConfigured('Google Sheets is not configured; advisors and content live in the local store.'),
      drive: notConfigured('Google Drive backups are not configured; backups stay local.'),
    },
    operations: { state: 'not_configured', detail: "Today's pipeline status arrives with the agent viewer." },
    alerts: { state: 'not_configured', active: [], detail: 'The alert engine is not built yet.' },
  };
}
