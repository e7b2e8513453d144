// Talks to the service's own HTTP API (the same one documented at /openapi.json). The token lives in
// localStorage so that a reload keeps the session; a 401 sends the user back to the login page.

const TOKEN_KEY = 'downtime-monitor.token';
const TIMEOUT_MS = 10_000;

export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   * @param {Array<{path?: string, message?: string}>} [errors]
   * @param {string} [title]
   */
  constructor(status, message, errors = [], title = undefined) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.errors = errors;
    this.title = title;
  }
}

export function getToken() {
  return localStorage.getItem(TOKEN_KEY);
}

/** @param {string | null} token */
export function setToken(token) {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

/** Sends the browser to the login page, remembering where it was. */
export function goToLogin() {
  const next = location.pathname + location.search;
  location.assign('/login?next=' + encodeURIComponent(next));
}

/**
 * JSON request with a timeout. Throws ApiError with the problem's title/detail on failure.
 * @param {string} path
 * @param {{method?: string, body?: unknown, auth?: boolean}} [options]
 */
export async function api(path, options = {}) {
  const { method = 'GET', body, auth = true } = options;
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const token = getToken();
  if (auth && token) headers.authorization = 'Bearer ' + token;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const reason = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'failed';
    throw new ApiError(0, `The server could not be reached (request ${reason}).`);
  }
  if (response.status === 401 && auth) {
    setToken(null);
    goToLogin();
    throw new ApiError(401, 'Your session has ended; please log in again.');
  }
  if (response.status === 204) return null;
  const text = await response.text();
  /** @type {any} */
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const message = (data && (data.detail || data.title)) || `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, message, (data && Array.isArray(data.errors) && data.errors) || [], data?.title);
  }
  return data;
}

/** One line for a failed request, naming the fields the server complained about. */
export function describeError(error) {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  // The detail already names the first field at fault; list them all only when there are several.
  if (error.errors.length < 2) return error.message;
  const fields = error.errors.map((e) => [e.path, e.message].filter(Boolean).join(': '));
  return `${error.title ?? 'Invalid request'}: ${fields.join('; ')}`;
}
