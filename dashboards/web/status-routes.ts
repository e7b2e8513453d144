// Status page endpoints, registered with the API's OpenAPI app so they appear in /openapi.json:
//   GET    /api/status-page          the caller's setting (bearer)
//   PUT    /api/status-page {slug, title?, description?}
//                                    opt in, move to another slug, change the text (bearer)
//   DELETE /api/status-page          opt out; the title and description go with it (bearer)
//   GET    /public/status/{slug}     the public read behind /status/<slug>, no auth
// The public read lives outside /api/* because every /api route requires a token.

import { createRoute } from '@hono/zod-openapi';
import { bearerSecurity, callerId, jsonContent } from '../../api/common.ts';
import type { ApiApp } from '../../api/deps.ts';
import { notFoundProblem, ProblemError, problemResponses } from '../../api/problem.ts';
import { ConflictError, type UserStore } from '../../store/contract.ts';
import type { User } from '../../store/types.ts';
import { PublicStatus, SlugParams, StatusPageBody, StatusPageSettings } from './schemas.ts';
import { buildPublicStatus, type StatusCache, type StatusPageStore } from './status-page.ts';

export type StatusRouteDeps = {
  store: StatusPageStore & Pick<UserStore, 'getUser' | 'setStatusPage' | 'getUserByStatusSlug'>;
  /** Base of published links, e.g. https://uptime.example.com. */
  publicUrl: string;
  clock: () => number;
  cache: StatusCache;
};

const settings = { tags: ['status page'], security: bearerSecurity };

export function registerStatusRoutes(app: ApiApp, deps: StatusRouteDeps): void {
  const { store, cache, clock } = deps;
  const base = deps.publicUrl.replace(/\/+$/, '');
  const settingsJson = (user: Pick<User, 'status_slug' | 'status_title' | 'status_description'>) => ({
    slug: user.status_slug,
    url: user.status_slug ? `${base}/status/${user.status_slug}` : null,
    title: user.status_title,
    description: user.status_description,
  });
  const goneProblem = () => new ProblemError({ status: 401, detail: 'the account of this token no longer exists' });

  async function currentUser(userId: string): Promise<User> {
    const user = await store.getUser(userId);
    if (!user) throw goneProblem();
    return user;
  }

  app.openapi(
    createRoute({
      ...settings,
      method: 'get',
      path: '/api/status-page',
      summary: "The caller's public status page setting",
      responses: { 200: { description: 'Setting', ...jsonContent(StatusPageSettings) }, ...problemResponses(401) },
    }),
    async (c) => c.json(settingsJson(await currentUser(callerId(c))), 200),
  );

  app.openapi(
    createRoute({
      ...settings,
      method: 'put',
      path: '/api/status-page',
      summary: 'Publish the status page at /status/{slug} with its title and description (only monitors marked public are shown)',
      request: { body: { ...jsonContent(StatusPageBody), required: true } },
      responses: {
        200: { description: 'Published', ...jsonContent(StatusPageSettings) },
        ...problemResponses(400, 401, 409),
      },
    }),
    async (c) => {
      const userId = callerId(c);
      const page = c.req.valid('json');
      const { slug } = page;
      const previous = (await currentUser(userId)).status_slug;
      let user: User | null;
      try {
        user = await store.setStatusPage(userId, page);
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        throw new ProblemError({
          status: 409,
          detail: `the status page address "${slug}" is taken; choose another`,
          errors: [{ path: 'slug', message: 'is taken' }],
        });
      }
      if (!user) throw goneProblem();
      // The page shows the text: a cached copy under either slug is stale now.
      if (previous) cache.forget(previous);
      cache.forget(slug);
      return c.json(settingsJson(user), 200);
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
      const previous = (await currentUser(userId)).status_slug;
      await store.setStatusPage(userId, null);
      if (previous) cache.forget(previous);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/public/status/{slug}',
      tags: ['status page'],
      summary:
        "A published status page: its title and description, its monitors (name, status, kind of check, 24-hour average time, uptime, 90 daily buckets) and their incidents of the last 14 days (no auth)",
      request: { params: SlugParams },
      responses: { 200: { description: 'The page', ...jsonContent(PublicStatus) }, ...problemResponses(404) },
    }),
    async (c) => {
      const slug = c.req.valid('param').slug.toLowerCase();
      const owner = await store.getUserByStatusSlug(slug);
      if (!owner) throw notFoundProblem('status page');
      const page = await cache.get(slug, () =>
        buildPublicStatus(store, { id: owner.id, slug, title: owner.status_title, description: owner.status_description }, clock()),
      );
      c.header('Cache-Control', 'public, max-age=5');
      return c.json(page, 200);
    },
  );
}
