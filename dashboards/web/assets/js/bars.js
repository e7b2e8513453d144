// The 90-day uptime bar: one cell per day, coloured by that day's uptime (a day under 95% is split
// green and red in proportion), with the exact figure in each cell's tooltip and a text summary
// for screen readers. Phones show the last 30 cells (CSS).

import { el } from './dom.js';
import { dayLabel, percent } from './format.js';

/** @typedef {{start: string | number, uptime: number | null, checks: number}} Day */

/** @param {number | null} uptime */
export function uptimeClass(uptime) {
  if (uptime === null || uptime === undefined) return 'u-none';
  if (uptime >= 0.999) return 'u-full';
  if (uptime >= 0.99) return 'u-minor';
  if (uptime >= 0.95) return 'u-partial';
  return 'u-major';
}

/**
 * @param {Day[]} days oldest first
 * @param {{timeZone?: string}} [options]
 */
export function uptimeBar(days, options = {}) {
  const withData = days.filter((d) => d.uptime !== null && d.uptime !== undefined);
  const checks = withData.reduce((sum, d) => sum + d.checks, 0);
  const up = withData.reduce((sum, d) => sum + (d.uptime ?? 0) * d.checks, 0);
  const worst = withData.reduce((w, d) => (w === null || (d.uptime ?? 1) < (w.uptime ?? 1) ? d : w), /** @type {Day | null} */ (null));
  const summary =
    withData.length === 0
      ? `Daily uptime, last ${days.length} days: no checks yet`
      : `Daily uptime, last ${days.length} days: ${percent(up / checks)} overall over ${withData.length} days with checks` +
        (worst && (worst.uptime ?? 1) < 1 ? `; lowest ${percent(worst.uptime)} on ${dayLabel(worst.start, options.timeZone)}` : '');
  const cells = days.map((d) => {
    const text = d.uptime === null || d.uptime === undefined
      ? `${dayLabel(d.start, options.timeZone)}: no checks`
      : `${dayLabel(d.start, options.timeZone)}: ${percent(d.uptime)} up (${d.checks} checks)`;
    const cell = el('span', { class: uptimeClass(d.uptime), title: text });
    // A bad day shows its share of uptime (green from the bottom, red above), so 76% up does not
    // look like a day that was down throughout. Set through CSSOM, which the CSP allows.
    if (uptimeClass(d.uptime) === 'u-major') cell.style.setProperty('--share', `${((d.uptime ?? 0) * 100).toFixed(1)}%`);
    return cell;
  });
  const bar = el('div', { class: 'bar', role: 'img', 'aria-label': summary }, cells);
  const legend = el('div', { class: 'bar-legend', 'aria-hidden': 'true' }, [
    el('span', { class: 'span-90', text: `${days.length} days ago` }),
    el('span', { class: 'span-30', text: '30 days ago' }),
    el('span', { text: 'today' }),
  ]);
  return el('div', { class: 'bar-wrap' }, [bar, legend]);
}
