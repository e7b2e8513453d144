// checkJson builds the API's flat check without going through the ECS document, for speed; these
// cases hold it to that document (store/ecs.ts, the one mapping), flattened as the API promises:
// every key of the schema, the value at its dotted path or null.

import { describe, expect, test } from 'vitest';
import { checkToEcs } from '../../store/ecs.ts';
import { bareCheck, fullCheck } from '../../store/ecs.fixtures.ts';
import type { Check } from '../../store/types.ts';
import { CheckSchema, checkJson } from './check-json.ts';

function flattenedDocument(check: Check): Record<string, unknown> {
  const doc = checkToEcs(check);
  const json: Record<string, unknown> = {};
  for (const key of Object.keys(CheckSchema.shape)) {
    let value: unknown = doc;
    for (const step of key.split('.')) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[step] : undefined;
    json[key] = value ?? null;
  }
  // The document leaves maintenance out unless true and holds answers as [{data}]; the API
  // always answers the flag and lists the answers as strings.
  json['monitor.maintenance'] = check.maintenance === true;
  json['dns.answers.data'] = check.dns?.answers ?? null;
  return json;
}

const cases: [string, Check][] = [
  ['every field set', fullCheck()],
  ['nothing optional (a DNS failure)', bareCheck()],
  ['outside maintenance', fullCheck({ maintenance: undefined })],
  ['TLS 1.2', fullCheck({ tls_version: 'TLSv1.2' })],
  ['a TLS version ECS cannot split', fullCheck({ tls_version: 'SSLv3' })],
  ['no certificate', fullCheck({ cert_not_after: null, cert_issuer: null, cert_sha256: null })],
  ['an IPv6 target', fullCheck({ url: 'http://[2001:db8::1]:8080/health' })],
  ['a default port', fullCheck({ url: 'https://shop.example.com/' })],
  ['a tcp monitor', bareCheck({ monitor_type: 'tcp', url: 'tcp://db.example.com:5432', method: null, status: 'up', error_type: null, connect_us: 900 })],
  ['a dns monitor with a resolver', fullCheck({ monitor_type: 'dns', url: 'dns://192.0.2.53/example.com', method: null })],
  ['a dns monitor without a resolver', fullCheck({ monitor_type: 'dns', url: 'dns:example.com', method: null })],
  ['a dns answer without a response code', fullCheck({ dns: { question_name: 'example.com', question_type: 'AAAA', answers: [], response_code: null } })],
  ['a message without an error type', bareCheck({ error_type: null, error_message: 'left over' })],
  ['status code 0 and an empty body', fullCheck({ status_code: 0, body_bytes: 0 })],
];

describe('checkJson', () => {
  test.each(cases)('%s: the ECS document, flattened', (_name, check) => {
    const json = checkJson(check);
    expect(json).toEqual(flattenedDocument(check));
    expect(Object.keys(json)).toEqual(Object.keys(CheckSchema.shape));
    expect(CheckSchema.safeParse(json).success).toBe(true);
  });
});
