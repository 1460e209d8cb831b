// Horizontal grouped bar charts in plain SVG: one row per category, one bar per series.
// Positions are percentages of the chart's width, so the chart follows the page's width while
// its text keeps its size (a scaled viewBox would shrink the labels on a phone).

import { h, uid } from "./dom.js";

const BAR = 14;
const GAP = 3;
const ROW_GAP = 10;
const LABEL_PCT = 34; // the category labels' column
const VALUE_PCT = 18; // room after the longest bar for its value

/**
 * barChart({title, description, categories: ["solar", ...], series: [{name, className, values: [...]}], format})
 * `format(value)` labels each bar (with its unit). Returns a <figure>.
 */
export function barChart({ title, description, categories, series, format }) {
  const titleId = uid("chart-title");
  const descId = uid("chart-desc");
  const max = Math.max(0, ...series.flatMap((s) => s.values.filter((v) => v != null)));
  const rowHeight = series.length * (BAR + GAP) - GAP + ROW_GAP;
  const height = Math.max(rowHeight * categories.length, rowHeight);
  const span = 100 - LABEL_PCT - VALUE_PCT;
  const rows = categories.map((category, row) => {
    const top = row * rowHeight;
    const bars = series.map((s, i) => {
      const value = s.values[row] ?? 0;
      const width = max > 0 ? (value / max) * span : 0;
      const y = top + i * (BAR + GAP);
      const label = `${category}, ${s.name}: ${format(value)}`;
      return h(
        "g",
        {},
        h("rect", { x: `${LABEL_PCT}%`, y, width: `${width}%`, height: BAR, class: `bar ${s.className}` }, h("title", {}, label)),
        h("text", { x: `${LABEL_PCT + width}%`, dx: 4, y: y + BAR - 3, class: "value" }, format(value)),
      );
    });
    const middle = top + (rowHeight - ROW_GAP) / 2 + 4;
    return h("g", {}, h("text", { x: `${LABEL_PCT - 1}%`, y: middle, class: "category", "text-anchor": "end" }, category), bars);
  });
  const svg = h(
    "svg",
    { role: "img", "aria-labelledby": `${titleId} ${descId}`, width: "100%", height, class: "chart-svg" },
    h("title", { id: titleId }, title),
    h("desc", { id: descId }, description),
    h("line", { x1: `${LABEL_PCT}%`, x2: `${LABEL_PCT}%`, y1: 0, y2: height, class: "axis" }),
    rows,
  );
  const legend =
    series.length > 1
      ? h("ul", { class: "legend" }, series.map((s) => h("li", {}, h("span", { class: `swatch ${s.className}` }), s.name)))
      : null;
  return h("figure", { class: "chart" }, h("figcaption", {}, title), legend, svg);
}

const LINE_HEIGHT = 160;
const PAD = 22; // room above and below the lines for the value labels

/**
 * lineChart({title, description, labels: ["2026-01-05", ...], series: [{name, className, values: [...]}], format})
 * One point per label, joined by lines; a null value breaks its line. Returns a <figure>.
 */
export function lineChart({ title, description, labels, series, format }) {
  const titleId = uid("chart-title");
  const descId = uid("chart-desc");
  const values = series.flatMap((s) => s.values.filter((v) => v != null));
  const low = Math.min(0, ...values);
  const high = Math.max(low + 1e-9, ...values);
  const x = (i) => (labels.length > 1 ? 4 + (i / (labels.length - 1)) * 92 : 50);
  const y = (v) => PAD + (1 - (v - low) / (high - low)) * (LINE_HEIGHT - 2 * PAD);
  const lines = series.map((s) => {
    const points = s.values.map((v, i) =>
      v == null ? null : h("circle", { cx: `${x(i)}%`, cy: y(v), r: 3.5, class: `dot ${s.className}` }, h("title", {}, `${labels[i]}, ${s.name}: ${format(v)}`)),
    );
    // a <polyline> cannot mix percentages and pixels, so each step is its own line
    const steps = s.values.slice(1).map((v, i) =>
      v == null || s.values[i] == null
        ? null
        : h("line", { x1: `${x(i)}%`, y1: y(s.values[i]), x2: `${x(i + 1)}%`, y2: y(v), class: `line ${s.className}` }),
    );
    return h("g", {}, steps, points);
  });
  const svg = h(
    "svg",
    { role: "img", "aria-labelledby": `${titleId} ${descId}`, width: "100%", height: LINE_HEIGHT, class: "chart-svg" },
    h("title", { id: titleId }, title),
    h("desc", { id: descId }, description),
    h("line", { x1: "0%", x2: "100%", y1: y(0), y2: y(0), class: "axis" }),
    h("text", { x: "0%", y: 12, class: "value" }, format(high)),
    lines,
  );
  const legend = h("ul", { class: "legend" }, series.map((s) => h("li", {}, h("span", { class: `swatch ${s.className}` }), s.name)));
  return h("figure", { class: "chart" }, h("figcaption", {}, title), legend, svg);
}
