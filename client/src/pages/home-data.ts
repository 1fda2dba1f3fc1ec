// Pure shaping of the home screen's data: the status body's types, the hour of samples, processes derived
// from a health body, and the "Problems" list (worst first, each pointing at where to look; it counts what
// the shell's problem count counts: services down/degraded, process instances not online, active alerts).
import type { ProcessInfo, ProcessesState } from '../components/process-table.js';
import type { ServiceMap } from '../components/service-list.js';
import { serviceHref, serviceName } from '../components/service-list.js';
import { stateSeverity } from '../components/state-badge.js';
import { processLogsHref } from '../app/log-links.js';

export interface DiskUsage { label: 'data' | 'root'; path: string; totalBytes: number; usedBytes: number; percent: number }
export interface SystemSample {
  ts: string; cpu: { percent: number; cores: number }; load: [number, number, number];
  memory: { totalBytes: number; usedBytes: number; percent: number }; disk: DiskUsage[]; uptimeSeconds: number;
}
export interface HealthBody {
  generatedAt: string;
  system: (SystemSample & { observedAt?: string }) | null;
  processes: ProcessInfo[] | null;
  services: ServiceMap;
  operations: { state: string; detail: string };
  alerts?: { active: unknown[]; state: string };
}
/** The processes card's data: a `processes` live frame, or derived from a health body until one arrives. */
export interface ProcessesView {
  state: ProcessesState; observedAt: string | null; processes: ProcessInfo[] | null; error?: string;
  /** When PM2 became unreachable, if the gateway says (beyond the contract; used when present). */
  since?: string;
  fromHealth: boolean;
}
export interface Problem { key: string; state: string; title: string; detail?: string; href?: string }

export const HISTORY_MS = 60 * 60 * 1000;

/** Union by timestamp, oldest first, keeping only the hour before the newest sample. */
export function mergeSamples(current: readonly SystemSample[], incoming: readonly SystemSample[]): SystemSample[] {
  const byTs = new Map<string, SystemSample>();
  for (const s of current) byTs.set(s.ts, s);
  for (const s of incoming) if (Number.isFinite(Date.parse(s.ts))) byTs.set(s.ts, s);
  const sorted = [...byTs.values()].sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts));
  const newest = sorted.length ? Date.parse(sorted[sorted.length - 1]!.ts) : 0;
  return sorted.filter((s) => newest - Date.parse(s.ts) <= HISTORY_MS);
}

/** The newest system figures: the last live sample, or the health body's when that is newer. */
export function latestSystem(health: HealthBody | null, history: readonly SystemSample[]): (SystemSample & { observedAt?: string }) | null {
  const last = history[history.length - 1] ?? null;
  const fromHealth = health?.system ?? null;
  if (!last) return fromHealth;
  if (!fromHealth) return last;
  const healthTs = Date.parse(fromHealth.observedAt ?? fromHealth.ts);
  return healthTs > Date.parse(last.ts) ? fromHealth : last;
}

/** A health body's `processes: null` means PM2 unreachable when the pm2 service says down; else not known yet. */
export function processesFromHealth(body: HealthBody): ProcessesView {
  const pm2 = body.services?.pm2;
  const observedAt = pm2?.observedAt ?? body.generatedAt;
  if (body.processes) return { state: 'up', observedAt, processes: body.processes, fromHealth: true };
  if (pm2?.state === 'down') return { state: 'down', observedAt, processes: null, error: pm2.detail, fromHealth: true };
  return { state: 'unknown', observedAt: null, processes: null, fromHealth: true };
}

/** What is wrong right now, worst first; a healthy system gives []. */
export function findProblems(health: HealthBody | null, procs: ProcessesView): Problem[] {
  const problems: Problem[] = [];
  const pm2Down = procs.state === 'down';
  if (pm2Down) {
    problems.push({ key: 'pm2', state: 'down', title: 'PM2 unreachable', detail: procs.error, href: serviceHref('pm2') });
  }
  for (const [key, svc] of Object.entries(health?.services ?? {})) {
    if (key === 'pm2' && pm2Down) continue;
    if (svc.state !== 'down' && svc.state !== 'degraded') continue;
    problems.push({ key: `service:${key}`, state: svc.state, title: `${serviceName(key)} ${svc.state}`, detail: svc.detail, href: serviceHref(key) });
  }
  // One entry per instance not online, as the shell's problem count counts them (cluster instances share a name).
  const all = procs.processes ?? [];
  for (const p of all) {
    if (p.status === 'online') continue;
    const siblings = all.filter((q) => q.name === p.name).length;
    const label = siblings > 1 ? `${p.name} #${p.pmId}` : p.name;
    problems.push({ key: `process:${p.pmId}`, state: p.status, title: `${label} ${p.status}`,
      detail: `${p.restarts} restart${p.restarts === 1 ? '' : 's'} — open its logs`, href: processLogsHref(p.name) });
  }
  // Disk and memory thresholds are left to the alert rules (they arrive as active alerts), so that this
  // list and the shell's problem count always agree.
  for (const [i, alert] of (health?.alerts?.active ?? []).entries()) {
    const a = (alert ?? {}) as { id?: unknown; title?: unknown; message?: unknown; severity?: unknown };
    const title = typeof a.title === 'string' ? a.title : typeof a.message === 'string' ? a.message : 'Active alert';
    problems.push({ key: `alert:${typeof a.id === 'string' ? a.id : i}`, state: a.severity === 'critical' ? 'down' : 'degraded', title });
  }
  return problems.sort((a, b) => stateSeverity(a.state) - stateSeverity(b.state));
}
