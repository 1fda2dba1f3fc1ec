// Which files are log sources: every PM2 process's out/err files (from PM2's API), the files matched by
// LOG_DIRS globs, and the gateway's own log, each with its rotated and gzip-compressed siblings.
// The path checks live here too, so only files of a configured source can ever be read.
import fs from 'node:fs/promises';
import path from 'node:path';
import { glob } from 'tinyglobby';
import picomatch from 'picomatch';
import { ApiError } from '../http/api-error.js';
import type { Clock } from '../clock.js';
import type { Pm2Source } from './pm2-source.js';
import type { LogFile, LogSource, LogSourceList } from './log-source-shapes.js';
import { isCompressedName, liveNameCandidates, looksRotated, SELF_LOG_FILE, siblingsByLiveName } from './rotated-files.js';

export type { LogFile, LogSource, LogSourceList } from './log-source-shapes.js';

export interface ResolvedLogFile {
  source: LogSource;
  file: LogFile;
  /** The file's real path (symlinks resolved); read this one. */
  realPath: string;
}

export interface LogSources {
  /** Cached for a few seconds. */
  list(): Promise<LogSourceList>;
  /** The source file at this absolute path, or null when it is not a file of a source (symlinks leaving
   * the source's directory included). Throws ApiError 400 invalid_path for relative or `..` paths. */
  resolve(absPath: string): Promise<ResolvedLogFile | null>;
  /** Drops the cached list (the next list() looks again). */
  invalidate(): void;
}

export interface LogSourcesOptions {
  pm2: Pm2Source;
  /** LOG_DIRS: globs of absolute paths. */
  logDirs: string[];
  /** DATA_DIR/logs: holds the gateway's own ops-center.log and its rotated files. */
  selfLogDir: string;
  clock: Clock;
  /** How long list() is cached; default 3 s. */
  cacheMs?: number;
}

const DEFAULT_CACHE_MS = 3_000;

/** Refuses relative paths and paths with a `..` segment (ApiError 400 invalid_path); returns the normalised absolute path. */
export function checkLogPath(input: unknown): string {
  if (typeof input !== 'string' || input.length === 0) {
    throw new ApiError(400, 'invalid_path', 'A log file path is required: an absolute path of a file of a log source.');
  }
  if (input.includes('\0')) throw new ApiError(400, 'invalid_path', 'The log file path contains a NUL byte.');
  if (!path.isAbsolute(input)) {
    throw new ApiError(400, 'invalid_path', `The log file path must be absolute: "${input}" is relative.`, { path: input });
  }
  if (input.split(/[\\/]+/).includes('..')) {
    throw new ApiError(400, 'invalid_path', `The log file path must not contain "..": "${input}".`, { path: input });
  }
  return path.normalize(input);
}

/** Where a source's files may really lie: the real directory of a PM2 or self log file, or the real
 * base directory of a LOG_DIRS glob. A file whose real path is elsewhere (a symlink leaving the
 * source) is not a file of the source. */
async function realRoot(dir: string): Promise<string | null> {
  try {
    return await fs.realpath(dir);
  } catch {
    return null;
  }
}

function within(realPath: string, root: string): boolean {
  const rel = path.relative(root, realPath);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

async function statFile(p: string, rotated: boolean, root: string | null): Promise<LogFile | null> {
  if (root === null) return null;
  try {
    const real = await fs.realpath(p);
    if (!within(real, root)) return null;
    const st = await fs.stat(real);
    if (!st.isFile()) return null;
    return { path: p, size: st.size, mtime: new Date(st.mtimeMs).toISOString(), rotated, compressed: isCompressedName(p) };
  } catch {
    return null;
  }
}

const newestFirst = (a: LogFile, b: LogFile): number =>
  Number(a.rotated) - Number(b.rotated) || b.mtime.localeCompare(a.mtime) || a.path.localeCompare(b.path);

async function readNames(dir: string): Promise<string[] | null> {
  try {
    return await fs.readdir(dir);
  } catch {
    return null;
  }
}

/** The live file (when it exists) and its rotated siblings in the same directory, newest first. */
export async function fileWithSiblings(livePath: string, root?: string | null): Promise<LogFile[]> {
  const dir = path.dirname(livePath);
  const realDir = root === undefined ? await realRoot(dir) : root;
  const names = await readNames(dir);
  if (names === null) return [];
  const liveName = path.basename(livePath);
  const siblings = siblingsByLiveName([liveName], names).get(liveName) ?? [];
  const files: LogFile[] = [];
  const live = await statFile(livePath, false, realDir);
  if (live) files.push(live);
  for (const name of siblings) {
    const f = await statFile(path.join(dir, name), true, realDir);
    if (f) files.push(f);
  }
  return files.sort(newestFirst);
}

/** `api-2026-11-24.log.gz` → `api.log`: the name a dated file would have undated, or null. */
function undatedName(name: string): string | null {
  const m = /^(.*?)(?:-\d{4}-\d{2}-\d{2}(?:-\d+)?|__\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}(?:-\d+)?)(\.[^.]+)?(\.gz)?$/.exec(name);
  return m ? `${m[1]}${m[2] ?? ''}` : null;
}

/** The files a LOG_DIRS glob matches, each with its rotated siblings. A match that is a rotated sibling
 * of another match is listed once, as rotated. A match with no live file beside it counts as rotated
 * when it is compressed or numbered, or dated while a newer dated file of the same name exists.
 * Each directory is read once, so large log directories stay cheap. */
async function globSource(pattern: string): Promise<LogFile[]> {
  const root = await realRoot(picomatch.scan(pattern).base || '/');
  if (root === null) return [];
  let matched: string[];
  try {
    matched = await glob(pattern, { absolute: true, onlyFiles: true, followSymbolicLinks: true, dot: true, expandDirectories: false });
  } catch {
    return [];
  }
  const byDir = new Map<string, Set<string>>();
  for (const p of matched.map((m) => path.normalize(m))) {
    const dir = path.dirname(p);
    const set = byDir.get(dir) ?? new Set<string>();
    set.add(path.basename(p));
    byDir.set(dir, set);
  }
  const byPath = new Map<string, LogFile>();
  const orphanFiles: LogFile[] = [];
  for (const [dir, matchedNames] of [...byDir].sort(([a], [b]) => a.localeCompare(b))) {
    const names = (await readNames(dir)) ?? [];
    // A match that is a rotated sibling of another match is listed with that one.
    const lives: string[] = [];
    const orphans: string[] = [];
    for (const name of [...matchedNames].sort()) {
      if (liveNameCandidates(name).some((live) => matchedNames.has(live))) continue;
      const undated = undatedName(name);
      if (looksRotated(name) && !(undated !== null && matchedNames.has(undated))) orphans.push(name);
      else lives.push(name);
    }
    const siblings = siblingsByLiveName(lives, names);
    // Every file of the directory is looked at once, all at the same time (one after the other, a directory of
    // many files costs a round trip to the thread pool each); the first mention of a path decides its role.
    const wanted = new Map<string, { rotated: boolean; orphan: boolean }>();
    for (const live of lives) {
      const p = path.join(dir, live);
      if (!wanted.has(p)) wanted.set(p, { rotated: false, orphan: false });
      for (const name of siblings.get(live) ?? []) {
        const q = path.join(dir, name);
        if (!wanted.has(q)) wanted.set(q, { rotated: true, orphan: false });
      }
    }
    for (const name of orphans) {
      const p = path.join(dir, name);
      if (!wanted.has(p)) wanted.set(p, { rotated: true, orphan: true });
    }
    const entries = [...wanted];
    const stated = await Promise.all(entries.map(([p, w]) => statFile(p, w.rotated, root)));
    entries.forEach(([, w], i) => {
      const f = stated[i];
      if (!f) return;
      if (w.orphan) orphanFiles.push(f);
      else byPath.set(f.path, f);
    });
  }
  // Files that look rotated but have no live file: the newest dated one of a name may still be written.
  const newestDated = new Map<string, LogFile>();
  for (const f of orphanFiles) {
    const name = path.basename(f.path);
    if (f.compressed || /\.\d+$/.test(name)) continue;
    const key = path.join(path.dirname(f.path), undatedName(name) ?? name);
    const current = newestDated.get(key);
    if (!current || f.mtime > current.mtime || (f.mtime === current.mtime && f.path > current.path)) newestDated.set(key, f);
  }
  for (const f of newestDated.values()) f.rotated = false;
  for (const f of orphanFiles) if (!byPath.has(f.path)) byPath.set(f.path, f);
  return [...byPath.values()].sort(newestFirst);
}

export function createLogSources(opts: LogSourcesOptions): LogSources {
  const cacheMs = opts.cacheMs ?? DEFAULT_CACHE_MS;
  let cached: { at: number; value: Promise<Built> } | null = null;

  interface Built {
    list: LogSourceList;
    /** For each source id, the real directories its files must lie in. */
    roots: Map<string, string[]>;
  }

  async function build(): Promise<Built> {
    const sources: LogSource[] = [];
    const roots = new Map<string, string[]>();
    let pm2Down: LogSourceList['pm2'];
    try {
      const processes = await opts.pm2.list();
      // Cluster instances share a name; each may write its own file (api-out-0.log, api-out-1.log).
      const byId = new Map<string, { process: string; stream: 'out' | 'err'; paths: Set<string> }>();
      for (const p of processes) {
        for (const [stream, livePath] of [['out', p.outLogPath], ['err', p.errLogPath]] as const) {
          if (!livePath || !path.isAbsolute(livePath) || livePath === '/dev/null') continue;
          const id = `pm2:${p.name}:${stream}`;
          const entry = byId.get(id) ?? { process: p.name, stream, paths: new Set<string>() };
          entry.paths.add(path.normalize(livePath));
          byId.set(id, entry);
        }
      }
      for (const [id, { process, stream, paths }] of byId) {
        const files = new Map<string, LogFile>();
        const sourceRoots: string[] = [];
        for (const live of [...paths].sort()) {
          const root = await realRoot(path.dirname(live));
          if (root === null) continue;
          sourceRoots.push(root);
          for (const f of await fileWithSiblings(live, root)) if (!files.has(f.path)) files.set(f.path, f);
        }
        roots.set(id, sourceRoots);
        sources.push({ id, kind: 'pm2', label: `${process} (${stream})`, process, stream, files: [...files.values()].sort(newestFirst) });
      }
    } catch (err) {
      pm2Down = { state: 'down', detail: err instanceof Error ? err.message : String(err) };
    }
    for (const pattern of opts.logDirs) {
      const id = `dir:${pattern}`;
      if (roots.has(id)) continue;
      const root = await realRoot(picomatch.scan(pattern).base || '/');
      roots.set(id, root === null ? [] : [root]);
      sources.push({ id, kind: 'dir', label: pattern, files: await globSource(pattern) });
    }
    const selfRoot = await realRoot(opts.selfLogDir);
    roots.set('self', selfRoot === null ? [] : [selfRoot]);
    sources.push({ id: 'self', kind: 'self', label: 'Ops Center', files: await fileWithSiblings(path.join(opts.selfLogDir, SELF_LOG_FILE), selfRoot) });
    return { list: { sources, observedAt: new Date(opts.clock.now()).toISOString(), ...(pm2Down ? { pm2: pm2Down } : {}) }, roots };
  }

  function current(): Promise<Built> {
    const now = opts.clock.now();
    if (cached && now >= cached.at && now - cached.at < cacheMs) return cached.value;
    const value = build();
    cached = { at: now, value };
    value.catch(() => {
      if (cached?.value === value) cached = null;
    });
    return value;
  }

  async function resolve(absPath: string): Promise<ResolvedLogFile | null> {
    const wanted = checkLogPath(absPath);
    const { list: listed, roots } = await current();
    for (const source of listed.sources) {
      const file = source.files.find((f) => f.path === wanted);
      if (!file) continue;
      // Checked again now: the name may have become a symlink since the list was made.
      let realPath: string;
      try {
        realPath = await fs.realpath(wanted);
        if (!(await fs.stat(realPath)).isFile()) return null;
      } catch {
        return null;
      }
      if (!(roots.get(source.id) ?? []).some((root) => within(realPath, root))) return null;
      return { source, file, realPath };
    }
    return null;
  }

  return {
    list: async () => (await current()).list,
    resolve,
    invalidate() {
      cached = null;
    },
  };
}
