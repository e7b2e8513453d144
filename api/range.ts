// Time-range checks shared by the history, checks and incidents queries.

import { validationProblem } from './problem.ts';

/** Throws a 400 naming `from` when the range is empty or inverted. */
export function orderedRange(from: number | undefined, to: number | undefined): void {
  if (from !== undefined && to !== undefined && from >= to) {
    throw validationProblem([{ path: 'from', message: 'must be earlier than to' }]);
  }
}
