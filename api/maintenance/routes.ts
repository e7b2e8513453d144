// /api/maintenance: windows during which a monitor's changes are not told (alerting/evaluator.ts
// asks store/maintenance-schedule.ts). A window may only name the caller's monitors; another owner's
// monitor id is refused like a missing one, naming the entry.

import { createRoute, z } from '@hono/zod-openapi';
import { bearerSecurity, callerId, jsonContent } from '../common.ts';
import type { ApiApp, RouteDeps } from '../deps.ts';
import { type FieldError, fieldErrors, notFoundProblem, problemResponses, validationProblem } from '../problem.ts';
import {
  MaintenanceCreate,
  MaintenanceListSchema,
  MaintenancePatch,
  MaintenanceSchema,
  maintenanceJson,
  mergePatch,
  toInput,
  type MaintenanceBody,
} from './schemas.ts';

const common = { tags: ['maintenance'], security: bearerSecurity };

/** Per owner: the evaluator holds every window in memory and checks each on every check. */
export const MAX_WINDOWS_PER_OWNER = 200;

const WindowIdParams = z.object({
  id: z.string().min(1).max(200).openapi({ param: { name: 'id', in: 'path' }, example: 'k3JvQm9uZ2x1cmE1' }),
});

export function registerMaintenanceRoutes(app: ApiApp, deps: RouteDeps): void {
  const { store, clock } = deps;

  /** Refuses monitor ids that are not the caller's, naming each entry. */
  async function assertOwnMonitors(owner: string, body: MaintenanceBody): Promise<void> {
    if (!body.monitor_ids) return;
    const own = new Set((await store.listMonitors(owner)).map((m) => m.id));
    const problems: FieldError[] = body.monitor_ids.flatMap((id, i) =>
      own.has(id) ? [] : [{ path: `monitor_ids.${i}`, message: `no monitor with id ${JSON.stringify(id)}` }],
    );
    if (problems.length > 0) throw validationProblem(problems);
  }

  app.openapi(
    createRoute({
      ...common,
      method: 'post',
      path: '/api/maintenance',
      summary: 'Plan a maintenance window',
      description: 'During the window, probes go on but no DOWN, UP or reminder is sent; a change that outlasts it is told when it ends.',
      request: { body: { ...jsonContent(MaintenanceCreate), required: true } },
      responses: { 201: { description: 'Created', ...jsonContent(MaintenanceSchema) }, ...problemResponses(400, 401, 413) },
    }),
    async (c) => {
      const owner = callerId(c);
      const body = c.req.valid('json');
      await assertOwnMonitors(owner, body);
      // Two creates racing may both pass; the bound still holds within the number of racing requests.
      if ((await store.listMaintenanceWindows(owner)).length >= MAX_WINDOWS_PER_OWNER) {
        throw validationProblem([{ path: '(root)', message: `an account has at most ${MAX_WINDOWS_PER_OWNER} maintenance windows: delete one first` }]);
      }
      const window = await store.createMaintenanceWindow(owner, toInput(body));
      return c.json(maintenanceJson(window, clock()), 201);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'get',
      path: '/api/maintenance',
      summary: 'Your maintenance windows, oldest first',
      responses: { 200: { description: 'Windows', ...jsonContent(MaintenanceListSchema) }, ...problemResponses(401) },
    }),
    async (c) => {
      const windows = await store.listMaintenanceWindows(callerId(c));
      const now = clock();
      return c.json({ items: windows.map((w) => maintenanceJson(w, now)) }, 200);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'get',
      path: '/api/maintenance/{id}',
      summary: 'One maintenance window',
      request: { params: WindowIdParams },
      responses: { 200: { description: 'The window', ...jsonContent(MaintenanceSchema) }, ...problemResponses(401, 404) },
    }),
    async (c) => {
      const window = await store.getMaintenanceWindow(callerId(c), c.req.valid('param').id);
      if (!window) throw notFoundProblem('maintenance window');
      return c.json(maintenanceJson(window, clock()), 200);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'patch',
      path: '/api/maintenance/{id}',
      summary: 'Change some fields of a maintenance window',
      request: { params: WindowIdParams, body: { ...jsonContent(MaintenancePatch), required: true } },
      responses: { 200: { description: 'The updated window', ...jsonContent(MaintenanceSchema) }, ...problemResponses(400, 401, 404, 413) },
    }),
    async (c) => {
      const owner = callerId(c);
      const { id } = c.req.valid('param');
      const current = await store.getMaintenanceWindow(owner, id);
      if (!current) throw notFoundProblem('maintenance window');
      const merged = MaintenanceCreate.safeParse(mergePatch(current, c.req.valid('json')));
      if (!merged.success) throw validationProblem(fieldErrors(merged.error));
      await assertOwnMonitors(owner, merged.data);
      const updated = await store.updateMaintenanceWindow(owner, id, toInput(merged.data));
      if (!updated) throw notFoundProblem('maintenance window');
      return c.json(maintenanceJson(updated, clock()), 200);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'delete',
      path: '/api/maintenance/{id}',
      summary: 'Delete a maintenance window',
      request: { params: WindowIdParams },
      responses: { 204: { description: 'Deleted' }, ...problemResponses(401, 404) },
    }),
    async (c) => {
      if (!(await store.deleteMaintenanceWindow(callerId(c), c.req.valid('param').id))) throw notFoundProblem('maintenance window');
      return c.body(null, 204);
    },
  );
}
