// What a probe reads of a monitor. The fleet feed (fleet-feed.ts) sends only these fields to the
// probe lanes, which keep one per monitor of their share for as long as it is scheduled: at 50,000
// monitors the fields only alerting, the API or the status page read (contacts' thresholds,
// reminders, tags, time stamps, the push token's hash…) were ~15 MB of a probe thread's heap and
// a third of what each fleet change copied across threads. A change to one of those fields is
// also no longer a change for the probes.

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

export function probedMonitor(monitor: ProbedMonitor): ProbedMonitor {
  return {
    id: monitor.id,
    owner_id: monitor.owner_id,
    name: monitor.name,
    type: monitor.type,
    url: monitor.url,
    method: monitor.method,
    body: monitor.body,
    interval_seconds: monitor.interval_seconds,
    timeout_ms: monitor.timeout_ms,
    expect_status: monitor.expect_status,
    keyword: monitor.keyword,
    keyword_absent: monitor.keyword_absent,
    json_assertions: monitor.json_assertions,
    max_response_ms: monitor.max_response_ms,
    headers: monitor.headers,
    dns: monitor.dns,
  };
}
