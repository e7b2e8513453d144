// Test support: how every HTTP chat or paging channel must answer its provider's errors, run
// against that provider's local fake (provider-fakes.ts). Each channel's test file calls it once.
//
// Example:
//   describeProviderErrors('slack', { channel: (o) => slackChannel({ allowPrivate: true, ...o }), delivery: (url) => … });

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Delivery } from '../../store/types.ts';
import { PermanentError, TransientError, type Channel } from '../channels/channel.ts';
import { sampleMessage } from './fixtures.ts';
import { startProviderFake, type Provider, type ProviderFake } from './provider-fakes.ts';

export type ProviderErrorSuite = {
  /** The channel under test; `fakeUrl` for a channel whose endpoint is configured (PagerDuty). */
  channel(opts: { timeoutMs?: number }, fakeUrl: string): Channel;
  /** A delivery to this channel, given the fake's base URL. */
  delivery(fakeUrl: string): Delivery;
};

export function describeProviderErrors(provider: Provider, suite: ProviderErrorSuite): void {
  describe(`${provider} channel against a local ${provider} server: errors`, () => {
    let fake: ProviderFake;
    const signal = new AbortController().signal;
    beforeAll(async () => {
      fake = await startProviderFake(provider);
    });
    afterAll(async () => {
      await fake.close();
    });
    const sendOnce = async (timeoutMs = 2_000) => {
      const channel = suite.channel({ timeoutMs }, fake.url);
      try {
        await channel.send(suite.delivery(fake.url), sampleMessage('down'), { signal });
      } finally {
        await channel.close();
      }
    };
    const failure = async (timeoutMs?: number) => {
      try {
        await sendOnce(timeoutMs);
      } catch (error) {
        return error;
      }
      throw new Error('expected the send to fail');
    };

    it('is accepted by the provider as rendered', async () => {
      const before = fake.received.length;
      await sendOnce();
      expect(fake.received.length).toBe(before + 1);
    });

    it('429 with Retry-After in seconds is transient and hands the wait to the dispatcher', async () => {
      fake.rateLimit(7);
      const error = await failure();
      expect(error).toBeInstanceOf(TransientError);
      expect((error as TransientError).retryAfterMs).toBe(7_000);
      expect((error as Error).message).toMatch(/HTTP 429/);
    });

    it('429 with Retry-After as an HTTP date is transient, waiting until then', async () => {
      fake.rateLimit(new Date(Date.now() + 90_000).toUTCString());
      const error = (await failure()) as TransientError;
      expect(error).toBeInstanceOf(TransientError);
      expect(error.retryAfterMs).toBeGreaterThan(80_000);
      expect(error.retryAfterMs).toBeLessThanOrEqual(90_000);
    });

    it.each([
      { status: 400, error: PermanentError },
      { status: 403, error: PermanentError },
      { status: 404, error: PermanentError },
      { status: 410, error: PermanentError },
      { status: 302, error: PermanentError },
      { status: 408, error: TransientError },
      { status: 500, error: TransientError },
      { status: 503, error: TransientError },
    ])('HTTP $status → $error.name, with the provider’s words', async ({ status, error }) => {
      fake.respond.push({ status, body: `reply-${status}`, ...(status === 302 ? { headers: { location: 'https://elsewhere.example/' } } : {}) });
      const thrown = await failure();
      expect(thrown).toBeInstanceOf(error);
      expect((thrown as Error).message).toContain(`HTTP ${status}: reply-${status}`);
    });

    it('a provider slower than the timeout is transient', async () => {
      fake.delayMs = 1_000;
      const started = Date.now();
      try {
        expect(await failure(200)).toBeInstanceOf(TransientError);
        expect(Date.now() - started).toBeLessThan(900);
      } finally {
        fake.delayMs = 0;
      }
    });
  });
}
