// A small line chart in SVG for Owncast's [{time, value}] series (no library): the latest
// value and the range are said in words too, for screen readers.

const SVG = 'http://www.w3.org/2000/svg';
const W = 600;
const H = 160;

function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return node;
}

/** A figure with a line chart of `series`, titled `title`; `unit` follows each number. */
export function lineChart(title, series, unit = '', max = null) {
  const figure = document.createElement('figure');
  figure.className = 'chart';
  const caption = document.createElement('figcaption');
  const values = series.map((s) => Number(s.value));
  const last = values.length ? values[values.length - 1] : null;
  const top = max ?? Math.max(1, ...values);
  caption.textContent = last === null
    ? `${title}: no samples yet`
    : `${title}: now ${last.toFixed(0)}${unit} (peak ${Math.max(...values).toFixed(0)}${unit}, ${values.length} samples)`;
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': caption.textContent, preserveAspectRatio: 'none' });
  chart.append(svg('rect', { x: 0, y: 0, width: W, height: H, class: 'chart-bg' }));
  if (values.length > 1) {
    const times = series.map((s) => Date.parse(s.time));
    const t0 = times[0];
    const span = Math.max(1, times[times.length - 1] - t0);
    const points = values.map((v, i) => `${((times[i] - t0) / span) * W},${H - (v / top) * (H - 8) - 4}`);
    chart.append(svg('polyline', { points: points.join(' '), class: 'chart-line', fill: 'none' }));
  } else if (values.length === 1) {
    const y = H - (values[0] / top) * (H - 8) - 4;
    chart.append(svg('polyline', { points: `0,${y} ${W},${y}`, class: 'chart-line', fill: 'none' }));
  }
  figure.append(chart, caption);
  return figure;
}
