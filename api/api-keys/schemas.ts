// API key shapes. The key itself appears in one answer only, the one that creates it; a listed
// key shows its prefix (`dm_<id>`, not secret) so that an owner can tell which one a script
// holds.

import { z } from '@hono/zod-openapi';
import type { ApiKey } from '../../store/types.ts';
import { apiKeyPrefix } from '../auth/api-keys.ts';
import { IsoTime, iso, isoOrNull } from '../common.ts';
import { hiddenCharacterProblem } from '../monitors/fields.ts';

export const ApiKeyCreate = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, 'is required')
      .max(100, 'must be at most 100 characters')
      .superRefine((value, ctx) => {
        const problem = hiddenCharacterProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .openapi({ description: 'What the key is for, to recognise it in the list', example: 'GitHub Actions deploy' }),
    expires_at: z
      .iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with a zone, e.g. 2026-12-31T00:00:00Z' })
      .nullable()
      .optional()
      .openapi({ description: 'When the key stops working (in the future); omitted or null: never', example: '2026-12-31T00:00:00Z' }),
  })
  .strict()
  .openapi('ApiKeyCreate');

const fields = {
  id: z.string().openapi({ example: 'q3VwZ0lY4bH2n1Kd' }),
  name: z.string().openapi({ example: 'GitHub Actions deploy' }),
  prefix: z.string().openapi({ description: 'The start of the key, not secret: dm_<id>', example: 'dm_q3VwZ0lY4bH2n1Kd' }),
  created_at: IsoTime,
  expires_at: IsoTime.nullable().openapi({ description: 'null: never expires' }),
  last_used_at: IsoTime.nullable().openapi({ description: 'Last request made with it, to within a minute; null: never used' }),
};

export const ApiKeySchema = z.object(fields).openapi('ApiKey');

export const ApiKeyCreatedSchema = z
  .object({
    ...fields,
    key: z.string().openapi({
      description: 'The key, shown this once: send it as "Authorization: Bearer <key>". Only a hash of it is stored.',
      example: 'dm_q3VwZ0lY4bH2n1Kd_…(43 more characters)',
    }),
  })
  .openapi('ApiKeyCreated');

export const ApiKeyListSchema = z.object({ items: z.array(ApiKeySchema) }).openapi('ApiKeyList');

export const ApiKeyIdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'q3VwZ0lY4bH2n1Kd' }),
});

/** Never the secret nor its hash. */
export function apiKeyJson(key: ApiKey): z.infer<typeof ApiKeySchema> {
  return {
    id: key.id,
    name: key.name,
    prefix: apiKeyPrefix(key.id),
    created_at: iso(key.created_at),
    expires_at: isoOrNull(key.expires_at),
    last_used_at: isoOrNull(key.last_used_at),
  };
}
