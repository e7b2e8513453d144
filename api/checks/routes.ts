// GET /api/monitors/{id}/checks: raw checks, newest first, paged with the store's opaque cursor.

import { createRoute, z } from '@hono/zod-openapi';
import { bearerSecurity, callerId, isoQueryTime, jsonContent, MonitorIdParams, NextCursor, PageQueryFields } from '../common.ts';
import type { ApiApp, RouteDeps } from '../deps.ts';
import { InvalidCursorError } from '../../store/contract.ts';
import { notFoundProblem, problemResponses, validationProblem } from '../problem.ts';
import { orderedRange } from '../range.ts';
import { CheckSchema, checkJson } from './check-json.ts';

export const ChecksQuery = z
  .object({
    from: isoQueryTime('from', 'Oldest check time, inclusive'),
    to: isoQueryTime('to', 'Newest check time, exclusive'),
    status: z
      .enum(['up', 'down'], { message: 'must be up or down' })
      .optional()
      .openapi({ param: { name: 'status', in: 'query' } }),
    ...PageQueryFields,
  });

const ChecksPageSchema = z
  .object({
    items: z.array(CheckSchema),
    next_cursor: NextCursor,
  })
  .openapi('ChecksPage');

export function registerCheckRoutes(app: ApiApp, deps: RouteDeps): void {
  const { store } = deps;
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/monitors/{id}/checks',
      tags: ['history'],
      security: bearerSecurity,
      summary: "A monitor's raw checks, newest first",
      request: { params: MonitorIdParams, query: ChecksQuery },
      responses: { 200: { description: 'A page of checks', ...jsonContent(ChecksPageSchema) }, ...problemResponses(400, 401, 404) },
    }),
    async (c) => {
      const query = c.req.valid('query');
      orderedRange(query.from, query.to);
      const page = await store
        .listChecks(callerId(c), c.req.valid('param').id, query)
        .catch((error: unknown) => {
          if (error instanceof InvalidCursorError) {
            throw validationProblem([{ path: 'cursor', message: 'is not a cursor from a previous page of this list' }]);
          }
          throw error;
        });
      if (!page) throw notFoundProblem('monitor');
      return c.json({ items: page.items.map(checkJson), next_cursor: page.next_cursor }, 200);
    },
  );
}
