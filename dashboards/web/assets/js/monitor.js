// One monitor: status and uptime, a response-time chart (raw checks for the last hour, hourly
// buckets for a day or a week), uptime per day, incidents, recent checks, contacts and
// notifications. Polled every 5 s like the dashboard; the daily history once a minute.

import { api, describeError } from './api.js';
import { uptimeBar } from './bars.js';
import { drawLineChart } from './chart.js';
import { badge, byId, el, every } from './dom.js';
import { ago, dateTime, localZone, millis, percent } from './format.js';
import { checkTime, daysFrom, fetchDailyHistory, fetchHourlyHistory, stateKey, statusOf } from './monitor-data.js';
import { initHeader, requireSession } from './session.js';
import { checksTable, contactsTable, daysTable, incidentsTable, notificationsTable } from './tables.js';

const id = decodeURIComponent(location.pathname.split('/').pop() ?? '');
const base = `/api/monitors/${encodeURIComponent(id)}`;
const zone = localZone();
const HOUR = 3_600_000;
const state = { range: '1h', monitor: null, chart: null, dailyAt: 0, dailyStatus: '' };

function stat(label, value) {
  return el('div', { class: 'stat' }, [el('b', { text: value }), el('span', { text: label })]);
}

function renderHead(monitor, row) {
  const status = statusOf(row ?? { paused: monitor.paused, status: 'unknown' });
  document.title = `${monitor.name} · Downtime Monitor`;
  byId('status').replaceChildren(badge(status));
  byId('name').textContent = monitor.name;
  byId('url').textContent = `${monitor.method} ${monitor.url}`;
  const last = row?.last_check;
  byId('meta').textContent =
    `Every ${monitor.interval_seconds} s · expects ${monitor.expect_status}` +
    (monitor.keyword ? ` and “${monitor.keyword}”` : '') +
    ` · ${monitor.public ? 'on the public status page' : 'private'}` +
    ` · last check ${last ? `${ago(checkTime(last))} (${dateTime(checkTime(last))})` : 'not yet'}`;
  byId('toggle-pause').textContent = monitor.paused ? 'Resume' : 'Pause';
  byId('toggle-public').textContent = monitor.public ? 'Make private' : 'Make public';
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
    return {
      recent: page.items.slice(0, 15),
      chart: {
        title: 'Response time per check over the last hour: first byte and total',
        from,
        to: now,
        series: [
          { label: 'Total', className: 'line-total', points: points.map(({ c, t }) => ({ t, v: us(c['http.rtt.total.us']) })) },
          { label: 'First byte', className: 'line-first', points: points.map(({ c, t }) => ({ t, v: us(c['http.rtt.response_header.us']) })) },
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
  byId('legend').replaceChildren(
    el('span', {}, [el('i', { class: 'k-total' }), raw ? 'Total' : 'Average']),
    el('span', {}, [el('i', { class: 'k-first' }), raw ? 'First byte' : '95th percentile']),
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

async function refreshContacts() {
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
  try {
    const [monitor, summary, chart, incidents, notifications] = await Promise.all([
      api(base),
      api('/api/summary'),
      loadChart(),
      api(`${base}/incidents?from=${encodeURIComponent(daysFrom(90).toISOString())}`),
      api(`${base}/notifications`),
    ]);
    state.monitor = monitor;
    state.chart = chart.chart;
    const row = summary.items.find((r) => r.monitor_id === id);
    renderHead(monitor, row);
    renderLegend();
    drawChart();
    byId('checks').replaceChildren(checksTable(chart.recent));
    byId('incidents').replaceChildren(incidentsTable(incidents.items));
    byId('notifications').replaceChildren(notificationsTable(notifications.items.slice(0, 50)));
    await refreshDaily(row ? stateKey(row) : 'new');
    byId('load-error').textContent = '';
  } catch (error) {
    byId('load-error').textContent =
      error && error.status === 404 ? 'This monitor does not exist (or belongs to someone else).' : 'Could not refresh: ' + describeError(error);
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
  byId('delete').addEventListener('click', async () => {
    if (!state.monitor || !confirm(`Delete “${state.monitor.name}” and its contacts? Its checks age out.`)) return;
    try {
      await api(base, { method: 'DELETE' });
      location.assign('/');
    } catch (error) {
      byId('load-error').textContent = describeError(error);
    }
  });
  const form = /** @type {HTMLFormElement} */ (byId('contact-form'));
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
    byId('contact-error').textContent = describeError(error);
  });
  every(refresh, 5_000);
}
