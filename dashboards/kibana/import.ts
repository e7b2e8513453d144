// Imports the dashboard's saved objects into Kibana through its saved objects API:
// POST <KIBANA_URL>/api/saved_objects/_import?overwrite=true, multipart with the NDJSON file,
// `kbn-xsrf: true`, basic auth or an API key. Fixed object ids plus overwrite make it idempotent:
// run it on every deploy (`npm run dashboards:import`, or the compose `setup-app` service).
//
//   KIBANA_URL=http://kibana:5601 KIBANA_USERNAME=elastic KIBANA_PASSWORD=… npm run dashboards:import
//
// A Kibana still starting answers 503: that and connection failures are retried with backoff.
// Kibana's own TLS certificate is trusted through NODE_EXTRA_CA_CERTS, as for any Node client.

import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

export type KibanaAuth = { username: string; password: string } | { apiKey: string };

export type ImportOptions = {
  kibanaUrl: string;
  auth?: KibanaAuth;
  /** Per request. */
  timeoutMs?: number;
  /** Tries in all, for 503 answers and connection failures. */
  attempts?: number;
  /** First backoff; doubles after each failed try. */
  retryDelayMs?: number;
};

export type ImportResult = { successCount: number };

export class KibanaImportError extends Error {
  override name = 'KibanaImportError';
}

type KibanaImportAnswer = {
  success?: boolean;
  successCount?: number;
  errors?: { id: string; type: string; title?: string; error?: { type?: string; message?: string } }[];
  message?: string;
};

function authHeader(auth: KibanaAuth | undefined): Record<string, string> {
  if (!auth) return {};
  if ('apiKey' in auth) return { authorization: `ApiKey ${auth.apiKey}` };
  return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
}

class RetryableError extends KibanaImportError {}

async function importOnce(url: URL, ndjson: string, options: ImportOptions, timeoutMs: number): Promise<ImportResult> {
  const form = new FormData();
  form.append('file', new Blob([ndjson], { type: 'application/ndjson' }), 'uptime.ndjson');
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'kbn-xsrf': 'true', ...authHeader(options.auth) },
      body: form,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const reason =
      error instanceof Error && error.name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : String((error as { cause?: { message?: string } }).cause?.message ?? error);
    throw new RetryableError(`Kibana import failed: ${url.origin} unreachable: ${reason}`);
  }
  const text = await response.text();
  let body: KibanaImportAnswer = {};
  try {
    body = JSON.parse(text) as KibanaImportAnswer;
  } catch {
    // Not JSON (a proxy's error page): the status line says enough.
  }
  if (!response.ok) {
    const hint =
      response.status === 401 || response.status === 403
        ? ' (check KIBANA_USERNAME/KIBANA_PASSWORD or KIBANA_API_KEY)'
        : '';
    const detail = body.message ?? text.slice(0, 200);
    const message = `Kibana import failed: HTTP ${response.status}${detail ? `: ${detail}` : ''}${hint}`;
    throw response.status === 503 ? new RetryableError(message) : new KibanaImportError(message);
  }
  if (body.success !== true) {
    const objects = (body.errors ?? []).map(
      (e) => `${e.type} ${e.id}${e.title ? ` "${e.title}"` : ''}: ${e.error?.type ?? 'error'}${e.error?.message ? ` ${e.error.message}` : ''}`,
    );
    throw new KibanaImportError(`Kibana import failed for ${objects.length} object(s): ${objects.join('; ') || text.slice(0, 200)}`);
  }
  return { successCount: body.successCount ?? 0 };
}

export async function importSavedObjects(ndjson: string, options: ImportOptions): Promise<ImportResult> {
  const url = new URL('api/saved_objects/_import', options.kibanaUrl.endsWith('/') ? options.kibanaUrl : `${options.kibanaUrl}/`);
  url.searchParams.set('overwrite', 'true');
  const attempts = Math.max(1, options.attempts ?? 1);
  let delay = options.retryDelayMs ?? 2_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await importOnce(url, ndjson, options, options.timeoutMs ?? 30_000);
    } catch (error) {
      if (!(error instanceof RetryableError) || attempt >= attempts) {
        throw error instanceof RetryableError ? new KibanaImportError(`${error.message} (after ${attempt} tries)`) : error;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 30_000);
    }
  }
}

/** Reads KIBANA_URL and the auth variables; throws one line naming what is wrong. */
export function importOptionsFromEnv(env: Record<string, string | undefined>): ImportOptions {
  const kibanaUrl = env.KIBANA_URL;
  if (!kibanaUrl) throw new KibanaImportError('missing KIBANA_URL: e.g. http://localhost:5601');
  try {
    if (!['http:', 'https:'].includes(new URL(kibanaUrl).protocol)) throw new Error();
  } catch {
    throw new KibanaImportError(`invalid KIBANA_URL=${JSON.stringify(kibanaUrl)}: expected a URL starting with http:// or https://`);
  }
  if (env.KIBANA_USERNAME && !env.KIBANA_PASSWORD) {
    throw new KibanaImportError('missing KIBANA_PASSWORD: required with KIBANA_USERNAME');
  }
  const auth: KibanaAuth | undefined = env.KIBANA_API_KEY
    ? { apiKey: env.KIBANA_API_KEY }
    : env.KIBANA_USERNAME && env.KIBANA_PASSWORD
      ? { username: env.KIBANA_USERNAME, password: env.KIBANA_PASSWORD }
      : undefined;
  return { kibanaUrl, ...(auth ? { auth } : {}), timeoutMs: 30_000, attempts: 6, retryDelayMs: 2_000 };
}

async function main(): Promise<void> {
  const options = importOptionsFromEnv(process.env);
  const ndjson = await readFile(new URL('./uptime.ndjson', import.meta.url), 'utf8');
  const result = await importSavedObjects(ndjson, options);
  console.log(JSON.stringify({ msg: 'kibana saved objects imported', ...result }));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(`dashboards:import failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
