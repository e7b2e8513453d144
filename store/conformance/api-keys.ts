// API keys: created under a fresh id, read by id by anyone (authentication learns the owner
// there), listed and revoked only by their owner, revoked at once, last use moving forward only,
// and purged by retention once long expired.

import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { describe, expect } from 'vitest';
import type { ApiKeyInput } from '../types.ts';
import { type ConformanceOptions, DAY, MINUTE, newUser, useStore } from './harness.ts';

const T = Date.UTC(2026, 5, 1);

const input = (overrides: Partial<ApiKeyInput> = {}): ApiKeyInput => ({
  name: 'CI deploys',
  secret_hash: 'hmac-sha256$c2VjcmV0LWhhc2g',
  expires_at: null,
  ...overrides,
});

export function apiKeyCases(options: ConformanceOptions): void {
  describe('api keys', () => {
    const { store, refresh, test } = useStore(options);

    test('creates keys under fresh ids, reads them by id and lists them oldest first', async () => {
      const owner = await newUser(store());
      const first = await store().createApiKey(owner.id, input({ name: 'first' }));
      // The next key is made a millisecond later at least, so that "oldest first" is not a tie.
      while (Date.now() <= first.created_at) await yieldToEventLoop();
      const second = await store().createApiKey(owner.id, input({ name: 'second', expires_at: T + 30 * DAY }));
      expect(first).toEqual({
        id: expect.any(String),
        owner_id: owner.id,
        name: 'first',
        secret_hash: 'hmac-sha256$c2VjcmV0LWhhc2g',
        created_at: expect.any(Number),
        expires_at: null,
        last_used_at: null,
      });
      expect(second.id).not.toBe(first.id);
      expect(second.expires_at).toBe(T + 30 * DAY);
      expect(await store().getApiKey(first.id)).toEqual(first);
      expect(await store().getApiKey(second.id)).toEqual(second);
      expect(await store().getApiKey('no-such-key')).toBeNull();
      // Read right after the writes, without a refresh.
      expect(await store().listApiKeys(owner.id)).toEqual([first, second]);
    });

    test("an owner can neither list nor revoke another owner's keys", async () => {
      const alice = await newUser(store());
      const bob = await newUser(store());
      const key = await store().createApiKey(alice.id, input());
      expect(await store().listApiKeys(bob.id)).toEqual([]);
      expect(await store().revokeApiKey(bob.id, key.id)).toBe(false);
      expect(await store().getApiKey(key.id)).toEqual(key);
      expect(await store().listApiKeys(alice.id)).toEqual([key]);
    });

    test('a revoked key is gone at once, from the lookup by id and from the list', async () => {
      const owner = await newUser(store());
      const kept = await store().createApiKey(owner.id, input({ name: 'kept' }));
      const revoked = await store().createApiKey(owner.id, input({ name: 'revoked' }));
      expect(await store().revokeApiKey(owner.id, revoked.id)).toBe(true);
      expect(await store().getApiKey(revoked.id)).toBeNull();
      expect(await store().listApiKeys(owner.id)).toEqual([kept]);
      expect(await store().revokeApiKey(owner.id, revoked.id)).toBe(false);
      expect(await store().revokeApiKey(owner.id, 'no-such-key')).toBe(false);
    });

    test('records the last use, never moving it back, and never brings a revoked key back', async () => {
      const owner = await newUser(store());
      const key = await store().createApiKey(owner.id, input());
      await store().touchApiKey(key.id, T + 5 * MINUTE);
      expect((await store().getApiKey(key.id))?.last_used_at).toBe(T + 5 * MINUTE);
      // Another instance recording an earlier use late.
      await store().touchApiKey(key.id, T + MINUTE);
      expect((await store().getApiKey(key.id))?.last_used_at).toBe(T + 5 * MINUTE);
      await store().touchApiKey(key.id, T + 6 * MINUTE);
      await refresh();
      expect(await store().listApiKeys(owner.id)).toEqual([{ ...key, last_used_at: T + 6 * MINUTE }]);

      expect(await store().revokeApiKey(owner.id, key.id)).toBe(true);
      await store().touchApiKey(key.id, T + 7 * MINUTE);
      await store().touchApiKey('no-such-key', T + 7 * MINUTE);
      await refresh();
      expect(await store().getApiKey(key.id)).toBeNull();
      expect(await store().listApiKeys(owner.id)).toEqual([]);
    });

    test('retention purges keys that expired before the cutoff, and keeps the others', async () => {
      const owner = await newUser(store());
      const cutoff = T + 10 * DAY;
      await store().createApiKey(owner.id, input({ name: 'long expired', expires_at: T }));
      const atCutoff = await store().createApiKey(owner.id, input({ name: 'expires at the cutoff', expires_at: cutoff }));
      const later = await store().createApiKey(owner.id, input({ name: 'expires later', expires_at: cutoff + DAY }));
      const never = await store().createApiKey(owner.id, input({ name: 'never expires' }));
      await refresh();
      await store().purgeChecksBefore(cutoff);
      await refresh();
      const left = (await store().listApiKeys(owner.id)).map((k) => k.name).sort();
      expect(left).toEqual([atCutoff.name, later.name, never.name].sort());
    });
  });
}
