// Names of rotated log files. Given a live file `name.log`, its rotated siblings are
//   name.log.1, name.log.2.gz, name.log.gz          (logrotate, numbered)
//   name.log-20261124(.gz)                          (logrotate dateext)
//   name-2026-11-24.log(.gz), name-2026-11-24-1.log  (dated)
//   name__2026-11-24_00-00-00.log(.gz)              (pm2-logrotate; the gateway's own rotated logs too)
import path from 'node:path';

/** The gateway's own log file in DATA_DIR/logs. */
export const SELF_LOG_FILE = 'ops-center.log';

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const DATE = '\\d{4}-\\d{2}-\\d{2}';
const STAMP = `${DATE}_\\d{2}-\\d{2}-\\d{2}`;

export const isCompressedName = (p: string): boolean => p.endsWith('.gz');

/** A test for the names (not paths) of the rotated siblings of the live file named `liveName`. */
export function rotatedSiblingMatcher(liveName: string): (name: string) => boolean {
  const ext = path.extname(liveName); // '.log', or '' for a name without one
  const stem = ext ? liveName.slice(0, -ext.length) : liveName;
  const base = escape(liveName);
  const s = escape(stem);
  const e = escape(ext);
  const re = new RegExp(
    [
      `^${base}\\.\\d+(\\.gz)?$`,
      `^${base}\\.gz$`,
      `^${base}-\\d{8}(\\.gz)?$`,
      `^${s}-${DATE}(-\\d+)?${e}(\\.gz)?$`,
      `^${s}__${STAMP}(-\\d+)?${e}(\\.gz)?$`,
    ].join('|'),
  );
  return (name) => name !== liveName && re.test(name);
}

/** Does this name look like a rotated file of any log, whatever its live name? (`*.gz`, `*.N`,
 * `*-YYYY-MM-DD*`, `*__YYYY-MM-DD_HH-mm-ss*`, `*-YYYYMMDD`). */
export function looksRotated(name: string): boolean {
  return (
    /\.gz$/.test(name) ||
    /\.\d+$/.test(name) ||
    new RegExp(`-${DATE}`).test(name) ||
    new RegExp(`__${STAMP}`).test(name) ||
    /\.log-\d{8}$/.test(name)
  );
}

/** The name the gateway gives a rotated file of its own log: pm2-logrotate's pattern, gzip-compressed,
 * with `-N` when two rotations fall in the same second. */
export function selfRotatedName(at: Date, index: number): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${at.getUTCFullYear()}-${p(at.getUTCMonth() + 1)}-${p(at.getUTCDate())}_${p(at.getUTCHours())}-${p(at.getUTCMinutes())}-${p(at.getUTCSeconds())}`;
  const stem = SELF_LOG_FILE.slice(0, -'.log'.length);
  return `${stem}__${stamp}${index > 1 ? `-${index}` : ''}.log.gz`;
}

/** The live names `name` could be a rotated sibling of (`api.log.2.gz` → `api.log`; `api-2026-11-24.log` → `api.log`). */
export function liveNameCandidates(name: string): string[] {
  const out = new Set<string>();
  const numbered = /^(.+)\.\d+(\.gz)?$/.exec(name);
  if (numbered) out.add(numbered[1]!);
  const gz = /^(.+)\.gz$/.exec(name);
  if (gz) out.add(gz[1]!);
  const dateext = /^(.+)-\d{8}(\.gz)?$/.exec(name);
  if (dateext) out.add(dateext[1]!);
  const dated = new RegExp(`^(.*?)(?:-${DATE}(?:-\\d+)?|__${STAMP}(?:-\\d+)?)(\\.[^.]+)?(\\.gz)?$`).exec(name);
  if (dated) out.add(`${dated[1]}${dated[2] ?? ''}`);
  return [...out].filter((live) => live !== name && live.length > 0 && rotatedSiblingMatcher(live)(name));
}

/** For each live name, the names among `names` that are its rotated siblings (one pass over `names`). */
export function siblingsByLiveName(liveNames: Iterable<string>, names: Iterable<string>): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const live of liveNames) result.set(live, []);
  for (const name of names) {
    for (const live of liveNameCandidates(name)) result.get(live)?.push(name);
  }
  return result;
}
