// The dashboard: every monitor with its status (and, when down, why), tags, last check, 24h/30d/90d
// uptime and a 90-day bar; filtered by text, status and tag (a tag on a monitor filters by it),
// in the page, over the rows it already has.
// The summary is polled every 5 s so a monitor turns red or green without a reload; the daily
// history behind the bars is refetched once a minute, or when a monitor's status changes.

import { api, describeError } from './api.js';
import { uptimeBar } from './bars.js';
import { badge, byId, el, every, whileBusy } from './dom.js';
import { ago, dateTime, localZone, millis, percent } from './format.js';
import { initHeader, requireSession, showStatusLink } from './session.js';
import { checkTime, daysFrom, fetchDailyHistory, stateKey, statusOf } from './monitor-data.js';
import { cause } from './tables.js';
import { showFieldsFor } from './monitor-types.js';

const SUMMARY_MS = 5_000;
const HISTORY_MS = 60_000;
const DEFAULT_TIMEOUT_MS = 10_000;
const zone = localZone();

/**
 * Daily buckets per monitor, with when they were fetched and the monitor's state then (status and
 * whether it had been checked), so that a change of state refetches at once and today's cell
 * keeps up with the badge.
 * @type {Map<string, {at: number, state: string, days: Array<{start: string, uptime: number | null, checks: number}>}>}
 */
const dailyCache = new Map();

/** Fetches stale daily histories a few at a time. */
async function dailyFor(rows) {
  const stale = rows.filter((row) => {
    const cached = dailyCache.get(row.monitor_id);
    return !cached || cached.at < Date.now() - HISTORY_MS || cached.state !== stateKey(row);
  });
  for (let i = 0; i < stale.length; i += 4) {
    await Promise.all(
      stale.slice(i, i + 4).map(async (row) => {
        const days = await fetchDailyHistory(row.monitor_id, daysFrom(90), zone);
        dailyCache.set(row.monitor_id, { at: Date.now(), state: stateKey(row), days });
      }),
    );
  }
}

function uptimeCell(label, value) {
  return el('div', {}, [el('b', { text: percent(value) }), el('span', { text: label })]);
}

/** Why a down monitor is down: its last check's failure, or else its open incident's cause. */
function downReason(row) {
  const last = row.last_check;
  if (last && last['error.type']) return cause(last['error.type'], last['error.message'], last['http.response.status_code']);
  const open = row.open_incident;
  return open ? cause(open.cause.type, open.cause.message, open.cause.status_code) : null;
}

/** @param {any} row @param {string[]} tags */
function monitorItem(row, tags) {
  const status = statusOf(row);
  const reason = status === 'down' ? downReason(row) : null;
  const last = row.last_check;
  const lastText = last
    ? `Checked ${ago(checkTime(last))}` + (row.avg_response_ms_24h !== null ? ` · avg ${millis(row.avg_response_ms_24h)} (24h)` : '')
    : 'Not checked yet';
  const days = dailyCache.get(row.monitor_id)?.days ?? [];
  return el('li', { class: `monitor ${status}`, 'data-monitor-id': row.monitor_id, 'data-status': status }, [
    el('div', {}, [
      el('div', { class: 'monitor-head' }, [
        badge(status),
        el('a', { class: 'monitor-name', href: '/monitors/' + encodeURIComponent(row.monitor_id), text: row.name }),
      ]),
      el('div', { class: 'monitor-url muted small mono', text: row.url }),
      reason ? el('div', { class: 'down-reason small', text: `Down: ${reason}` }) : null,
      tags.length > 0
        ? el('div', { class: 'tags' }, tags.map((tag) => el('button', { type: 'button', class: 'tag', 'data-tag': tag, title: `Show monitors tagged ${tag}`, text: tag })))
        : null,
      el('div', { class: 'muted small', title: last ? dateTime(checkTime(last)) : null, text: lastText }),
    ]),
    el('div', { class: 'uptimes' }, [
      uptimeCell('24 hours', row.uptime['24h']),
      uptimeCell('30 days', row.uptime['30d']),
      uptimeCell('90 days', row.uptime['90d']),
    ]),
    days.length > 0 ? uptimeBar(days, { timeZone: zone }) : null,
  ]);
}

function renderCounts(rows) {
  const counts = { up: 0, down: 0, unknown: 0, paused: 0, maintenance: 0 };
  for (const row of rows) counts[statusOf(row)] += 1;
  const parts = [];
  for (const key of /** @type {const} */ (['down', 'up', 'maintenance', 'unknown', 'paused'])) {
    if (counts[key] > 0) parts.push(el('span', {}, [badge(key), ` ${counts[key]}`]));
  }
  byId('counts').replaceChildren(...parts);
}

/** Every monitor's tags and type, page after page: they are settings, not in the summary. */
async function allSettings() {
  /** @type {Map<string, string[]>} */
  const tags = new Map();
  /** @type {Map<string, string>} */
  const types = new Map();
  let cursor = null;
  do {
    const page = await api(`/api/monitors?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    for (const m of page.items) {
      tags.set(m.id, m.tags);
      types.set(m.id, m.type);
    }
    cursor = page.next_cursor;
  } while (cursor);
  return { tags, types };
}

/** The last rows, tags and types drawn, so that a change of filter redraws without a fetch. */
let shown = { rows: [], tags: new Map(), types: new Map() };

/** The filters of the form: the same as GET /api/monitors takes (q, status, tag, type). */
function matches(row, tags, monitorType) {
  const data = new FormData(/** @type {HTMLFormElement} */ (byId('filters')));
  const q = String(data.get('q') ?? '').trim().toLowerCase();
  const status = String(data.get('status') ?? '');
  const tag = String(data.get('tag') ?? '');
  const type = String(data.get('type') ?? '');
  if (q && !row.name.toLowerCase().includes(q) && !row.url.toLowerCase().includes(q)) return false;
  if (tag && !tags.includes(tag)) return false;
  if (type && monitorType !== type) return false;
  return !status || statusOf(row) === status;
}

function refreshTagChoices(tags) {
  const select = /** @type {HTMLSelectElement} */ (byId('filters').querySelector('select[name=tag]'));
  const chosen = select.value;
  const all = [...new Set([...tags.values()].flat())].sort();
  if (chosen && !all.includes(chosen)) all.push(chosen);
  select.replaceChildren(el('option', { value: '', text: 'Any tag' }), ...all.map((tag) => el('option', { value: tag, text: tag })));
  select.value = chosen;
}

function wireFilters() {
  const form = /** @type {HTMLFormElement} */ (byId('filters'));
  form.addEventListener('input', () => render(shown.rows, shown.tags, shown.types));
  form.addEventListener('submit', (event) => event.preventDefault());
  // A tag on a monitor filters by it.
  byId('monitors').addEventListener('click', (event) => {
    const tag = /** @type {HTMLElement} */ (event.target).closest('button.tag')?.getAttribute('data-tag');
    if (!tag) return;
    /** @type {HTMLSelectElement} */ (form.querySelector('select[name=tag]')).value = tag;
    render(shown.rows, shown.tags, shown.types);
  });
}

async function refresh() {
  const errorBox = byId('load-error');
  try {
    const [summary, { tags, types }] = await Promise.all([api('/api/summary'), allSettings()]);
    const rows = summary.items;
    refreshTagChoices(tags);
    // Draw the statuses at once; bars follow when their history arrives.
    render(rows, tags, types);
    await dailyFor(rows);
    render(rows, tags, types);
    errorBox.textContent = '';
    byId('updated').textContent = `Last updated ${new Date().toLocaleTimeString()}.`;
  } catch (error) {
    errorBox.textContent = 'Could not refresh: ' + describeError(error);
  }
}

/** @param {any[]} rows @param {Map<string, string[]>} tags @param {Map<string, string>} types */
function render(rows, tags, types) {
  shown = { rows, tags, types };
  const visible = rows.filter((row) => matches(row, tags.get(row.monitor_id) ?? [], types.get(row.monitor_id) ?? 'http'));
  byId('monitors').replaceChildren(...visible.map((row) => monitorItem(row, tags.get(row.monitor_id) ?? [])));
  byId('no-monitors').classList.toggle('hidden', rows.length > 0);
  byId('no-match').classList.toggle('hidden', rows.length === 0 || visible.length > 0);
  renderCounts(rows);
}

/** The add form's fields as the API's create body, for the chosen type. @param {FormData} data */
function createBody(data) {
  const text = (name) => String(data.get(name) ?? '').trim();
  const type = text('type') || 'http';
  /** @type {Record<string, unknown>} */
  const body = { type, name: text('name'), public: data.get('public') === 'on' };
  if (type === 'http') body.url = text('url');
  if (type === 'tcp') body.url = text('address');
  if (type === 'dns') {
    body.dns = { name: text('dns_name'), record_type: text('dns_record_type'), resolver: text('dns_resolver') || null, expect: text('dns_expect') || null };
  }
  return body;
}

function wireMonitorForm() {
  const form = /** @type {HTMLFormElement} */ (byId('monitor-form'));
  const typeSelect = /** @type {HTMLSelectElement} */ (form.elements.namedItem('type'));
  showFieldsFor(form, typeSelect.value);
  typeSelect.addEventListener('change', () => showFieldsFor(form, typeSelect.value));
  form.addEventListener('reset', () => setTimeout(() => showFieldsFor(form, typeSelect.value)));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = createBody(data);
    const interval = String(data.get('interval_seconds') ?? '').trim();
    if (interval) {
      body.interval_seconds = Number(interval);
      // The server's default timeout (10 s) must stay below the interval; short intervals get a
      // timeout of 80% of the interval instead, as the form's hint says.
      const seconds = Number(body.interval_seconds);
      if (seconds * 1000 <= DEFAULT_TIMEOUT_MS) body.timeout_ms = Math.max(1000, Math.floor(seconds * 800));
    }
    byId('monitor-form-error').textContent = '';
    await whileBusy(form, async () => {
      try {
        await api('/api/monitors', { method: 'POST', body });
        form.reset();
        await refresh();
      } catch (error) {
        byId('monitor-form-error').textContent = describeError(error);
      }
    });
  });
}

/** @param {{slug: string | null, url?: string | null, title?: string | null, description?: string | null}} page */
function showSlug(page) {
  const form = byId('slug-form');
  for (const name of ['slug', 'title', 'description']) {
    const input = /** @type {HTMLInputElement} */ (form.querySelector(`input[name=${name}]`));
    input.value = page[name] ?? '';
  }
  byId('slug-off').classList.toggle('hidden', !page.slug);
  byId('slug-notice').textContent = page.slug ? `Published at ${location.origin}/status/${page.slug}` : 'Not published.';
  showStatusLink(page.slug);
}

function wireSlugForm() {
  const form = /** @type {HTMLFormElement} */ (byId('slug-form'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    byId('slug-error').textContent = '';
    const data = new FormData(form);
    // Empty title or description: none (the page is then titled by its address).
    const [slug, title, description] = ['slug', 'title', 'description'].map((name) => String(data.get(name) ?? '').trim());
    await whileBusy(form, async () => {
      try {
        showSlug(await api('/api/status-page', { method: 'PUT', body: { slug, title: title || null, description: description || null } }));
      } catch (error) {
        byId('slug-error').textContent = describeError(error);
      }
    });
  });
  byId('slug-off').addEventListener('click', async () => {
    byId('slug-error').textContent = '';
    try {
      await api('/api/status-page', { method: 'DELETE' });
      showSlug({ slug: null });
    } catch (error) {
      byId('slug-error').textContent = describeError(error);
    }
  });
}

if (requireSession()) {
  wireFilters();
  wireMonitorForm();
  wireSlugForm();
  initHeader().then(showSlug, (error) => {
    byId('load-error').textContent = describeError(error);
  });
  every(refresh, SUMMARY_MS);
}
