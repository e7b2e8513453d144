// The one list of probed monitor types: type → probe module. The scheduler, the writer and the
// check document know nothing of types beyond this table. `push` monitors are not probed: their
// checks arrive as heartbeats (DESIGN "Monitor types").

import type { MonitorType } from '../../store/types.ts';
import { dnsProbe } from './dns.ts';
import { httpProbe } from './http.ts';
import { tcpProbe } from './tcp.ts';
import type { TypeProbe } from './types.ts';

export type ProbedType = Exclude<MonitorType, 'push'>;

export const PROBES: Record<ProbedType, TypeProbe> = {
  http: httpProbe,
  tcp: tcpProbe,
  dns: dnsProbe,
};

/** The probe of a monitor type; null for a type whose checks are not probed (push). */
export function probeFor(type: MonitorType): TypeProbe | null {
  return type === 'push' ? null : PROBES[type];
}
