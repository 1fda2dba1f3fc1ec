// Stops a launched agent with everything it started: agents are spawned as leaders of their own process
// group (detached), so one signal to the group (-pid) reaches grandchildren too. TERM first, KILL after a grace.
import fs from 'node:fs';

/** Sends a signal to the whole group; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/** A zombie (exited, not yet reaped — PID 1 in a container may never reap) holds no resources: it counts as gone. */
export function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state follows the parenthesised command name, which may itself contain spaces or parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

/** Pids of the group's members that are still alive (Linux /proc; empty elsewhere when the group is gone). */
export function groupMembers(pgid: number): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return signalGroup(pgid, 0) ? [pgid] : [];
  }
  const members: number[] = [];
  for (const entry of entries) {
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields: state, ppid, pgrp, …
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') members.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return members;
}

export function groupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  return groupMembers(pgid).length > 0;
}

export interface KillTreeOptions {
  /** Time between TERM and KILL; default 5 s. */
  graceMs?: number;
  pollMs?: number;
}

/** TERM the group, wait up to graceMs for it to go, then KILL. Resolves with how it ended. */
export async function killProcessTree(pgid: number, opts: KillTreeOptions = {}): Promise<'gone' | 'terminated' | 'killed'> {
  const graceMs = opts.graceMs ?? 5000;
  const pollMs = opts.pollMs ?? 50;
  if (!signalGroup(pgid, 'SIGTERM')) return 'gone';
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    if (!groupAlive(pgid)) return 'terminated';
  }
  signalGroup(pgid, 'SIGKILL');
  // KILL cannot be caught, but delivery is not instant: wait (briefly) until the members are gone.
  const killDeadline = Date.now() + 2000;
  while (groupAlive(pgid) && Date.now() < killDeadline) await new Promise((resolve) => setTimeout(resolve, 10));
  return 'killed';
}
