// What the log digest has already counted, per file identity (device and inode, so a file renamed by rotation
// keeps its record), as byte ranges; and the digest's state file (DATA_DIR/snapshots/log-digest.json), written
// atomically so a restart counts every byte once.
import path from 'node:path';
import fs from 'node:fs/promises';
import { TextFile } from 'lowdb/node';
import { makePrivateFile, PRIVATE_DIR_MODE } from '../../store/private-files.js';
import type { ErrorGroupsState } from './error-groups.js';
import type { LogRatesState } from './log-rates.js';

/** [start, end) byte ranges, sorted and merged. */
export type Ranges = Array<[number, number]>;

export interface FileCoverage {
  path: string;
  ranges: Ranges;
  /** ms epoch of the last time the file was seen; records of files gone for a day are dropped. */
  seenAt: number;
}

export interface DigestSnapshot {
  version: 1;
  writtenAt: string;
  /** The oldest entry time counted (ms epoch), or null. */
  oldest: number | null;
  errors: ErrorGroupsState;
  rates: LogRatesState;
  files: Record<string, FileCoverage>;
}

// Entries exclude their final newline, so ranges of consecutive entries leave a byte or two (LF, CRLF) apart.
const JOIN_GAP = 2;

export function addRange(ranges: Ranges, start: number, end: number): Ranges {
  if (!(end > start)) return ranges;
  const all = [...ranges, [start, end] as [number, number]].sort((a, b) => a[0] - b[0]);
  const out: Ranges = [];
  for (const [s, e] of all) {
    const last = out[out.length - 1];
    if (last && s <= last[1] + JOIN_GAP) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** The parts of [start, end) not in `ranges`, each at least `minBytes` long. */
export function missingRanges(ranges: Ranges, start: number, end: number, minBytes = JOIN_GAP + 1): Ranges {
  const out: Ranges = [];
  let at = start;
  for (const [s, e] of ranges) {
    if (e <= at) continue;
    if (s >= end) break;
    if (s > at) out.push([at, Math.min(s, end)]);
    at = Math.max(at, e);
  }
  if (at < end) out.push([at, end]);
  return out.filter(([s, e]) => e - s >= minBytes);
}

export function coveredBytes(files: Record<string, FileCoverage>): number {
  let total = 0;
  for (const f of Object.values(files)) for (const [s, e] of f.ranges) total += e - s;
  return total;
}

export async function readDigestSnapshot(file: string): Promise<{ snapshot: DigestSnapshot | null; problem?: string }> {
  let data: unknown;
  try {
    const text = await new TextFile(file).read();
    data = text === null ? null : JSON.parse(text);
  } catch (err) {
    await setAside(file);
    return { snapshot: null, problem: `${file} set aside: ${(err as Error).message}` };
  }
  if (data === null) return { snapshot: null };
  const s = data as Partial<DigestSnapshot>;
  if (s.version !== 1 || typeof s.errors?.groups !== 'object' || typeof s.rates?.minutes !== 'object' || typeof s.files !== 'object' || s.files === null) {
    await setAside(file);
    return { snapshot: null, problem: `${file} set aside: not a version 1 log digest` };
  }
  return { snapshot: s as DigestSnapshot };
}

async function setAside(file: string): Promise<void> {
  const aside = `${file}.bad-${Date.now()}`;
  await fs.rename(file, aside).then(() => makePrivateFile(aside)).catch(() => undefined);
}

/** Temp file and rename (steno, under lowdb's TextFile): a crash leaves the old file or the new one. */
export async function writeDigestSnapshot(file: string, snapshot: DigestSnapshot): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
  await new TextFile(file).write(JSON.stringify(snapshot));
  // steno creates its temp file with the default mode; the directory (0700) already keeps others out.
  await makePrivateFile(file);
}
