// The JSON limits (gateway/json-limits.ts): depth measured without recursion, the path of the first level that
// is too deep, byte budgets, and why they exist (a deep value breaks structuredClone and JSON.stringify).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkJsonLimits, pathTooDeep, tooDeep, MAX_JSON_DEPTH, MAX_DOCUMENT_DEPTH } from '../../gateway/json-limits.js';
import { nested, nestedText } from '../support/deep-json.js';

test('a value 200,000 levels deep is measured without a stack overflow (structuredClone of it throws)', () => {
  const deep = JSON.parse(nestedText(200_000)) as unknown;
  assert.throws(() => structuredClone(deep), /call stack/);
  assert.ok(tooDeep(deep));
  assert.is(pathTooDeep(deep, MAX_DOCUMENT_DEPTH)!.length, MAX_DOCUMENT_DEPTH);
});

test('exactly MAX_JSON_DEPTH levels pass, one more is json_too_deep naming the shortened path', () => {
  assert.is(checkJsonLimits(nested(MAX_JSON_DEPTH), 'params'), null);
  const p = checkJsonLimits(nested(MAX_JSON_DEPTH + 1), 'params');
  assert.equal(p, { code: 'json_too_deep', field: 'params.a.a.a.a.a.a.a.a.…', problem: `nests deeper than ${MAX_JSON_DEPTH} levels` });
});

test('arrays count as levels and the path names their indexes', () => {
  const value = { list: [0, [1, [2, [3]]]] };
  assert.is(pathTooDeep(value, 5), null);
  assert.equal(pathTooDeep(value, 4), ['list', '1', '1', '1']);
  assert.is(checkJsonLimits(value, '(body)', { maxDepth: 4 })!.field, 'list.1.1.1');
});

test('scalars and empty containers: a scalar is depth 0, {} and [] are depth 1', () => {
  assert.is(pathTooDeep('text', 0), null);
  assert.equal(pathTooDeep({}, 0), []);
  assert.is(pathTooDeep([], 1), null);
  assert.is(checkJsonLimits(null, 'x', { maxBytes: 4 }), null); // "null"
  assert.is(checkJsonLimits(null, 'x', { maxBytes: 3 })!.code, 'field_too_large');
});

test('a byte budget counts UTF-8 bytes of the JSON text: field_too_large with the size', () => {
  assert.is(checkJsonLimits({ s: 'é'.repeat(10) }, 'params', { maxBytes: 28 }), null); // {"s":"…"} = 8 + 20 bytes
  const p = checkJsonLimits({ s: 'é'.repeat(10) }, 'params', { maxBytes: 27 });
  assert.equal(p, { code: 'field_too_large', field: 'params', problem: 'is 28 bytes as JSON; at most 27 are allowed' });
});

test('a wide but shallow value is within the depth limit', () => {
  const wide = { items: Array.from({ length: 50_000 }, (_, i) => ({ i, tags: ['x'] })) };
  assert.is(pathTooDeep(wide, 4), null);
  assert.equal(pathTooDeep(wide, 3), ['items', '0', 'tags']);
});

test.run();
