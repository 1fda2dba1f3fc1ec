// Everything under DATA_DIR is for the gateway's user only: files 0600, directories 0700, whatever the
// umask. New files get the mode when they are created; what an older version, a copy or a restore left
// looser is tightened once when the data directory is opened.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** mkdir -p with 0700 for what it creates, and 0700 for `dir` itself even when it existed. */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  fs.chmodSync(dir, PRIVATE_DIR_MODE);
}

export async function ensurePrivateDirAsync(dir: string): Promise<void> {
  await fsp.mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  await fsp.chmod(dir, PRIVATE_DIR_MODE);
}

/** Sets 0600 on a file that exists (a rename keeps the old mode; some writers know no mode option). */
export async function makePrivateFile(file: string): Promise<void> {
  await fsp.chmod(file, PRIVATE_FILE_MODE).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}

/**
 * Tightens `root` and everything below it: a directory or regular file that group or others may use
 * becomes 0700 or 0600 (stricter ones are left alone). Symlinks are neither followed nor changed.
 * Returns how many entries were changed.
 */
export function tightenTree(root: string): number {
  let changed = 0;
  const visit = (p: string, st: fs.Stats) => {
    const wanted = st.isDirectory() ? PRIVATE_DIR_MODE : st.isFile() ? PRIVATE_FILE_MODE : null;
    if (wanted === null) return;
    if ((st.mode & 0o077) !== 0) {
      fs.chmodSync(p, wanted);
      changed += 1;
    }
    if (!st.isDirectory()) return;
    for (const name of fs.readdirSync(p)) {
      const child = path.join(p, name);
      let cst: fs.Stats;
      try {
        cst = fs.lstatSync(child);
      } catch {
        continue; // removed meanwhile
      }
      visit(child, cst);
    }
  };
  visit(root, fs.lstatSync(root));
  return changed;
}
