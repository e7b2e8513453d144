// Notifications and the dashboard must tell an outage's length the same way: an email saying
// "back after 1 min" for a 119 s outage the incident table shows as "1 min 59 s" reads as a bug.

import { describe, expect, it } from 'vitest';
import { formatDuration, headline } from './text.ts';
import { sampleCertMessage } from '../testing/fixtures.ts';

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

describe('certificate wording', () => {
  const DAY = 86_400_000;
  it.each([
    { left: 12 * DAY + 6 * 3_600_000, says: 'expires in 12 days (2025-03-13)' },
    { left: DAY + 1, says: 'expires in 1 day (2025-03-02)' },
    { left: 5 * 3_600_000, says: 'expires in 5 h (2025-03-01)' },
    { left: -(2 * DAY + 3 * 3_600_000), says: 'expired 2 d 3 h ago (2025-02-27)' },
  ])('$says', ({ left, says }) => {
    const now = Date.UTC(2025, 2, 1, 12);
    const base = sampleCertMessage();
    const message = sampleCertMessage({ now, cert: { ...base.cert, not_after: now + left } });
    expect(headline(message)).toBe(`[CERT] Shop: certificate for shop.example ${says}, issued by Let's Encrypt R11`);
  });

  it('names the port when the monitor has one, and leaves out an unknown issuer', () => {
    const base = sampleCertMessage();
    const message = sampleCertMessage({ monitor: { ...base.monitor, url: 'tls://db.example:5432' }, cert: { ...base.cert, issuer: null } });
    expect(headline(message)).toBe('[CERT] Shop: certificate for db.example:5432 expires in 12 days (2025-03-13)');
  });
});

describe('certificate expiry on the monitor page', () => {
  it('is worded as the [CERT] notifications word it', async () => {
    const format: { certificateExpiry: (notAfter: number, now: number) => string | null } = await import(FORMAT_JS);
    const now = Date.UTC(2025, 2, 1, 12);
    for (let left = -3 * 86_400_000; left < 30 * 86_400_000; left += 3_700_000) {
      const base = sampleCertMessage();
      const message = sampleCertMessage({ now, cert: { ...base.cert, not_after: now + left } });
      const date = new Date(now + left).toISOString().slice(0, 10);
      const page = format.certificateExpiry(now + left, now)!.replace('certificate ', 'certificate for shop.example ');
      expect(`${page} (${date})`, `${left} ms`).toBe(headline(message).replace(/^\[CERT\] Shop: /, '').replace(/, issued by .*$/, ''));
    }
    expect(format.certificateExpiry(now + 12.5 * 86_400_000, now)).toBe('certificate expires in 12 days');
  });
});
