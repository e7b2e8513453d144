// Every error the API answers is an RFC 9457 problem (application/problem+json), shaped here and
// nowhere else: validation failures (defaultHook), thrown ProblemErrors, Hono's own HTTP errors
// (malformed JSON, 413, 415), unknown routes and unexpected failures (onError, without stacks).
//
// Example:
//   throw new ProblemError({ status: 404, detail: 'monitor not found' });
//   throw validationProblem([{ path: 'timeout_ms', message: 'must be less than interval_seconds' }]);

import { z } from '@hono/zod-openapi';
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import type { ZodError } from 'zod';
import type { AppEnv } from './deps.ts';

export type FieldError = { path: string; message: string };

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors: FieldError[];
};

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: 'urn:downtime-monitor:problem:validation' }),
    title: z.string().openapi({ example: 'Invalid request' }),
    status: z.number().int().openapi({ example: 400 }),
    detail: z.string().openapi({ example: 'interval_seconds: must be at least 20 seconds' }),
    errors: z.array(z.object({ path: z.string(), message: z.string() })),
  })
  .openapi('Problem');

const TITLES: Record<number, string> = {
  400: 'Invalid request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/** Types name our own problem kinds; plain HTTP errors are about:blank, as RFC 9457 suggests. */
const TYPES: Record<number, string> = {
  400: 'urn:downtime-monitor:problem:validation',
  401: 'urn:downtime-monitor:problem:unauthorized',
  403: 'urn:downtime-monitor:problem:forbidden',
  409: 'urn:downtime-monitor:problem:conflict',
  429: 'urn:downtime-monitor:problem:rate-limited',
  503: 'urn:downtime-monitor:problem:unavailable',
};

export type ProblemInit = {
  status: ContentfulStatusCode;
  detail: string;
  title?: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
};

export class ProblemError extends Error {
  override name = 'ProblemError';
  readonly status: ContentfulStatusCode;
  readonly problem: Problem;
  readonly headers: Record<string, string>;

  constructor(init: ProblemInit) {
    super(init.detail);
    this.status = init.status;
    this.headers = init.headers ?? {};
    this.problem = {
      type: TYPES[init.status] ?? 'about:blank',
      title: init.title ?? TITLES[init.status] ?? 'Error',
      status: init.status,
      detail: init.detail,
      errors: init.errors ?? [],
    };
  }
}

export function problemResponse(c: Context, error: ProblemError): Response {
  return c.body(JSON.stringify(error.problem), error.status, {
    ...error.headers,
    'Content-Type': 'application/problem+json',
  });
}

/** A 400 listing every field at fault; the detail repeats the first so a glance is enough. */
export function validationProblem(errors: FieldError[]): ProblemError {
  const [first] = errors;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  const detail = first ? `${first.path}: ${first.message}${more}` : 'the request is not valid';
  return new ProblemError({ status: 400, detail, errors });
}

export function notFoundProblem(what: string): ProblemError {
  return new ProblemError({ status: 404, detail: `${what} not found` });
}

/** Zod issues as field errors: one entry per unknown key, "is required" for missing fields. */
export function fieldErrors(error: ZodError): FieldError[] {
  return error.issues.flatMap((issue) => {
    const base = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...base, key].join('.'), message: 'unknown field' }));
    }
    const message = issue.message.endsWith('received undefined') ? 'is required' : issue.message;
    return [{ path: base.join('.') || '(root)', message }];
  });
}

/** The one defaultHook of the app: any failed validation becomes a 400 problem. */
export function validationHook(result: { success: boolean; error?: ZodError }, c: Context): Response | undefined {
  if (result.success || !result.error) return undefined;
  return problemResponse(c, validationProblem(fieldErrors(result.error)));
}

export function onError(log: Logger): ErrorHandler<AppEnv> {
  return (error, c) => {
    if (error instanceof ProblemError) return problemResponse(c, error);
    if (error instanceof HTTPException) {
      // Hono's own refusals (malformed JSON, unsupported media type, body too large).
      const status = error.status as ContentfulStatusCode;
      const detail = error.message || TITLES[status] || 'request refused';
      return problemResponse(c, new ProblemError({ status, detail }));
    }
    log.error({ err: error, method: c.req.method, path: c.req.path }, 'request failed');
    return problemResponse(c, new ProblemError({ status: 500, detail: 'an unexpected error occurred; it has been logged' }));
  };
}

export const notFound: NotFoundHandler<AppEnv> = (c) =>
  problemResponse(c, new ProblemError({ status: 404, detail: `no route for ${c.req.method} ${c.req.path}` }));

/** OpenAPI response entries for the problems a route can answer. */
export function problemResponses<const S extends readonly (keyof typeof TITLES)[]>(...statuses: S) {
  const content = { 'application/problem+json': { schema: ProblemSchema } };
  return Object.fromEntries(statuses.map((s) => [s, { description: TITLES[s] ?? 'Error', content }])) as {
    [K in S[number]]: { description: string; content: typeof content };
  };
}
