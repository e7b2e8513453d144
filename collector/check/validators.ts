// Small pure validators built once per monitor: which status codes count as up, whether a
// keyword occurs in a body that arrives in chunks, and the json_assertions rules (the path
// subset is check/json-path.ts). parseExpectStatus is also what the API uses to refuse a bad
// `expect_status` with a reason.
//
// Example:
//   const r = parseExpectStatus('200,204,300-302'); // r.ok && r.match(301) === true

import type { JsonAssertion, Monitor } from '../../store/types.ts';
import { lookUp, parseJsonPath } from './json-path.ts';

export type StatusMatcher = (code: number) => boolean;
export type ParsedStatus = { ok: true; match: StatusMatcher } | { ok: false; reason: string };

const CODE = /^\d{3}$/;

/** Accepts "200-399", "200,204" or a mix ("200,204,300-302"); codes 100 to 599. */
export function parseExpectStatus(spec: string): ParsedStatus {
  const ranges: Array<[number, number]> = [];
  for (const raw of spec.split(',')) {
    const item = raw.trim();
    const bounds = item.split('-').map((s) => s.trim());
    if (bounds.length > 2 || !bounds.every((b) => CODE.test(b))) {
      return { ok: false, reason: `invalid status item ${JSON.stringify(item)}: expected a code like 200 or a range like 200-399` };
    }
    const low = Number(bounds[0]);
    const high = Number(bounds[bounds.length - 1]);
    if (low < 100 || high > 599) return { ok: false, reason: `invalid status item ${JSON.stringify(item)}: codes go from 100 to 599` };
    if (low > high) return { ok: false, reason: `invalid status range ${JSON.stringify(item)}: the first code must not exceed the second` };
    ranges.push([low, high]);
  }
  return { ok: true, match: (code) => ranges.some(([low, high]) => code >= low && code <= high) };
}

export type KeywordScanner = {
  /** Feeds the next chunk of the body. */
  push(chunk: Buffer): void;
  readonly found: boolean;
};

/**
 * Case-sensitive search for `keyword` (UTF-8 bytes) across chunk boundaries, keeping only the
 * last keyword-length bytes between chunks instead of the whole body.
 */
export function createKeywordScanner(keyword: string): KeywordScanner {
  const needle = Buffer.from(keyword, 'utf8');
  const keep = needle.length - 1;
  let tail = Buffer.alloc(0);
  let found = needle.length === 0;
  return {
    push(chunk) {
      if (found) return;
      if (chunk.indexOf(needle) !== -1) {
        found = true;
        return;
      }
      if (keep === 0) return;
      // A match straddling the boundary starts in `tail` and ends in the chunk's first bytes.
      const seam = Buffer.concat([tail, chunk.subarray(0, keep)]);
      if (seam.indexOf(needle) !== -1) {
        found = true;
        return;
      }
      const joined = chunk.length >= keep ? chunk.subarray(chunk.length - keep) : Buffer.concat([tail, chunk]);
      tail = Buffer.from(joined.subarray(Math.max(0, joined.length - keep)));
    },
    get found() {
      return found;
    },
  };
}

/** One json_assertions rule, compiled: null when the document satisfies it, else why not. */
export type JsonRule = (document: unknown) => string | null;

/**
 * Compiles a rule whose path the API validated; an unparsable path (a monitor stored some other
 * way) becomes a rule that always fails, naming the path, rather than an exception.
 *
 * Example:
 *   compileJsonRule({ path: '$.status', op: '==', value: 'ok' })({ status: 'degraded' })
 *   // → '$.status: expected == "ok", got "degraded"'
 */
export function compileJsonRule(rule: JsonAssertion): JsonRule {
  const parsed = parseJsonPath(rule.path);
  if (!parsed.ok) return () => `${rule.path}: invalid path: ${parsed.reason}`;
  const expected = rule.op === 'exists' ? 'to exist' : `${rule.op} ${JSON.stringify(rule.value)}`;
  return (document) => {
    const found = lookUp(document, parsed.steps);
    if (!found.found) return `${rule.path}: expected ${expected}, but it is missing (nothing at ${found.missing})`;
    if (holds(rule, found.value)) return null;
    return `${rule.path}: expected ${expected}, got ${shown(found.value)}`;
  };
}

function holds(rule: JsonAssertion, actual: unknown): boolean {
  const { op, value } = rule;
  switch (op) {
    case 'exists':
      return true;
    case '==':
      return actual === value;
    case '!=':
      return actual !== value;
    case '<':
    case '<=':
    case '>':
    case '>=': {
      if (typeof actual !== 'number' || typeof value !== 'number') return false;
      if (op === '<') return actual < value;
      if (op === '<=') return actual <= value;
      if (op === '>') return actual > value;
      return actual >= value;
    }
    case 'contains':
      if (typeof actual === 'string') return value !== null && actual.includes(String(value));
      if (Array.isArray(actual)) return actual.some((item) => item === value);
      return false;
  }
}

/** The actual value in a message: JSON, cut short when long. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}… (${text.length} characters)` : text;
}

/** What an http probe checks after the response, built once per monitor (probes/http.ts caches it). */
export type HttpRules = {
  status: StatusMatcher;
  /** Unparsable expect_status: the reason, reported by every probe. */
  statusProblem: string | null;
  keyword: { text: string; absent: boolean } | null;
  json: JsonRule[];
  maxResponseUs: number | null;
};

export function compileHttpRules(monitor: Pick<Monitor, 'expect_status' | 'keyword' | 'keyword_absent' | 'json_assertions' | 'max_response_ms'>): HttpRules {
  const status = parseExpectStatus(monitor.expect_status);
  return {
    status: status.ok ? status.match : () => false,
    statusProblem: status.ok ? null : status.reason,
    keyword: monitor.keyword ? { text: monitor.keyword, absent: monitor.keyword_absent } : null,
    json: monitor.json_assertions.map(compileJsonRule),
    maxResponseUs: monitor.max_response_ms === null ? null : monitor.max_response_ms * 1000,
  };
}
