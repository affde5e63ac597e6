// zhiku web UI — charts for BI answers, drawn as SVG from Answer.extra.chart:
//   {type: "bar" | "line", title, unit, x: [labels], series: [{name, values: [number | null]}]}
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2"];

function svgEl(name, attrs, text) {
  const el = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

function niceMax(value) {
  if (value <= 0) return 1;
  const power = Math.pow(10, Math.floor(Math.log10(value)));
  for (const step of [1, 2, 2.5, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

function formatNumber(v) {
  if (Math.abs(v) >= 1000) return v.toLocaleString(undefined, { maximumFractionDigits: 0 });
  return String(Math.round(v * 100) / 100);
}

// Long labels keep their end: that is where the period ("… 2028E") sits.
function shortLabel(label) {
  return label.length > 14 ? label.slice(0, 6) + "…" + label.slice(-7) : label;
}

function drawChart(spec) {
  const labels = Array.isArray(spec.x) ? spec.x.map(String) : [];
  const series = (spec.series || []).filter((s) => Array.isArray(s.values));
  if (!labels.length || !series.length) return null;
  const W = 560, H = 300, L = 64, R = 16, T = spec.title ? 34 : 16, B = 64;
  const values = series.flatMap((s) => s.values).filter((v) => typeof v === "number");
  const top = niceMax(Math.max(0, ...values));
  const y = (v) => T + (H - T - B) * (1 - v / top);
  const band = (W - L - R) / labels.length;
  const svg = svgEl("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img" });
  svg.appendChild(svgEl("title", {}, spec.title || ""));
  if (spec.title) svg.appendChild(svgEl("text", { x: W / 2, y: 20, "text-anchor": "middle", class: "chart-title" }, spec.title));
  for (let i = 0; i <= 4; i++) {
    const v = (top * i) / 4;
    svg.appendChild(svgEl("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), class: "grid" }));
    svg.appendChild(svgEl("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end", class: "axis" }, formatNumber(v)));
  }
  labels.forEach((label, i) => {
    const x = L + band * (i + 0.5);
    svg.appendChild(svgEl("text", { x, y: H - B + 18, "text-anchor": "middle", class: "axis" }, shortLabel(label)));
  });
  if (spec.type === "line") drawLines(svg, series, labels, band, L, y);
  else drawBars(svg, series, labels, band, L, y);
  const legend = series.map((s, i) => ({ name: s.name || "", color: PALETTE[i % PALETTE.length] }));
  legend.forEach((item, i) => {
    const x = L + i * 150, yy = H - 22;
    svg.appendChild(svgEl("rect", { x, y: yy - 9, width: 10, height: 10, fill: item.color }));
    svg.appendChild(svgEl("text", { x: x + 14, y: yy, class: "axis" }, item.name));
  });
  if (spec.unit) svg.appendChild(svgEl("text", { x: W - R, y: H - 6, "text-anchor": "end", class: "axis" }, i18n.t("chart.unit", { unit: spec.unit })));
  return svg;
}

function drawBars(svg, series, labels, band, L, y) {
  const inner = (band * 0.7) / series.length;
  series.forEach((s, si) => {
    s.values.forEach((v, i) => {
      if (typeof v !== "number") return;
      const x = L + band * i + band * 0.15 + inner * si;
      const rect = svgEl("rect", { x, y: y(Math.max(v, 0)), width: Math.max(inner - 2, 2), height: Math.abs(y(0) - y(v)), fill: PALETTE[si % PALETTE.length] });
      rect.appendChild(svgEl("title", {}, `${labels[i]}: ${v}`));
      svg.appendChild(rect);
      svg.appendChild(svgEl("text", { x: x + inner / 2, y: y(Math.max(v, 0)) - 4, "text-anchor": "middle", class: "value" }, formatNumber(v)));
    });
  });
}

function drawLines(svg, series, labels, band, L, y) {
  series.forEach((s, si) => {
    const color = PALETTE[si % PALETTE.length];
    const points = s.values.map((v, i) => (typeof v === "number" ? [L + band * (i + 0.5), y(v), v, i] : null)).filter(Boolean);
    svg.appendChild(svgEl("polyline", { points: points.map((p) => `${p[0]},${p[1]}`).join(" "), fill: "none", stroke: color, "stroke-width": 2 }));
    for (const [x, yy, v, i] of points) {
      const dot = svgEl("circle", { cx: x, cy: yy, r: 3.5, fill: color });
      dot.appendChild(svgEl("title", {}, `${labels[i]}: ${v}`));
      svg.appendChild(dot);
      svg.appendChild(svgEl("text", { x, y: yy - 8, "text-anchor": "middle", class: "value" }, formatNumber(v)));
    }
  });
}

window.drawChart = drawChart;
window.svgEl = svgEl;
