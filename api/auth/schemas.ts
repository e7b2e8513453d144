// Request and response shapes of /auth/*.

import { z } from '@hono/zod-openapi';
import { IsoTime } from '../common.ts';

const email = z
  .email({ message: 'must be an email address' })
  .max(254, 'must be at most 254 characters')
  .openapi({ example: 'ada@example.com' });

/** A password being set (sign-up, password change): the rules live here once. */
const newPassword = z
  .string()
  .min(10, 'must be at least 10 characters')
  .max(1024, 'must be at most 1024 characters')
  .openapi({ example: 'correct horse battery staple' });

export const SignupBody = z
  .object({ email, password: newPassword })
  .strict()
  .openapi('SignupRequest');

export const TokenBody = z
  .object({
    email: z.string().min(1, 'is required').max(254, 'must be at most 254 characters'),
    password: z.string().min(1, 'is required').max(1024, 'must be at most 1024 characters'),
  })
  .strict()
  .openapi('TokenRequest');

export const PasswordChangeBody = z
  .object({
    current_password: z.string().min(1, 'is required').max(1024, 'must be at most 1024 characters'),
    new_password: newPassword,
  })
  .strict()
  .openapi('PasswordChangeRequest');

export const UserSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    status_slug: z.string().nullable().openapi({ description: 'Public status page slug; null when not published' }),
    created_at: IsoTime,
  })
  .openapi('User');

export const TokenSchema = z
  .object({
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int().openapi({ description: 'Seconds until the token expires', example: 3600 }),
  })
  .openapi('Token');
