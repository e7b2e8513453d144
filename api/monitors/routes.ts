// /api/monitors: create, list, read, update, delete. Handlers validate (schemas), apply the
// server's target policy, call the store scoped to the caller and shape the response; another
// user's monitor answers 404 exactly like a missing one.

import { createRoute } from '@hono/zod-openapi';
import { bearerSecurity, callerId, jsonContent, MonitorIdParams } from '../common.ts';
import type { ApiApp, RouteDeps } from '../deps.ts';
import { notFoundProblem, problemResponses, validationProblem } from '../problem.ts';
import { monitorTargetProblem } from '../target-policy.ts';
import { withPushTokens } from '../push/token.ts';
import { inMaintenance } from '../../store/maintenance-schedule.ts';
import { InvalidCursorError } from '../../store/contract.ts';
import {
  BULK_MAX_MONITORS,
  MonitorListQuery,
  MonitorListSchema,
  MonitorPageSchema,
  MonitorSchema,
  monitorJson,
  monitorPatched,
  monitorSchemas,
} from './schemas.ts';

/** Its body may be larger than other requests' (api/app.ts). */
export const BULK_MONITORS_PATH = '/api/monitors/bulk';

const common = { tags: ['monitors'], security: bearerSecurity };

export function registerMonitorRoutes(app: ApiApp, deps: RouteDeps): void {
  const { store, config, clock } = deps;
  const schemas = monitorSchemas(config);

  app.openapi(
    createRoute({
      ...common,
      method: 'post',
      path: '/api/monitors',
      summary: 'Create a monitor',
      description: 'A push monitor\'s answer carries its secret `push_url`, shown this once (only its hash is kept).',
      request: { body: { ...jsonContent(schemas.create), required: true } },
      responses: { 201: { description: 'Created', ...jsonContent(MonitorSchema) }, ...problemResponses(400, 401, 413) },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const refused = monitorTargetProblem(input, config.allowPrivateTargets);
      if (refused) throw validationProblem([refused]);
      const [withToken] = withPushTokens([input], config.publicUrl);
      const monitor = await store.createMonitor(callerId(c), withToken!.input);
      return c.json(monitorJson(monitor, withToken!.pushUrl), 201);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'post',
      path: BULK_MONITORS_PATH,
      summary: `Create up to ${BULK_MAX_MONITORS} monitors at once`,
      description:
        'All or none: one invalid monitor (its fields named as `monitors.<index>.<field>`) refuses the whole request and nothing is created. ' +
        'Created monitors are returned, and listed, in the order given. The body may be up to 1 MiB.',
      request: { body: { ...jsonContent(schemas.bulkCreate), required: true } },
      responses: { 201: { description: 'Created, in the order given', ...jsonContent(MonitorListSchema) }, ...problemResponses(400, 401, 413) },
    }),
    async (c) => {
      const { monitors } = c.req.valid('json');
      const refused = monitors.flatMap((monitor, i) => {
        const problem = monitorTargetProblem(monitor, config.allowPrivateTargets);
        return problem ? [{ path: `monitors.${i}.${problem.path}`, message: problem.message }] : [];
      });
      if (refused.length > 0) throw validationProblem(refused.slice(0, 20));
      const withTokens = withPushTokens(monitors, config.publicUrl);
      const created = await store.createMonitors(callerId(c), withTokens.map((m) => m.input));
      return c.json({ items: created.map((m, i) => monitorJson(m, withTokens[i]!.pushUrl)) }, 201);
    },
  );

  /** Running monitors whose dashboard status is `status`: a maintenance window wins over up/down. */
  async function idsWithStatus(owner: string, status: 'up' | 'down' | 'maintenance'): Promise<string[]> {
    const now = clock();
    const [rows, windows] = await Promise.all([store.summary(owner, now), store.listMaintenanceWindows(owner)]);
    return rows
      .filter((row) => {
        if (row.paused) return false;
        const covered = inMaintenance(windows, { id: row.monitor_id, owner_id: owner }, now);
        return status === 'maintenance' ? covered : !covered && row.status === status;
      })
      .map((row) => row.monitor_id);
  }

  app.openapi(
    createRoute({
      ...common,
      method: 'get',
      path: '/api/monitors',
      summary: "The caller's monitors, oldest first, a page at a time, filtered",
      description:
        '`q` matches a substring of the name or URL (any case); `tag` one tag exactly; `type` the monitor type; `status` is `paused`; `maintenance` for a ' +
        'running monitor a maintenance window covers now; or `up`/`down` for any other running monitor whose newest check says so ' +
        '(read from the summary, so it costs as much as GET /api/summary).',
      request: { query: MonitorListQuery },
      responses: { 200: { description: 'Monitors', ...jsonContent(MonitorPageSchema) }, ...problemResponses(400, 401) },
    }),
    async (c) => {
      const owner = callerId(c);
      const { status, ...query } = c.req.valid('query');
      const ids = status === undefined || status === 'paused' ? undefined : await idsWithStatus(owner, status);
      const page = await store
        .findMonitors(owner, { ...query, ...(status === 'paused' ? { paused: true } : {}), ...(ids ? { ids } : {}) })
        .catch((error: unknown) => {
          if (error instanceof InvalidCursorError) {
            throw validationProblem([{ path: 'cursor', message: 'is not a cursor from a previous page of this list' }]);
          }
          throw error;
        });
      return c.json({ items: page.items.map((m) => monitorJson(m)), next_cursor: page.next_cursor }, 200);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'get',
      path: '/api/monitors/{id}',
      summary: 'One monitor',
      request: { params: MonitorIdParams },
      responses: { 200: { description: 'The monitor', ...jsonContent(MonitorSchema) }, ...problemResponses(401, 404) },
    }),
    async (c) => {
      const monitor = await store.getMonitor(callerId(c), c.req.valid('param').id);
      if (!monitor) throw notFoundProblem('monitor');
      return c.json(monitorJson(monitor), 200);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'patch',
      path: '/api/monitors/{id}',
      summary: 'Change some fields of a monitor',
      description:
        'Fields of the monitor\'s own type only; `type` cannot change (create a new monitor). The result is validated as a whole, as a creation would be. ' +
        'A dns monitor\'s `dns` is replaced as a whole.',
      request: { params: MonitorIdParams, body: { ...jsonContent(schemas.patch), required: true } },
      responses: { 200: { description: 'The updated monitor', ...jsonContent(MonitorSchema) }, ...problemResponses(400, 401, 404, 413) },
    }),
    async (c) => {
      const owner = callerId(c);
      const { id } = c.req.valid('param');
      const current = await store.getMonitor(owner, id);
      if (!current) throw notFoundProblem('monitor');
      const patched = monitorPatched(schemas, current, c.req.valid('json'));
      if (!patched.ok) throw validationProblem(patched.errors);
      if (patched.changes.url !== undefined || patched.changes.dns !== undefined) {
        const refused = monitorTargetProblem({ ...current, ...patched.changes }, config.allowPrivateTargets);
        if (refused) throw validationProblem([refused]);
      }
      const updated = await store.updateMonitor(owner, id, patched.changes);
      if (!updated) throw notFoundProblem('monitor');
      return c.json(monitorJson(updated), 200);
    },
  );

  app.openapi(
    createRoute({
      ...common,
      method: 'delete',
      path: '/api/monitors/{id}',
      summary: 'Delete a monitor with its contacts and pending notifications',
      request: { params: MonitorIdParams },
      responses: { 204: { description: 'Deleted' }, ...problemResponses(401, 404) },
    }),
    async (c) => {
      const deleted = await store.deleteMonitor(callerId(c), c.req.valid('param').id);
      if (!deleted) throw notFoundProblem('monitor');
      return c.body(null, 204);
    },
  );
}

