// Agent definitions in lowdb (`DbData.agents`): seeded once with the default pipeline, then edited by admins.
// Every change is checked against the whole set inside the db update (parents exist, no cycles), so a
// refused change stores nothing.
import type { Db, DbData } from '../../store/db.js';
import { ApiError, badRequest, conflict } from '../../http/api-error.js';
import type { AgentDefinition, AgentSchedule } from './types.js';
import { defaultAgentDefinitions } from './agent-seed.js';
import type { CreateAgentInput, UpdateAgentInput } from './agent-schema.js';

export const agentNotFound = (name: string) => new ApiError(404, 'agent_not_found', `No agent named "${name}".`);

type ChangeListener = (agents: readonly AgentDefinition[]) => void;

function parentProblem(agents: readonly AgentDefinition[], name: string, parent: string | null): string | null {
  if (parent === null) return null;
  if (parent === name) return 'an agent cannot be its own parent';
  const byName = new Map(agents.map((a) => [a.name, a]));
  if (!byName.has(parent)) return `no agent named "${parent}"`;
  // Walking up from the new parent must never reach the agent itself.
  const seen = new Set<string>();
  for (let at: string | null = parent; at !== null; at = byName.get(at)?.parent ?? null) {
    if (at === name) return `"${parent}" is below "${name}"; that would make a cycle`;
    if (seen.has(at)) break;
    seen.add(at);
  }
  return null;
}

function assertParent(agents: readonly AgentDefinition[], name: string, parent: string | null): void {
  const problem = parentProblem(agents, name, parent);
  if (problem) throw badRequest(`Invalid parent: ${problem}.`, [{ field: 'parent', problem }]);
}

function agentsOf(draft: DbData): AgentDefinition[] {
  draft.agents ??= [];
  return draft.agents;
}

export class AgentRegistry {
  readonly #listeners = new Set<ChangeListener>();

  constructor(private readonly db: Db) {}

  /** Writes the default pipeline when the db has never held agents (an emptied list stays empty). */
  async ensureSeeded(defaults: AgentDefinition[] = defaultAgentDefinitions()): Promise<boolean> {
    if (this.db.read().agents !== undefined) return false;
    const seeded = await this.db.update((d) => {
      if (d.agents !== undefined) return false;
      d.agents = defaults;
      return true;
    });
    if (seeded) this.#changed();
    return seeded;
  }

  list(): readonly AgentDefinition[] {
    return this.db.read().agents ?? [];
  }

  get(name: string): AgentDefinition | undefined {
    return this.list().find((a) => a.name === name);
  }

  require(name: string): AgentDefinition {
    const agent = this.get(name);
    if (!agent) throw agentNotFound(name);
    return agent;
  }

  childrenOf(name: string): string[] {
    return this.list()
      .filter((a) => a.parent === name)
      .map((a) => a.name);
  }

  /** Calls the listener after every committed change (the scheduler re-plans its jobs). */
  onChange(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async create(input: CreateAgentInput): Promise<AgentDefinition> {
    const created = await this.db.update((d) => {
      const agents = agentsOf(d);
      if (agents.some((a) => a.name === input.name)) throw conflict('agent_exists', `An agent named "${input.name}" already exists.`);
      assertParent(agents, input.name, input.parent);
      const def: AgentDefinition = { ...input };
      agents.push(def);
      return def;
    });
    this.#changed();
    return this.require(created.name);
  }

  /** Returns the stored definition and the one it replaced (read in the same db update, for the audit). */
  async update(name: string, changes: UpdateAgentInput): Promise<{ agent: AgentDefinition; previous: AgentDefinition }> {
    if (changes.name !== undefined && changes.name !== name) {
      throw badRequest('Renaming an agent is not supported; create the new one and delete the old one.', [
        { field: 'name', problem: `must be "${name}" (the name in the path) or left out` },
      ]);
    }
    const previous = await this.db.update((d) => {
      const agents = agentsOf(d);
      const index = agents.findIndex((a) => a.name === name);
      if (index < 0) throw agentNotFound(name);
      const current = agents[index]!;
      const next: AgentDefinition = {
        name,
        parent: changes.parent !== undefined ? changes.parent : current.parent,
        description: changes.description ?? current.description,
        launch: changes.launch !== undefined ? mergeLaunch(changes.launch, current.launch) : current.launch,
        schedule: changes.schedule !== undefined ? changes.schedule : current.schedule,
        example: changes.example ?? current.example,
      };
      assertParent(agents, name, next.parent);
      agents[index] = next;
      return structuredClone(current);
    });
    this.#changed();
    return { agent: this.require(name), previous };
  }

  async setSchedule(name: string, schedule: AgentSchedule | null): Promise<AgentDefinition> {
    await this.db.update((d) => {
      const agent = agentsOf(d).find((a) => a.name === name);
      if (!agent) throw agentNotFound(name);
      agent.schedule = schedule;
    });
    this.#changed();
    return this.require(name);
  }

  /** Refused while other agents name it as their parent: the tree would lose a branch silently. */
  async remove(name: string): Promise<void> {
    await this.db.update((d) => {
      const agents = agentsOf(d);
      const index = agents.findIndex((a) => a.name === name);
      if (index < 0) throw agentNotFound(name);
      const children = agents.filter((a) => a.parent === name).map((a) => a.name);
      if (children.length > 0) {
        throw conflict('agent_has_children', `"${name}" is the parent of ${children.join(', ')}; move or delete them first.`, { children });
      }
      agents.splice(index, 1);
    });
    this.#changed();
  }

  #changed(): void {
    const agents = this.list();
    for (const listener of this.#listeners) listener(agents);
  }
}

/** Applies a PUT's launch: `env` values sent win; `envKeys` keeps the stored values of those names. */
function mergeLaunch(sent: UpdateAgentInput['launch'], current: AgentDefinition['launch']): AgentDefinition['launch'] {
  if (!sent) return null;
  const { envKeys, env, ...rest } = sent;
  const kept: Record<string, string> = {};
  for (const key of envKeys ?? []) {
    const value = current?.env?.[key];
    if (value !== undefined) kept[key] = value;
  }
  const merged = { ...kept, ...(env ?? {}) };
  return { ...rest, ...(Object.keys(merged).length > 0 ? { env: merged } : {}) };
}
