// zhiku evaluation page: list a KB's reports, show one, start a run as a job and follow it.
// Self-contained (own fetch helper and strings) so it keeps working while the main UI changes;
// it shares the API key and language the main UI keeps in localStorage.
"use strict";

const T = {
  zh: {
    title: "评测", kb: "知识库", key: "API 密钥", reports: "报告", noReports: "还没有评测报告。",
    newRun: "新评测", generate: "自动出题数", configs: "配置（每行：名称: 节.键=值,…）",
    margin: "可接受差距（百分点）", start: "开始评测", pick: "选择左侧的报告，或开始一次新评测。",
    keyHelp: "输入 API 密钥（保存在本浏览器中）。", save: "保存", recommended: "推荐配置",
    configsH: "配置对比", plotsH: "准确率与成本、延迟", kindsH: "按题型", pairedH: "配对检验",
    failuresH: "错题与证据", download: "下载 HTML 报告", queued: "排队中…", running: "评测中：{cur} {done}/{total}",
    done: "完成", failed: "失败：{err}", gold: "标准答案", answer: "回答", refuse: "（应拒答）",
    noCite: "无引用", config: "配置", kind: "题型", questions: "题",
    cols: ["配置", "准确率", "95% 区间", "引文或短答", "正确拒答", "错误拒答", "引用精度", "无据数字", "p50 ms", "p95 ms", "tokens", "成本/题", "本地作答"],
    pcols: ["A − B", "差（百分点）", "95% 区间", "p（自助法）", "仅 A 对", "仅 B 对", "p（McNemar）"],
    accCost: "准确率 vs 每题成本", accLat: "准确率 vs p50 延迟（ms）", more: "另有 {n} 条",
  },
  en: {
    title: "Evaluation", kb: "Knowledge base", key: "API key", reports: "Reports", noReports: "No evaluation reports yet.",
    newRun: "New evaluation", generate: "Questions to generate", configs: "Configurations (one per line: name: section.key=value,…)",
    margin: "Acceptable margin (points)", start: "Start evaluation", pick: "Pick a report on the left, or start a new evaluation.",
    keyHelp: "Enter an API key (kept in this browser).", save: "Save", recommended: "Recommended",
    configsH: "Configurations", plotsH: "Accuracy, cost and latency", kindsH: "By kind", pairedH: "Paired tests",
    failuresH: "Failures with evidence", download: "Download HTML report", queued: "Queued…", running: "Running: {cur} {done}/{total}",
    done: "Done", failed: "Failed: {err}", gold: "Gold", answer: "Answer", refuse: "(should refuse)",
    noCite: "no citation", config: "config", kind: "kind", questions: "questions",
    cols: ["config", "accuracy", "95% CI", "quote-or-short", "correct refusals", "wrong refusals", "citation precision", "unsupported numbers", "p50 ms", "p95 ms", "tokens", "cost/q", "local"],
    pcols: ["A − B", "diff (points)", "95% CI", "p (bootstrap)", "only A", "only B", "p (McNemar)"],
    accCost: "Accuracy vs cost per question", accLat: "Accuracy vs p50 latency (ms)", more: "{n} more",
  },
};
const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#4d7c0f", "#be185d"];
const SVG = "http://www.w3.org/2000/svg";
const ui = { lang: "zh", kb: "", report: null };
ui.lang = localStorage.getItem("zhiku.lang") || ((navigator.language || "zh").toLowerCase().startsWith("zh") ? "zh" : "en");

const $ = (id) => document.getElementById(id);
function t(key, vars) {
  let text = (T[ui.lang] || T.zh)[key];
  if (typeof text !== "string") return text;
  for (const [k, v] of Object.entries(vars || {})) text = text.replaceAll(`{${k}}`, String(v));
  return text;
}
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v; else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}
const pct = (v) => (v === null || v === undefined ? "—" : `${(v * 100).toFixed(1)}%`);

async function call(method, path, body) {
  const headers = { "Accept-Language": ui.lang === "zh" ? "zh-CN" : "en" };
  const key = localStorage.getItem("zhiku.key");
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body) headers["Content-Type"] = "application/json";
  const resp = await fetch(path, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const data = await resp.json().catch(() => null);
  if (resp.status === 401) { askKey(); throw new Error(t("keyHelp")); }
  if (!resp.ok) {
    const err = (data && data.error) || {};
    throw new Error((ui.lang === "zh" ? err.message_zh : err.message_en) || err.message || `HTTP ${resp.status}`);
  }
  return data;
}

function askKey() { if (!$("key-dialog").open) $("key-dialog").showModal(); }

function applyLang() {
  document.documentElement.lang = ui.lang === "zh" ? "zh-CN" : "en";
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
  $("lang").textContent = ui.lang === "zh" ? "EN" : "中文";
  if (ui.report) showReport(ui.report);
}

async function loadKbs() {
  const kbs = await call("GET", "/api/kb");
  const select = $("kb");
  select.replaceChildren(...kbs.map((k) => el("option", { value: k.name }, k.name)));
  const saved = localStorage.getItem("zhiku.kb");
  ui.kb = kbs.some((k) => k.name === saved) ? saved : (kbs[0] && kbs[0].name) || "";
  select.value = ui.kb;
  await loadReports();
}

async function loadReports(select) {
  if (!ui.kb) return;
  const rows = await call("GET", `/api/kb/${encodeURIComponent(ui.kb)}/eval/reports`);
  $("no-reports").hidden = rows.length > 0;
  $("reports").replaceChildren(...rows.map((r) => {
    const li = el("li", { "data-id": r.id }, `${r.created_at.replace("T", " ").replace("Z", "")} · ${r.questions} ${t("questions")} · ${r.recommended}`);
    li.addEventListener("click", () => openReport(r.id));
    return li;
  }));
  if (select) await openReport(select);
}

async function openReport(id) {
  for (const li of $("reports").children) li.classList.toggle("active", li.dataset.id === id);
  showReport(await call("GET", `/api/kb/${encodeURIComponent(ui.kb)}/eval/reports/${encodeURIComponent(id)}`));
}

function table(head, rows, bestIndex) {
  const thead = el("tr", {}, ...head.map((h) => el("th", {}, h)));
  const body = rows.map((cells, i) => {
    const tr = el("tr", i === bestIndex ? { class: "ev-best" } : {}, ...cells.map((c) => el("td", {}, c)));
    return tr;
  });
  return el("table", { class: "ev-table" }, thead, ...body);
}

function scatter(configs, key, title) {
  const w = 420, h = 260, pad = 46;
  const max = Math.max(...configs.map((c) => c[key]), 0) * 1.15 || 1;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("width", w); svg.setAttribute("height", h); svg.setAttribute("role", "img");
  const add = (tag, attrs, text) => {
    const n = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
    if (text !== undefined) n.textContent = text;
    svg.append(n);
  };
  add("rect", { width: w, height: h, fill: "#fff" });
  add("text", { x: w / 2, y: 16, "text-anchor": "middle", "font-size": 13 }, title);
  add("line", { x1: pad, y1: h - pad, x2: w - 10, y2: h - pad, stroke: "#333" });
  add("line", { x1: pad, y1: 24, x2: pad, y2: h - pad, stroke: "#333" });
  const y = (v) => h - pad - (h - pad - 36) * v;
  const placed = [];
  for (const tick of [0, 0.5, 1]) add("text", { x: pad - 6, y: y(tick) + 4, "text-anchor": "end", "font-size": 10 }, `${tick * 100}%`);
  for (const i of [0, 1, 2]) add("text", { x: pad + (w - pad - 20) * i / 2, y: h - pad + 14, "text-anchor": "middle", "font-size": 10 }, (max * i / 2).toPrecision(3));
  configs.forEach((c, i) => {
    const color = COLORS[i % COLORS.length];
    const x = pad + (w - pad - 20) * (c[key] / max);
    add("line", { x1: x, y1: y(c.accuracy_ci[0]), x2: x, y2: y(c.accuracy_ci[1]), stroke: color });
    add("circle", { cx: x, cy: y(c.accuracy), r: 5, fill: color });
    let ly = y(c.accuracy) - 6;
    while (placed.some(([px, py]) => Math.abs(x - px) < 60 && Math.abs(ly - py) < 11)) ly += 12;  // stack, don't overprint
    placed.push([x, ly]);
    const right = x + 8 + 6.5 * c.name.length <= w;  // near the right edge the label goes left
    add("text", { x: right ? x + 8 : x - 8, y: ly, "text-anchor": right ? "start" : "end", "font-size": 11, fill: color }, c.name);
  });
  return svg;
}

function showReport(r) {
  ui.report = r;
  const root = $("report");
  const rec = r.recommendation;
  const best = rec ? r.configs.findIndex((c) => c.name === rec.config) : -1;
  const link = el("a", { href: "#", id: "download" }, t("download"));
  link.addEventListener("click", (e) => { e.preventDefault(); download(r.id); });
  const parts = [
    el("p", { class: "ev-muted" }, `${r.kb} · ${r.created_at} · ${r.questions} ${t("questions")} · ${r.qa} · seed ${r.seed} · `, link),
  ];
  if (rec) parts.push(el("div", { class: "ev-rec" }, el("b", {}, `${t("recommended")}: ${rec.config}`), el("br"), ui.lang === "zh" ? rec.reason_zh : rec.reason_en));
  parts.push(el("h2", {}, t("configsH")), table(t("cols"), r.configs.map((c) => [
    c.name, pct(c.accuracy), `[${(c.accuracy_ci[0] * 100).toFixed(1)}, ${(c.accuracy_ci[1] * 100).toFixed(1)}]`,
    pct(c.quote_or_short), `${c.correct_refusals}/${c.unanswerable}`, `${c.wrong_refusals}/${c.n - c.unanswerable}`,
    pct(c.citation_precision), c.unsupported_numbers, c.latency_p50_ms, c.latency_p95_ms,
    c.prompt_tokens + c.completion_tokens, c.cost_per_question.toFixed(6), pct(c.share_local),
  ]), best));
  parts.push(el("h2", {}, t("plotsH")), el("div", { class: "ev-plots" },
    scatter(r.configs, "cost_per_question", t("accCost")), scatter(r.configs, "latency_p50_ms", t("accLat"))));
  const kinds = [...new Set(r.configs.flatMap((c) => Object.keys(c.by_kind)))].sort();
  parts.push(el("h2", {}, t("kindsH")), table([t("kind"), ...r.configs.map((c) => c.name)],
    kinds.map((k) => [k, ...r.configs.map((c) => (c.by_kind[k] ? `${pct(c.by_kind[k].accuracy)} (n=${c.by_kind[k].n})` : "—"))])));
  if (r.paired.length) {
    parts.push(el("h2", {}, t("pairedH")), table(t("pcols"), r.paired.map((p) => [
      `${p.a} − ${p.b}`, (p.diff * 100).toFixed(1), `[${(p.ci_low * 100).toFixed(1)}, ${(p.ci_high * 100).toFixed(1)}]`,
      p.p_bootstrap, p.only_a, p.only_b, p.p_mcnemar,
    ])));
  }
  const failed = r.items.filter((i) => !i.grade.strict);
  parts.push(el("h2", {}, `${t("failuresH")} (${failed.length})`));
  for (const f of failed.slice(0, 100)) {
    const cites = f.citations.length ? f.citations.map((c) => el("blockquote", {}, `[${c.index}] ${c.document}: ${c.text.slice(0, 300)}`)) : [el("p", { class: "ev-muted" }, t("noCite"))];
    parts.push(el("div", { class: "ev-fail" },
      el("b", {}, f.config), ` · ${f.id} · ${f.kind} · ${f.route}`, el("br"), `Q: ${f.question}`, el("br"),
      `${t("gold")}: ${f.gold.join(" | ") || (f.answerable ? "—" : t("refuse"))}`, el("br"),
      `${t("answer")}: ${f.short_answer || f.answer.slice(0, 300)}`, ...cites));
  }
  if (failed.length > 100) parts.push(el("p", { class: "ev-muted" }, t("more", { n: failed.length - 100 })));
  root.replaceChildren(...parts);
}

async function download(id) {
  const headers = {};
  const key = localStorage.getItem("zhiku.key");
  if (key) headers.Authorization = `Bearer ${key}`;
  const resp = await fetch(`/api/kb/${encodeURIComponent(ui.kb)}/eval/reports/${encodeURIComponent(id)}/html`, { headers });
  const url = URL.createObjectURL(await resp.blob());
  const a = el("a", { href: url, download: `zhiku-eval-${ui.kb}-${id}.html` });
  document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 5000);
}

function parseConfigs(text) {
  const configs = [];
  for (const line of text.split("\n").map((l) => l.trim()).filter(Boolean)) {
    const [name, rest] = line.includes(":") ? [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1)] : [line, ""];
    const settings = {};
    for (const pair of rest.split(",").map((p) => p.trim()).filter(Boolean)) {
      const [path, raw] = pair.split("=");
      const keys = path.trim().split(".");
      let node = settings;
      for (const k of keys.slice(0, -1)) node = node[k] = node[k] || {};
      const v = (raw || "").trim();
      node[keys[keys.length - 1]] = v === "true" ? true : v === "false" ? false : v !== "" && !Number.isNaN(Number(v)) ? Number(v) : v;
    }
    configs.push({ name: name.trim(), settings });
  }
  return configs;
}

async function startRun(e) {
  e.preventDefault();
  $("run-error").hidden = true;
  const button = e.submitter || $("run-form").querySelector("button");
  button.disabled = true;
  try {
    const job = await call("POST", `/api/kb/${encodeURIComponent(ui.kb)}/eval`, {
      generate: Number($("gen-n").value), configs: parseConfigs($("configs").value), margin: Number($("margin").value),
    });
    await follow(job.id);
  } catch (err) {
    $("run-error").textContent = err.message; $("run-error").hidden = false;
  } finally {
    button.disabled = false;
  }
}

async function follow(id) {
  $("job").hidden = false;
  for (;;) {
    const job = await call("GET", `/api/eval/jobs/${id}`);
    $("job-bar").style.width = `${job.total ? Math.round((100 * job.done) / job.total) : 0}%`;
    $("job-text").textContent = job.state === "queued" ? t("queued") : job.state === "running"
      ? t("running", { cur: job.current, done: job.done, total: job.total }) : job.state === "done" ? t("done") : t("failed", { err: job.error });
    if (job.state === "done") { await loadReports(job.report_id); return; }
    if (job.state === "failed") throw new Error(job.error);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function init() {
  applyLang();
  $("lang").addEventListener("click", () => { ui.lang = ui.lang === "zh" ? "en" : "zh"; localStorage.setItem("zhiku.lang", ui.lang); applyLang(); });
  $("key").addEventListener("click", askKey);
  $("key-form").addEventListener("submit", () => { localStorage.setItem("zhiku.key", $("key-input").value.trim()); loadKbs().catch(() => {}); });
  $("kb").addEventListener("change", () => { ui.kb = $("kb").value; localStorage.setItem("zhiku.kb", ui.kb); ui.report = null; loadReports().catch(() => {}); });
  $("run-form").addEventListener("submit", startRun);
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.get("key")) { localStorage.setItem("zhiku.key", fragment.get("key")); history.replaceState(null, "", location.pathname); }
  loadKbs().catch((err) => { $("report").replaceChildren(el("p", { class: "ev-error" }, err.message)); });
}

document.addEventListener("DOMContentLoaded", init);
