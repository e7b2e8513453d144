// GET /api/monitors/{id}/notifications: every message the alerting sent or tried to send for a
// monitor, with its status, attempts and last error, so a user can see why a page never came.

import { createRoute, z } from '@hono/zod-openapi';
import { CONTACT_TYPES, type Delivery } from '../../store/types.ts';
import { bearerSecurity, callerId, IsoTime, iso, isoOrNull, jsonContent, MonitorIdParams } from '../common.ts';
import type { ApiApp, RouteDeps } from '../deps.ts';
import { notFoundProblem, problemResponses } from '../problem.ts';

const DeliverySchema = z
  .object({
    id: z.string(),
    incident_id: z.string(),
    contact_id: z.string(),
    channel: z.enum(CONTACT_TYPES),
    address: z.string(),
    kind: z.enum(['down', 'up', 'reminder']),
    status: z.enum(['pending', 'sent', 'dead']),
    attempts: z.number().int(),
    last_error: z.string().nullable(),
    check_id: z.string().openapi({ description: 'The check that confirmed the transition' }),
    check_at: IsoTime,
    created_at: IsoTime,
    next_attempt_at: IsoTime.nullable().openapi({ description: 'null once sent or dead' }),
    sent_at: IsoTime.nullable(),
  })
  .openapi('Notification');

const NotificationListSchema = z.object({ items: z.array(DeliverySchema) }).openapi('NotificationList');

function deliveryJson(d: Delivery): z.infer<typeof DeliverySchema> {
  return {
    id: d.id,
    incident_id: d.incident_id,
    contact_id: d.contact_id,
    channel: d.channel,
    address: d.address,
    kind: d.kind,
    status: d.status,
    attempts: d.attempts,
    last_error: d.last_error,
    check_id: d.check_id,
    check_at: iso(d.check_at),
    created_at: iso(d.created_at),
    next_attempt_at: d.status === 'pending' ? iso(d.next_attempt_at) : null,
    sent_at: isoOrNull(d.sent_at),
  };
}

export function registerNotificationRoutes(app: ApiApp, deps: RouteDeps): void {
  const { store } = deps;
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/monitors/{id}/notifications',
      tags: ['history'],
      security: bearerSecurity,
      summary: "A monitor's notifications, newest first",
      request: { params: MonitorIdParams },
      responses: { 200: { description: 'Deliveries', ...jsonContent(NotificationListSchema) }, ...problemResponses(401, 404) },
    }),
    async (c) => {
      const deliveries = await store.listDeliveries(callerId(c), c.req.valid('param').id);
      if (!deliveries) throw notFoundProblem('monitor');
      return c.json({ items: deliveries.map(deliveryJson) }, 200);
    },
  );
}
