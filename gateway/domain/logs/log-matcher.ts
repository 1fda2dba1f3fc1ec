// Turns a search query into a matcher plan that runs on raw bytes: Buffer.indexOf for literals (with a
// case-stable run as prefilter for case-insensitive needles), or a regex over latin1 text, where one
// character is one byte, so string indexes are byte offsets.
import { ApiError } from '../../http/api-error.js';

export interface SearchQuery {
  q: string;
  regex: boolean;
  caseSensitive: boolean;
}

/** Plain data, so it crosses into a worker thread as is. */
export type MatchPlan =
  | { kind: 'all' }
  | { kind: 'literal'; needle: string /* latin1 of the UTF-8 bytes */ }
  | { kind: 'literal-ci'; needle: string /* lower-cased ASCII */; stable: string; stableAt: number }
  | {
      kind: 'regex';
      source: string;
      flags: string;
      /** A literal every match contains (latin1), to skip text that cannot match; ci when the regex has the i flag. */
      prefilter: { needle: string; ci: boolean } | null;
      /** False for regexes built from a literal: they cannot backtrack, so they need no time limit. */
      guarded: boolean;
    };

const REGEX_SPECIALS = /[.*+?^${}()|[\]\\/]/g;
const escapeRegex = (s: string): string => s.replace(REGEX_SPECIALS, '\\$&');
const utf8Latin1 = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');
// eslint-disable-next-line no-control-regex
const isAscii = (s: string): boolean => /^[\x00-\x7f]*$/.test(s);

function hexBytes(ch: string): string {
  return [...Buffer.from(ch, 'utf8')].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
}

/** A regex source over UTF-8 text rewritten for latin1 text: non-ASCII characters become their bytes. */
export function latin1RegexSource(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (ch === '\\') {
      out += ch + (source[i + 1] ?? '');
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      out += ch; // non-ASCII inside a class is left alone: it then matches no UTF-8 text (documented limit)
      continue;
    }
    if (ch === '[') inClass = true;
    const cp = source.codePointAt(i)!;
    if (cp > 0x7f) {
      const whole = String.fromCodePoint(cp);
      out += `(?:${hexBytes(whole)})`;
      i += whole.length - 1;
      continue;
    }
    out += ch;
  }
  return out;
}

/**
 * The longest literal run every match of the regex must contain, or null. Conservative: any
 * alternation at the top level, or anything it does not understand, ends the run.
 */
export function requiredLiteral(source: string): string | null {
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === '\\') i++;
    else if (ch === '[') {
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++;
    } else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === '|' && depth === 0) return null;
  }
  let best = '';
  let run = '';
  const flush = (): void => {
    if (run.length > best.length) best = run;
    run = '';
  };
  depth = 0;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    const next = source[i + 1];
    const optional = next === '?' || next === '*' || (next === '{' && /^\{0/.test(source.slice(i + 1)));
    if (ch === '(' || ch === ')') {
      if (ch === '(') depth++;
      else depth--;
      flush();
      continue;
    }
    if (depth > 0) continue;
    if (ch === '[') {
      flush();
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++;
      continue;
    }
    let lit: string | null = null;
    if (ch === '\\') {
      const e = source[i + 1];
      i++;
      if (e !== undefined && /[.*+?^${}()|[\]\\/-]/.test(e)) lit = e;
      const after = source[i + 1];
      if (lit !== null && (after === '?' || after === '*' || after === '{')) lit = null;
    } else if (/[.^$*+?{}|]/.test(ch)) {
      lit = null;
    } else if (!optional) {
      lit = ch;
    }
    if (lit === null) {
      flush();
      continue;
    }
    run += lit;
    if (next === '+' || next === '{') flush();
  }
  flush();
  return best.length >= 3 ? best : null;
}

export function buildMatchPlan(query: SearchQuery): MatchPlan {
  const { q, regex, caseSensitive } = query;
  if (q === '') return { kind: 'all' };
  if (regex) {
    const flags = caseSensitive ? 'gm' : 'gim';
    try {
      new RegExp(q, flags);
    } catch (err) {
      throw new ApiError(400, 'invalid_regex', `The regular expression does not compile: ${err instanceof Error ? err.message : String(err)}`, { q });
    }
    let source = latin1RegexSource(q);
    try {
      new RegExp(source, flags);
    } catch {
      source = q; // the byte rewrite broke it (e.g. inside an unusual construct): run it as written
    }
    const lit = requiredLiteral(q);
    const prefilter = lit && isAscii(lit) ? { needle: caseSensitive ? lit : lit.toLowerCase(), ci: !caseSensitive } : null;
    return { kind: 'regex', source, flags, prefilter, guarded: true };
  }
  if (caseSensitive) return { kind: 'literal', needle: utf8Latin1(q) };
  if (isAscii(q)) {
    // The longest run without letters keeps its bytes in every casing: Buffer.indexOf finds it exactly.
    let stable = '';
    let stableAt = 0;
    for (const m of q.matchAll(/[^A-Za-z]+/g)) {
      if (m[0].length > stable.length) {
        stable = m[0];
        stableAt = m.index ?? 0;
      }
    }
    if (stable.length >= 2) return { kind: 'literal-ci', needle: q.toLowerCase(), stable, stableAt };
  }
  // Letters only (or non-ASCII): a regex of the literal; each non-ASCII character as either case's bytes.
  let source = '';
  for (const ch of q) {
    if (ch.codePointAt(0)! <= 0x7f) source += escapeRegex(ch);
    else {
      const forms = [...new Set([ch, ch.toLowerCase(), ch.toUpperCase()])].map(hexBytes);
      source += forms.length === 1 ? forms[0] : `(?:${forms.join('|')})`;
    }
  }
  return { kind: 'regex', source, flags: 'gim', prefilter: null, guarded: false };
}
