// Test helper: checks a document against a mapping the way a strict Elasticsearch mapping would,
// statically. Returns one line per problem (missing field, or a value the field's type refuses).
// Also used by the Kibana saved-object tests to resolve a field name to its mapped type.

import { isIP } from 'node:net';
import type { estypes } from '@elastic/elasticsearch';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** The mapped type of a dotted field name, including `.text` multi-fields; undefined if unmapped. */
export function fieldType(mappings: estypes.MappingTypeMapping, field: string): string | undefined {
  let properties = mappings.properties;
  const parts = field.split('.');
  for (let i = 0; i < parts.length; i++) {
    const property = properties?.[parts[i] as string];
    if (!property) return undefined;
    if (i === parts.length - 1) return property.type ?? 'object';
    if ('properties' in property && property.properties) {
      properties = property.properties;
    } else if ('fields' in property && property.fields && i === parts.length - 2) {
      return property.fields[parts[i + 1] as string]?.type;
    } else {
      return undefined;
    }
  }
  return undefined;
}

/** Every mapped leaf field (multi-fields excluded), as dotted names. */
export function mappedLeaves(properties: Record<string, estypes.MappingProperty>, prefix = ''): string[] {
  return Object.entries(properties).flatMap(([name, property]) => {
    const path = prefix ? `${prefix}.${name}` : name;
    return 'properties' in property && property.properties ? mappedLeaves(property.properties, path) : [path];
  });
}

function valueProblem(type: string, value: unknown): string | null {
  switch (type) {
    case 'keyword':
    case 'text':
    case 'match_only_text':
      return typeof value === 'string' ? null : 'expected a string';
    case 'long':
      return Number.isSafeInteger(value) ? null : 'expected a whole number';
    case 'date':
      return typeof value === 'string' && ISO.test(value) ? null : 'expected an ISO 8601 UTC time';
    case 'ip':
      return typeof value === 'string' && isIP(value) !== 0 ? null : 'expected an IP address';
    case 'boolean':
      return typeof value === 'boolean' ? null : 'expected a boolean';
    case 'date_range': {
      const range = value as { gte?: unknown; lt?: unknown };
      return typeof range === 'object' && range !== null && ISO.test(String(range.gte)) && ISO.test(String(range.lt))
        ? null
        : 'expected {gte, lt} ISO times';
    }
    default:
      return `unexpected mapping type ${type}`;
  }
}

/** Walks `doc`; returns the dotted leaf paths it set and the problems found. */
export function checkAgainstMapping(
  mappings: estypes.MappingTypeMapping,
  doc: Record<string, unknown>,
): { paths: string[]; problems: string[] } {
  const paths: string[] = [];
  const problems: string[] = [];
  const walk = (value: unknown, path: string) => {
    // An array is several values of one field, objects included (dns.answers), as Elasticsearch reads it.
    if (Array.isArray(value)) {
      for (const item of value) walk(item, path);
      return;
    }
    const type = fieldType(mappings, path);
    if (type === undefined) {
      problems.push(`${path}: not in the mapping (dynamic: strict would refuse the document)`);
      return;
    }
    if (type === 'object' && typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) walk(child, `${path}.${key}`);
      return;
    }
    paths.push(path);
    const problem = valueProblem(type, value);
    if (problem) problems.push(`${path} (${type}) = ${JSON.stringify(value)}: ${problem}`);
  };
  for (const [key, value] of Object.entries(doc)) walk(value, key);
  return { paths, problems };
}
