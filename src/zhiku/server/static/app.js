// zhiku web UI — knowledge bases, chat with streamed cited answers, uploads, documents, graph.
// All text goes into the page as text nodes (never innerHTML), so documents cannot inject markup.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { kb: localStorage.getItem("zhiku.kb") || "", kbs: [], me: null, history: [], answers: [] };

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function showError(target, err) {
  target.textContent = err && err.message ? err.message : String(err);
  target.hidden = false;
}

// ---- key --------------------------------------------------------------------------------
function askForKey(message) {
  $("key-error").hidden = !message;
  if (message) $("key-error").textContent = message;
  if (!$("key-dialog").open) $("key-dialog").showModal();
  $("key-input").focus();
}

async function saveKey(event) {
  event.preventDefault();
  api.setKey($("key-input").value.trim());
  try {
    await loadMe();
    $("key-dialog").close();
    $("key-input").value = "";
    await loadKbs();
  } catch (err) {
    askForKey(i18n.t("key.invalid"));
  }
}

async function loadMe() {
  state.me = await api.get("/api/me");
  $("kb-create").hidden = !state.me.can_create;
  $("graph-tab").hidden = !(state.me.features && state.me.features.graph);
}

// ---- knowledge bases ---------------------------------------------------------------------
async function loadKbs() {
  state.kbs = await api.get("/api/kb");
  if (!state.kbs.some((k) => k.name === state.kb)) state.kb = state.kbs.length ? state.kbs[0].name : "";
  renderKbs();
  if (state.kb) await selectKb(state.kb);
}

function renderKbs() {
  const list = $("kb-list");
  list.replaceChildren();
  for (const kb of state.kbs) {
    const del = kb.access === "admin"
      ? el("button", { class: "icon", title: i18n.t("kb.delete"), "aria-label": i18n.t("kb.delete"), onclick: (e) => { e.stopPropagation(); deleteKb(kb.name); } }, "×")
      : null;
    list.append(el("li", { class: kb.name === state.kb ? "active" : "", "data-kb": kb.name, onclick: () => selectKb(kb.name) },
      el("span", { class: "kb-name" }, kb.name), el("span", { class: "badge" }, kb.access), del));
  }
  $("kb-empty").hidden = state.kbs.length > 0;
}

async function selectKb(name) {
  if (state.kb !== name) state.history = [];
  state.kb = name;
  localStorage.setItem("zhiku.kb", name);
  renderKbs();
  await loadDocs();
}

async function createKb(event) {
  event.preventDefault();
  $("kb-error").hidden = true;
  try {
    const created = await api.post("/api/kb", { name: $("kb-name").value.trim() });
    $("kb-name").value = "";
    state.kb = created.name;
    await loadKbs();
  } catch (err) {
    showError($("kb-error"), err);
  }
}

async function deleteKb(name) {
  if (!confirm(i18n.t("kb.confirmDelete", { name }))) return;
  try {
    await api.del(`/api/kb/${encodeURIComponent(name)}`);
    if (state.kb === name) state.kb = "";
    await loadKbs();
  } catch (err) {
    showError($("kb-error"), err);
  }
}

// ---- chat --------------------------------------------------------------------------------
function textWithCitations(text, onCite) {
  const frag = document.createDocumentFragment();
  const parts = text.split(/(\[\d{1,2}\])/);
  for (const part of parts) {
    const m = /^\[(\d{1,2})\]$/.exec(part);
    if (m) frag.append(el("button", { class: "cite", "data-n": m[1], onclick: () => onCite(Number(m[1])) }, part));
    else if (part) frag.append(document.createTextNode(part));
  }
  return frag;
}

async function ask(event) {
  event.preventDefault();
  const question = $("question").value.trim();
  if (!question) return;
  if (!state.kb) { addNotice(i18n.t("chat.noKb")); return; }
  const kb = state.kb;
  $("question").value = "";
  $("chat-hint").hidden = true;
  $("messages").append(el("div", { class: "msg user" }, question));
  const body = el("div", { class: "answer-text" }, el("span", { class: "muted" }, i18n.t("chat.thinking")));
  const bubble = el("div", { class: "msg assistant streaming" }, body);
  $("messages").append(bubble);
  bubble.scrollIntoView({ block: "end" });
  $("ask-button").disabled = true;
  let text = "";
  let final = null;
  const messages = [...state.history, { role: "user", content: question }];
  try {
    await api.stream("/v1/chat/completions", {
      method: "POST",
      headers: api.headers({ "Content-Type": "application/json" }),
      body: JSON.stringify({ model: kb, messages, stream: true }),
    }, (chunk) => {
      if (chunk.error) throw new ApiError(chunk.error.code || 500, chunk);
      const choice = (chunk.choices || [])[0];
      if (choice && choice.delta && choice.delta.content) {
        text += choice.delta.content;
        body.replaceChildren(document.createTextNode(text));
      }
      if (chunk.zhiku) final = chunk.zhiku;
    });
    if (final) {
      renderAnswer(bubble, final, kb);
      state.answers.push({ bubble, answer: final, kb });
      state.history = [...messages, { role: "assistant", content: final.answer }].slice(-8);
    }
  } catch (err) {
    body.replaceChildren(el("span", { class: "error" }, i18n.t("chat.error") + err.message));
  } finally {
    bubble.classList.remove("streaming");
    $("ask-button").disabled = false;
    bubble.scrollIntoView({ block: "end" });
  }
}

function addNotice(text) {
  $("messages").append(el("div", { class: "msg notice" }, text));
}

function renderAnswer(bubble, answer, kb) {
  const cites = answer.citations || [];
  const open = (n) => { const c = cites.find((x) => x.index === n); if (c) openCitation(kb, c); };
  bubble.replaceChildren(el("div", { class: "answer-text" }, textWithCitations(answer.answer || "", open)));
  bubble.dataset.route = answer.route || "";
  bubble.classList.toggle("quote-answer", answer.answer_kind === "quote");  // evidence, no sure short answer
  if (answer.answer_kind === "quote") bubble.prepend(el("div", { class: "kind-label" }, i18n.t("answer.quote")));
  if (answer.chart) {
    const svg = drawChart(answer.chart);
    if (svg) bubble.append(el("div", { class: "chart-box" }, svg));
  }
  if (cites.length) {
    const list = el("ol", { class: "sources" });
    for (const c of cites) {
      const page = c.page ? " · " + i18n.t("cite.page", { page: c.page }) : "";
      list.append(el("li", { value: c.index },
        el("button", { class: "source-link", onclick: () => openCitation(kb, c) }, `[${c.index}] ${c.document || c.source}${page}`),
        el("div", { class: "muted small quote" }, (c.text || "").slice(0, 160))));
    }
    bubble.append(el("details", { class: "sources-box", open: true }, el("summary", {}, i18n.t("chat.sources")), list));
  }
  bubble.append(renderTrace(answer));
}

function renderTrace(answer) {
  const t = answer.trace || {};
  const calls = t.calls || [];
  const models = calls.length ? calls.map((c) => `${c.model} (${c.role}${c.remote ? ", remote" : ""})`).join(", ") : i18n.t("trace.none");
  const rows = [
    [i18n.t("trace.route"), answer.route + (t.route_reason ? ` — ${t.route_reason}` : "")],
    [i18n.t("trace.models"), models],
    [i18n.t("trace.tokens"), `${t.prompt_tokens || 0} / ${t.completion_tokens || 0}`],
    [i18n.t("trace.latency"), `${Math.round(answer.latency_ms || 0)} ms`],
    [i18n.t("trace.cost"), String(t.cost || 0)],
    [i18n.t("trace.stages"), (t.stages || []).map((s) => `${s.stage} ${Math.round(s.ms)}ms`).join(" · ")],
  ];
  const table = el("table", { class: "trace" }, rows.map(([k, v]) => el("tr", {}, el("th", {}, k), el("td", {}, v))));
  return el("details", { class: "trace-box" }, el("summary", {}, `${i18n.t("chat.trace")} · ${answer.route}`), table);
}

async function openCitation(kb, cite) {
  const dialog = $("citation-dialog");
  $("cite-title").textContent = `[${cite.index}] ${cite.document || ""}`;
  $("cite-meta").textContent = [cite.source, cite.page ? i18n.t("cite.page", { page: cite.page }) : ""].filter(Boolean).join(" · ");
  $("cite-body").replaceChildren(el("p", {}, cite.text || i18n.t("cite.loading")));
  if (!dialog.open) dialog.showModal();
  try {
    const chunk = await api.get(`/api/kb/${encodeURIComponent(kb)}/chunks/${encodeURIComponent(cite.chunk_id)}`);
    const passage = chunk.text || "";
    const at = cite.text ? passage.indexOf(cite.text) : -1;
    const body = at < 0
      ? [el("mark", {}, cite.text || ""), el("hr"), passage]
      : [passage.slice(0, at), el("mark", {}, cite.text), passage.slice(at + cite.text.length)];
    $("cite-body").replaceChildren(el("p", { class: "passage-text" }, body));
  } catch (err) {
    /* the quoted span shown above is still the evidence */
  }
}

// ---- documents and uploads ---------------------------------------------------------------
async function loadDocs() {
  const rows = $("doc-rows");
  rows.replaceChildren();
  if (!state.kb) { $("docs-empty").hidden = false; $("kb-stats").textContent = ""; return; }
  const kb = state.kb;
  const [docs, info] = await Promise.all([
    api.get(`/api/kb/${encodeURIComponent(kb)}/documents`),
    api.get(`/api/kb/${encodeURIComponent(kb)}`),
  ]);
  $("kb-stats").textContent = i18n.t("docs.stats", { documents: info.documents, chunks: info.chunks });
  const canWrite = ["write", "admin"].includes(info.access);
  for (const d of docs) {
    const del = canWrite ? el("button", { class: "small danger", onclick: () => deleteDoc(kb, d) }, i18n.t("docs.delete")) : null;
    rows.append(el("tr", { "data-doc": d.doc_id },
      el("td", {}, d.title), el("td", { class: "muted" }, d.source), el("td", {}, d.format),
      el("td", {}, String(d.pages)), el("td", {}, String(d.chunks)),
      el("td", { class: d.status === "ok" ? "" : "error" }, d.error ? `${d.status}: ${d.error}` : d.status), el("td", {}, del)));
  }
  $("docs-empty").hidden = docs.length > 0;
}

async function deleteDoc(kb, doc) {
  if (!confirm(i18n.t("docs.confirmDelete", { name: doc.title || doc.source }))) return;
  await api.del(`/api/kb/${encodeURIComponent(kb)}/documents/${encodeURIComponent(doc.doc_id)}`);
  await loadDocs();
}

function uploadRow(file) {
  const bar = el("progress", { max: 100, value: 0 });
  const status = el("span", { class: "up-status" }, i18n.t("up.queued"));
  const row = el("li", { class: "upload" }, el("span", { class: "up-name" }, file.name), bar, status);
  $("uploads").prepend(row);
  return { row, bar, status };
}

function describe(file) {
  if (file.status === "failed") return `${i18n.t("up.failed")}: ${file.error || ""}`;
  if (["added", "updated"].includes(file.status)) return i18n.t(`up.${file.status}`, { chunks: file.chunks });
  return i18n.t(`up.${file.status}`) || file.status;
}

async function uploadFiles(files) {
  if (!state.kb) { alert(i18n.t("up.noKb")); return; }
  const kb = state.kb;
  const rows = [...files].map((f) => [f, uploadRow(f)]);
  for (const [file, ui] of rows) {
    try {
      ui.status.textContent = i18n.t("up.uploading", { pct: 0 });
      const job = await api.upload(kb, file, (p) => {
        ui.bar.value = Math.round(p * 50);
        ui.status.textContent = i18n.t("up.uploading", { pct: Math.round(p * 100) });
      });
      ui.bar.value = 50;
      await followJob(job, ui);
    } catch (err) {
      ui.row.classList.add("failed");
      ui.status.textContent = `${i18n.t("up.failed")}: ${err.message}`;
    }
  }
  await loadDocs();
}

async function followJob(job, ui) {
  const show = (snap) => {
    const f = (snap.files || [])[0];
    if (!f) return;
    ui.status.textContent = describe(f);
    ui.row.dataset.status = f.status;
    if (f.status === "running") ui.bar.value = 75;
    if (!["queued", "running"].includes(f.status)) ui.bar.value = 100;
    ui.row.classList.toggle("failed", f.status === "failed");
  };
  show(job);
  if (job.state === "done" || job.state === "failed") return;
  await api.stream(`/api/jobs/${job.id}/events`, {}, show);
}

// ---- graph -------------------------------------------------------------------------------
async function showGraph(event) {
  event.preventDefault();
  await drawEntity($("entity").value.trim());
}

async function drawEntity(name) {
  const view = $("graph-view");
  $("entity").value = name;
  try {
    const data = await api.get(`/api/kb/${encodeURIComponent(state.kb)}/graph/entity?name=${encodeURIComponent(name)}`);
    view.replaceChildren(drawGraph(data));
  } catch (err) {
    view.replaceChildren(el("p", { class: "muted" }, err.status === 404 ? i18n.t("graph.none") : err.message));
  }
}

async function loadGraphSummary() {
  const box = $("graph-entities");
  box.replaceChildren();
  if (!state.kb) return;
  try {
    const summary = await api.get(`/api/kb/${encodeURIComponent(state.kb)}/graph?top=24`);
    for (const e of summary.entities) {
      box.append(el("button", { class: "chip", onclick: () => drawEntity(e.name) }, `${e.name} · ${e.mentions}`));
    }
  } catch (err) {
    box.append(el("p", { class: "muted small" }, err.message));
  }
}

// ---- wiring ------------------------------------------------------------------------------
function switchTab(name) {
  for (const b of document.querySelectorAll(".tab")) b.classList.toggle("active", b.dataset.tab === name);
  for (const p of document.querySelectorAll(".panel")) p.classList.toggle("active", p.id === `panel-${name}`);
  if (name === "graph") loadGraphSummary();
}

function bind() {
  for (const b of document.querySelectorAll(".tab")) b.addEventListener("click", () => switchTab(b.dataset.tab));
  $("lang-toggle").addEventListener("click", () => {
    i18n.toggle();
    renderKbs();
    for (const a of state.answers) renderAnswer(a.bubble, a.answer, a.kb);  // labels follow the language
    if (state.kb) loadDocs();
  });
  $("key-button").addEventListener("click", () => askForKey());
  $("key-form").addEventListener("submit", saveKey);
  $("key-cancel").addEventListener("click", () => $("key-dialog").close());
  $("kb-create").addEventListener("submit", createKb);
  $("ask-form").addEventListener("submit", ask);
  $("question").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); $("ask-form").requestSubmit(); }
  });
  const drop = $("dropzone");
  drop.addEventListener("click", () => $("file-input").click());
  drop.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") $("file-input").click(); });
  $("file-input").addEventListener("change", (e) => { uploadFiles(e.target.files); e.target.value = ""; });
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); uploadFiles(e.dataTransfer.files); });
  $("graph-form").addEventListener("submit", showGraph);
  api.onUnauthorized = () => askForKey(api.key ? i18n.t("key.invalid") : "");
}

async function start() {
  i18n.apply();
  bind();
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.get("key")) {
    api.setKey(fragment.get("key"));
    history.replaceState(null, "", location.pathname);
  }
  if (!api.key) { askForKey(); return; }
  try {
    await loadMe();
    await loadKbs();
  } catch (err) {
    if (err.status !== 401) addNotice(err.message);
  }
}

document.addEventListener("DOMContentLoaded", start);
