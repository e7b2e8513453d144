// Refuses URLs the server must not call: monitor targets and webhook addresses alike, since
// both make the server send requests on a user's behalf. The rules live in the address
// guard (net/address-guard.ts); this only turns its verdict into a 400 naming the field.

import { checkTargetUrl } from '../net/address-guard.ts';
import type { MonitorInput } from '../store/types.ts';
import { type FieldError, validationProblem } from './problem.ts';

export function assertAllowedTarget(url: string, field: string, allowPrivate: boolean): void {
  const verdict = checkTargetUrl(url, { allowPrivate });
  if (!verdict.ok) throw validationProblem([{ path: field, message: verdict.reason }]);
}

/**
 * Why a monitor's target is refused, or null: its URL (http, tcp), or the resolver a dns monitor
 * asks, which is an address the server sends packets to like any target. A push monitor has none.
 */
export function monitorTargetProblem(monitor: Pick<MonitorInput, 'type' | 'url' | 'dns'>, allowPrivate: boolean): FieldError | null {
  // Nothing is called: the job calls us.
  if (monitor.type === 'push') return null;
  if (monitor.type === 'dns') {
    if (monitor.dns?.resolver == null) return null;
    const verdict = checkTargetUrl(`dns://${monitor.dns.resolver}/`, { allowPrivate, schemes: ['dns:'] });
    return verdict.ok ? null : { path: 'dns.resolver', message: verdict.reason };
  }
  const schemes = monitor.type === 'tcp' ? ['tcp:', 'tls:'] : ['http:', 'https:'];
  const verdict = checkTargetUrl(monitor.url, { allowPrivate, schemes });
  return verdict.ok ? null : { path: 'url', message: verdict.reason };
}
