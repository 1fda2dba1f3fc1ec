// The page's stylesheets joined into hashed files: the base sheet (Shoelace's light theme, then the app's own),
// one request instead of two, and Shoelace's dark theme on its own, which index.html links with a media query so
// that it blocks rendering only where it applies.
import { readFile } from 'node:fs/promises';
import { writeHashed } from './hashed-copy.js';

export interface Stylesheet { /** How client/index.html links it. */ href: string; file: string }

/** Joins the files in order (the cascade is unchanged); refuses any that a move would break (url(), @import). */
export async function writeJoinedStylesheet(sheets: readonly Stylesheet[], outDir: string, baseName = 'styles.css'): Promise<string> {
  const parts: string[] = [];
  for (const s of sheets) {
    const css = await readFile(s.file, 'utf8');
    if (/@import|@charset|url\(/i.test(css)) throw new Error(`${s.file} has url(), @import or @charset: it cannot be joined with the others`);
    parts.push(`/* ${s.href} */\n${css.trim()}\n`);
  }
  return writeHashed(parts.join('\n'), outDir, '', baseName);
}

/**
 * Replaces the template's links to `sheets` with one link to `joined`, where the first of them was; the first
 * link's other attributes (media, data-*) are kept.
 */
export function linkJoinedStylesheet(html: string, sheets: readonly Stylesheet[], joined: string): string {
  let out = html;
  sheets.forEach((s, i) => {
    const link = new RegExp(`[ \\t]*<link rel="stylesheet" href="${s.href.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"[^>]*>\\n?`);
    if (!link.test(out)) throw new Error(`client/index.html no longer links ${s.href}`);
    out = out.replace(link, (found) => (i === 0 ? found.replace(s.href, joined) : ''));
  });
  return out;
}
