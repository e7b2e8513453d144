// GET /api/summary: one row per monitor for a dashboard's first screen: current status, the last
// check, uptime over 24 h / 7 d / 30 d / 90 d, average response time, the open incident, and
// whether a maintenance window covers the monitor now.

import { createRoute, z } from '@hono/zod-openapi';
import { inMaintenance } from '../../store/maintenance-schedule.ts';
import type { MaintenanceWindow } from '../../store/maintenance.ts';
import type { MonitorSummary } from '../../store/types.ts';
import { CheckSchema, checkJson } from '../checks/check-json.ts';
import { bearerSecurity, callerId, jsonContent } from '../common.ts';
import type { ApiApp, RouteDeps } from '../deps.ts';
import { IncidentSchema, incidentJson } from '../incidents/incident-json.ts';
import { problemResponses } from '../problem.ts';

const ratio = z.number().min(0).max(1).nullable();

const SummaryRowSchema = z
  .object({
    monitor_id: z.string(),
    name: z.string(),
    url: z.string(),
    paused: z.boolean(),
    maintenance: z.boolean().openapi({ description: 'A maintenance window covers the monitor now: its changes are not told' }),
    status: z.enum(['up', 'down', 'unknown']).openapi({ description: 'From the newest check' }),
    last_check: CheckSchema.nullable(),
    uptime: z.object({ '24h': ratio, '7d': ratio, '30d': ratio, '90d': ratio }),
    avg_response_ms_24h: z.number().nullable(),
    open_incident: IncidentSchema.nullable(),
  })
  .openapi('MonitorSummary');

const SummarySchema = z.object({ items: z.array(SummaryRowSchema) }).openapi('Summary');

function summaryJson(row: MonitorSummary, ownerId: string, windows: MaintenanceWindow[], now: number): z.infer<typeof SummaryRowSchema> {
  return {
    monitor_id: row.monitor_id,
    name: row.name,
    url: row.url,
    paused: row.paused,
    maintenance: inMaintenance(windows, { id: row.monitor_id, owner_id: ownerId }, now),
    status: row.status,
    last_check: row.last_check ? checkJson(row.last_check) : null,
    uptime: row.uptime,
    avg_response_ms_24h: row.avg_response_ms_24h,
    open_incident: row.open_incident ? incidentJson(row.open_incident, now) : null,
  };
}

export function registerSummaryRoutes(app: ApiApp, deps: RouteDeps): void {
  const { store, clock } = deps;
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/summary',
      tags: ['history'],
      security: bearerSecurity,
      summary: "Status and uptime of each of the caller's monitors",
      responses: { 200: { description: 'One row per monitor, oldest first', ...jsonContent(SummarySchema) }, ...problemResponses(401) },
    }),
    async (c) => {
      const now = clock();
      const owner = callerId(c);
      const [rows, windows] = await Promise.all([store.summary(owner, now), store.listMaintenanceWindows(owner)]);
      return c.json({ items: rows.map((row) => summaryJson(row, owner, windows, now)) }, 200);
    },
  );
}
