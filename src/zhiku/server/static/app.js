// zhiku web UI — knowledge bases, chat with streamed cited answers, uploads, documents, graph.
// All text goes into the page as text nodes (never innerHTML), so documents cannot inject markup.
"use strict";

const $ = (id) => document.getElementById(id);
const state = {
  kb: localStorage.getItem("zhiku.kb") || "", kbs: [], me: null, history: [], answers: [], convs: [], convId: null,
};

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
    askForKey(err.status === 401 ? i18n.t("key.invalid") : err.message);
  }
}

async function loadMe() {
  state.me = await api.get("/api/me");
  $("kb-create").hidden = !state.me.can_create;
  $("graph-tab").hidden = !(state.me.features && state.me.features.graph);
  showUploadTypes(state.me.upload_types || []);
}

// The upload area offers exactly what the server accepts (it says so in /api/me).
function showUploadTypes(types) {
  $("file-input").setAttribute("accept", types.join(","));
  const alias = { HTM: "HTML", MARKDOWN: "MD", TEXT: "TXT", NDJSON: "JSONL", XLSM: "XLSX", JPEG: "JPG", TIFF: "TIF" };
  const names = [...new Set(types.map((t) => t.replace(/^\./, "").toUpperCase()).map((n) => alias[n] || n))];
  $("docs-types").textContent = names.length ? i18n.t("docs.types", { types: names.join(" · ") }) : "";
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
    list.append(el("li", { class: kb.name === state.kb ? "active" : "", "data-kb": kb.name, onclick: () => { selectKb(kb.name); closeMenu(); } },
      el("span", { class: "kb-name" }, kb.name), el("span", { class: "badge" }, kb.access), del));
  }
  $("kb-empty").hidden = state.kbs.length > 0;
}

async function selectKb(name) {
  const changed = state.kb !== name || !state.kbSelected;
  state.kb = name;
  state.kbSelected = true;
  localStorage.setItem("zhiku.kb", name);
  renderKbs();
  if (changed) {
    await loadConversations();
    await resumeConversation();
  }
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
  const accepted = (state.me && state.me.upload_types) || [];
  for (const [file, ui] of rows) {
    const dot = file.name.lastIndexOf(".");
    const suffix = dot > 0 ? file.name.slice(dot).toLowerCase() : "";
    if (accepted.length && !accepted.includes(suffix)) {  // refused here, not after the upload
      ui.row.classList.add("failed");
      ui.row.dataset.status = "failed";
      ui.status.textContent = `${i18n.t("up.failed")}: ${i18n.t("up.unsupported", { suffix: suffix || "—", types: accepted.join(" ") })}`;
      continue;
    }
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

// ---- phone layout: the sidebar is a drawer ------------------------------------------------
function openMenu() {
  document.body.classList.add("menu-open");
  $("scrim").hidden = false;
  $("menu-button").setAttribute("aria-expanded", "true");
}

function closeMenu() {
  document.body.classList.remove("menu-open");
  $("scrim").hidden = true;
  $("menu-button").setAttribute("aria-expanded", "false");
}

// ---- the login link (#key=…), also when pasted into a tab that is already open ----------------
function keyFromHash() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const key = fragment.get("key");
  if (!key) return false;
  api.setKey(key);
  history.replaceState(null, "", location.pathname + location.search);
  return true;
}

async function signIn() {
  try {
    await loadMe();
    if ($("key-dialog").open) $("key-dialog").close();
    await loadKbs();
  } catch (err) {
    if (err.status !== 401) addNotice(err.message);
  }
}

function bind() {
  for (const b of document.querySelectorAll(".tab")) b.addEventListener("click", () => switchTab(b.dataset.tab));
  $("lang-toggle").addEventListener("click", () => {
    i18n.toggle();
    renderKbs();
    renderConversations();
    if (state.me) showUploadTypes(state.me.upload_types || []);
    for (const a of state.answers) renderAnswer(a);  // labels follow the language
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
  $("new-chat").addEventListener("click", newChat);
  $("new-chat-side").addEventListener("click", newChat);
  $("menu-button").addEventListener("click", () => (document.body.classList.contains("menu-open") ? closeMenu() : openMenu()));
  $("scrim").addEventListener("click", closeMenu);
  window.addEventListener("hashchange", () => { if (keyFromHash()) signIn(); });
  api.onUnauthorized = () => askForKey(api.key ? i18n.t("key.invalid") : "");
}

async function start() {
  i18n.apply();
  bind();
  keyFromHash();
  if (!api.key) { askForKey(); return; }
  await signIn();
}

document.addEventListener("DOMContentLoaded", start);
