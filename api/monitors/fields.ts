// Field validators for monitors that need more than a length check: target URL, accepted status
// codes, request headers, time zone and tags. Each message says what is expected.

import { z } from '@hono/zod-openapi';

export const MAX_URL_LENGTH = 2048;

/** http(s) only, no credentials in the URL (they would show in every check document). */
export const targetUrl = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(MAX_URL_LENGTH, `must be at most ${MAX_URL_LENGTH} characters`)
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be an absolute URL such as https://example.com/health' });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', message: `must use http or https, not ${url.protocol.replace(/:$/, '')}` });
    } else if (url.username || url.password) {
      ctx.addIssue({ code: 'custom', message: 'must not contain credentials; send them in headers (Authorization)' });
    }
  })
  .openapi({ format: 'uri', example: 'https://example.com/health' });

/** Parses "200-399" or "200,204,301-308" into ranges; null when malformed. */
export function parseStatusRanges(spec: string): Array<[number, number]> | null {
  const ranges: Array<[number, number]> = [];
  for (const part of spec.split(',')) {
    const match = /^\s*(\d{3})\s*(?:-\s*(\d{3})\s*)?$/.exec(part);
    if (!match) return null;
    const low = Number(match[1]);
    const high = match[2] === undefined ? low : Number(match[2]);
    if (low < 100 || high > 599 || low > high) return null;
    ranges.push([low, high]);
  }
  return ranges;
}

export const expectStatus = z
  .string()
  .max(200, 'must be at most 200 characters')
  .refine((v) => parseStatusRanges(v) !== null, {
    message: 'must be status codes (100-599) or ranges separated by commas, e.g. "200-399" or "200,204"',
  })
  .openapi({ example: '200-399' });

// Hop-by-hop headers and those the probe sets itself: a monitor cannot override them.
const FORBIDDEN_HEADERS = new Set([
  'connection',
  'content-length',
  'host',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;
const MAX_HEADERS = 20;
const MAX_HEADER_VALUE = 1024;

export const requestHeaders = z
  .record(z.string(), z.string())
  .superRefine((headers, ctx) => {
    const names = Object.keys(headers);
    if (names.length > MAX_HEADERS) {
      ctx.addIssue({ code: 'custom', message: `must have at most ${MAX_HEADERS} headers` });
    }
    for (const name of names) {
      const value = headers[name] ?? '';
      const path = [name];
      if (!HEADER_NAME.test(name)) {
        ctx.addIssue({ code: 'custom', path, message: 'is not a valid header name (letters, digits and -, at most 64)' });
      } else if (FORBIDDEN_HEADERS.has(name.toLowerCase())) {
        ctx.addIssue({ code: 'custom', path, message: `cannot be set: ${name} is managed by the probe` });
      } else if (value.length > MAX_HEADER_VALUE) {
        ctx.addIssue({ code: 'custom', path, message: `must be at most ${MAX_HEADER_VALUE} characters` });
      } else if (/[\r\n\0]/.test(value)) {
        ctx.addIssue({ code: 'custom', path, message: 'must not contain line breaks or NUL' });
      }
    }
  })
  .openapi({ example: { Authorization: 'Bearer …', 'User-Agent': 'downtime-monitor' } });

export function isValidTimeZone(zone: string): boolean {
  // Intl also accepts offsets like "+01:00"; only zone names are allowed, as their rules follow DST.
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const timeZone = z
  .string()
  .max(64, 'must be at most 64 characters')
  .refine(isValidTimeZone, { message: 'must be an IANA time zone name, e.g. Europe/Paris or UTC' })
  .openapi({ example: 'Europe/Paris' });

export const tags = z
  .array(z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters'))
  .max(20, 'must have at most 20 tags')
  .transform((list) => [...new Set(list)])
  .openapi({ example: ['production', 'eu'] });
