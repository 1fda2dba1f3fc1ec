// Writes a file under a name that carries a hash of its content ("styles.css" → "styles-1A2B3C4D.css"),
// so it can be cached for a year: a new version is a new URL.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Eight characters of [0-9A-Z], like esbuild's own [hash] (one pattern recognises every hashed file). */
export function contentHash(content: Buffer | string): string {
  return createHash('sha256').update(content).digest('hex').slice(0, 8).toUpperCase();
}

/** Writes `content` into `outDir`/`folder` under a hashed `baseName`; returns its URL path ("/styles-…css"). */
export async function writeHashed(content: Buffer | string, outDir: string, folder: string, baseName: string): Promise<string> {
  const ext = path.extname(baseName);
  const name = `${baseName.slice(0, -ext.length)}-${contentHash(content)}${ext}`;
  await mkdir(path.join(outDir, folder), { recursive: true });
  await writeFile(path.join(outDir, folder, name), content);
  return `/${path.posix.join(folder, name)}`;
}
