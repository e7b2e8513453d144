// Small pieces every resource uses: the caller's id, path parameters, ISO times at the edge and
// the bearer security requirement for OpenAPI.

import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from './deps.ts';
import { ProblemError } from './problem.ts';

export const BEARER = 'bearerAuth';
/** OpenAPI security requirement of every /api route. */
export const bearerSecurity = [{ [BEARER]: [] }];

/** The authenticated caller; requireAuth runs before every route that calls this. */
export function callerId(c: Context<AppEnv>): string {
  const id = c.get('userId');
  if (!id) throw new ProblemError({ status: 401, detail: 'missing bearer token' });
  return id;
}

export { iso, isoOrNull } from '../store/iso-time.ts';

const id = (name: string) =>
  z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name, in: 'path' }, example: '01J9Z6W3K8Q4B5X2M7N0R1T2V3' });

export const MonitorIdParams = z.object({ id: id('id') });
export const ContactIdParams = z.object({ id: id('id'), contactId: id('contactId') });

/** ISO 8601 date-time with a zone (Z or ±hh:mm), as a query parameter; parsed to epoch ms. */
export const isoQueryTime = (name: string, description: string) =>
  z
    .iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with a zone, e.g. 2024-05-01T00:00:00Z' })
    .transform((value) => Date.parse(value))
    .optional()
    .openapi({ param: { name, in: 'query' }, description, example: '2024-05-01T00:00:00Z' });

export const IsoTime = z.string().openapi({ format: 'date-time', example: '2024-05-01T12:00:00.000Z' });

/** `content` of an OpenAPI request body or response in JSON. */
export const jsonContent = <T>(schema: T) => ({ content: { 'application/json': { schema } } });

/** `limit` and `cursor` of every list paged with a store's opaque cursor (/checks, /notifications). */
export const PageQueryFields = {
  limit: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(1000, 'must be at most 1000')
    .default(100)
    .openapi({ param: { name: 'limit', in: 'query' }, example: 100 }),
  cursor: z
    .string()
    .min(1)
    .max(1024, 'must be at most 1024 characters')
    .optional()
    .openapi({ param: { name: 'cursor', in: 'query' }, description: 'next_cursor of the previous page' }),
};

export const NextCursor = z.string().nullable().openapi({ description: 'Pass as cursor for the next page; null on the last page' });
