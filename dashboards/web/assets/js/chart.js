// A small SVG line chart for response times: a few series over time, optional "down" markers on the
// baseline, gridlines with round values. Hand-written so the pages need nothing from a CDN.

const SVG = 'http://www.w3.org/2000/svg';
/** Up to this many values per series, each gets a dot; beyond, dots would only blur the line. */
const MAX_DOTTED = 60;

/** @typedef {{t: number, v: number | null}} Point */
/** @typedef {{label: string, className: string, points: Point[]}} Series */

/**
 * @param {string} tag
 * @param {Record<string, string | number>} attrs
 */
function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

/** A round step so that about `count` gridlines cover 0..max. */
function niceStep(max, count) {
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw);
  return step ?? 10 * magnitude;
}

/** @param {number} t @param {number} span */
function timeLabel(t, span) {
  const d = new Date(t);
  // Seconds only on short spans, where minutes alone would repeat from tick to tick.
  if (span <= 15 * 60_000) return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  if (span <= 36 * 3600_000) return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return d.toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
}

/**
 * Draws into `container` (replacing its content), sized to its current width.
 * @param {HTMLElement} container
 * @param {{series: Series[], downs?: number[], from: number, to: number, unit?: string, title: string}} data
 */
export function drawLineChart(container, data) {
  const width = Math.max(280, container.clientWidth || 600);
  const height = container.clientHeight || 220;
  const pad = { left: 52, right: 12, top: 12, bottom: 26 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const values = data.series.flatMap((s) => s.points.map((p) => p.v)).filter((v) => v !== null);
  // 10% headroom so the highest point does not sit on the top gridline.
  const highest = Math.max(10, ...values) * 1.1;
  const step = niceStep(highest, 4);
  const top = Math.ceil(highest / step) * step;
  const span = Math.max(1, data.to - data.from);
  const x = (t) => pad.left + ((t - data.from) / span) * plotW;
  const y = (v) => pad.top + plotH - (v / top) * plotH;

  const root = svg('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': data.title });
  const title = svg('title', {});
  title.textContent = data.title;
  root.append(title);
  for (let v = 0; v <= top + step / 2; v += step) {
    root.append(svg('line', { class: 'grid', x1: pad.left, x2: width - pad.right, y1: y(v), y2: y(v) }));
    const label = svg('text', { class: 'axis', x: pad.left - 6, y: y(v) + 4, 'text-anchor': 'end' });
    label.textContent = `${v} ${data.unit ?? 'ms'}`;
    root.append(label);
  }
  const ticks = Math.max(2, Math.min(6, Math.floor(plotW / 110)));
  for (let i = 0; i <= ticks; i++) {
    const t = data.from + (span * i) / ticks;
    const anchor = i === 0 ? 'start' : i === ticks ? 'end' : 'middle';
    const label = svg('text', { class: 'axis', x: x(t), y: height - 6, 'text-anchor': anchor });
    label.textContent = timeLabel(t, span);
    root.append(label);
  }
  for (const series of data.series) {
    // A null value breaks the line, so a gap in the data shows as a gap.
    let d = '';
    let pen = false;
    const sorted = [...series.points].sort((a, b) => a.t - b.t);
    const values = sorted.filter((p) => p.v !== null);
    for (const p of sorted) {
      if (p.v === null) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`;
      pen = true;
    }
    if (d) root.append(svg('path', { class: series.className, d }));
    // A line needs two points: a young monitor's single bucket, or a value between two gaps, would
    // draw nothing. Dots mark every value while there are few, and lone values always.
    sorted.forEach((p, i) => {
      if (p.v === null) return;
      const lone = (sorted[i - 1]?.v ?? null) === null && (sorted[i + 1]?.v ?? null) === null;
      if (!lone && values.length > MAX_DOTTED) return;
      root.append(svg('circle', { class: `point ${series.className}`, cx: x(p.t).toFixed(1), cy: y(p.v).toFixed(1), r: 3 }));
    });
  }
  for (const t of data.downs ?? []) {
    root.append(svg('circle', { class: 'down-mark', cx: x(t), cy: y(0) - 3, r: 3.5 }));
  }
  container.replaceChildren(root);
}
