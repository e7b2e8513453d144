import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, parseRetryAfter } from './http-post.ts';

const NOW = Date.UTC(2025, 2, 1, 12, 0, 0);

describe('parseRetryAfter', () => {
  it.each([
    { value: '120', ms: 120_000 },
    { value: ' 2 ', ms: 2_000 },
    { value: '1.5', ms: 1_500 },
    { value: '0', ms: 0 },
    { value: ['30', '60'], ms: 30_000 },
    { value: 'Sat, 01 Mar 2025 12:01:30 GMT', ms: 90_000 },
    { value: 'Sat, 01 Mar 2025 11:00:00 GMT', ms: 0 },
    { value: '86400', ms: MAX_RETRY_AFTER_MS },
    { value: undefined, ms: undefined },
    { value: '', ms: undefined },
    { value: 'soon', ms: undefined },
    { value: '-5', ms: undefined },
  ])('$value → $ms', ({ value, ms }) => {
    expect(parseRetryAfter(value, NOW)).toBe(ms);
  });
});
