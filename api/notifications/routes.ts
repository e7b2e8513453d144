// GET /api/monitors/{id}/notifications: the messages the alerting sent, tried to send or
// cancelled for a monitor, with status, attempts and last error, so a user can see why a page
// never came. Newest first, paged with the store's opaque cursor like /checks: a monitor that
// has been flapping for months has more deliveries than one response should carry.

import { createRoute, z } from '@hono/zod-openapi';
import { InvalidCursorError } from '../../store/contract.ts';
import { CONTACT_TYPES, DELIVERY_STATUSES, NOTIFICATION_KINDS, type Delivery } from '../../store/types.ts';
import { bearerSecurity, callerId, IsoTime, iso, isoOrNull, jsonContent, MonitorIdParams, NextCursor, PageQueryFields } from '../common.ts';
import type { ApiApp, RouteDeps } from '../deps.ts';
import { notFoundProblem, problemResponses, validationProblem } from '../problem.ts';

const DeliverySchema = z
  .object({
    id: z.string(),
    incident_id: z.string().nullable().openapi({ description: 'null for a certificate notification (kind cert)' }),
    contact_id: z.string(),
    channel: z.enum(CONTACT_TYPES),
    address: z.string(),
    kind: z.enum(NOTIFICATION_KINDS),
    status: z.enum(DELIVERY_STATUSES).openapi({
      description: 'pending until sent; dead when refused for good or still failing after 24 h; cancelled when its contact was deleted first',
    }),
    attempts: z.number().int(),
    last_error: z.string().nullable(),
    check_id: z.string().openapi({ description: 'The check that confirmed the transition' }),
    check_at: IsoTime,
    created_at: IsoTime,
    next_attempt_at: IsoTime.nullable().openapi({ description: 'null once sent, dead or cancelled' }),
    sent_at: IsoTime.nullable(),
  })
  .openapi('Notification');

export const NotificationsQuery = z.object(PageQueryFields);

const NotificationPageSchema = z
  .object({
    items: z.array(DeliverySchema),
    next_cursor: NextCursor,
  })
  .openapi('NotificationPage');

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
      request: { params: MonitorIdParams, query: NotificationsQuery },
      responses: {
        200: { description: 'A page of deliveries', ...jsonContent(NotificationPageSchema) },
        ...problemResponses(400, 401, 404),
      },
    }),
    async (c) => {
      const page = await store
        .listDeliveriesPage(callerId(c), c.req.valid('param').id, c.req.valid('query'))
        .catch((error: unknown) => {
          if (error instanceof InvalidCursorError) {
            throw validationProblem([{ path: 'cursor', message: 'is not a cursor from a previous page of this list' }]);
          }
          throw error;
        });
      if (!page) throw notFoundProblem('monitor');
      return c.json({ items: page.items.map(deliveryJson), next_cursor: page.next_cursor }, 200);
    },
  );
}
