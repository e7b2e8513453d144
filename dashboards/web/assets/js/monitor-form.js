// The monitor page's edit form: every field PATCH /api/monitors/{id} accepts for the monitor's
// type (monitor-types.js shows those and hides the others), filled from the monitor, sending only
// what the user changed (so a pause toggled meanwhile, or another tab's
// edit of another field, is not overwritten with a stale value). The server checks the values;
// its problem names the field, which is marked invalid here.

import { api, ApiError, describeError } from './api.js';
import { whileBusy } from './dom.js';
import { assertionsText, parseAssertions, showFieldsFor } from './monitor-types.js';

/** Thrown for input the form can tell is wrong before asking the server. */
class FormError extends Error {
  /** @param {string} field @param {string} message */
  constructor(field, message) {
    super(message);
    this.field = field;
  }
}

/** @param {Record<string, string>} headers */
function headersText(headers) {
  return Object.entries(headers ?? {})
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');
}

/** "Name: value" per line; blank lines are skipped. @param {string} text */
function parseHeaders(text) {
  /** @type {Record<string, string>} */
  const headers = {};
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new FormError('headers', `Request headers, line ${i + 1}: write it as “Name: value”.`);
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  });
  return headers;
}

/** @param {string} text */
const parseTags = (text) => [...new Set(text.split(',').map((t) => t.trim()).filter(Boolean))];

/** "14, 7, 1" → [14, 7, 1]; the server checks the range and repeats. @param {string} text */
function parseDays(text) {
  const parts = text.split(',').map((t) => t.trim()).filter(Boolean);
  if (parts.some((p) => !/^\d+$/.test(p))) return null;
  return parts.map(Number);
}

const NUMBERS = ['interval_seconds', 'timeout_ms', 'confirm_failures', 'confirm_recoveries', 'remind_every_minutes'];

/** @param {HTMLFormElement} form @param {string} name */
function field(form, name) {
  return /** @type {HTMLInputElement} */ (form.elements.namedItem(name));
}

/** @param {HTMLFormElement} form @param {any} monitor */
export function fillForm(form, monitor) {
  showFieldsFor(form, monitor.type);
  const typeName = document.getElementById('edit-type');
  if (typeName) typeName.textContent = { http: 'HTTP(S)', tcp: 'TCP / TLS port', dns: 'DNS record', push: 'Push (heartbeat)' }[monitor.type] ?? monitor.type;
  for (const name of ['name', ...NUMBERS]) field(form, name).value = String(monitor[name]);
  // dns monitors name their question in `dns`; push monitors have no URL (a job calls theirs).
  if (monitor.type === 'http' || monitor.type === 'tcp') field(form, 'url').value = monitor.url;
  if (monitor.type === 'http') {
    for (const name of ['method', 'expect_status']) field(form, name).value = String(monitor[name]);
    field(form, 'keyword').value = monitor.keyword ?? '';
    field(form, 'keyword_absent').checked = monitor.keyword_absent;
    field(form, 'max_response_ms').value = monitor.max_response_ms === null ? '' : String(monitor.max_response_ms);
    field(form, 'headers').value = headersText(monitor.headers);
    field(form, 'body').value = monitor.body ?? '';
    field(form, 'json_assertions').value = assertionsText(monitor.json_assertions);
  }
  if (monitor.type === 'dns') {
    field(form, 'dns_name').value = monitor.dns.name;
    field(form, 'dns_record_type').value = monitor.dns.record_type;
    field(form, 'dns_resolver').value = monitor.dns.resolver ?? '';
    field(form, 'dns_expect').value = monitor.dns.expect ?? '';
  }
  field(form, 'tags').value = monitor.tags.join(', ');
  field(form, 'tls_expiry_days').value = (monitor.tls_expiry_days ?? []).join(', ');
  field(form, 'timezone').value = monitor.timezone ?? '';
  field(form, 'public').checked = monitor.public;
  markInvalid(form, null);
}

/**
 * The changed fields, in the API's shape.
 * @param {HTMLFormElement} form @param {any} monitor
 */
export function readPatch(form, monitor) {
  const text = (name) => field(form, name).value.trim();
  /** @type {Record<string, unknown>} */
  const next = {
    name: text('name'),
    tags: parseTags(field(form, 'tags').value),
    timezone: text('timezone') || null,
    public: field(form, 'public').checked,
  };
  if (monitor.type === 'http' || monitor.type === 'tcp') next.url = text('url');
  if (monitor.type === 'http') Object.assign(next, readHttpFields(form));
  if (monitor.type === 'dns') {
    next.dns = {
      name: text('dns_name'),
      record_type: field(form, 'dns_record_type').value,
      resolver: text('dns_resolver') || null,
      expect: text('dns_expect') || null,
    };
  }
  const days = parseDays(text('tls_expiry_days'));
  if (days === null) throw new FormError('tls_expiry_days', `${labelOf(form, 'tls_expiry_days')}: enter whole numbers of days separated by commas.`);
  next.tls_expiry_days = days;
  for (const name of NUMBERS) {
    const value = text(name);
    if (!/^\d+$/.test(value)) throw new FormError(name, `${labelOf(form, name)}: enter a whole number.`);
    next[name] = Number(value);
  }
  /** @type {Record<string, unknown>} */
  const patch = {};
  for (const [name, value] of Object.entries(next)) {
    if (JSON.stringify(value) !== JSON.stringify(monitor[name])) patch[name] = value;
  }
  return patch;
}

/** The http fields, in the API's shape. @param {HTMLFormElement} form */
function readHttpFields(form) {
  const maxResponse = field(form, 'max_response_ms').value.trim();
  if (maxResponse !== '' && !/^\d+$/.test(maxResponse)) throw new FormError('max_response_ms', `${labelOf(form, 'max_response_ms')}: enter a whole number, or nothing.`);
  const assertions = parseAssertions(field(form, 'json_assertions').value);
  if ('line' in assertions) {
    throw new FormError('json_assertions', `JSON assertions, line ${assertions.line}: write it as “$.path op value”, e.g. $.status == "ok".`);
  }
  return {
    method: field(form, 'method').value,
    expect_status: field(form, 'expect_status').value.trim(),
    keyword: field(form, 'keyword').value === '' ? null : field(form, 'keyword').value,
    keyword_absent: field(form, 'keyword_absent').checked,
    max_response_ms: maxResponse === '' ? null : Number(maxResponse),
    headers: parseHeaders(field(form, 'headers').value),
    body: field(form, 'body').value === '' ? null : field(form, 'body').value,
    json_assertions: assertions.rules,
  };
}

/** The visible label text of a field, for messages. @param {HTMLFormElement} form @param {string} name */
function labelOf(form, name) {
  const label = field(form, name).closest('label');
  return (label?.firstChild?.textContent ?? name).trim();
}

/**
 * Marks the field named by an error path ("timeout_ms", "headers.X-Token") invalid; null clears.
 * @param {HTMLFormElement} form @param {string | null} path
 */
function markInvalid(form, path) {
  for (const node of form.querySelectorAll('[aria-invalid]')) node.removeAttribute('aria-invalid');
  const parts = path?.split('.') ?? [];
  const name = parts[0] === 'dns' && parts[1] ? `dns_${parts[1]}` : parts[0];
  const input = name ? form.elements.namedItem(name) : null;
  if (input instanceof HTMLElement) {
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  }
}

/**
 * @param {{form: HTMLFormElement, details: HTMLDetailsElement, notice: HTMLElement, errorBox: HTMLElement,
 *   reset: HTMLElement, monitorUrl: string, current: () => any, onSaved: (monitor: any) => Promise<void>}} options
 */
export function wireEditForm(options) {
  const { form, details, notice, errorBox } = options;
  const zones = document.getElementById('zones');
  if (zones && typeof Intl.supportedValuesOf === 'function') {
    zones.replaceChildren(...Intl.supportedValuesOf('timeZone').map((zone) => Object.assign(document.createElement('option'), { value: zone })));
  }
  // Filled when opened, not on every poll, so that nothing typed is overwritten.
  details.addEventListener('toggle', () => {
    const monitor = options.current();
    if (details.open && monitor) {
      fillForm(form, monitor);
      notice.textContent = '';
      errorBox.textContent = '';
    }
  });
  options.reset.addEventListener('click', () => {
    const monitor = options.current();
    if (monitor) fillForm(form, monitor);
    errorBox.textContent = '';
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    notice.textContent = '';
    errorBox.textContent = '';
    const monitor = options.current();
    if (!monitor) return;
    let patch;
    try {
      patch = readPatch(form, monitor);
    } catch (error) {
      if (!(error instanceof FormError)) throw error;
      markInvalid(form, error.field);
      errorBox.textContent = error.message;
      return;
    }
    if (Object.keys(patch).length === 0) {
      notice.textContent = 'Nothing changed.';
      return;
    }
    /** @type {string | null} */
    let invalid = null;
    await whileBusy(form, async () => {
      try {
        const saved = await api(options.monitorUrl, { method: 'PATCH', body: patch });
        fillForm(form, saved);
        notice.textContent = `Saved: ${Object.keys(patch).join(', ')}.`;
        await options.onSaved(saved);
      } catch (error) {
        invalid = error instanceof ApiError ? (error.errors[0]?.path ?? null) : null;
        errorBox.textContent = describeError(error);
      }
    });
    // After the form is enabled again, so the field can take the focus.
    if (invalid) markInvalid(form, invalid);
  });
}
