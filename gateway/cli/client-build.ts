// Builds the client (dist/public) when it is missing or older than its sources; used by `npm start`
// and the end-to-end tests.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

function newestMtime(dir: string): number {
  let newest = 0;
  if (!fs.existsSync(dir)) return newest;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

export function clientBuildIsStale(root: string): boolean {
  const marker = path.join(root, 'dist/public/build-info.json');
  const built = fs.existsSync(marker) ? fs.statSync(marker).mtimeMs : 0;
  return Math.max(newestMtime(path.join(root, 'client')), newestMtime(path.join(root, 'sw'))) > built;
}

/** Returns false when the build failed (its output went to the console). */
export function ensureClientBuilt(root: string): boolean {
  if (!clientBuildIsStale(root)) return true;
  console.log('Building the client…');
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'client/build.ts')], { stdio: 'inherit', cwd: root });
  return r.status === 0;
}
