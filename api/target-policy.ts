// Refuses URLs the server must not call: monitor targets and webhook addresses alike, since
// both make the server send requests on a user's behalf. The rules live in the address
// guard (net/address-guard.ts); this only turns its verdict into a 400 naming the field.

import { checkTargetUrl } from '../net/address-guard.ts';
import { validationProblem } from './problem.ts';

export function assertAllowedTarget(url: string, field: string, allowPrivate: boolean): void {
  const verdict = checkTargetUrl(url, { allowPrivate });
  if (!verdict.ok) throw validationProblem([{ path: field, message: verdict.reason }]);
}
