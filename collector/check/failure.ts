// A probe's typed failure. Every phase throws ProbeFailure with the error.type it stands for and a
// message a person can act on; probe() turns it into the check's error fields and never rethrows.

import type { ErrorType } from '../../store/types.ts';

export class ProbeFailure extends Error {
  override name = 'ProbeFailure';
  readonly type: ErrorType;

  constructor(type: ErrorType, message: string) {
    super(message);
    this.type = type;
  }
}

/** Node's error code and message, e.g. "ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:80". */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/** Wraps anything thrown during a phase as that phase's failure, leaving typed failures alone. */
export function asFailure(error: unknown, type: ErrorType, context: string): ProbeFailure {
  if (error instanceof ProbeFailure) return error;
  return new ProbeFailure(type, `${context}: ${describeError(error)}`);
}
