// zhiku web UI — an entity's neighbourhood as a radial SVG (centre, ring of neighbours).
// Input: {center: {id, name, type}, nodes: [{id, name, type}], edges: [{src, dst, type, label}]}
"use strict";

function drawGraph(data) {
  const W = 640, H = 480, cx = W / 2, cy = H / 2;
  const svg = svgEl("svg", { viewBox: `0 0 ${W} ${H}`, class: "graph", role: "img" });
  const others = (data.nodes || []).filter((n) => n.id !== data.center.id).slice(0, 40);
  const pos = { [data.center.id]: [cx, cy] };
  const radius = Math.min(W, H) / 2 - 60;
  others.forEach((n, i) => {
    const a = (2 * Math.PI * i) / Math.max(others.length, 1) - Math.PI / 2;
    pos[n.id] = [cx + radius * Math.cos(a), cy + radius * Math.sin(a)];
  });
  for (const e of data.edges || []) {
    const a = pos[e.src], b = pos[e.dst];
    if (!a || !b) continue;
    svg.appendChild(svgEl("line", { x1: a[0], y1: a[1], x2: b[0], y2: b[1], class: "edge" }));
    const label = e.label || (i18n.lang === "zh" ? e.type_zh : e.type_en) || e.type || "";
    if (label) {
      svg.appendChild(svgEl("text", { x: (a[0] + b[0]) / 2, y: (a[1] + b[1]) / 2 - 3, "text-anchor": "middle", class: "edge-label" }, label.slice(0, 12)));
    }
  }
  for (const n of [data.center, ...others]) {
    const [x, y] = pos[n.id];
    const g = svgEl("g", { class: n.id === data.center.id ? "node center" : "node" });
    g.appendChild(svgEl("circle", { cx: x, cy: y, r: n.id === data.center.id ? 26 : 18 }));
    g.appendChild(svgEl("text", { x, y: y + 4, "text-anchor": "middle" }, (n.name || n.id).slice(0, 8)));
    g.appendChild(svgEl("title", {}, `${n.name} (${n.type || ""})`));
    svg.appendChild(g);
  }
  return svg;
}

window.drawGraph = drawGraph;
