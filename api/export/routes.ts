// GET /api/export: the caller's monitors (all of them, with their contacts) and maintenance
// windows in the MONITORS_FILE format (monitors-file/), ready to be applied by a server started
// with MONITORS_FILE pointing at it.

import { createRoute, z } from '@hono/zod-openapi';
import { exportMonitorsFile } from '../../monitors-file/export.ts';
import { bearerSecurity, callerId } from '../common.ts';
import type { ApiApp, RouteDeps } from '../deps.ts';
import { problemResponses } from '../problem.ts';

export const YAML_MEDIA_TYPE = 'application/yaml';

export function registerExportRoutes(app: ApiApp, deps: RouteDeps): void {
  const { store, config } = deps;
  app.openapi(
    createRoute({
      tags: ['monitors'],
      security: bearerSecurity,
      method: 'get',
      path: '/api/export',
      summary: 'Your monitors, contacts and maintenance windows as a MONITORS_FILE',
      description:
        'YAML: `owner` (your email), `monitors` (each with the fields of POST /api/monitors that differ from their defaults, and `contacts`), ' +
        '`maintenance` (windows naming monitors by name). Applying it with MONITORS_FILE and exporting again gives the same text.',
      responses: {
        200: {
          description: 'The file',
          content: { [YAML_MEDIA_TYPE]: { schema: z.string().openapi({ example: 'owner: ops@example.com\nmonitors:\n  - name: Shop\n    url: https://shop.example.com/health\n' }) } },
        },
        ...problemResponses(401),
      },
    }),
    async (c) => {
      const text = await exportMonitorsFile(store, callerId(c), config);
      return c.body(text, 200, { 'content-type': `${YAML_MEDIA_TYPE}; charset=utf-8` });
    },
  );
}
