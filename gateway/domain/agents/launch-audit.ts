// What an edit did to an agent's launch command, for the audit trail: the old and new command, args and cwd,
// and which environment variables were added, removed or changed — never their values (they hold API keys).
import { isDeepStrictEqual } from 'node:util';
import type { AgentLaunch } from './types.js';

/** A value longer than this is cut in the audit line (args may hold up to 100 × 2000 characters). */
const MAX_VALUE_CHARS = 2000;

function show(value: unknown): string {
  if (value === null) return '(none)';
  const text = JSON.stringify(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}… (${text.length - MAX_VALUE_CHARS} more characters)` : text;
}

function envChange(before: Record<string, string>, after: Record<string, string>): string | null {
  const names = (env: Record<string, string>) => `{${Object.keys(env).sort().join(', ')}}`;
  const changed = Object.keys(after)
    .filter((key) => Object.hasOwn(before, key) && before[key] !== after[key])
    .sort();
  if (names(before) === names(after) && changed.length === 0) return null;
  const note = changed.length > 0 ? `values not recorded, changed: ${changed.join(', ')}` : 'values not recorded';
  return `launch.env: ${names(before)} → ${names(after)} (${note})`;
}

/** One entry per launch field that differs ("launch.command: "node" → "python3""); empty when none did. */
export function launchChanges(before: AgentLaunch | null, after: AgentLaunch | null): string[] {
  const changes: string[] = [];
  for (const field of ['command', 'args', 'cwd'] as const) {
    const from = before ? (before[field] ?? null) : null;
    const to = after ? (after[field] ?? null) : null;
    if (!isDeepStrictEqual(from, to)) changes.push(`launch.${field}: ${show(from)} → ${show(to)}`);
  }
  const env = envChange(before?.env ?? {}, after?.env ?? {});
  if (env) changes.push(env);
  return changes;
}
