// The public status page at /status/<slug>: no login; it reads /public/status/<slug>, which holds
// the title and description its owner set, only the monitors they marked public (name, status,
// the kind of check with its 24-hour average time under the type's own word, uptime, daily bars)
// and their incidents of the last 14 days. The owner's text goes in as text
// (dom.js), never as markup. The header dot takes the overall state's colour. An address nobody
// published (the server answers 404) shows a not-found view and stops polling.

import { api, describeError } from './api.js';
import { uptimeBar } from './bars.js';
import { badge, byId, el, every } from './dom.js';
import { ago, dateTime, duration, millis, percent } from './format.js';
import { table } from './tables.js';

const slug = decodeURIComponent(location.pathname.split('/').pop() ?? '');

const HERO = {
  up: 'All systems operational',
  unknown: 'No checks yet',
};

function uptimeCell(label, value) {
  return el('div', {}, [el('b', { text: percent(value) }), el('span', { text: label })]);
}

/** "Response time 182 ms (24 h average)"; nothing for a heartbeat or without up checks. */
function latencyText(latency) {
  if (!latency || latency.avg_ms_24h === null) return null;
  return `${latency.label} ${millis(latency.avg_ms_24h)} (24 h average)`;
}

function monitorItem(m) {
  const days = m.days.map((d) => ({ start: d.date + 'T00:00:00Z', uptime: d.uptime, checks: d.checks }));
  const latency = latencyText(m.latency);
  return el('li', { class: `monitor ${m.status}`, 'data-status': m.status }, [
    el('div', {}, [
      el('div', { class: 'monitor-head' }, [
        badge(m.status),
        el('span', { class: 'monitor-name', text: m.name }),
        el('span', { class: 'monitor-kind muted small', text: m.kind }),
      ]),
      el('div', {
        class: 'muted small',
        title: m.last_check_at ? dateTime(m.last_check_at) : null,
        text: m.last_check_at ? `Checked ${ago(m.last_check_at)}` : 'Not checked yet',
      }),
      ...(latency ? [el('div', { class: 'monitor-latency muted small', text: latency })] : []),
    ]),
    el('div', { class: 'uptimes' }, [
      uptimeCell('24 hours', m.uptime['24h']),
      uptimeCell('30 days', m.uptime['30d']),
      uptimeCell('90 days', m.uptime['90d']),
    ]),
    uptimeBar(days, { timeZone: 'UTC' }),
  ]);
}

function incidentsTable(items) {
  return table(
    ['Service', 'Started', 'Resolved', 'Duration', 'Cause'],
    items.map((i) => [
      i.monitor,
      dateTime(i.started_at),
      i.resolved_at ? dateTime(i.resolved_at) : badge('down'),
      duration(i.duration_seconds) + (i.resolved_at ? '' : ' so far'),
      i.cause,
    ]),
    'No incidents in the last 14 days.',
  );
}

/** @param {'up' | 'down' | 'unknown'} status */
function showState(status) {
  byId('status-dot').className = `brand-dot ${status}`;
}

/** @type {() => void} */
let stopPolling = () => {};

function showNotFound() {
  stopPolling();
  showState('unknown');
  document.title = 'Status page not found';
  byId('title').textContent = 'Status page not found';
  byId('hero').className = 'status-hero unknown';
  byId('hero').textContent = 'There is no status page at this address.';
  byId('description').remove();
  byId('services').remove();
  byId('history').remove();
  byId('updated').textContent = '';
  byId('load-error').textContent = '';
}

async function refresh() {
  try {
    const page = await api(`/public/status/${encodeURIComponent(slug)}`, { auth: false });
    const down = page.monitors.filter((m) => m.status === 'down');
    const title = page.title ?? page.slug;
    byId('title').textContent = title;
    document.title = title;
    const description = byId('description');
    description.textContent = page.description ?? '';
    description.classList.toggle('hidden', !page.description);
    showState(page.status);
    byId('incidents').replaceChildren(incidentsTable(page.incidents ?? []));
    const hero = byId('hero');
    hero.className = `status-hero ${page.status}`;
    hero.textContent =
      page.status === 'down'
        ? `✕ ${down.length === page.monitors.length ? 'Major outage' : 'Partial outage'}: ${down.map((m) => m.name).join(', ')} down`
        : (page.status === 'up' ? '✓ ' : '') + HERO[page.status];
    byId('monitors').replaceChildren(...page.monitors.map(monitorItem));
    if (page.monitors.length === 0) byId('monitors').replaceChildren(el('li', { class: 'empty', text: 'No public services yet.' }));
    byId('updated').textContent = `Updated ${new Date().toLocaleTimeString()}.`;
    byId('load-error').textContent = '';
  } catch (error) {
    if (error && error.status === 404) showNotFound();
    else byId('load-error').textContent = 'Could not refresh: ' + describeError(error);
  }
}

stopPolling = every(refresh, 10_000);
