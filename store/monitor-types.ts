// What the monitor types add to a monitor, in one place: the neutral values of the type-specific
// fields (what an existing monitor, created before types existed, reads as), and the RFC 4501
// URI that names a dns monitor's question in `url` (shown in lists, checks and notifications).
//
// Example:
//   dnsUri({ name: 'example.com', record_type: 'MX', resolver: '192.0.2.53:5353', expect: null })
//   // → 'dns://192.0.2.53:5353/example.com?type=MX'

import type { DnsQuery, Monitor } from './types.ts';

export type TypeFields = Pick<Monitor, 'type' | 'body' | 'keyword_absent' | 'json_assertions' | 'max_response_ms' | 'dns' | 'tls_expiry_days' | 'grace_seconds' | 'push_token_hash'>;

/** Days before a certificate expires at which its contacts are told (DESIGN "Monitor types"). */
export const DEFAULT_TLS_EXPIRY_DAYS: readonly number[] = [14, 7, 1];

/**
 * A monitor stored before monitor types: an http monitor with none of the HTTP additions, and
 * the default certificate expiry thresholds.
 */
export function typeDefaults(): TypeFields {
  return { type: 'http', body: null, keyword_absent: false, json_assertions: [], max_response_ms: null, dns: null, tls_expiry_days: [...DEFAULT_TLS_EXPIRY_DAYS], grace_seconds: 0, push_token_hash: null };
}

/** A stored monitor document with every field of today, older documents completed with typeDefaults. */
export function withTypeDefaults<T extends Omit<Monitor, keyof TypeFields> & Partial<TypeFields>>(doc: T): T & TypeFields {
  const defaults = typeDefaults();
  return {
    ...doc,
    type: doc.type ?? defaults.type,
    body: doc.body ?? defaults.body,
    keyword_absent: doc.keyword_absent ?? defaults.keyword_absent,
    json_assertions: doc.json_assertions ?? defaults.json_assertions,
    max_response_ms: doc.max_response_ms ?? defaults.max_response_ms,
    dns: doc.dns ?? defaults.dns,
    tls_expiry_days: doc.tls_expiry_days ?? defaults.tls_expiry_days,
    grace_seconds: doc.grace_seconds ?? defaults.grace_seconds,
    push_token_hash: doc.push_token_hash ?? defaults.push_token_hash,
  };
}

export function dnsUri(query: DnsQuery): string {
  const name = encodeURIComponent(query.name.replace(/\.$/, '')).replace(/%2E/gi, '.');
  const authority = query.resolver === null ? '' : `//${query.resolver}/`;
  return `dns:${authority}${name}?type=${query.record_type}`;
}
