// Field validators of the monitor types beyond plain http (DESIGN "Monitor types"): tcp/tls
// addresses, a dns question with its optional resolver, the request body and JSON assertions of
// http monitors. Each message says what is expected.

import { z } from '@hono/zod-openapi';
import { parseJsonPath } from '../../collector/check/json-path.ts';
import { parseResolver } from '../../net/resolver-address.ts';
import { DNS_RECORD_TYPES, JSON_ASSERTION_OPS } from '../../store/types.ts';
import { hiddenCharacterProblem, MAX_URL_LENGTH } from './fields.ts';

export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_JSON_ASSERTIONS = 20;

/** tcp://host:port (connect) or tls://host:port (connect and handshake); stored as scheme://host:port. */
export const tcpUrl = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(MAX_URL_LENGTH, `must be at most ${MAX_URL_LENGTH} characters`)
  .superRefine((value, ctx) => {
    const hidden = hiddenCharacterProblem(value);
    if (hidden) return void ctx.addIssue({ code: 'custom', message: hidden });
    const problem = tcpUrlProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform((value) => {
    const url = new URL(value);
    return `${url.protocol}//${url.hostname.toLowerCase()}:${url.port}`;
  })
  .openapi({ example: 'tcp://db.example.com:5432' });

function tcpUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be tcp://host:port or tls://host:port';
  }
  if (url.protocol !== 'tcp:' && url.protocol !== 'tls:') {
    return `must use tcp (connect) or tls (connect and TLS handshake), not ${url.protocol.replace(/:$/, '')}`;
  }
  if (url.hostname === '') return 'must name a host: tcp://host:port';
  if (url.port === '' || url.port === '0') return 'must name a port from 1 to 65535: tcp://host:port';
  if (url.username || url.password) return 'must not contain credentials';
  if ((url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) return 'must be only scheme://host:port (no path, query or fragment)';
  return null;
}

const HOST_NAME = /^(?=.{1,253}\.?$)(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.?$/;

export const dnsQuerySchema = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .refine((v) => HOST_NAME.test(v), { message: 'must be a host name such as example.com (letters, digits, -, _ and dots)' })
      .transform((v) => v.toLowerCase().replace(/\.$/, ''))
      .openapi({ example: 'example.com' }),
    record_type: z.enum(DNS_RECORD_TYPES, { message: `must be one of ${DNS_RECORD_TYPES.join(', ')}` }),
    resolver: z
      .string()
      .trim()
      .refine((v) => parseResolver(v) !== null, { message: 'must be an IP address with an optional port: 192.0.2.53, 192.0.2.53:5353 or [2001:db8::53]:53' })
      .nullable()
      .default(null)
      .openapi({ description: 'Resolver to ask, ip[:port]; null = the system resolvers', example: '1.1.1.1' }),
    expect: z
      .string()
      .trim()
      .min(1, 'must not be empty (use null to accept any answer)')
      .max(1024, 'must be at most 1024 characters')
      .nullable()
      .default(null)
      .openapi({ description: 'A value that must be among the answers (an address, a name, "10 mx.example.com", a TXT string)' }),
  })
  .strict()
  .openapi('DnsQuery');

export const requestBody = z
  .string()
  .refine((v) => Buffer.byteLength(v) <= MAX_BODY_BYTES, { message: `must be at most ${MAX_BODY_BYTES} bytes (64 KiB) in UTF-8` })
  .nullable()
  .openapi({ description: 'Request body (not with GET or HEAD); set its Content-Type in headers', example: '{"ping":true}' });

const scalar = z.union([z.string().max(1024, 'must be at most 1024 characters'), z.number(), z.boolean(), z.null()]);

export const jsonAssertion = z
  .object({
    path: z
      .string()
      .max(512, 'must be at most 512 characters')
      .superRefine((value, ctx) => {
        const parsed = parseJsonPath(value);
        if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason });
      })
      .openapi({ example: '$.status' }),
    op: z.enum(JSON_ASSERTION_OPS, { message: `must be one of ${JSON_ASSERTION_OPS.join(' ')}` }),
    value: scalar.default(null).openapi({ description: 'Compared with the value at path; unused by exists', example: 'ok' }),
  })
  .strict()
  .superRefine((rule, ctx) => {
    const ordered = rule.op === '<' || rule.op === '<=' || rule.op === '>' || rule.op === '>=';
    if (ordered && typeof rule.value !== 'number') {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `must be a number for ${rule.op}` });
    }
    if (rule.op === 'contains' && (rule.value === null || typeof rule.value === 'object')) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'must be a string, number or boolean for contains' });
    }
  })
  .openapi('JsonAssertion');

export const jsonAssertions = z
  .array(jsonAssertion)
  .max(MAX_JSON_ASSERTIONS, `must have at most ${MAX_JSON_ASSERTIONS} assertions`)
  .openapi({ example: [{ path: '$.status', op: '==', value: 'ok' }, { path: '$.checks[0].latency_ms', op: '<', value: 500 }] });
