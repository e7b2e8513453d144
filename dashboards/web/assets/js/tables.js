// Tables of the monitor page: incidents, recent checks, daily uptime, contacts, notifications.
// Each returns an element ready to insert; an empty list becomes a short sentence instead.

import { el } from './dom.js';
import { dateTime, dayLabel, duration, millis, percent } from './format.js';
import { checkTime } from './monitor-data.js';

/**
 * @param {string[]} headers
 * @param {Array<Array<Node | string>>} rows
 * @param {string} emptyText
 */
export function table(headers, rows, emptyText) {
  if (rows.length === 0) return el('p', { class: 'empty', text: emptyText });
  return el('table', {}, [
    el('thead', {}, [el('tr', {}, headers.map((h) => el('th', { scope: 'col', text: h })))]),
    el(
      'tbody',
      {},
      rows.map((cells) =>
        el(
          'tr',
          {},
          cells.map((c, i) => {
            const td = c instanceof Node && c.nodeName === 'TD' ? /** @type {HTMLElement} */ (c) : el('td', {}, [c]);
            // Phones show each row as a card, labelling cells from this attribute (CSS).
            if (headers[i]) td.setAttribute('data-label', headers[i]);
            return td;
          }),
        ),
      ),
    ),
  ]);
}

const wrap = (text) => el('td', { class: 'wrap', text });
const word = (status) => el('span', { class: `badge ${status}`, text: status });

/** The cause of an incident or a check in words: "connect: ECONNREFUSED" or "status 503". */
export function cause(type, message, statusCode) {
  if (type === 'status' && statusCode !== null) return `status ${statusCode}` + (message ? `: ${message}` : '');
  if (!type) return statusCode !== null ? `status ${statusCode}` : '—';
  return message ? `${type}: ${message}` : type;
}

export function incidentsTable(items) {
  return table(
    ['Started', 'Resolved', 'Duration', 'Cause'],
    items.map((i) => [
      dateTime(i.started_at),
      i.resolved_at ? dateTime(i.resolved_at) : word('down'),
      duration(i.duration_seconds) + (i.resolved_at ? '' : ' so far'),
      wrap(cause(i.cause.type, i.cause.message, i.cause.status_code)),
    ]),
    'No incidents in this period.',
  );
}

const us = (value) => (value === null || value === undefined ? null : value / 1000);

/** What a check of each monitor type measured: column headers and cells, between Status and Error. */
const MEASURED = {
  http: {
    headers: ['Code', 'First byte', 'Total'],
    cells: (c) => [String(c['http.response.status_code'] ?? '—'), millis(us(c['http.rtt.response_header.us'])), millis(us(c['http.rtt.total.us']))],
  },
  tcp: {
    headers: ['Address', 'Connect', 'TLS handshake'],
    cells: (c) => [c['resolve.ip'] ?? '—', millis(us(c['tcp.rtt.connect.us'])), millis(us(c['tls.rtt.handshake.us']))],
  },
  dns: {
    headers: ['Response', 'Answers', 'Answer time'],
    cells: (c) => [c['dns.response_code'] ?? '—', wrap((c['dns.answers.data'] ?? []).join(', ') || '—'), millis(us(c['resolve.rtt.us']))],
  },
};

/** @param {any[]} items @param {string} [type] the monitor's type (http by default) */
export function checksTable(items, type = 'http') {
  const measured = MEASURED[type] ?? MEASURED.http;
  return table(
    ['Time', 'Status', ...measured.headers, 'Error'],
    items.map((c) => [
      dateTime(checkTime(c)),
      word(c['monitor.status']),
      ...measured.cells(c),
      wrap(c['error.type'] ? cause(c['error.type'], c['error.message'], c['http.response.status_code']) : ''),
    ]),
    'No checks yet.',
  );
}

export function daysTable(days, timeZone) {
  return table(
    ['Day', 'Uptime', 'Checks', 'Down', 'Avg response'],
    [...days].reverse().map((d) => [
      dayLabel(d.start, timeZone),
      percent(d.uptime),
      String(d.checks),
      String(d.down),
      millis(d.response_ms?.avg ?? null),
    ]),
    'No days yet.',
  );
}

/** @param {(contact: {id: string}) => void} onDelete */
export function contactsTable(items, onDelete) {
  return table(
    ['Type', 'Address', ''],
    items.map((c) => {
      const remove = el('button', { type: 'button', class: 'danger', text: 'Remove', 'aria-label': `Remove ${c.address}` });
      remove.addEventListener('click', () => onDelete(c));
      return [c.type, wrap(c.address), remove];
    }),
    'Nobody is notified yet. Add an email address, a phone number, a webhook, or a Slack, Discord, Teams, PagerDuty or ntfy contact.',
  );
}

export function notificationsTable(items) {
  return table(
    ['Created', 'Kind', 'Channel', 'Address', 'Status', 'Attempts', 'Last error'],
    items.map((n) => [
      dateTime(n.created_at),
      n.kind,
      n.channel,
      n.address,
      n.status + (n.sent_at ? ` ${dateTime(n.sent_at)}` : ''),
      String(n.attempts),
      wrap(n.last_error ?? ''),
    ]),
    'No notifications sent yet.',
  );
}
