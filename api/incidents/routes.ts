// GET /api/monitors/{id}/incidents: when the monitor was down, for how long and why.

import { createRoute, z } from '@hono/zod-openapi';
import { bearerSecurity, callerId, isoQueryTime, jsonContent, MonitorIdParams } from '../common.ts';
import type { ApiApp, RouteDeps } from '../deps.ts';
import { notFoundProblem, problemResponses } from '../problem.ts';
import { orderedRange } from '../range.ts';
import { IncidentSchema, incidentJson } from './incident-json.ts';

const IncidentsQuery = z.object({
  from: isoQueryTime('from', 'Incidents overlapping this time or later'),
  to: isoQueryTime('to', 'Incidents started before this time'),
});

const IncidentListSchema = z.object({ items: z.array(IncidentSchema) }).openapi('IncidentList');

export function registerIncidentRoutes(app: ApiApp, deps: RouteDeps): void {
  const { store, clock } = deps;
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/monitors/{id}/incidents',
      tags: ['history'],
      security: bearerSecurity,
      summary: "A monitor's incidents, newest first",
      request: { params: MonitorIdParams, query: IncidentsQuery },
      responses: { 200: { description: 'Incidents', ...jsonContent(IncidentListSchema) }, ...problemResponses(400, 401, 404) },
    }),
    async (c) => {
      const { from, to } = c.req.valid('query');
      orderedRange(from, to);
      const incidents = await store.listIncidents(callerId(c), c.req.valid('param').id, { from, to });
      if (!incidents) throw notFoundProblem('monitor');
      const now = clock();
      return c.json({ items: incidents.map((i) => incidentJson(i, now)) }, 200);
    },
  );
}
