// A user as every backend first stores it: no status page, token generation 0.

import { newId } from './ids.ts';
import type { User } from './types.ts';

export function newUserRecord(input: { email: string; password_hash: string }, now: number): User {
  return {
    id: newId(),
    email: input.email,
    password_hash: input.password_hash,
    status_slug: null,
    status_title: null,
    status_description: null,
    token_generation: 0,
    created_at: now,
  };
}
