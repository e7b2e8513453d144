// Shapes of the status page endpoints: the owner's opt-in settings and the public, unauthenticated
// read. The public shape is deliberately thin: names, statuses and uptime only, never a URL, a
// contact or an internal id. The title and description are the owner's words, shown to anyone:
// bounded, without control or bidi characters (they could disguise the text), and always put on
// the page as text, never as markup (assets/js/dom.js).

import { z } from '@hono/zod-openapi';
import { IsoTime } from '../../api/common.ts';
import { hiddenCharacterProblem } from '../../api/monitors/fields.ts';

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{1,38})[a-z0-9]$/;

export const Slug = z
  .string({ message: 'must be a string' })
  .trim()
  .toLowerCase()
  .regex(SLUG_PATTERN, 'must be 3 to 40 lowercase letters, digits or dashes, starting and ending with a letter or digit')
  .refine((s) => !s.includes('--'), 'must not contain two dashes in a row')
  .openapi({ example: 'acme' });

export const MAX_TITLE_LENGTH = 100;
export const MAX_DESCRIPTION_LENGTH = 500;

/** Optional text of the page: trimmed; empty, null or absent all mean "none". */
function pageText(max: number) {
  return z
    .string({ message: 'must be a string or null' })
    .trim()
    .max(max, `must be at most ${max} characters`)
    .superRefine((value, ctx) => {
      const problem = hiddenCharacterProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .transform((value) => (value === '' ? null : value))
    .nullable()
    .optional()
    .transform((value) => value ?? null);
}

export const StatusPageBody = z
  .object({
    slug: Slug,
    title: pageText(MAX_TITLE_LENGTH).openapi({
      description: `Heading of the page, at most ${MAX_TITLE_LENGTH} characters; absent, null or empty: the slug`,
      example: 'Acme status',
    }),
    description: pageText(MAX_DESCRIPTION_LENGTH).openapi({
      description: `One paragraph under the heading, at most ${MAX_DESCRIPTION_LENGTH} characters (no line breaks); absent, null or empty: none`,
      example: 'Live status of the Acme shop and API. Planned maintenance is announced by email.',
    }),
  })
  .strict()
  .openapi('StatusPageSettingsRequest', {
    description: 'The whole setting: a field left out is cleared (PUT replaces)',
    example: { slug: 'acme', title: 'Acme status', description: 'Live status of the Acme shop and API.' },
  });

export const StatusPageSettings = z
  .object({
    slug: z.string().nullable().openapi({ description: 'null when the status page is off' }),
    url: z.string().nullable().openapi({ description: 'Where the page is published', example: 'https://uptime.example.com/status/acme' }),
    title: z.string().nullable().openapi({ description: 'null: the page is titled by its slug', example: 'Acme status' }),
    description: z.string().nullable().openapi({ example: 'Live status of the Acme shop and API.' }),
  })
  .openapi('StatusPageSettings', {
    example: {
      slug: 'acme',
      url: 'https://uptime.example.com/status/acme',
      title: 'Acme status',
      description: 'Live status of the Acme shop and API.',
    },
  });

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
    status: z.enum(['up', 'down', 'unknown', 'paused', 'maintenance']).openapi({ description: 'maintenance: in a planned maintenance window now' }),
    last_check_at: IsoTime.nullable(),
    kind: z.string().openapi({
      description:
        'What kind of check it is: HTTP, HTTPS, TCP port, TLS port, DNS <type> record or Heartbeat (push). Never the target: no host, port, path, DNS name, resolver or token',
      example: 'HTTPS',
    }),
    latency: z
      .object({
        label: z.enum(['Response time', 'Connect time', 'Connect and TLS handshake time', 'Resolve time']).openapi({
          description: 'What the time measures for this kind: the HTTP response (http), the TCP connect (tcp://), connect and handshake (tls://), the DNS answer (dns)',
        }),
        avg_ms_24h: z.number().nullable().openapi({ description: 'Average over the up checks of the last 24 hours, in ms (0.1 ms steps); null without any', example: 182.4 }),
      })
      .nullable()
      .openapi({ description: 'null for a heartbeat (push) monitor: a push has no time of ours to show' }),
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
    title: z.string().openapi({ description: "The owner's title, or the slug when none is set", example: 'Acme status' }),
    description: z.string().nullable().openapi({ description: "The owner's description; null when none", example: 'Live status of the Acme shop and API.' }),
    generated_at: IsoTime,
    status: z.enum(['up', 'down', 'unknown']).openapi({ description: 'down when any monitor is down' }),
    monitors: z.array(PublicMonitor),
    incidents: z.array(PublicIncident).openapi({ description: 'Incidents of the listed monitors over the last 14 days, newest first' }),
  })
  .openapi('PublicStatus');

export type PublicStatus = z.infer<typeof PublicStatus>;
export type PublicMonitor = z.infer<typeof PublicMonitor>;
export type PublicIncident = z.infer<typeof PublicIncident>;
