import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, nextAttemptAt, retryAt } from './backoff.ts';

const H = 3_600_000;

describe('nextAttemptAt', () => {
  it.each([
    { failures: 1, random: 0, delay: 2_500 },
    { failures: 1, random: 1, delay: 5_000 },
    { failures: 2, random: 0, delay: 5_000 },
    { failures: 3, random: 1, delay: 20_000 },
    { failures: 10, random: 1, delay: 30 * 60_000 },
    { failures: 50, random: 0.5, delay: 22.5 * 60_000 },
  ])('failure $failures with jitter $random waits $delay ms', ({ failures, random, delay }) => {
    expect(nextAttemptAt(DEFAULT_BACKOFF, failures, 0, 1_000, () => random)).toBe(1_000 + delay);
  });

  it('gives up once the next attempt would fall 24 h after creation', () => {
    expect(nextAttemptAt(DEFAULT_BACKOFF, 20, 0, 24 * H - 60 * 60_000, () => 0)).not.toBeNull();
    expect(nextAttemptAt(DEFAULT_BACKOFF, 20, 0, 24 * H - 60_000, () => 1)).toBeNull();
    expect(nextAttemptAt(DEFAULT_BACKOFF, 1, 0, 25 * H)).toBeNull();
  });
});

describe('retryAt', () => {
  it.each([
    { case: 'no Retry-After: the backoff', retryAfterMs: undefined, at: 1_000 + 2_500 },
    { case: 'a shorter Retry-After: the backoff still', retryAfterMs: 1_000, at: 1_000 + 2_500 },
    { case: 'a longer Retry-After: the provider’s time', retryAfterMs: 120_000, at: 1_000 + 120_000 },
  ])('$case', ({ retryAfterMs, at }) => {
    expect(retryAt(DEFAULT_BACKOFF, 1, 0, 1_000, retryAfterMs, () => 0)).toBe(at);
  });

  it('gives up when the provider’s time falls past the 24 h limit', () => {
    expect(retryAt(DEFAULT_BACKOFF, 1, 0, 23 * H, 2 * H, () => 0)).toBeNull();
  });
});
