// The JSONPath subset of json_assertions: `$`, then `.name`, `['any name']` and `[index]` steps,
// e.g. `$.checks[0].status`. One path names one value; wildcards, slices and filters are not
// part of it (an assertion compares one value). Written here rather than taken from a library:
// the full JSONPath libraries (jsonpath-plus, jsonpath, jsonpath-rfc9535) carry a filter
// language we would have to refuse anyway (jsonpath-plus had remote-code-execution advisories
// through it in 2024-2025), and the subset is a few dozen lines.
//
// Example:
//   const path = parseJsonPath('$.a.b[0].c');  // { ok: true, steps: ['a', 'b', 0, 'c'] }
//   lookUp({ a: { b: [{ c: 1 }] } }, path.steps) // { found: true, value: 1 }

export type JsonPathStep = string | number;
export type ParsedJsonPath = { ok: true; steps: JsonPathStep[] } | { ok: false; reason: string };

const NAME = /^[A-Za-z_$][A-Za-z0-9_$-]*/;
const INDEX = /^\[(\d{1,9})\]/;
const QUOTED = /^\[(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\]/;

export function parseJsonPath(path: string): ParsedJsonPath {
  if (!path.startsWith('$')) return { ok: false, reason: 'must start with $ (e.g. $.status or $.items[0].id)' };
  const steps: JsonPathStep[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    const at = path.length - rest.length;
    if (rest.startsWith('.')) {
      const name = NAME.exec(rest.slice(1))?.[0];
      if (!name) return { ok: false, reason: `expected a field name after "." at character ${at + 1} (use ['…'] for other names)` };
      steps.push(name);
      rest = rest.slice(1 + name.length);
      continue;
    }
    const index = INDEX.exec(rest);
    if (index) {
      steps.push(Number(index[1]));
      rest = rest.slice(index[0].length);
      continue;
    }
    const quoted = QUOTED.exec(rest);
    if (quoted) {
      steps.push((quoted[1] ?? quoted[2] ?? '').replace(/\\(.)/g, '$1'));
      rest = rest.slice(quoted[0].length);
      continue;
    }
    return {
      ok: false,
      reason: `unsupported syntax at character ${at}: only .name, ['name'] and [index] steps (no wildcards, slices or filters)`,
    };
  }
  return { ok: true, steps };
}

export type LookUp = { found: true; value: unknown } | { found: false; missing: string };

/** The value the steps lead to, or which step found nothing. */
export function lookUp(document: unknown, steps: readonly JsonPathStep[]): LookUp {
  let value = document;
  let walked = '$';
  for (const step of steps) {
    const next = typeof step === 'number' ? `${walked}[${step}]` : `${walked}.${step}`;
    if (typeof step === 'number') {
      if (!Array.isArray(value) || step >= value.length) return { found: false, missing: next };
      value = value[step];
    } else {
      if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, step)) {
        return { found: false, missing: next };
      }
      value = (value as Record<string, unknown>)[step];
    }
    walked = next;
  }
  return { found: true, value };
}
