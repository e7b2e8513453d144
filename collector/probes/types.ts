// The one interface every monitor type's probe implements (collector/probes/registry.ts lists
// them). The frame (collector/probe.ts) owns what every probe shares: the deadline, the retry
// after our own stall, the check id and document; a type's probe only measures, writing what it
// learns into `m` as it goes (so a timeout keeps the phases done), and throws ProbeFailure with a
// typed error.type when the target is not well.

import type { SecureContext } from 'node:tls';
import type { AddressGuard } from '../../net/address-guard.ts';
import { noNetworkMeasurements } from '../../store/network-measurements.ts';
import type { DnsCheck, ErrorType, HttpMethod } from '../../store/types.ts';
import type { ProbedMonitor } from '../probed-monitor.ts';
import type { ConnectDeps, HopMeasurements, LookupFn } from '../check/connect.ts';

export type ProbeOptions = {
  allowPrivate: boolean;
  /** CIDRs reachable even when private targets are refused. */
  allowedRanges?: readonly string[];
  /** The same policy prebuilt once (createAddressGuard); takes precedence over the two above. */
  guard?: AddressGuard;
  observer: string;
  /** Wall clock, epoch ms. */
  now?: () => number;
  /** When this probe was due; next_at = scheduledAt + interval. Defaults to the start time. */
  scheduledAt?: number;
  /** Shared TLS trust (createProbeTrust); built per probe when absent, which is slow. */
  secureContext?: SecureContext;
  lookup?: LookupFn;
  /** Check id maker; store/ids.ts newCheckId by default. */
  newId?: () => string;
  /** Overrides monitor.timeout_ms. */
  timeoutMs?: number;
  bodyCapBytes?: number;
  maxRedirects?: number;
  userAgent?: string;
  /** Told when a timeout was our own stall's doing and the probe is run again. */
  onStalledTimeout?: (stalledMs: number) => void;
};

/** Everything a check records beyond its identity; null where a phase did not happen. */
export type Measurements = HopMeasurements & {
  method: HttpMethod | null;
  status_code: number | null;
  body_bytes: number | null;
  first_byte_us: number | null;
  total_us: number | null;
  dns: DnsCheck | null;
};

export function emptyMeasurements(): Measurements {
  return { ...noNetworkMeasurements(), dns: null };
}

/** One run of one probe. `phase` and `tls` say where it is, for the timeout's message. */
export type ProbeRun = {
  monitor: ProbedMonitor;
  opts: ProbeOptions;
  deps: ConnectDeps;
  timeoutMs: number;
  m: Measurements;
  /** Past connecting: what the probe waits for ("waiting for response headers"); null while connecting. */
  phase: string | null;
  /** The connection being opened will do a TLS handshake. */
  tls: boolean;
};

export type TypeProbe = {
  /** Measures into run.m; resolves when the target is up, throws ProbeFailure when it is not. */
  run(run: ProbeRun): Promise<void>;
  /** The error.type of the frame's deadline for this type; `timeout` when absent (dns: a silent resolver is `dns`). */
  deadlineError?: ErrorType;
};
