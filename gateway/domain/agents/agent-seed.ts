// The default pipeline (docs/architecture.md "The agent pipeline"), written to lowdb once on first start so a
// new installation shows a living viewer. Every seeded agent runs one of the labelled example scripts.
import type { AgentDefinition, AgentLaunch } from './types.js';
import { DEFAULT_TIMEZONE } from './agent-schema.js';

/**
 * Example agents run from their TypeScript sources through tsx (a runtime dependency, like the gateway's own
 * `npm start`), so they need no build step and the production build (tsconfig.build.json) stays gateway-only.
 * `node` as a command means "the gateway's own Node binary" (the launcher substitutes process.execPath), and a
 * relative cwd is resolved against the application root — so the stored definition survives moving the app
 * or upgrading Node.
 */
export function exampleLaunch(name: string, timeoutSeconds = 30 * 60): AgentLaunch {
  return {
    command: 'node',
    args: ['--import', 'tsx', `agents/examples/${name}.ts`],
    cwd: '.',
    timeoutSeconds,
    maxConcurrent: 1,
  };
}

interface SeedRow {
  name: string;
  parent: string | null;
  description: string;
  crons?: string[];
  timeoutSeconds?: number;
}

const PIPELINE: SeedRow[] = [
  {
    name: 'content-engine',
    parent: null,
    description: 'Daily content run: starts the orchestrator for every active advisor.',
    crons: ['30 20 * * *', '0 5 * * *'],
    timeoutSeconds: 2 * 3600,
  },
  {
    name: 'content-orchestrator',
    parent: 'content-engine',
    description: 'Runs the content steps in order and hands each step the previous one’s output.',
    timeoutSeconds: 2 * 3600,
  },
  { name: 'content-strategist', parent: 'content-orchestrator', description: 'Web scraping and topic selection.' },
  { name: 'fatigue-checker', parent: 'content-orchestrator', description: 'Variation scoring against recent posts.' },
  { name: 'content-generator', parent: 'content-orchestrator', description: 'LLM content, one unit per advisor.' },
  { name: 'image-creator', parent: 'content-orchestrator', description: 'Visuals through the image API.' },
  { name: 'compliance-validator', parent: 'content-orchestrator', description: 'SEBI compliance checks.' },
  { name: 'distribution-manager', parent: 'content-orchestrator', description: 'WhatsApp delivery.' },
  {
    name: 'approval-guardian',
    parent: 'content-engine',
    description: 'Auto-approval of content still pending at 23:00.',
    crons: ['0 23 * * *'],
  },
  { name: 'revision-handler', parent: 'content-engine', description: 'Real-time edits requested by advisors.' },
  { name: 'analytics-tracker', parent: 'content-engine', description: 'Metrics collection (clicks, chats, deliveries).' },
];

export function defaultAgentDefinitions(): AgentDefinition[] {
  return PIPELINE.map((row) => ({
    name: row.name,
    parent: row.parent,
    description: `${row.description} (example agent)`,
    launch: exampleLaunch(row.name, row.timeoutSeconds),
    schedule: row.crons ? { crons: row.crons, timezone: DEFAULT_TIMEZONE, enabled: true } : null,
    example: true,
  }));
}
