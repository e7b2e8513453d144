// Reading and writing a monitor's rows: the monitors table plus its child tables (headers, in
// the order given, tags, and JSON assertions), so that no handler ever parses a blob.

import {
  DNS_RECORD_TYPES,
  HTTP_METHODS,
  JSON_ASSERTION_OPS,
  MONITOR_TYPES,
  type JsonAssertion,
  type JsonScalar,
  type Monitor,
  type MonitorInput,
} from '../types.ts';
import { type Db, type Row, int, intOrNull, oneOf, text, textOrNull } from './db.ts';

/** Every column a caller sets, in the order of settableValues. */
const SETTABLE_COLUMNS = [
  'name', 'type', 'url', 'method', 'body', 'interval_seconds', 'timeout_ms', 'expect_status', 'keyword', 'keyword_absent',
  'max_response_ms', 'dns_name', 'dns_record_type', 'dns_resolver', 'dns_expect', 'confirm_failures', 'confirm_recoveries',
  'remind_every_minutes', 'paused', 'timezone', 'public', 'managed_by_file', 'grace_seconds', 'push_token_hash',
] as const;
/** Every column written at creation, in the order of the VALUES list. */
export const INSERT_COLUMNS = `id, owner_id, ${SETTABLE_COLUMNS.join(', ')}, created_at, updated_at`;
export const INSERT_PLACEHOLDERS = Array.from({ length: SETTABLE_COLUMNS.length + 4 }, () => '?').join(', ');
/** `name = ?, type = ?, …` for an UPDATE taking settableValues. */
export const UPDATE_ASSIGNMENTS = SETTABLE_COLUMNS.map((column) => `${column} = ?`).join(', ');
export const MONITOR_COLUMNS = `mkey, ${INSERT_COLUMNS}`;

/** Column values in the order of INSERT_COLUMNS after id and owner_id. */
export function settableValues(input: MonitorInput): Array<string | number | null> {
  return [
    input.name,
    input.type,
    input.url,
    input.method,
    input.body,
    input.interval_seconds,
    input.timeout_ms,
    input.expect_status,
    input.keyword,
    input.keyword_absent ? 1 : 0,
    input.max_response_ms,
    input.dns?.name ?? null,
    input.dns?.record_type ?? null,
    input.dns?.resolver ?? null,
    input.dns?.expect ?? null,
    input.confirm_failures,
    input.confirm_recoveries,
    input.remind_every_minutes,
    input.paused ? 1 : 0,
    input.timezone,
    input.public ? 1 : 0,
    input.managed_by_file ? 1 : 0,
    input.grace_seconds,
    input.push_token_hash ?? null,
  ];
}

export function writeChildren(db: Db, mkey: number, input: Pick<MonitorInput, 'headers' | 'tags' | 'json_assertions' | 'tls_expiry_days'>): void {
  deleteChildren(db, mkey);
  const header = db.sql('INSERT INTO monitor_headers (mkey, position, name, value) VALUES (?, ?, ?, ?)');
  Object.entries(input.headers).forEach(([name, value], position) => header.run(mkey, position, name, value));
  const tag = db.sql('INSERT INTO monitor_tags (mkey, position, tag) VALUES (?, ?, ?)');
  input.tags.forEach((value, position) => tag.run(mkey, position, value));
  const assertion = db.sql('INSERT INTO monitor_json_assertions (mkey, position, path, op, value_kind, value) VALUES (?, ?, ?, ?, ?, ?)');
  input.json_assertions.forEach((rule, position) => assertion.run(mkey, position, rule.path, rule.op, ...encodeScalar(rule.value)));
  const threshold = db.sql('INSERT INTO monitor_tls_expiry_days (mkey, position, days) VALUES (?, ?, ?)');
  input.tls_expiry_days.forEach((days, position) => threshold.run(mkey, position, days));
}

export function deleteChildren(db: Db, mkey: number): void {
  db.sql('DELETE FROM monitor_headers WHERE mkey = ?').run(mkey);
  db.sql('DELETE FROM monitor_tags WHERE mkey = ?').run(mkey);
  db.sql('DELETE FROM monitor_json_assertions WHERE mkey = ?').run(mkey);
  db.sql('DELETE FROM monitor_tls_expiry_days WHERE mkey = ?').run(mkey);
}

type ScalarKind = 'string' | 'number' | 'boolean' | 'null';

function encodeScalar(value: JsonScalar): [ScalarKind, string | null] {
  if (value === null) return ['null', null];
  if (typeof value === 'number') return ['number', String(value)];
  if (typeof value === 'boolean') return ['boolean', value ? 'true' : 'false'];
  return ['string', value];
}

function decodeScalar(row: Row): JsonScalar {
  const kind = oneOf(row, 'value_kind', ['string', 'number', 'boolean', 'null'] as const);
  if (kind === 'null') return null;
  const value = text(row, 'value');
  if (kind === 'number') return Number(value);
  if (kind === 'boolean') return value === 'true';
  return value;
}

/** Builds monitors from their rows, loading every child row in one query per child table. */
export function toMonitors(db: Db, rows: Row[]): Monitor[] {
  if (rows.length === 0) return [];
  const keys = rows.map((row) => int(row, 'mkey'));
  // The keys travel as one JSON array parameter: no limit on the number of placeholders.
  const keyList = JSON.stringify(keys);
  const headers = new Map<number, Record<string, string>>();
  const headerRows = db
    .sql('SELECT mkey, name, value FROM monitor_headers WHERE mkey IN (SELECT value FROM json_each(?)) ORDER BY mkey, position')
    .iterate(keyList);
  for (const row of headerRows) {
    const mkey = int(row, 'mkey');
    const record = headers.get(mkey) ?? {};
    record[text(row, 'name')] = text(row, 'value');
    headers.set(mkey, record);
  }
  const tags = new Map<number, string[]>();
  const tagRows = db
    .sql('SELECT mkey, tag FROM monitor_tags WHERE mkey IN (SELECT value FROM json_each(?)) ORDER BY mkey, position')
    .iterate(keyList);
  for (const row of tagRows) {
    const mkey = int(row, 'mkey');
    tags.set(mkey, [...(tags.get(mkey) ?? []), text(row, 'tag')]);
  }
  const assertions = new Map<number, JsonAssertion[]>();
  const assertionRows = db
    .sql('SELECT mkey, path, op, value_kind, value FROM monitor_json_assertions WHERE mkey IN (SELECT value FROM json_each(?)) ORDER BY mkey, position')
    .iterate(keyList);
  for (const row of assertionRows) {
    const mkey = int(row, 'mkey');
    const rule: JsonAssertion = { path: text(row, 'path'), op: oneOf(row, 'op', JSON_ASSERTION_OPS), value: decodeScalar(row) };
    assertions.set(mkey, [...(assertions.get(mkey) ?? []), rule]);
  }
  const thresholds = new Map<number, number[]>();
  const thresholdRows = db
    .sql('SELECT mkey, days FROM monitor_tls_expiry_days WHERE mkey IN (SELECT value FROM json_each(?)) ORDER BY mkey, position')
    .iterate(keyList);
  for (const row of thresholdRows) {
    const mkey = int(row, 'mkey');
    thresholds.set(mkey, [...(thresholds.get(mkey) ?? []), int(row, 'days')]);
  }
  return rows.map((row) => {
    const mkey = int(row, 'mkey');
    const dnsName = textOrNull(row, 'dns_name');
    return {
      id: text(row, 'id'),
      owner_id: text(row, 'owner_id'),
      name: text(row, 'name'),
      type: oneOf(row, 'type', MONITOR_TYPES),
      url: text(row, 'url'),
      method: oneOf(row, 'method', HTTP_METHODS),
      body: textOrNull(row, 'body'),
      interval_seconds: int(row, 'interval_seconds'),
      timeout_ms: int(row, 'timeout_ms'),
      expect_status: text(row, 'expect_status'),
      keyword: textOrNull(row, 'keyword'),
      keyword_absent: int(row, 'keyword_absent') === 1,
      json_assertions: assertions.get(mkey) ?? [],
      max_response_ms: intOrNull(row, 'max_response_ms'),
      headers: headers.get(mkey) ?? {},
      dns:
        dnsName === null
          ? null
          : {
              name: dnsName,
              record_type: oneOf(row, 'dns_record_type', DNS_RECORD_TYPES),
              resolver: textOrNull(row, 'dns_resolver'),
              expect: textOrNull(row, 'dns_expect'),
            },
      tls_expiry_days: thresholds.get(mkey) ?? [],
      confirm_failures: int(row, 'confirm_failures'),
      confirm_recoveries: int(row, 'confirm_recoveries'),
      remind_every_minutes: int(row, 'remind_every_minutes'),
      paused: int(row, 'paused') === 1,
      tags: tags.get(mkey) ?? [],
      timezone: textOrNull(row, 'timezone'),
      public: int(row, 'public') === 1,
      managed_by_file: int(row, 'managed_by_file') === 1,
      grace_seconds: int(row, 'grace_seconds'),
      push_token_hash: textOrNull(row, 'push_token_hash'),
      created_at: int(row, 'created_at'),
      updated_at: int(row, 'updated_at'),
    };
  });
}
