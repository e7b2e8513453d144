// Field validators for monitors that need more than a length check: name, target URL, accepted
// status codes, request headers, time zone and tags. Each message says what is expected.

import { z } from '@hono/zod-openapi';

export const MAX_URL_LENGTH = 2048;

const codePoint = (char: string) => `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

// C0 controls, DEL and C1 controls; and the bidirectional embeddings, overrides and isolates,
// which make text display in another order than it is stored (a name or URL that reads as
// something else).
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
const BIDI = /[\u202a-\u202e\u2066-\u2069]/u;

/**
 * Why a text a person reads (name, URL, address) is refused, or null: it must show what it is.
 * A URL parser would also drop tabs and line breaks silently, so the URL shown would not be the
 * one requested.
 */
export function hiddenCharacterProblem(value: string): string | null {
  const control = CONTROL.exec(value)?.[0];
  if (control !== undefined) return `must not contain control characters (${codePoint(control)})`;
  const bidi = BIDI.exec(value)?.[0];
  if (bidi !== undefined) return `must not contain bidirectional formatting characters (${codePoint(bidi)})`;
  return null;
}

export const monitorName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .superRefine((value, ctx) => {
    const problem = hiddenCharacterProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .openapi({ example: 'Homepage' });

/**
 * http(s) only, no credentials in the URL (they would show in every check document), no hidden
 * characters. Stored as the URL parser serialises it (lower-case scheme and host, default port
 * dropped, spaces encoded): the URL shown is the URL probed.
 */
export const targetUrl = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(MAX_URL_LENGTH, `must be at most ${MAX_URL_LENGTH} characters`)
  .superRefine((value, ctx) => {
    const hidden = hiddenCharacterProblem(value);
    if (hidden) {
      ctx.addIssue({ code: 'custom', message: hidden });
      return;
    }
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be an absolute URL such as https://example.com/health' });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      const scheme = url.protocol.replace(/:$/, '');
      const hint = scheme === 'tcp' || scheme === 'tls' ? ' (for a port, create a monitor with "type": "tcp")' : '';
      ctx.addIssue({ code: 'custom', message: `must use http or https, not ${scheme}${hint}` });
    } else if (url.username || url.password) {
      ctx.addIssue({ code: 'custom', message: 'must not contain credentials; send them in headers (Authorization)' });
    } else if (url.href.length > MAX_URL_LENGTH) {
      ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_URL_LENGTH} characters once encoded (${url.href.length})` });
    }
  })
  .openapi({ format: 'uri', example: 'https://example.com/health' })
  // Runs only on a value the checks above accepted, so it parses.
  .transform((value) => new URL(value).href);

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

// Headers a monitor cannot set, with the reason it is told. Each would make every probe fail
// (undici refuses Expect, Transfer-Encoding, Keep-Alive and Upgrade outright; a wrong
// Content-Length or Connection breaks the exchange) or describes the probe's own connection.
// Host is refused too, although undici would send it: the probe dials, verifies the certificate
// of and follows redirects from the URL's host, so another Host would probe a site the URL does
// not show, and would be carried unchanged to every redirect target. The name belongs in the URL.
const hopByHop = (name: string) => `cannot be set: ${name} is a hop-by-hop header, managed by the probe for its own connection`;
const REFUSED_HEADERS = new Map<string, (name: string) => string>([
  ['connection', hopByHop],
  ['keep-alive', hopByHop],
  ['proxy-connection', hopByHop],
  ['te', hopByHop],
  ['trailer', hopByHop],
  ['transfer-encoding', hopByHop],
  ['upgrade', hopByHop],
  ['expect', () => 'cannot be set: the probe sends its request at once and does not wait for 100 Continue (every probe would fail)'],
  ['content-length', () => 'cannot be set: the probe sets the length of the body itself'],
  ['host', () => "cannot be set: the probe sends the URL's host, so the site probed is the one the URL shows; put the name in the URL"],
  ['proxy-authorization', () => 'cannot be set: the probe goes through no proxy'],
  ['proxy-authenticate', () => 'cannot be set: it is a response header'],
]);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;
const MAX_HEADERS = 20;
const MAX_HEADER_VALUE = 1024;
// What an HTTP/1.1 field value may hold (undici refuses anything else on every probe): tab,
// visible ASCII and space, and Latin-1 bytes above DEL. C1 controls are refused as well.
const HEADER_CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/u;
const BEYOND_LATIN1 = /[^\u0000-\u00ff]/u;

function headerProblem(name: string, value: string): string | null {
  if (!HEADER_NAME.test(name)) return 'is not a valid header name (letters, digits and -, at most 64)';
  const refused = REFUSED_HEADERS.get(name.toLowerCase());
  if (refused) return refused(name);
  if (value.length > MAX_HEADER_VALUE) return `must be at most ${MAX_HEADER_VALUE} characters`;
  const control = HEADER_CONTROL.exec(value)?.[0];
  if (control !== undefined) return `must not contain control characters (${codePoint(control)})`;
  const wide = BEYOND_LATIN1.exec(value)?.[0];
  if (wide !== undefined) return `must hold only Latin-1 characters, which HTTP headers can carry; ${codePoint(wide)} cannot be sent`;
  return null;
}

export const requestHeaders = z
  .record(z.string(), z.string())
  .superRefine((headers, ctx) => {
    const names = Object.keys(headers);
    if (names.length > MAX_HEADERS) {
      ctx.addIssue({ code: 'custom', message: `must have at most ${MAX_HEADERS} headers` });
    }
    for (const [name, value] of Object.entries(headers)) {
      const path = [name];
      const problem = headerProblem(name, value);
      if (problem) ctx.addIssue({ code: 'custom', path, message: problem });
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
