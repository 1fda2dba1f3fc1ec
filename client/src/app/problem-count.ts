// Counts open problems for the shell's top bar from the `status` (and fresher `processes`) topic data:
// services down/degraded + processes not online + active alerts. null = not known yet (never shown as 0).

export interface ServiceLike { state?: string }
export interface ProcessLike { status?: string }
export interface HealthLike {
  services?: Record<string, ServiceLike | undefined> | null;
  processes?: ProcessLike[] | null;
  alerts?: { active?: unknown[] | null } | null;
}

const SERVICE_PROBLEM_STATES = new Set(['down', 'degraded']);

/**
 * @param health the latest /api/health body (status snapshot or `health` frame)
 * @param processes the latest process list from the `processes` topic, which is fresher than health's; undefined = use health's
 */
export function countProblems(health: HealthLike | null | undefined, processes?: ProcessLike[] | null): number | null {
  if (!health) return null;
  let count = 0;
  for (const service of Object.values(health.services ?? {})) {
    if (service?.state && SERVICE_PROBLEM_STATES.has(service.state)) count += 1;
  }
  // PM2 unreachable (null) is already counted through services.pm2 being down.
  const list = processes !== undefined ? processes : health.processes;
  for (const process of list ?? []) {
    if (process.status !== 'online') count += 1;
  }
  count += health.alerts?.active?.length ?? 0;
  return count;
}

export function problemLabel(count: number | null): string {
  if (count === null) return 'Problems: —';
  return `${count} ${count === 1 ? 'problem' : 'problems'}`;
}
