// What a probe reads of a monitor. The fleet feed (fleet-feed.ts) sends only these fields to the
// probe lanes, which keep one per monitor of their share for as long as it is scheduled: at 50,000
// monitors the fields only alerting, the API or the status page read (contacts' thresholds,
// reminders, tags, time stamps, the push token's hash…) were ~15 MB of a probe thread's heap and
// a third of what each fleet change copied across threads. A change to one of those fields is
// also no longer a change for the probes.

import type { Interner } from '../store/interner.ts';
import type { Monitor } from '../store/types.ts';

export type ProbedMonitor = Pick<
  Monitor,
  | 'id'
  | 'owner_id'
  | 'name'
  | 'type'
  | 'url'
  | 'method'
  | 'body'
  | 'interval_seconds'
  | 'timeout_ms'
  | 'expect_status'
  | 'keyword'
  | 'keyword_absent'
  | 'json_assertions'
  | 'max_response_ms'
  | 'headers'
  | 'dns'
>;

const asIs = <T extends string>(value: T): T => value;

/** Most monitors send no headers of their own: one empty object for all of them (2.8 MB at 50,000). */
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * `shared`, when given, shares the fields a fleet repeats between monitors (store/interner.ts): the
 * probe thread rebuilds each monitor it receives with one, since the structured clone that brought
 * them made 50,000 copies of "GET", "http", "200-399" and the owners' ids (~4 MB at 50,000).
 */
export function probedMonitor(monitor: ProbedMonitor, shared?: Interner): ProbedMonitor {
  const same = shared ? shared.text : asIs;
  return {
    id: monitor.id,
    owner_id: same(monitor.owner_id),
    name: monitor.name,
    type: same(monitor.type),
    url: monitor.url,
    method: same(monitor.method),
    body: monitor.body,
    interval_seconds: monitor.interval_seconds,
    timeout_ms: monitor.timeout_ms,
    expect_status: same(monitor.expect_status),
    keyword: monitor.keyword,
    keyword_absent: monitor.keyword_absent,
    json_assertions: monitor.json_assertions,
    max_response_ms: monitor.max_response_ms,
    headers: Object.keys(monitor.headers).length === 0 ? NO_HEADERS : monitor.headers,
    dns: monitor.dns,
  };
}
