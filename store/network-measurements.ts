// What a check measured on the network, and the all-null set for a check in which nothing was
// measured yet (a probe starts from it, collector/probes/types.ts) or ever (a push, which makes
// no request: store/push-check.ts). `dns` is not part of it: on a Check its presence is what marks
// a dns check (store/ecs.ts maps dns.* only when it is there), so a null would be a lie.

import type { Check } from './types.ts';

export type NetworkMeasurements = Pick<
  Check,
  | 'method'
  | 'status_code'
  | 'body_bytes'
  | 'resolved_ip'
  | 'dns_us'
  | 'connect_us'
  | 'tls_us'
  | 'first_byte_us'
  | 'total_us'
  | 'tls_version'
  | 'cert_not_after'
  | 'cert_issuer'
  | 'cert_sha256'
>;

export function noNetworkMeasurements(): NetworkMeasurements {
  return {
    method: null,
    status_code: null,
    body_bytes: null,
    resolved_ip: null,
    dns_us: null,
    connect_us: null,
    tls_us: null,
    first_byte_us: null,
    total_us: null,
    tls_version: null,
    cert_not_after: null,
    cert_issuer: null,
    cert_sha256: null,
  };
}
