import { describe, expect, it } from 'vitest';
import { lookUp, parseJsonPath } from './json-path.ts';
import { compileJsonRule } from './validators.ts';
import type { JsonAssertion } from '../../store/types.ts';

describe('parseJsonPath', () => {
  it.each([
    ['$', []],
    ['$.status', ['status']],
    ['$.a.b[0].c', ['a', 'b', 0, 'c']],
    ["$['odd key'][\"x.y\"][12]", ['odd key', 'x.y', 12]],
    ['$.$ref.my-field', ['$ref', 'my-field']],
    ["$['it\\'s']", ["it's"]],
  ])('reads %s', (path, steps) => {
    expect(parseJsonPath(path)).toEqual({ ok: true, steps });
  });

  it.each([
    ['status', /must start with \$/],
    ['$..status', /expected a field name after "\." at character 2/],
    ['$.items[*]', /unsupported syntax at character 7/],
    ['$.items[?(@.a)]', /no wildcards, slices or filters/],
    ['$.items[-1]', /unsupported syntax/],
    ['$.a b', /unsupported syntax at character 3/],
  ])('refuses %s, saying where', (path, reason) => {
    const parsed = parseJsonPath(path);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.reason).toMatch(reason);
  });
});

describe('lookUp', () => {
  const doc = { a: { b: [{ c: 1 }, { c: null }] }, list: [] };
  it('finds nested values and array items, null included', () => {
    expect(lookUp(doc, ['a', 'b', 0, 'c'])).toEqual({ found: true, value: 1 });
    expect(lookUp(doc, ['a', 'b', 1, 'c'])).toEqual({ found: true, value: null });
  });
  it('names the first step that finds nothing', () => {
    expect(lookUp(doc, ['a', 'b', 5, 'c'])).toEqual({ found: false, missing: '$.a.b[5]' });
    expect(lookUp(doc, ['a', 'x', 'y'])).toEqual({ found: false, missing: '$.a.x' });
    expect(lookUp(doc, ['a', 0])).toEqual({ found: false, missing: '$.a[0]' });
    expect(lookUp(doc, ['list', 'length'])).toEqual({ found: false, missing: '$.list.length' });
  });
});

describe('compileJsonRule', () => {
  const doc = { status: 'degraded', version: '2.4.1', latency: 120, ok: true, tags: ['eu', 'prod'], items: [{ id: 7 }], nothing: null };
  const rule = (path: string, op: JsonAssertion['op'], value: JsonAssertion['value'] = null) => compileJsonRule({ path, op, value })(doc);

  it.each([
    ['$.status', '!=', 'ok'],
    ['$.version', 'contains', '2.4'],
    ['$.tags', 'contains', 'prod'],
    ['$.latency', '<', 500],
    ['$.latency', '<=', 120],
    ['$.latency', '>', 100],
    ['$.latency', '>=', 120],
    ['$.ok', '==', true],
    ['$.items[0].id', '==', 7],
    ['$.nothing', '==', null],
    ['$.nothing', 'exists', null],
  ] as const)('holds: %s %s %j', (path, op, value) => {
    expect(rule(path, op, value)).toBeNull();
  });

  it.each([
    ['$.status', '==', 'ok', '$.status: expected == "ok", got "degraded"'],
    ['$.items[0].id', '==', '7', '$.items[0].id: expected == "7", got 7'],
    ['$.latency', '<', 100, '$.latency: expected < 100, got 120'],
    ['$.status', '>', 1, '$.status: expected > 1, got "degraded"'],
    ['$.tags', 'contains', 'us', '$.tags: expected contains "us", got ["eu","prod"]'],
    ['$.items[3].id', 'exists', null, '$.items[3].id: expected to exist, but it is missing (nothing at $.items[3])'],
    ['$.missing.deep', '==', 1, '$.missing.deep: expected == 1, but it is missing (nothing at $.missing)'],
  ] as const)('fails: %s %s %j', (path, op, value, message) => {
    expect(rule(path, op, value)).toBe(message);
  });
});
