// Bounds on JSON from outside: how deep a value nests and how many bytes a free-form field takes. The walk is
// iterative, because JSON.stringify, structuredClone and a worker's postMessage all recurse: a value nested a
// few thousand levels deep overflows their stack (a worker's result then never arrives and its task times out).
// No imports, so every layer, the worker tasks and the webhook module (webhook/) can use it.

/** Deepest a free-form field (trigger params, a webhook event) may nest, counted from the field itself. */
export const MAX_JSON_DEPTH = 32;
/** Deepest a whole document may nest (a request body, a stdout line, a journal line): envelope plus field. */
export const MAX_DOCUMENT_DEPTH = 64;

export type JsonLimitCode = 'json_too_deep' | 'field_too_large';

export interface JsonLimitProblem {
  code: JsonLimitCode;
  /** Where: the field's name, or for depth the path down to the level that is one too deep (shortened). */
  field: string;
  problem: string;
}

export interface JsonLimits {
  maxDepth?: number;
  /** Bytes of the value as JSON (UTF-8); unchecked when absent. */
  maxBytes?: number;
}

interface Frame {
  value: unknown;
  depth: number;
  key: string;
  parent: Frame | null;
}

const SHOWN_SEGMENTS = 8;

function pathOf(frame: Frame): string[] {
  const keys: string[] = [];
  for (let f: Frame | null = frame; f && f.parent; f = f.parent) keys.push(f.key);
  return keys.reverse();
}

/**
 * The nesting depth of a JSON-like value (a scalar is 0, `{}` or `[]` is 1) compared with `maxDepth`: the path of
 * the first container deeper than that, or null when the value stays within it. Stops at the first such
 * container, so a cyclic or enormous value costs no more than the limit allows.
 */
export function pathTooDeep(value: unknown, maxDepth: number): string[] | null {
  if (!tooDeep(value, maxDepth)) return null;
  const stack: Frame[] = [{ value, depth: 1, key: '', parent: null }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.depth > maxDepth) return pathOf(frame);
    const v = frame.value;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) {
        const child: unknown = v[i];
        if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: frame.depth + 1, key: String(i), parent: frame });
      }
    } else {
      const keys = Object.keys(v as object);
      for (let i = keys.length - 1; i >= 0; i--) {
        const child = (v as Record<string, unknown>)[keys[i]!];
        if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: frame.depth + 1, key: keys[i]!, parent: frame });
      }
    }
  }
  return null;
}

/** True when the value nests deeper than `maxDepth`. The hot path (every journal line a replay reads): no
 *  path bookkeeping, no key arrays. */
export function tooDeep(value: unknown, maxDepth = MAX_DOCUMENT_DEPTH): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const values: object[] = [value];
  const depths: number[] = [1];
  while (values.length > 0) {
    const v = values.pop()!;
    const depth = depths.pop()!;
    if (depth > maxDepth) return true;
    if (Array.isArray(v)) {
      for (const child of v) {
        if (typeof child === 'object' && child !== null) {
          values.push(child);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const key in v) {
        const child: unknown = (v as Record<string, unknown>)[key];
        if (typeof child === 'object' && child !== null) {
          values.push(child);
          depths.push(depth + 1);
        }
      }
    }
  }
  return false;
}

function joinField(field: string, path: string[]): string {
  const shown = path.slice(0, SHOWN_SEGMENTS);
  const tail = path.length > SHOWN_SEGMENTS ? '.…' : '';
  const inner = shown.join('.') + tail;
  if (field === '' || field === '(body)') return inner || field || '(value)';
  return inner ? `${field}.${inner}` : field;
}

/** Checks one value against its limits; `field` names it in the problem (e.g. "events.0.trigger.params"). */
export function checkJsonLimits(value: unknown, field: string, limits: JsonLimits = {}): JsonLimitProblem | null {
  const maxDepth = limits.maxDepth ?? MAX_JSON_DEPTH;
  const deepAt = pathTooDeep(value, maxDepth);
  if (deepAt) {
    return { code: 'json_too_deep', field: joinField(field, deepAt), problem: `nests deeper than ${maxDepth} levels` };
  }
  if (limits.maxBytes !== undefined) {
    // Safe to serialise now: the depth is bounded.
    const text = JSON.stringify(value);
    const bytes = text === undefined ? 0 : Buffer.byteLength(text, 'utf8');
    if (bytes > limits.maxBytes) {
      return { code: 'field_too_large', field: field || '(value)', problem: `is ${bytes} bytes as JSON; at most ${limits.maxBytes} are allowed` };
    }
  }
  return null;
}

/** One line for a log or a per-item refusal: "events.0.trigger.params.a.a.… nests deeper than 32 levels". */
export function describeJsonProblem(p: JsonLimitProblem): string {
  return `${p.field} ${p.problem}`;
}
