// Certificate expiry as a pure rule (DESIGN "Monitor types": `tls_expiry_days`):
// (state, newest check, thresholds, now) → { state, transition? }. The state machine's fold calls
// it with the newest check of each batch; the evaluator persists the result with compare-and-set,
// the deliveries in the same step, like any other transition.
//
// Rules (one test row each in cert-expiry.test.ts):
// - A threshold T is crossed when the certificate has fewer than T days left at the check's time.
// - Only the most urgent crossed threshold is told (a certificate first seen with 3 days left and
//   thresholds [14, 7, 1] gets one message, for 7), once per certificate: the state keeps the
//   certificate's SHA-256 and the threshold told, and every threshold at or above it counts as
//   told. Crossing a more urgent one later (1) tells again.
// - A check showing another certificate (renewed, or another server behind the name) starts over.
// - [] = off; a paused monitor is never told; a check without a certificate changes nothing.
// - Stale checks (older than FRESH_MS at evaluation, e.g. read while catching up on a backlog)
//   are not told from: the next fresh check tells, and a certificate already replaced is not.
// - Maintenance windows do not hold certificate messages back: a window plans an outage, and
//   an expiring certificate is news whatever happens to be planned.

import type { AlertState, Check, Monitor } from '../store/types.ts';

export type CertRule = Pick<Monitor, 'paused'> & { tls_expiry_days?: readonly number[] };

export type CertTransition = {
  kind: 'cert';
  check: Check;
  sha256: string;
  not_after: number;
  issuer: string | null;
  threshold_days: number;
};

const DAY_MS = 86_400_000;
export const FRESH_MS = 60 * 60_000;

export function certStep(state: AlertState, check: Check, rule: CertRule, now: number): { state: AlertState; transition?: CertTransition } {
  const thresholds = rule.tls_expiry_days ?? [];
  if (rule.paused || thresholds.length === 0) return { state };
  const sha256 = check.cert_sha256;
  const notAfter = check.cert_not_after;
  if (sha256 === null || notAfter === null || check.timestamp < now - FRESH_MS) return { state };
  const daysLeft = (notAfter - check.timestamp) / DAY_MS;
  const crossed = thresholds.filter((days) => daysLeft < days);
  if (crossed.length === 0) return { state };
  const urgent = Math.min(...crossed);
  const told = state.cert_sha256 === sha256 ? state.cert_told_days : null;
  if (told !== null && urgent >= told) return { state };
  return {
    state: { ...state, cert_sha256: sha256, cert_told_days: urgent, updated_at: now },
    transition: { kind: 'cert', check, sha256, not_after: notAfter, issuer: check.cert_issuer, threshold_days: urgent },
  };
}
