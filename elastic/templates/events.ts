// Mapping of the events document (store/ecs.ts `incidentToEcsEvent`, `deliveryToEcsEvent`) in the
// `uptime-events-<namespace>` data stream: an append-only audit of incidents opened and resolved
// and of notifications sent or given up. `event.duration` is nanoseconds (ECS); `event.start`
// and `event.end` bound an incident.

import type { estypes } from '@elastic/elasticsearch';
import { date, keyword, keywordWithText, long, object, text } from './fields.ts';

export const eventMappings: estypes.MappingTypeMapping = {
  dynamic: 'strict',
  date_detection: false,
  properties: {
    '@timestamp': date,
    ecs: object({ version: keyword }),
    event: object({
      id: keyword,
      kind: keyword,
      dataset: keyword,
      action: keyword,
      start: date,
      end: date,
      duration: long,
    }),
    owner: object({ id: keyword }),
    monitor: object({ id: keywordWithText, name: keywordWithText }),
    incident: object({ id: keyword, check_id: keyword }),
    error: object({ type: keyword, message: text }),
    http: object({ response: object({ status_code: long }) }),
    notification: object({
      id: keyword,
      channel: keyword,
      kind: keyword,
      status: keyword,
      attempts: long,
      last_error: text,
    }),
  },
};
