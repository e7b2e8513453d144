// The dashboard's "API keys" section: create a key (shown once, with a copy button), list the
// account's keys (name, start of the key, created, last used, expiry) and revoke them. Loaded
// when the section is first opened; the new key lives only in the page until it is dismissed.

import { api, describeError, getToken } from './api.js';
import { byId, el, whileBusy } from './dom.js';
import { ago, dateTime } from './format.js';
import { table } from './tables.js';

/** The start of the day after `value` (YYYY-MM-DD) in the reader's zone: the key works all that day. */
function endOfDay(value) {
  const day = new Date(`${value}T00:00`);
  day.setDate(day.getDate() + 1);
  return day.toISOString();
}

function expiryText(expiresAt) {
  if (!expiresAt) return 'Never';
  const text = dateTime(expiresAt);
  return Date.parse(expiresAt) <= Date.now() ? `Expired ${text}` : text;
}

async function load() {
  const keys = await api('/api/api-keys');
  byId('api-key-list').replaceChildren(
    table(
      ['Name', 'Key', 'Created', 'Last used', 'Expires', ''],
      keys.items.map((key) => {
        const revoke = el('button', { type: 'button', class: 'danger', text: 'Revoke', 'aria-label': `Revoke ${key.name}` });
        revoke.addEventListener('click', () => void revokeKey(key));
        return [
          el('td', { class: 'wrap', text: key.name }),
          el('td', { class: 'mono', text: `${key.prefix}_…` }),
          dateTime(key.created_at),
          key.last_used_at ? ago(key.last_used_at) : 'Never',
          expiryText(key.expires_at),
          revoke,
        ];
      }),
      'No API keys yet.',
    ),
  );
}

async function revokeKey(key) {
  if (!confirm(`Revoke “${key.name}”? Scripts using it get 401 from now on.`)) return;
  byId('api-key-error').textContent = '';
  try {
    await api(`/api/api-keys/${encodeURIComponent(key.id)}`, { method: 'DELETE' });
    await load();
  } catch (error) {
    byId('api-key-error').textContent = describeError(error);
  }
}

function showNewKey(key) {
  const value = /** @type {HTMLInputElement} */ (byId('new-api-key-value'));
  value.value = key;
  byId('copy-notice').textContent = '';
  byId('new-api-key').classList.remove('hidden');
  value.focus();
  value.select();
}

function hideNewKey() {
  /** @type {HTMLInputElement} */ (byId('new-api-key-value')).value = '';
  byId('new-api-key').classList.add('hidden');
}

async function copyNewKey() {
  const value = /** @type {HTMLInputElement} */ (byId('new-api-key-value'));
  try {
    await navigator.clipboard.writeText(value.value);
    byId('copy-notice').textContent = 'Copied.';
  } catch {
    // No clipboard access (permissions, plain http): leave it selected for Ctrl+C.
    value.select();
    byId('copy-notice').textContent = 'Selected: press Ctrl+C (⌘C) to copy.';
  }
}

function wire() {
  const form = /** @type {HTMLFormElement} */ (byId('api-key-form'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    byId('api-key-error').textContent = '';
    const data = new FormData(form);
    const expires = String(data.get('expires') ?? '');
    const body = { name: String(data.get('name')).trim(), ...(expires ? { expires_at: endOfDay(expires) } : {}) };
    await whileBusy(form, async () => {
      try {
        const created = await api('/api/api-keys', { method: 'POST', body });
        form.reset();
        showNewKey(created.key);
        await load();
      } catch (error) {
        byId('api-key-error').textContent = describeError(error);
      }
    });
  });
  byId('copy-api-key').addEventListener('click', () => void copyNewKey());
  byId('dismiss-api-key').addEventListener('click', hideNewKey);
  const section = /** @type {HTMLDetailsElement} */ (byId('api-keys'));
  section.addEventListener('toggle', () => {
    if (!section.open) return;
    load().catch((error) => {
      byId('api-key-error').textContent = describeError(error);
    });
  });
}

// The dashboard's own script sends a visitor without a session to the login page.
if (getToken()) wire();
