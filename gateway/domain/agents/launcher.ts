// Starts an agent's launch command as a child process for a manual or scheduled trigger and turns its
// output and exit into run events; timeout, cancel and shutdown stop the whole process tree (TERM, then KILL).
// A launch writes as `launch:<runId>` (run-writer.ts): its process tree writes only its run and child runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import readline from 'node:readline';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import { ApiError, conflict } from '../../http/api-error.js';
import type { ApiTokenService } from '../api-token-service.js';
import type { AgentRegistry } from './agent-registry.js';
import type { AgentDefinition, AgentEvent, AgentLaunch, RunStatus, RunTrigger } from './types.js';
import { TERMINAL_STATUSES } from './types.js';
import { OrderedIngest, launchEnv, logEvent, parseStdoutLine, type LineContext, type RunSink } from './launch-output.js';
import { groupAlive, killProcessTree, signalGroup } from './process-tree.js';
import { launchWriter } from './run-writer.js';

export type { RunSink } from './launch-output.js';

/** Name prefix of the per-launch ingest tokens (stale ones are revoked at start). */
const TOKEN_PREFIX = 'launch:';
const TOKEN_OWNER = 'launcher';
/** Stop reading stdout while this many events wait for the journal (the pipe then pushes back on the agent). */
const MAX_BACKLOG = 10_000;
/** Refused stdout events of one run logged in the gateway log; all of them are in the run's own log. */
const LOGGED_REFUSALS = 10;

export interface LauncherOptions {
  registry: Pick<AgentRegistry, 'require'>;
  runs: RunSink;
  tokens: Pick<ApiTokenService, 'create' | 'revoke' | 'list'>;
  clock: Clock;
  logger: Logger;
  /** Base URL agents post events to (read at each launch: the port is known only once listening). */
  ingestUrl: () => string;
  /** Relative launch cwd values (and the seeded example paths) are resolved against this. */
  appRoot: string;
  /** Time between TERM and KILL; default 5 s. */
  killGraceMs?: number;
  /** The gateway's environment (filtered, see launchEnv); default process.env. */
  baseEnv?: NodeJS.ProcessEnv;
}

type Ending = 'cancelled' | 'timeout' | 'shutdown';

/** What stopping did to the process group: TERM was enough, KILL was needed, it was gone, or none was started. */
export type StopOutcome = 'terminated' | 'killed' | 'gone' | 'none';

export interface CancelOutcome {
  runId: string;
  /** The run's status after the cancel (a status its producer reported before stays). */
  status: RunStatus;
  process: StopOutcome;
}

interface Launch {
  runId: string;
  agent: string;
  launch: AgentLaunch;
  trigger: RunTrigger;
  child: ChildProcess | null;
  tokenId: string | null;
  ending: Ending | null;
  /** Set while timeout, cancel or shutdown stops the group; the run ends only when that is done. */
  stopping?: Promise<StopOutcome>;
  lastStderr: string;
  eventNo: number;
  stdoutNo: number;
  /** Events from stdout refused so far (malformed or past the JSON limits). */
  refused: number;
  queue: OrderedIngest;
  ctx: LineContext;
  timer?: NodeJS.Timeout;
  ended: Promise<void>;
  resolveEnded: () => void;
}

const isTerminal = (status: RunStatus | undefined) => status !== undefined && TERMINAL_STATUSES.includes(status);

export class Launcher {
  readonly #o: LauncherOptions;
  readonly #active = new Map<string, Launch>();
  readonly #finishing = new Set<string>();
  #closed = false;

  constructor(options: LauncherOptions) {
    this.#o = options;
  }

  /** Revokes per-launch tokens left by a previous gateway process that did not end cleanly. */
  async revokeStaleTokens(): Promise<number> {
    const stale = this.#o.tokens.list().filter((t) => t.name.startsWith(TOKEN_PREFIX) && t.createdBy === TOKEN_OWNER);
    for (const t of stale) await this.#o.tokens.revoke(t.id).catch(() => undefined);
    return stale.length;
  }

  /** The run a per-launch token belongs to while its launch is active (the ingest API writes as that launch). */
  launchOfToken(tokenId: string): string | undefined {
    for (const launch of this.#active.values()) if (launch.tokenId === tokenId) return launch.runId;
    return undefined;
  }

  /** Run ids this launcher is running (process alive or being finalised). */
  activeRunIds(agent?: string): string[] {
    return [...this.#active.values()].filter((l) => agent === undefined || l.agent === agent).map((l) => l.runId);
  }

  /** Resolves when the run's process tree has ended and its final events are journalled. */
  whenEnded(runId: string): Promise<void> {
    return this.#active.get(runId)?.ended ?? Promise.resolve();
  }

  async trigger(agentName: string, trigger: RunTrigger): Promise<{ runId: string }> {
    if (this.#closed) throw new ApiError(503, 'shutting_down', 'The dashboard is shutting down; try again after it restarts.');
    const def = this.#o.registry.require(agentName);
    if (!def.launch) {
      throw new ApiError(422, 'no_launch_command', `"${agentName}" has no launch command; it runs outside the dashboard.`);
    }
    const busy = this.#runningOf(def.name);
    if (busy.length >= def.launch.maxConcurrent) {
      throw conflict('agent_busy', `"${agentName}" is already running ${busy.length} of at most ${def.launch.maxConcurrent} run(s).`, {
        running: busy,
        maxConcurrent: def.launch.maxConcurrent,
      });
    }
    // Reserved before the first await, so two simultaneous triggers cannot both pass the limit.
    const launch = this.#reserve(def, def.launch, trigger);
    try {
      const expiresAt = new Date(this.#o.clock.now() + (def.launch.timeoutSeconds + 3600) * 1000).toISOString();
      const token = await this.#o.tokens.create({ name: `${TOKEN_PREFIX}${launch.runId}`, scope: 'ingest', role: 'operator', expiresAt }, TOKEN_OWNER);
      launch.tokenId = token.id;
      // seq 0: the producer's own events (seq from 1) are all newer than the dashboard's start. Written as the
      // dashboard (the trigger stands, the run may be top-level) but owned by the launch, before anything else.
      const start = { ...this.#event(launch, 'run.started'), seq: 0, trigger, message: `started (${trigger.kind})` };
      launch.queue.pushAs({ ...launchWriter(launch.runId), startsRuns: true, keepsTrigger: true }, start);
      await launch.queue.idle();
      if (!isTerminal(this.#o.runs.get(launch.runId)?.status) && launch.ending === null) this.#spawn(launch, token.token);
      else void this.#finish(launch, null, null);
    } catch (err) {
      this.#active.delete(launch.runId);
      launch.resolveEnded();
      if (launch.tokenId) await this.#o.tokens.revoke(launch.tokenId).catch(() => undefined);
      throw err;
    }
    return { runId: launch.runId };
  }

  /**
   * Ends a launched run as cancelled at once, then stops its process tree. A run whose producer already reported
   * its end but whose process group still runs is stopped all the same (its reported status stays); only a run
   * that has ended with no live process left is 409.
   */
  async cancel(runId: string, by?: string): Promise<CancelOutcome> {
    const launch = this.#active.get(runId);
    const state = this.#o.runs.get(runId);
    if (!launch) {
      if (!state) throw new ApiError(404, 'run_not_found', `No run with id "${runId}".`);
      if (isTerminal(state.status)) throw conflict('run_finished', `Run "${runId}" has already ended (${state.status}).`);
      throw conflict('not_cancellable', `Run "${runId}" was not started by this dashboard (or is a child of a run that was); cancel the run it belongs to.`);
    }
    if (launch.ending !== null) throw conflict('run_finished', `Run "${runId}" is already being stopped.`);
    const who = by ? ` by ${by}` : '';
    if (!isTerminal(state?.status)) {
      const process = await this.#stop(launch, 'cancelled', { ...this.#event(launch, 'run.cancelled'), message: `cancelled${who}` });
      return { runId, status: this.#o.runs.get(runId)?.status ?? 'cancelled', process };
    }
    const pid = launch.child?.pid;
    if (pid === undefined || !groupAlive(pid)) throw conflict('run_finished', `Run "${runId}" has already ended (${state!.status}) and its process is gone.`);
    const note = logEvent(launch.ctx, 'warn', `cancelled${who}: stopping the process group, which still ran although the run reported ${state!.status}`);
    const process = await this.#stop(launch, 'cancelled', note);
    return { runId, status: this.#o.runs.get(runId)?.status ?? state!.status, process };
  }

  /** Stops every running tree (their runs end as errors "dashboard shut down") and waits for them. */
  async close(): Promise<void> {
    this.#closed = true;
    const launches = [...this.#active.values()];
    await Promise.all(
      launches.map(async (launch) => {
        if (launch.ending === null) {
          const error = { message: 'stopped because the dashboard shut down', code: 'shutdown' };
          // A run that already reported its end keeps it, but a process still running goes all the same.
          const ended = isTerminal(this.#o.runs.get(launch.runId)?.status);
          await this.#stop(launch, 'shutdown', ended ? logEvent(launch.ctx, 'warn', error.message) : { ...this.#event(launch, 'run.failed'), error });
        }
        await launch.ended;
      }),
    );
  }

  #runningOf(agent: string): string[] {
    const ids = new Set(this.activeRunIds(agent));
    // Runs reported by the agent's own processes (not launched here) occupy it too.
    for (const run of this.#o.runs.openRuns()) if (run.agent === agent) ids.add(run.runId);
    return [...ids];
  }

  #reserve(def: AgentDefinition, spec: AgentLaunch, trigger: RunTrigger): Launch {
    const runId = randomUUID();
    let resolveEnded!: () => void;
    const ended = new Promise<void>((resolve) => (resolveEnded = resolve));
    // ctx and queue refer back to the launch itself, so they are filled in right below.
    const launch = { runId, agent: def.name, launch: spec, trigger, child: null, tokenId: null, ending: null, lastStderr: '', eventNo: 0, stdoutNo: 0, refused: 0, ended, resolveEnded } as unknown as Launch;
    launch.ctx = {
      runId,
      agent: def.name,
      now: () => new Date(this.#o.clock.now()).toISOString(),
      nextId: () => `${runId}:launcher:${++launch.eventNo}`,
      stdoutId: () => `${runId}:stdout:${++launch.stdoutNo}`,
    };
    launch.queue = new OrderedIngest(
      this.#o.runs,
      launchWriter(runId),
      (event, error) => {
        // The agent's own malformed event: say so in its log instead of dropping it silently.
        if (!event.id.startsWith(`${runId}:launcher:`)) this.#refuse(launch, error);
        else this.#o.logger.warn({ runId, error }, 'launcher: own event refused');
      },
      (err) => this.#o.logger.error({ err, runId }, 'launcher: could not journal run events'),
    );
    this.#active.set(runId, launch);
    return launch;
  }

  #event(launch: Launch, type: AgentEvent['type']): AgentEvent {
    return { id: launch.ctx.nextId(), type, runId: launch.runId, agent: launch.agent, ts: launch.ctx.now() };
  }

  #spawn(launch: Launch, token: string): void {
    const spec = launch.launch;
    const env = launchEnv(this.#o.baseEnv ?? process.env, spec, {
      DASHBOARD_INGEST_URL: this.#o.ingestUrl(),
      DASHBOARD_INGEST_TOKEN: token,
      RUN_ID: launch.runId,
      PARENT_RUN_ID: '',
      AGENT_NAME: launch.agent,
      // Trigger parameters (POST …/trigger {params}) as one JSON value; absent when none were given.
      ...(launch.trigger.params ? { RUN_PARAMS: JSON.stringify(launch.trigger.params) } : {}),
    });
    const command = spec.command === 'node' ? process.execPath : spec.command;
    const cwd = path.resolve(this.#o.appRoot, spec.cwd ?? '.');
    let child: ChildProcess;
    try {
      // detached: the agent leads its own process group, so a signal to -pid reaches all it started.
      child = spawn(command, spec.args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      void this.#finish(launch, null, null, err as Error);
      return;
    }
    launch.child = child;
    let spawnError: Error | undefined;
    let exit: { code: number | null; signal: NodeJS.Signals | null } = { code: null, signal: null };
    child.once('error', (err) => {
      spawnError = err;
      // A failed spawn never emits 'exit'; a later error (e.g. kill) does not matter here.
      if (child.pid === undefined) void this.#finish(launch, null, null, err);
    });
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      clearTimeout(launch.timer);
      // The run is the whole tree: what the agent left behind goes with it, so its pipes close too.
      if (child.pid !== undefined && signalGroup(child.pid, 0)) void killProcessTree(child.pid, { graceMs: this.#o.killGraceMs });
    });
    child.once('close', () => void this.#finish(launch, exit.code, exit.signal, spawnError));

    const out = readline.createInterface({ input: child.stdout!, crlfDelay: Infinity });
    out.on('line', (line) => {
      const parsed = parseStdoutLine(line, launch.ctx);
      if (!parsed) return;
      if ('refused' in parsed) return this.#refuse(launch, parsed.refused);
      launch.queue.push(parsed.event);
      if (launch.queue.backlog > MAX_BACKLOG) {
        child.stdout!.pause();
        void launch.queue.idle().then(() => child.stdout!.resume());
      }
    });
    const err = readline.createInterface({ input: child.stderr!, crlfDelay: Infinity });
    err.on('line', (line) => {
      if (line.trim() === '') return;
      launch.lastStderr = line.trim();
      launch.queue.push(logEvent(launch.ctx, 'warn', line));
    });
    launch.timer = setTimeout(() => {
      const error = { message: `timed out after ${spec.timeoutSeconds} s`, code: 'timeout' };
      void this.#stop(launch, 'timeout', { ...this.#event(launch, 'run.failed'), error });
    }, spec.timeoutSeconds * 1000);
    launch.timer.unref();
  }

  /** An event from the agent's stdout refused: counted, said in the run's log; the output goes on being read. */
  #refuse(launch: Launch, reason: string): void {
    launch.refused++;
    launch.queue.push(logEvent(launch.ctx, 'warn', `ignored an event from stdout: ${reason}`));
    if (launch.refused <= LOGGED_REFUSALS) {
      const more = launch.refused === LOGGED_REFUSALS ? ' (further refusals of this run are only in its log)' : '';
      this.#o.logger.warn({ runId: launch.runId, agent: launch.agent, refused: launch.refused, reason }, `launcher: event from stdout refused${more}`);
    }
  }

  /** Journals the run's end first (so it is final whatever the dying process still prints), then kills. */
  async #stop(launch: Launch, ending: Ending, terminal: AgentEvent): Promise<StopOutcome> {
    if (launch.ending !== null) return 'none';
    launch.ending = ending;
    clearTimeout(launch.timer);
    launch.stopping = (async () => {
      launch.queue.push(terminal);
      await launch.queue.idle();
      const pid = launch.child?.pid;
      return pid === undefined ? 'none' : killProcessTree(pid, { graceMs: this.#o.killGraceMs });
    })();
    return launch.stopping;
  }

  #exitEvent(launch: Launch, code: number | null, signal: NodeJS.Signals | null, spawnError?: Error): AgentEvent {
    if (spawnError && launch.child?.pid === undefined) {
      return { ...this.#event(launch, 'run.failed'), error: { message: `could not start "${launch.launch.command}": ${spawnError.message}`, code: 'spawn_failed' } };
    }
    if (code === 0) return { ...this.#event(launch, 'run.completed'), message: 'exited with code 0' };
    const how = code !== null ? `exited with code ${code}` : `was killed by ${signal ?? 'a signal'}`;
    const stderr = launch.lastStderr ? `: ${launch.lastStderr.slice(0, 900)}` : '';
    return { ...this.#event(launch, 'run.failed'), error: { message: `process ${how}${stderr}`, code: code !== null ? 'exit_code' : 'signal' } };
  }

  async #finish(launch: Launch, code: number | null, signal: NodeJS.Signals | null, spawnError?: Error): Promise<void> {
    if (this.#finishing.has(launch.runId)) return;
    this.#finishing.add(launch.runId);
    clearTimeout(launch.timer);
    try {
      await launch.queue.idle();
      // The process may have ended its run itself (stdout or the ingest API); then its word stands.
      if (!isTerminal(this.#o.runs.get(launch.runId)?.status)) launch.queue.push(this.#exitEvent(launch, code, signal, spawnError));
      await launch.queue.idle();
      await this.#endDescendants(launch);
      await launch.queue.idle();
      // The leader may exit on TERM before its group does: the run has ended when the whole tree has.
      if (launch.stopping) await launch.stopping;
    } catch (err) {
      this.#o.logger.error({ err, runId: launch.runId }, 'launcher: finishing a run failed');
    } finally {
      if (launch.tokenId) await this.#o.tokens.revoke(launch.tokenId).catch(() => undefined);
      this.#active.delete(launch.runId);
      this.#finishing.delete(launch.runId);
      launch.resolveEnded();
    }
  }

  /** Child runs still open when the tree is gone can never report again: end them now, not at heartbeat timeout. */
  async #endDescendants(launch: Launch): Promise<void> {
    const stack = [...(this.#o.runs.get(launch.runId)?.children ?? [])];
    const seen = new Set<string>();
    while (stack.length > 0) {
      const runId = stack.pop()!;
      if (seen.has(runId)) continue;
      seen.add(runId);
      const run = this.#o.runs.get(runId);
      if (!run) continue;
      stack.push(...run.children);
      if (isTerminal(run.status)) continue;
      if (launch.ending === 'cancelled') {
        const base = { id: `${launch.runId}:launcher:end:${runId}`, runId, agent: run.agent, ts: launch.ctx.now() };
        launch.queue.push({ ...base, type: 'run.cancelled', message: 'cancelled with its parent run' });
      } else {
        await this.#o.runs.crash(runId, `its process tree ended (run ${launch.runId}) before it reported an end`);
      }
    }
  }
}
