// Rebuilds a Check from its compact row, its monitor row and its context row.

import { checkIdFromBytes } from '../ids.ts';
import { DNS_RECORD_TYPES, ERROR_TYPES, HTTP_METHODS, MONITOR_TYPES, type Check } from '../types.ts';
import { type Row, int, intOrNull, oneOf, oneOfOrNull, text, textOrNull } from './db.ts';

/** Select list and joins; callers add WHERE / ORDER BY on `c` (checks) and `m` (monitors). */
export const CHECK_SELECT = `
  SELECT c.seq, c.id, m.id AS monitor_id, m.owner_id, x.monitor_name, x.monitor_type, x.url, x.method, x.observer, c.ts,
    c.next_in_ms, c.up, c.duration_us, c.status_code, c.body_bytes, x.resolved_ip, c.dns_us, c.connect_us,
    c.tls_us, c.first_byte_us, c.total_us, x.tls_version, x.cert_not_after, x.cert_issuer, x.cert_sha256, c.error_type,
    c.error_message, c.maintenance, x.dns_question_name, x.dns_question_type, x.dns_response_code,
    CASE WHEN x.dns_question_name IS NULL THEN NULL ELSE
      (SELECT json_group_array(data) FROM (SELECT data FROM check_context_answers a WHERE a.ctx = x.ctx ORDER BY position))
    END AS dns_answers
  FROM checks c
  JOIN monitors m ON m.mkey = c.mkey
  JOIN check_contexts x ON x.ctx = c.ctx`;

export function toCheck(row: Row): Check {
  const rawId = row.id;
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
    ...(row.maintenance === 1 ? { maintenance: true as const } : {}),
  };
}

/** The dns part of a check, when its probe asked a question. */
function dnsOf(row: Row): Pick<Check, 'dns'> {
  const name = textOrNull(row, 'dns_question_name');
  if (name === null) return {};
  return {
    dns: {
      question_name: name,
      question_type: oneOf(row, 'dns_question_type', DNS_RECORD_TYPES),
      // json_group_array is only the query's way of bringing the answer rows along.
      answers: JSON.parse(text(row, 'dns_answers')) as string[],
      response_code: textOrNull(row, 'dns_response_code'),
    },
  };
}
