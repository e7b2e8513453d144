// Notifications and the dashboard must tell an outage's length the same way: an email saying
// "back after 1 min" for a 119 s outage the incident table shows as "1 min 59 s" reads as a bug.

import { describe, expect, it } from 'vitest';
import { formatDuration } from './text.ts';

// The dashboard's own module, loaded as the browser loads it (plain JavaScript, no types).
const FORMAT_JS = new URL('../../dashboards/web/assets/js/format.js', import.meta.url).href;

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [59_400, '59 s'],
    [59_600, '1 min'],
    [60_000, '1 min'],
    [119_000, '1 min 59 s'],
    [3_600_000, '1 h'],
    [3 * 3_600_000 + 5 * 60_000 + 10_000, '3 h 5 min'],
    [47 * 3_600_000, '47 h'],
    [52 * 3_600_000, '2 d 4 h'],
  ])('%i ms is "%s"', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('words every duration as the dashboard does', async () => {
    const format: { duration: (seconds: number) => string } = await import(FORMAT_JS);
    for (let seconds = 0; seconds < 400_000; seconds += 37) {
      expect(formatDuration(seconds * 1000), `${seconds} s`).toBe(format.duration(seconds));
    }
  });
});
