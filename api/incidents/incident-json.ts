// An incident as the API shows it: ISO times, a duration (up to now while it is open) and its
// cause as the first failing check saw it.

import { z } from '@hono/zod-openapi';
import { ERROR_TYPES, type Incident } from '../../store/types.ts';
import { IsoTime, iso, isoOrNull } from '../common.ts';

export const IncidentSchema = z
  .object({
    id: z.string(),
    monitor_id: z.string(),
    started_at: IsoTime,
    resolved_at: IsoTime.nullable().openapi({ description: 'null while the incident is open' }),
    duration_seconds: z.number().int().openapi({ description: 'Until resolved, or until now while open' }),
    cause: z.object({
      type: z.enum(ERROR_TYPES).nullable(),
      message: z.string().nullable(),
      status_code: z.number().int().nullable(),
    }),
    check_id: z.string().openapi({ description: 'The first failing check' }),
  })
  .openapi('Incident');

export function incidentJson(incident: Incident, now: number): z.infer<typeof IncidentSchema> {
  const end = incident.resolved_at ?? Math.max(now, incident.started_at);
  return {
    id: incident.id,
    monitor_id: incident.monitor_id,
    started_at: iso(incident.started_at),
    resolved_at: isoOrNull(incident.resolved_at),
    duration_seconds: Math.round((end - incident.started_at) / 1000),
    cause: { type: incident.cause_type, message: incident.cause_message, status_code: incident.cause_status_code },
    check_id: incident.check_id,
  };
}
