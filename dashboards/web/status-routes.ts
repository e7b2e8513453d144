// Status page endpoints, registered with the API's OpenAPI app so they appear in /openapi.json:
//   GET    /api/status-page          the caller's setting (bearer)
//   PUT    /api/status-page {slug}   opt in, or move to another slug (bearer)
//   DELETE /api/status-page          opt out (bearer)
//   GET    /public/status/{slug}     the public read behind /status/<slug>, no auth
// The public read lives outside /api/* because every /api route requires a token.

import { createRoute } from '@hono/zod-openapi';
import { bearerSecurity, callerId, jsonContent } from '../../api/common.ts';
import type { ApiApp } from '../../api/deps.ts';
import { notFoundProblem, ProblemError, problemResponses } from '../../api/problem.ts';
import { ConflictError, type UserStore } from '../../store/contract.ts';
import { PublicStatus, SlugParams, StatusPageBody, StatusPageSettings } from './schemas.ts';
import { buildPublicStatus, type StatusCache, type StatusPageStore } from './status-page.ts';

export type StatusRouteDeps = {
  store: StatusPageStore & Pick<UserStore, 'getUser' | 'setStatusSlug' | 'getUserByStatusSlug'>;
  /** Base of published links, e.g. https://uptime.example.com. */
  publicUrl: string;
  clock: () => number;
  cache: StatusCache;
};

const settings = { tags: ['status page'], security: bearerSecurity };

export function registerStatusRoutes(app: ApiApp, deps: StatusRouteDeps): void {
  const { store, cache, clock } = deps;
  const base = deps.publicUrl.replace(/\/+$/, '');
  const settingsJson = (slug: string | null) => ({ slug, url: slug ? `${base}/status/${slug}` : null });

  async function currentSlug(userId: string): Promise<string | null> {
    const user = await store.getUser(userId);
    if (!user) throw new ProblemError({ status: 401, detail: 'the account of this token no longer exists' });
    return user.status_slug;
  }

  app.openapi(
    createRoute({
      ...settings,
      method: 'get',
      path: '/api/status-page',
      summary: "The caller's public status page setting",
      responses: { 200: { description: 'Setting', ...jsonContent(StatusPageSettings) }, ...problemResponses(401) },
    }),
    async (c) => c.json(settingsJson(await currentSlug(callerId(c))), 200),
  );

  app.openapi(
    createRoute({
      ...settings,
      method: 'put',
      path: '/api/status-page',
      summary: 'Publish the status page at /status/{slug} (only monitors marked public are shown)',
      request: { body: { ...jsonContent(StatusPageBody), required: true } },
      responses: {
        200: { description: 'Published', ...jsonContent(StatusPageSettings) },
        ...problemResponses(400, 401, 409),
      },
    }),
    async (c) => {
      const userId = callerId(c);
      const { slug } = c.req.valid('json');
      const previous = await currentSlug(userId);
      try {
        await store.setStatusSlug(userId, slug);
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        throw new ProblemError({
          status: 409,
          detail: `the status page address "${slug}" is taken; choose another`,
          errors: [{ path: 'slug', message: 'is taken' }],
        });
      }
      if (previous) cache.forget(previous);
      return c.json(settingsJson(slug), 200);
    },
  );

  app.openapi(
    createRoute({
      ...settings,
      method: 'delete',
      path: '/api/status-page',
      summary: 'Take the public status page down',
      responses: { 204: { description: 'The page is off (also when it already was)' }, ...problemResponses(401) },
    }),
    async (c) => {
      const userId = callerId(c);
      const previous = await currentSlug(userId);
      await store.setStatusSlug(userId, null);
      if (previous) cache.forget(previous);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/public/status/{slug}',
      tags: ['status page'],
      summary: "A published status page's monitors (name, status, uptime, 90 daily buckets) and their incidents of the last 14 days (no auth)",
      request: { params: SlugParams },
      responses: { 200: { description: 'The page', ...jsonContent(PublicStatus) }, ...problemResponses(404) },
    }),
    async (c) => {
      const slug = c.req.valid('param').slug.toLowerCase();
      const owner = await store.getUserByStatusSlug(slug);
      if (!owner) throw notFoundProblem('status page');
      const page = await cache.get(slug, () => buildPublicStatus(store, { id: owner.id, slug }, clock()));
      c.header('Cache-Control', 'public, max-age=5');
      return c.json(page, 200);
    },
  );
}
