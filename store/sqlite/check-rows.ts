// Rebuilds a Check from its compact row, its monitor row and its context row.

import { checkIdFromBytes } from '../ids.ts';
import { DNS_RECORD_TYPES, ERROR_TYPES, HTTP_METHODS, MONITOR_TYPES, type Check } from '../types.ts';
import type { SQLInputValue, SQLOutputValue } from 'node:sqlite';
import { type Db, asInt, asIntOrNull, asOneOf, asOneOfOrNull, asText, asTextOrNull } from './db.ts';

/**
 * The columns a check is rebuilt from, in select order. Rows come back as arrays: a third cheaper
 * than objects of 32 named fields (2,500 checks of a summary, read and rebuilt: 17-19 -> 12 ms),
 * and the evaluator reads every check.
 */
const COLUMNS = {
  seq: 'c.seq',
  id: 'c.id',
  monitor_id: 'm.id',
  owner_id: 'm.owner_id',
  monitor_name: 'x.monitor_name',
  monitor_type: 'x.monitor_type',
  url: 'x.url',
  method: 'x.method',
  observer: 'x.observer',
  ts: 'c.ts',
  next_in_ms: 'c.next_in_ms',
  up: 'c.up',
  duration_us: 'c.duration_us',
  status_code: 'c.status_code',
  body_bytes: 'c.body_bytes',
  resolved_ip: 'x.resolved_ip',
  dns_us: 'c.dns_us',
  connect_us: 'c.connect_us',
  tls_us: 'c.tls_us',
  first_byte_us: 'c.first_byte_us',
  total_us: 'c.total_us',
  tls_version: 'x.tls_version',
  cert_not_after: 'x.cert_not_after',
  cert_issuer: 'x.cert_issuer',
  cert_sha256: 'x.cert_sha256',
  error_type: 'c.error_type',
  error_message: 'c.error_message',
  maintenance: 'c.maintenance',
  dns_question_name: 'x.dns_question_name',
  dns_question_type: 'x.dns_question_type',
  dns_response_code: 'x.dns_response_code',
  // json_group_array is only the query's way of bringing the answer rows along.
  dns_answers: `CASE WHEN x.dns_question_name IS NULL THEN NULL ELSE
      (SELECT json_group_array(data) FROM (SELECT data FROM check_context_answers a WHERE a.ctx = x.ctx ORDER BY position))
    END`,
} as const;

type Column = keyof typeof COLUMNS;
const AT = Object.fromEntries(Object.keys(COLUMNS).map((name, i) => [name, i])) as Record<Column, number>;

/** Select list and joins; callers add WHERE / ORDER BY on `c` (checks) and `m` (monitors). */
export const CHECK_SELECT = `
  SELECT ${Object.values(COLUMNS).join(', ')}
  FROM checks c
  JOIN monitors m ON m.mkey = c.mkey
  JOIN check_contexts x ON x.ctx = c.ctx`;

/** A row of CHECK_SELECT, read by checkRows. */
export type CheckRow = readonly SQLOutputValue[] & { readonly __checkRow: true };

/** Runs `sql` (CHECK_SELECT and its WHERE / ORDER BY) and returns its rows as arrays. */
export function checkRows(db: Db, sql: string, ...params: SQLInputValue[]): CheckRow[] {
  const statement = db.sql(sql);
  statement.setReturnArrays(true);
  return statement.all(...params) as unknown as CheckRow[];
}

const int = (row: CheckRow, column: Column) => asInt(row[AT[column]], column);
const intOrNull = (row: CheckRow, column: Column) => asIntOrNull(row[AT[column]], column);
const text = (row: CheckRow, column: Column) => asText(row[AT[column]], column);
const textOrNull = (row: CheckRow, column: Column) => asTextOrNull(row[AT[column]], column);
const oneOf = <T extends string>(row: CheckRow, column: Column, allowed: readonly T[]) => asOneOf(row[AT[column]], column, allowed);
const oneOfOrNull = <T extends string>(row: CheckRow, column: Column, allowed: readonly T[]) => asOneOfOrNull(row[AT[column]], column, allowed);

export const rowSeq = (row: CheckRow): number => int(row, 'seq');
export const rowTs = (row: CheckRow): number => int(row, 'ts');

export function toCheck(row: CheckRow): Check {
  const rawId = row[AT.id];
  const timestamp = int(row, 'ts');
  return {
    id: rawId instanceof Uint8Array ? checkIdFromBytes(rawId) : text(row, 'id'),
    monitor_id: text(row, 'monitor_id'),
    owner_id: text(row, 'owner_id'),
    monitor_name: text(row, 'monitor_name'),
    monitor_type: oneOf(row, 'monitor_type', MONITOR_TYPES),
    url: text(row, 'url'),
    method: oneOfOrNull(row, 'method', HTTP_METHODS),
    observer: text(row, 'observer'),
    timestamp,
    next_at: timestamp + int(row, 'next_in_ms'),
    status: int(row, 'up') === 1 ? 'up' : 'down',
    duration_us: int(row, 'duration_us'),
    status_code: intOrNull(row, 'status_code'),
    body_bytes: intOrNull(row, 'body_bytes'),
    resolved_ip: textOrNull(row, 'resolved_ip'),
    dns_us: intOrNull(row, 'dns_us'),
    connect_us: intOrNull(row, 'connect_us'),
    tls_us: intOrNull(row, 'tls_us'),
    first_byte_us: intOrNull(row, 'first_byte_us'),
    total_us: intOrNull(row, 'total_us'),
    tls_version: textOrNull(row, 'tls_version'),
    cert_not_after: intOrNull(row, 'cert_not_after'),
    cert_issuer: textOrNull(row, 'cert_issuer'),
    cert_sha256: textOrNull(row, 'cert_sha256'),
    error_type: oneOfOrNull(row, 'error_type', ERROR_TYPES),
    error_message: textOrNull(row, 'error_message'),
    ...dnsOf(row),
    ...(row[AT.maintenance] === 1 ? { maintenance: true as const } : {}),
  };
}

/** The dns part of a check, when its probe asked a question. */
function dnsOf(row: CheckRow): Pick<Check, 'dns'> {
  const name = textOrNull(row, 'dns_question_name');
  if (name === null) return {};
  return {
    dns: {
      question_name: name,
      question_type: oneOf(row, 'dns_question_type', DNS_RECORD_TYPES),
      answers: JSON.parse(text(row, 'dns_answers')) as string[],
      response_code: textOrNull(row, 'dns_response_code'),
    },
  };
}
