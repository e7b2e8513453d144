// Token-bucket rate limiting for login, signup, password changes and API key creation. Each key
// (e.g. email + client address) owns a bucket that refills continuously; the map of buckets is
// bounded, and when it is full the least recently used bucket is dropped (a dropped bucket was
// idle the longest, so it is the one that had refilled the most anyway).
//
// Example:
//   const limiter = createRateLimiter({ capacity: 5, refillPerSecond: 1 / 12, maxKeys: 10_000, clock: Date.now });
//   const verdict = limiter.take(`${email}|${ip}`);
//   if (!verdict.allowed) answer 429 with Retry-After: verdict.retryAfterSeconds

import { ProblemError } from '../problem.ts';

export type RateVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export type RateLimiter = { take(key: string): RateVerdict };

type Bucket = { tokens: number; updatedAt: number };

export function createRateLimiter(opts: {
  capacity: number;
  refillPerSecond: number;
  maxKeys: number;
  clock: () => number;
}): RateLimiter {
  const buckets = new Map<string, Bucket>();
  return {
    take(key) {
      const now = opts.clock();
      const previous = buckets.get(key);
      const elapsed = previous ? Math.max(0, now - previous.updatedAt) / 1000 : 0;
      const tokens = previous ? Math.min(opts.capacity, previous.tokens + elapsed * opts.refillPerSecond) : opts.capacity;
      // Re-insert so Map order is least recently used first.
      buckets.delete(key);
      if (buckets.size >= opts.maxKeys) {
        const oldest = buckets.keys().next();
        if (!oldest.done) buckets.delete(oldest.value);
      }
      if (tokens < 1) {
        buckets.set(key, { tokens, updatedAt: now });
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / opts.refillPerSecond)) };
      }
      buckets.set(key, { tokens: tokens - 1, updatedAt: now });
      return { allowed: true };
    },
  };
}

/** Takes one token for `key`, or throws a 429 problem with Retry-After naming `what` was limited. */
export function enforceRateLimit(limiter: RateLimiter, key: string, what: string): void {
  const verdict = limiter.take(key);
  if (verdict.allowed) return;
  throw new ProblemError({
    status: 429,
    detail: `too many ${what} attempts; retry in ${verdict.retryAfterSeconds} s`,
    headers: { 'Retry-After': String(verdict.retryAfterSeconds) },
  });
}
