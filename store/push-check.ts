// The check of a push monitor, written by the API when a job pushes (api/push/) and by the
// collector when a push is missed (collector/push-deadlines.ts): no request was made, so every
// network measurement is null.

import { noNetworkMeasurements } from './network-measurements.ts';
import type { Check, Monitor } from './types.ts';

export type PushCheckFields = Pick<Check, 'id' | 'observer' | 'timestamp' | 'next_at' | 'status' | 'duration_us' | 'error_type' | 'error_message'>;

export function pushCheck(monitor: Monitor, fields: PushCheckFields): Check {
  return {
    monitor_id: monitor.id,
    owner_id: monitor.owner_id,
    monitor_name: monitor.name,
    monitor_type: 'push',
    url: monitor.url,
    ...noNetworkMeasurements(),
    ...fields,
  };
}
