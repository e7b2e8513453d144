// Mapping of the check document (store/ecs.ts `checkToEcs`), one per probe, in the
// `uptime-checks-<namespace>` data stream. Field names follow ECS and Heartbeat. Timings, all in
// microseconds, measured by collector/:
//   resolve.rtt.us               DNS lookup
//   tcp.rtt.connect.us           TCP connect (after DNS)
//   tls.rtt.handshake.us         TLS handshake (after connect)
//   http.rtt.response_header.us  request written to first response byte
//   http.rtt.total.us            request written to body read (to the cap)
//   monitor.duration.us          whole probe, DNS to body
// For tcp monitors the probe stops after connect (tcp://) or the handshake (tls://); for dns
// monitors resolve.rtt.us is the query sent to its answer, and dns.* holds question and answers.
// `monitor.timespan` runs from this probe's start to the next scheduled one, so "is it covered
// now?" is a range query. `owner.id` is the tenant filter.

import type { estypes } from '@elastic/elasticsearch';
import { bool, date, ip, keyword, keywordWithText, long, micros, object, text } from './fields.ts';


export const checkMappings: estypes.MappingTypeMapping = {
  dynamic: 'strict',
  date_detection: false,
  properties: {
    '@timestamp': date,
    ecs: object({ version: keyword }),
    // event.ingested: stamped by our writer per bulk attempt; the alerting feed's cursor.
    event: object({ id: keyword, kind: keyword, dataset: keyword, ingested: date }),
    owner: object({ id: keyword }),
    monitor: object({
      id: keywordWithText,
      name: keywordWithText,
      type: keyword,
      status: keyword,
      duration: micros,
      timespan: { type: 'date_range' },
      // Only present (true) on checks probed inside a maintenance window.
      maintenance: bool,
    }),
    url: object({ full: keywordWithText, domain: keyword, scheme: keyword, port: long }),
    http: object({
      request: object({ method: keyword }),
      response: object({ status_code: long, body: object({ bytes: long }) }),
      rtt: object({ response_header: micros, total: micros }),
    }),
    resolve: object({ ip, rtt: micros }),
    tcp: object({ rtt: object({ connect: micros }) }),
    tls: object({
      rtt: object({ handshake: micros }),
      version: keyword,
      version_protocol: keyword,
      server: object({ x509: object({ not_after: date, issuer: object({ common_name: keyword }) }), hash: object({ sha256: keyword }) }),
    }),
    dns: object({
      question: object({ name: keyword, type: keyword }),
      answers: object({ data: keyword }),
      response_code: keyword,
    }),
    error: object({ type: keyword, message: text }),
    observer: object({ name: keyword, geo: object({ name: keyword }) }),
    summary: object({ up: long, down: long, status: keyword }),
  },
};
