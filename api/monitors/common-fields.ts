// The fields every monitor type has, named once for the request side (schemas.ts) and the
// response side (monitor-json.ts).

import type { Monitor, MonitorInput } from '../../store/types.ts';

/** Fields every type has, as a caller sends them and as the API shows them. */
export const COMMON_FIELDS = [
  'name', 'interval_seconds', 'timeout_ms', 'confirm_failures', 'confirm_recoveries', 'remind_every_minutes',
  'paused', 'tags', 'timezone', 'public', 'tls_expiry_days',
] as const satisfies readonly (keyof MonitorInput)[];

/** The fields of `m` that are named in `keys`. */
export function fieldsOf<K extends keyof Monitor>(m: Monitor, keys: readonly K[]): Pick<Monitor, K> {
  return Object.fromEntries(keys.map((key) => [key, m[key]])) as Pick<Monitor, K>;
}
