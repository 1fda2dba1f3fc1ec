// Deeply nested JSON values for the JSON-limit tests, built without recursion.

/** `{"a": {"a": … leaf …}}` with `levels` objects (its depth); 0 levels is the leaf itself. */
export function nested(levels: number, leaf: unknown = 1, key = 'a'): unknown {
  let value: unknown = leaf;
  for (let i = 0; i < levels; i++) value = { [key]: value };
  return value;
}

/** The JSON text of `nested(levels)`, built as text (JSON.stringify recurses and fails past a few thousand levels). */
export function nestedText(levels: number, leaf = '1', key = 'a'): string {
  return `{"${key}":`.repeat(levels) + leaf + '}'.repeat(levels);
}
