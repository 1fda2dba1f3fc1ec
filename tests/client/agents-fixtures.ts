// Test data for the agent viewer: agent definitions as GET /api/agents sends them, run summaries, and a
// fetch stub that answers by path and records every call.
import type { AgentView, RunSummary } from '../../client/src/pages/agents-data.js';

export function agent(name: string, parent: string | null, extra: Partial<AgentView> = {}): AgentView {
  return { name, parent, description: `${name} does its part`, children: [], schedule: null, launch: null, example: true,
    state: 'idle', currentRunId: null, lastRun: null, nextRunAt: null, ...extra };
}

/** content-engine → content-orchestrator → (content-generator, compliance-validator); approval-guardian. */
export function pipeline(): AgentView[] {
  return [
    agent('content-engine', null, { children: ['content-orchestrator', 'approval-guardian'],
      launch: { command: 'node', args: ['agents/examples/content-engine.js'], timeoutSeconds: 1800, maxConcurrent: 1 },
      schedule: { crons: ['30 20 * * *', '0 5 * * *'], timezone: 'Asia/Kolkata', enabled: true } }),
    agent('approval-guardian', 'content-engine'),
    agent('content-orchestrator', 'content-engine', { children: ['content-generator', 'compliance-validator'] }),
    agent('compliance-validator', 'content-orchestrator'),
    agent('content-generator', 'content-orchestrator'),
  ];
}

export function run(runId: string, agentName: string, extra: Partial<RunSummary> = {}): RunSummary {
  const at = extra.startedAt ?? new Date(Date.now() - 60_000).toISOString();
  return { runId, agent: agentName, parentRunId: null, status: 'processing', degraded: false, queuedAt: at, startedAt: at,
    endedAt: null, lastEventAt: at, lastHeartbeatAt: at, progress: null, lastSeq: 1, maxSeq: 1, activity: null, metrics: {},
    error: null, logCount: 0, children: [], trigger: null, durationMs: null, ...extra };
}

export interface Call { method: string; url: string; headers: Record<string, string>; body: unknown }
export type Route = (call: Call) => { status?: number; body: unknown } | undefined;

const realFetch = window.fetch;

/** Replaces window.fetch: `routes` answer (first match wins), /api/auth/me answers with `role`; else 404. */
export function stubFetch(role: string, routes: Route[]): Call[] {
  const calls: Call[] = [];
  window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const call: Call = { method: init?.method ?? 'GET', url: String(input), headers: (init?.headers ?? {}) as Record<string, string>,
      body: init?.body ? JSON.parse(String(init.body)) : undefined };
    calls.push(call);
    const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
    if (call.url === '/api/auth/me') return json({ user: { username: 'someone', role }, csrfToken: 'csrf-1' });
    for (const route of routes) {
      const answer = route(call);
      if (answer) return json(answer.body, answer.status ?? 200);
    }
    return json({ error: { code: 'not_found', message: `no stub for ${call.method} ${call.url}` } }, 404);
  };
  return calls;
}

export function restoreFetch(): void {
  window.fetch = realFetch;
}

export const text = (node: Element | ShadowRoot | null | undefined) => (node?.textContent ?? '').replace(/\s+/g, ' ').trim();

/**
 * lit-virtualizer's own ResizeObservers make Chromium report the benign "ResizeObserver loop completed with
 * undelivered notifications" (a bare virtualizer does it too); mocha's window.onerror would count it as a
 * test failure. Lets exactly that notice through unreported; returns the function that restores onerror.
 */
export function tolerateResizeObserverLoop(): () => void {
  const previous = window.onerror;
  window.onerror = function onerror(this: WindowEventHandlers, message, ...rest) {
    if (typeof message === 'string' && message.startsWith('ResizeObserver loop')) return true;
    return previous ? previous.call(this, message, ...rest) : false;
  };
  return () => { window.onerror = previous; };
}
