// When to try a failed delivery again: exponential backoff with jitter, and the 24 h limit after
// which a delivery is given up (dead) however transient its errors look.

export type BackoffPolicy = {
  /** Delay after the first failure, ms. */
  baseMs: number;
  /** Longest delay between two attempts, ms. */
  maxMs: number;
  /** Age (since the delivery was created) after which it is dead instead of retried, ms. */
  giveUpAfterMs: number;
};

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 5_000, maxMs: 30 * 60_000, giveUpAfterMs: 24 * 3_600_000 };

/**
 * Next attempt time after the `failures`-th failure (1 = first), or null when the delivery should
 * be given up. "Equal jitter": half the delay is fixed, half random, so that deliveries failing
 * together (an SMTP outage) do not all come back at the same instant, and none comes back at once.
 */
export function nextAttemptAt(policy: BackoffPolicy, failures: number, createdAt: number, now: number, random: () => number = Math.random): number | null {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, Math.min(failures - 1, 30)));
  const delay = exp / 2 + (exp / 2) * random();
  const at = now + Math.round(delay);
  return at - createdAt >= policy.giveUpAfterMs ? null : at;
}

/**
 * The backoff's next attempt, or `now + retryAfterMs` when the provider asked for a longer wait
 * (429 Retry-After); null once that falls past the give-up limit, as for the backoff alone.
 */
export function retryAt(policy: BackoffPolicy, failures: number, createdAt: number, now: number, retryAfterMs?: number, random: () => number = Math.random): number | null {
  const at = nextAttemptAt(policy, failures, createdAt, now, random);
  if (at === null || retryAfterMs === undefined) return at;
  const later = Math.max(at, now + retryAfterMs);
  return later - createdAt >= policy.giveUpAfterMs ? null : later;
}
