// <page-agents> mounted for one role against a stubbed gateway: one route that changes the agents (a POST or
// DELETE), the agent list as it stands, and no runs or performance figures; resolved once the agents are shown and
// the page knows the role.
import { fixture, html, waitUntil } from '@open-wc/testing';
import '../../client/src/pages/page-agents.js';
import type { PageAgents } from '../../client/src/pages/page-agents.js';
import type { AgentView } from '../../client/src/pages/agents-data.js';
import { api } from '../../client/src/api/api-client.js';
import type { LiveStore } from '../../client/src/live/live-store.js';
import { stubFetch, type Call, type Route } from './agents-fixtures.js';

export async function mountAgentsPage(store: LiveStore, role: string, agents: () => AgentView[], change: Route): Promise<{ page: PageAgents; calls: Call[] }> {
  api.forgetSession();
  const calls = stubFetch(role, [
    change,
    (c) => (c.url === '/api/agents' ? { body: { agents: agents() } } : undefined),
    (c) => (c.url.startsWith('/api/agents/runs') ? { body: { runs: [], nextCursor: null } } : undefined),
    (c) => (c.url.startsWith('/api/agents/performance') ? { body: { agents: [] } } : undefined),
  ]);
  const page = await fixture<PageAgents>(html`<page-agents .live=${store}></page-agents>`);
  await waitUntil(() => page.agents.length > 0, 'the agents shown');
  // The buttons a role may use appear once the page knows the signed-in user's role.
  await waitUntil(() => (page as unknown as { userRole: string | null }).userRole === role, 'the role known');
  await page.updateComplete;
  return { page, calls };
}
