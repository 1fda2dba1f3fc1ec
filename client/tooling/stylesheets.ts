// The page's stylesheets (Shoelace's light and dark themes, then the app's own) joined into one hashed file:
// one request instead of three, and brotli compresses the two themes together far better than apart.
import { readFile } from 'node:fs/promises';
import { writeHashed } from './hashed-copy.js';

export interface Stylesheet { /** How client/index.html links it. */ href: string; file: string }

/** Joins the files in order (the cascade is unchanged); refuses any that a move would break (url(), @import). */
export async function writeJoinedStylesheet(sheets: readonly Stylesheet[], outDir: string): Promise<string> {
  const parts: string[] = [];
  for (const s of sheets) {
    const css = await readFile(s.file, 'utf8');
    if (/@import|@charset|url\(/i.test(css)) throw new Error(`${s.file} has url(), @import or @charset: it cannot be joined with the others`);
    parts.push(`/* ${s.href} */\n${css.trim()}\n`);
  }
  return writeHashed(parts.join('\n'), outDir, '', 'styles.css');
}

/** Replaces the template's links to `sheets` with one link to `joined`, where the first of them was. */
export function linkJoinedStylesheet(html: string, sheets: readonly Stylesheet[], joined: string): string {
  let out = html;
  sheets.forEach((s, i) => {
    const link = new RegExp(`[ \\t]*<link rel="stylesheet" href="${s.href.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}">\\n?`);
    if (!link.test(out)) throw new Error(`client/index.html no longer links ${s.href}`);
    out = out.replace(link, (found) => (i === 0 ? found.replace(s.href, joined) : ''));
  });
  return out;
}
