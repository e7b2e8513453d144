// Shapes of the status page endpoints: the owner's opt-in settings and the public, unauthenticated
// read. The public shape is deliberately thin: names, statuses and uptime only, never a URL, a
// contact or an internal id.

import { z } from '@hono/zod-openapi';
import { IsoTime } from '../../api/common.ts';

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{1,38})[a-z0-9]$/;

export const Slug = z
  .string({ message: 'must be a string' })
  .trim()
  .toLowerCase()
  .regex(SLUG_PATTERN, 'must be 3 to 40 lowercase letters, digits or dashes, starting and ending with a letter or digit')
  .refine((s) => !s.includes('--'), 'must not contain two dashes in a row')
  .openapi({ example: 'acme' });

export const StatusPageBody = z.object({ slug: Slug }).strict().openapi('StatusPageSettingsRequest');

export const StatusPageSettings = z
  .object({
    slug: z.string().nullable().openapi({ description: 'null when the status page is off' }),
    url: z.string().nullable().openapi({ description: 'Where the page is published', example: 'https://uptime.example.com/status/acme' }),
  })
  .openapi('StatusPageSettings');

export const SlugParams = z.object({
  slug: z
    .string()
    .min(1)
    .max(60)
    .openapi({ param: { name: 'slug', in: 'path' }, example: 'acme' }),
});

const Ratio = z.number().min(0).max(1).nullable().openapi({ description: 'up / checks; null without checks', example: 0.9993 });

export const PublicDay = z
  .object({
    date: z.string().openapi({ description: 'Calendar day (UTC)', example: '2024-05-01' }),
    checks: z.number().int(),
    uptime: Ratio,
  })
  .openapi('PublicStatusDay');

export const PublicMonitor = z
  .object({
    name: z.string(),
    status: z.enum(['up', 'down', 'unknown', 'paused']),
    last_check_at: IsoTime.nullable(),
    uptime: z.object({ '24h': Ratio, '30d': Ratio, '90d': Ratio }),
    days: z.array(PublicDay).openapi({ description: 'The last 90 days, oldest first, today last' }),
  })
  .openapi('PublicStatusMonitor');

export const PublicIncident = z
  .object({
    monitor: z.string().openapi({ description: "The monitor's name" }),
    started_at: IsoTime,
    resolved_at: IsoTime.nullable().openapi({ description: 'null while it lasts' }),
    duration_seconds: z.number().int().openapi({ description: 'Until resolved, or until now while open' }),
    cause: z.string().openapi({
      description: 'The kind of failure in words ("HTTP 503", "Timed out"); never the error message, which may name addresses',
      example: 'HTTP 503',
    }),
  })
  .openapi('PublicStatusIncident');

export const PublicStatus = z
  .object({
    slug: z.string(),
    generated_at: IsoTime,
    status: z.enum(['up', 'down', 'unknown']).openapi({ description: 'down when any monitor is down' }),
    monitors: z.array(PublicMonitor),
    incidents: z.array(PublicIncident).openapi({ description: 'Incidents of the listed monitors over the last 14 days, newest first' }),
  })
  .openapi('PublicStatus');

export type PublicStatus = z.infer<typeof PublicStatus>;
export type PublicMonitor = z.infer<typeof PublicMonitor>;
export type PublicIncident = z.infer<typeof PublicIncident>;
