// One monitor: status and uptime, its settings (monitor-form.js), a response-time chart (raw checks
// for the last hour, hourly buckets for a day or a week), uptime per day, incidents, recent checks,
// contacts and notifications. Polled every 5 s like the dashboard; the daily history once a minute.
// Nothing of the monitor (no Pause or Delete) shows before the API has answered for it; a 404 shows
// the not-found view instead and stops polling.

import { api, describeError } from './api.js';
import { uptimeBar } from './bars.js';
import { drawLineChart } from './chart.js';
import { badge, byId, el, every } from './dom.js';
import { ago, certificateExpiry, dateTime, localZone, millis, percent } from './format.js';
import { checkTime, daysFrom, fetchDailyHistory, fetchHourlyHistory, stateKey, statusOf } from './monitor-data.js';
import { wireEditForm } from './monitor-form.js';
import { RAW_LINES, rulesText, targetText } from './monitor-types.js';
import { initHeader, requireSession } from './session.js';
import { checksTable, contactsTable, daysTable, incidentsTable, notificationsTable } from './tables.js';

const id = decodeURIComponent(location.pathname.split('/').pop() ?? '');
const base = `/api/monitors/${encodeURIComponent(id)}`;
const zone = localZone();
const HOUR = 3_600_000;
const state = { range: '1h', monitor: null, chart: null, dailyAt: 0, dailyStatus: '', missing: false };
/** @type {() => void} */
let stopPolling = () => {};

function stat(label, value) {
  return el('div', { class: 'stat' }, [el('b', { text: value }), el('span', { text: label })]);
}

/** What the monitor's settings alone tell: shown as soon as the monitor is read. */
function renderSettings(monitor) {
  document.title = `${monitor.name} · Downtime Monitor`;
  byId('name').textContent = monitor.name;
  byId('url').textContent = targetText(monitor);
  byId('push').classList.toggle('hidden', monitor.type !== 'push');
  byId('tags').replaceChildren(...monitor.tags.map((tag) => el('span', { class: 'tag', text: tag })));
  byId('toggle-pause').textContent = monitor.paused ? 'Resume' : 'Pause';
  byId('toggle-public').textContent = monitor.public ? 'Make private' : 'Make public';
}

function renderHead(monitor, row) {
  renderSettings(monitor);
  const status = statusOf(row ?? { paused: monitor.paused, status: 'unknown' });
  byId('status').replaceChildren(badge(status));
  const last = row?.last_check;
  byId('meta').textContent =
    `Every ${monitor.interval_seconds} s · ${rulesText(monitor)}` +
    ` · ${monitor.public ? 'on the public status page' : 'private'}` +
    ` · last check ${last ? `${ago(checkTime(last))} (${dateTime(checkTime(last))})` : 'not yet'}`;
  // What the latest check saw: the certificate the [CERT] messages are about.
  const certificate = certificateExpiry(last?.['tls.server.x509.not_after']);
  byId('certificate').textContent = certificate ? `${certificate} (${dateTime(last['tls.server.x509.not_after'])})` : '';
  const uptime = row?.uptime ?? {};
  byId('stats').replaceChildren(
    stat('Uptime 24 hours', percent(uptime['24h'])),
    stat('Uptime 7 days', percent(uptime['7d'])),
    stat('Uptime 30 days', percent(uptime['30d'])),
    stat('Uptime 90 days', percent(uptime['90d'])),
    stat('Avg response 24 h', millis(row?.avg_response_ms_24h ?? null)),
  );
}

const us = (v) => (v === null || v === undefined ? null : v / 1000);

/** Chart data for the chosen range: raw checks for an hour, hourly buckets beyond. */
async function loadChart() {
  const now = Date.now();
  if (state.range === '1h') {
    const query = new URLSearchParams({ from: new Date(now - HOUR).toISOString(), limit: '1000' });
    const page = await api(`${base}/checks?${query}`);
    const points = page.items.map((c) => ({ c, t: Date.parse(checkTime(c)) }));
    // A monitor younger than an hour gets its whole life drawn, not a sliver at the right edge.
    const oldest = points.length > 0 ? Math.min(...points.map((p) => p.t)) : now;
    const from = Math.max(now - HOUR, Math.min(oldest, now - 2 * 60_000));
    const [[mainLabel, mainField], [otherLabel, otherField]] = RAW_LINES[state.monitor?.type ?? 'http'] ?? RAW_LINES.http;
    return {
      recent: page.items.slice(0, 15),
      chart: {
        title: `Response time per check over the last hour: ${otherLabel.toLowerCase()} and ${mainLabel.toLowerCase()}`,
        from,
        to: now,
        series: [
          { label: mainLabel, className: 'line-total', points: points.map(({ c, t }) => ({ t, v: us(c[mainField]) })) },
          { label: otherLabel, className: 'line-first', points: points.map(({ c, t }) => ({ t, v: us(c[otherField]) })) },
        ],
        downs: points.filter(({ c }) => c['monitor.status'] === 'down').map(({ t }) => t),
      },
    };
  }
  const span = state.range === '24h' ? 24 * HOUR : 7 * 24 * HOUR;
  const [buckets, page] = await Promise.all([
    fetchHourlyHistory(id, new Date(now - span), zone),
    api(`${base}/checks?limit=15`),
  ]);
  const points = buckets.map((b) => ({ b, t: Date.parse(b.start) + HOUR / 2 }));
  return {
    recent: page.items,
    chart: {
      title: `Response time per hour over the last ${state.range === '24h' ? '24 hours' : '7 days'}: average and 95th percentile`,
      from: now - span,
      to: now,
      series: [
        { label: 'Average', className: 'line-total', points: points.map(({ b, t }) => ({ t, v: b.response_ms.avg })) },
        { label: '95th percentile', className: 'line-first', points: points.map(({ b, t }) => ({ t, v: b.response_ms.p95 })) },
      ],
      downs: points.filter(({ b }) => b.down > 0).map(({ t }) => t),
    },
  };
}

function renderLegend() {
  const raw = state.range === '1h';
  const [[mainLabel], [otherLabel]] = RAW_LINES[state.monitor?.type ?? 'http'] ?? RAW_LINES.http;
  byId('legend').replaceChildren(
    el('span', {}, [el('i', { class: 'k-total' }), raw ? mainLabel : 'Average']),
    el('span', {}, [el('i', { class: 'k-first' }), raw ? otherLabel : '95th percentile']),
    el('span', {}, [el('i', { class: 'k-down' }), raw ? 'Down check' : 'Hour with failures']),
  );
}

function drawChart() {
  if (state.chart) drawLineChart(byId('chart'), state.chart);
}

/** Daily buckets once a minute, and at once when the monitor's status changes. */
async function refreshDaily(status) {
  if (Date.now() - state.dailyAt < 60_000 && status === state.dailyStatus) return;
  const days = await fetchDailyHistory(id, daysFrom(90), zone);
  state.dailyAt = Date.now();
  state.dailyStatus = status;
  byId('days').replaceChildren(uptimeBar(days, { timeZone: zone }));
  byId('days-table').replaceChildren(daysTable(days, zone));
}

/** The monitor does not exist for this user: say so, and offer nothing that would act on it. */
function showNotFound() {
  state.missing = true;
  state.chart = null;
  stopPolling();
  document.title = 'Monitor not found · Downtime Monitor';
  byId('loading').classList.add('hidden');
  byId('monitor-view').remove();
  byId('not-found').classList.remove('hidden');
  byId('load-error').textContent = '';
}

async function refreshContacts() {
  if (state.missing) return;
  const contacts = await api(`${base}/contacts`);
  byId('contacts').replaceChildren(
    contactsTable(contacts.items, async (contact) => {
      try {
        await api(`${base}/contacts/${encodeURIComponent(contact.id)}`, { method: 'DELETE' });
        await refreshContacts();
      } catch (error) {
        byId('contact-error').textContent = describeError(error);
      }
    }),
  );
}

async function refresh() {
  if (state.missing) return;
  try {
    // The monitor first: an unknown id must not cost (nor show) anything else.
    const monitor = await api(base);
    state.monitor = monitor;
    byId('loading').classList.add('hidden');
    byId('monitor-view').classList.remove('hidden');
    renderSettings(monitor);
    const [summary, chart, incidents, notifications] = await Promise.all([
      api('/api/summary'),
      loadChart(),
      api(`${base}/incidents?from=${encodeURIComponent(daysFrom(90).toISOString())}`),
      api(`${base}/notifications`),
    ]);
    state.chart = chart.chart;
    const row = summary.items.find((r) => r.monitor_id === id);
    renderHead(monitor, row);
    renderLegend();
    drawChart();
    byId('checks').replaceChildren(checksTable(chart.recent, monitor.type));
    byId('incidents').replaceChildren(incidentsTable(incidents.items));
    byId('notifications').replaceChildren(notificationsTable(notifications.items.slice(0, 50)));
    await refreshDaily(row ? stateKey(row) : 'new');
    byId('load-error').textContent = '';
  } catch (error) {
    if (error && error.status === 404) showNotFound();
    else byId('load-error').textContent = 'Could not refresh: ' + describeError(error);
  }
}

/** @param {Record<string, unknown>} patch */
async function update(patch) {
  try {
    await api(base, { method: 'PATCH', body: patch });
    await refresh();
  } catch (error) {
    byId('load-error').textContent = describeError(error);
  }
}

function wire() {
  for (const button of document.querySelectorAll('[data-range]')) {
    button.addEventListener('click', () => {
      state.range = button.getAttribute('data-range') ?? '1h';
      for (const b of document.querySelectorAll('[data-range]')) b.setAttribute('aria-pressed', String(b === button));
      void refresh();
    });
  }
  byId('toggle-pause').addEventListener('click', () => state.monitor && update({ paused: !state.monitor.paused }));
  byId('toggle-public').addEventListener('click', () => state.monitor && update({ public: !state.monitor.public }));
  byId('new-push-url').addEventListener('click', async () => {
    if (!state.monitor || !confirm('Make a new push URL? The current one stops working at once: update the jobs that call it.')) return;
    try {
      const fresh = await api(`${base}/push-token`, { method: 'POST' });
      byId('push-url').textContent = fresh.push_url;
    } catch (error) {
      byId('load-error').textContent = describeError(error);
    }
  });
  byId('delete').addEventListener('click', async () => {
    if (!state.monitor || !confirm(`Delete “${state.monitor.name}” and its contacts? Its checks age out.`)) return;
    try {
      await api(base, { method: 'DELETE' });
      location.assign('/');
    } catch (error) {
      byId('load-error').textContent = describeError(error);
    }
  });
  wireEditForm({
    form: /** @type {HTMLFormElement} */ (byId('edit-form')),
    details: /** @type {HTMLDetailsElement} */ (byId('edit-monitor')),
    notice: byId('edit-notice'),
    errorBox: byId('edit-error'),
    reset: byId('edit-reset'),
    monitorUrl: base,
    current: () => state.monitor,
    onSaved: async (monitor) => {
      state.monitor = monitor;
      await refresh();
    },
  });
  const form = /** @type {HTMLFormElement} */ (byId('contact-form'));
  const typeSelect = /** @type {HTMLSelectElement} */ (form.elements.namedItem('type'));
  const addressInput = /** @type {HTMLInputElement} */ (form.elements.namedItem('address'));
  // Each channel's address looks different: say which one is expected.
  const showPlaceholder = () => {
    addressInput.placeholder = typeSelect.selectedOptions[0]?.dataset.placeholder ?? '';
  };
  typeSelect.addEventListener('change', showPlaceholder);
  form.addEventListener('reset', () => setTimeout(showPlaceholder));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    byId('contact-error').textContent = '';
    try {
      await api(`${base}/contacts`, { method: 'POST', body: { type: data.get('type'), address: String(data.get('address')).trim() } });
      form.reset();
      await refreshContacts();
    } catch (error) {
      byId('contact-error').textContent = describeError(error);
    }
  });
  let resizeTimer = 0;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(drawChart, 150);
  });
}

if (requireSession()) {
  wire();
  initHeader().catch((error) => {
    byId('load-error').textContent = describeError(error);
  });
  refreshContacts().catch((error) => {
    if (!(error && error.status === 404)) byId('contact-error').textContent = describeError(error);
  });
  stopPolling = every(refresh, 5_000);
}
