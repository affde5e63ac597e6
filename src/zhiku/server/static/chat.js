// zhiku web UI — the chat: stored conversations, streamed answers rendered as Markdown with
// clickable citations, copy / regenerate, thumbs up/down feedback, and the trace of each answer.
// Uses el(), $ and state from app.js (loaded after this file, called only after DOMContentLoaded).
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const ICONS = {
  up: "M7 10v11H3V10h4zm2 11h8.3a2 2 0 0 0 2-1.7l1.3-7A2 2 0 0 0 18.6 10H14l.8-4a2 2 0 0 0-3.6-1.5L9 10v11z",
  copy: "M8 8h11v13H8zM5 16H4V3h11v1",
  redo: "M20 12a8 8 0 1 1-2.4-5.7M20 4v5h-5",
};

function icon(name, flip) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", "icon-svg");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", ICONS[name]);
  if (flip) path.setAttribute("transform", "rotate(180 12 12)");
  svg.append(path);
  return svg;
}

// ---- conversations -----------------------------------------------------------------------
const convKey = (kb) => `zhiku.conv.${kb}`;

async function loadConversations() {
  const list = $("conv-list");
  if (!state.kb) { list.replaceChildren(); $("conv-empty").hidden = false; return; }
  const convs = await api.get(`/api/conversations?kb=${encodeURIComponent(state.kb)}`);
  state.convs = convs;
  renderConversations();
}

function renderConversations() {
  const list = $("conv-list");
  list.replaceChildren();
  for (const c of state.convs || []) {
    const title = c.title || i18n.t("conv.untitled");
    const rename = el("button", { class: "icon", type: "button", title: i18n.t("conv.rename"), "aria-label": i18n.t("conv.rename"),
      onclick: (e) => { e.stopPropagation(); renameConversation(c); } }, "✎");
    const del = el("button", { class: "icon", type: "button", title: i18n.t("conv.delete"), "aria-label": i18n.t("conv.delete"),
      onclick: (e) => { e.stopPropagation(); deleteConversation(c); } }, "×");
    list.append(el("li", { class: c.id === state.convId ? "active" : "", "data-conv": c.id, title,
      onclick: () => { openConversation(c.id); closeMenu(); } }, el("span", { class: "conv-title" }, title), rename, del));
  }
  $("conv-empty").hidden = (state.convs || []).length > 0;
}

function clearChat() {
  state.history = [];
  state.answers = [];
  $("messages").replaceChildren($("chat-hint"));
  $("chat-hint").hidden = false;
}

function newChat() {
  state.convId = null;
  if (state.kb) localStorage.removeItem(convKey(state.kb));
  clearChat();
  renderConversations();
  closeMenu();
  $("question").focus();
}

async function openConversation(id) {
  let conv;
  try {
    conv = await api.get(`/api/conversations/${encodeURIComponent(id)}`);
  } catch (err) {
    if (err.status === 404) { localStorage.removeItem(convKey(state.kb)); state.convId = null; clearChat(); return; }
    throw err;
  }
  state.convId = conv.id;
  localStorage.setItem(convKey(conv.kb), conv.id);
  clearChat();
  let question = "";
  for (const m of conv.messages) {
    if (m.role === "user") {
      question = m.content;
      addUserBubble(m.content);
    } else {
      const bubble = el("div", { class: "msg assistant" });
      $("messages").append(bubble);
      const entry = { bubble, answer: m.answer || { answer: m.content }, kb: conv.kb, question, messageId: m.id,
        feedback: m.feedback || null };
      state.answers.push(entry);
      renderAnswer(entry);
    }
    state.history.push({ role: m.role, content: m.content });
  }
  if (conv.messages.length) $("chat-hint").hidden = true;
  renderConversations();
  const last = $("messages").lastElementChild;
  if (last) last.scrollIntoView({ block: "end" });
}

async function resumeConversation() {
  const id = state.kb && localStorage.getItem(convKey(state.kb));
  if (id) await openConversation(id);
  else { state.convId = null; clearChat(); }
}

async function renameConversation(conv) {
  const title = prompt(i18n.t("conv.renamePrompt"), conv.title || "");
  if (!title || !title.trim()) return;
  await api.request("PATCH", `/api/conversations/${encodeURIComponent(conv.id)}`, { title: title.trim() });
  await loadConversations();
}

async function deleteConversation(conv) {
  if (!confirm(i18n.t("conv.confirmDelete", { name: conv.title || i18n.t("conv.untitled") }))) return;
  await api.del(`/api/conversations/${encodeURIComponent(conv.id)}`);
  if (conv.id === state.convId) newChat();
  await loadConversations();
}

// ---- asking ------------------------------------------------------------------------------
function addUserBubble(text) {
  const bubble = el("div", { class: "msg user" }, text);
  $("messages").append(bubble);
  return bubble;
}

function addNotice(text) {
  $("messages").append(el("div", { class: "msg notice" }, text));
}

async function ask(event) {
  event.preventDefault();
  const question = $("question").value.trim();
  if (!question) return;
  if (!state.kb) { addNotice(i18n.t("chat.noKb")); return; }
  $("question").value = "";
  addUserBubble(question);
  const bubble = el("div", { class: "msg assistant" });
  $("messages").append(bubble);
  await answerInto(bubble, question, state.history.slice(-20), false);
}

async function ensureConversation(kb) {
  if (state.convId) return state.convId;
  const conv = await api.post("/api/conversations", { kb });
  state.convId = conv.id;
  localStorage.setItem(convKey(kb), conv.id);
  return conv.id;
}

// Stream one answer into ``bubble``; ``history`` is the conversation before this question.
async function answerInto(bubble, question, history, regenerate) {
  const kb = state.kb;
  $("chat-hint").hidden = true;
  bubble.classList.add("streaming");
  const body = el("div", { class: "answer-text" }, el("span", { class: "muted" }, i18n.t("chat.thinking")));
  bubble.replaceChildren(body);
  bubble.scrollIntoView({ block: "end" });
  $("ask-button").disabled = true;
  let text = "";
  let final = null;
  let messageId = null;
  const messages = [...history, { role: "user", content: question }];
  try {
    const conversation = await ensureConversation(kb);
    await api.stream("/v1/chat/completions", {
      method: "POST",
      headers: api.headers({ "Content-Type": "application/json" }),
      body: JSON.stringify({ model: kb, messages, stream: true, conversation_id: conversation, regenerate }),
    }, (chunk) => {
      if (chunk.error) throw new ApiError(chunk.error.code || 500, chunk);
      const choice = (chunk.choices || [])[0];
      if (choice && choice.delta && choice.delta.content) {
        text += choice.delta.content;
        body.replaceChildren(MD.render(text));
      }
      if (chunk.zhiku) { final = chunk.zhiku; messageId = chunk.message_id || null; }
    });
    if (final) {
      const entry = { bubble, answer: final, kb, question, messageId };
      state.answers = state.answers.filter((a) => a.bubble !== bubble);
      state.answers.push(entry);
      renderAnswer(entry);
      state.history = [...messages, { role: "assistant", content: final.answer }];
      loadConversations().catch(() => {});
    }
  } catch (err) {
    body.replaceChildren(el("span", { class: "error" }, i18n.t("chat.error") + err.message));
  } finally {
    bubble.classList.remove("streaming");
    $("ask-button").disabled = false;
    bubble.scrollIntoView({ block: "end" });
  }
}

async function regenerate(entry) {
  // the history before this answer's question: drop the last exchange
  const history = state.history.slice(0, Math.max(0, state.history.length - 2));
  state.history = history;
  await answerInto(entry.bubble, entry.question, history, true);
}

// ---- rendering an answer -----------------------------------------------------------------
function citationLabel(c) {
  const parts = [c.document || c.doc_id];
  if (c.source && c.source !== c.document) parts.push(c.source);
  if (c.page) parts.push(i18n.t("cite.page", { page: c.page }));
  return parts.join(" · ");
}

function renderAnswer(entry) {
  const { bubble, answer, kb } = entry;
  const cites = answer.citations || [];
  const open = (n) => { const c = cites.find((x) => x.index === n); if (c) openCitation(kb, c); };
  bubble.replaceChildren(el("div", { class: "answer-text md" }, MD.render(answer.answer || "", open)));
  bubble.dataset.route = answer.route || "";
  if (entry.messageId) bubble.dataset.message = entry.messageId;
  bubble.classList.toggle("quote-answer", answer.answer_kind === "quote");  // evidence, no sure short answer
  if (answer.answer_kind === "quote") bubble.prepend(el("div", { class: "kind-label" }, i18n.t("answer.quote")));
  if (answer.chart) {
    const svg = drawChart(answer.chart);
    if (svg) bubble.append(el("div", { class: "chart-box" }, svg));
  }
  if (cites.length) {
    const list = el("ol", { class: "sources" });
    for (const c of cites) {
      list.append(el("li", { value: c.index },
        el("button", { class: "source-link", type: "button", onclick: () => openCitation(kb, c) }, `[${c.index}] ${citationLabel(c)}`),
        el("div", { class: "muted small quote" }, (c.text || "").slice(0, 160))));
    }
    bubble.append(el("details", { class: "sources-box", open: true }, el("summary", {}, i18n.t("chat.sources")), list));
  }
  bubble.append(renderActions(entry));
  bubble.append(renderTrace(answer));
}

function renderActions(entry) {
  const isLast = () => state.answers.length && state.answers[state.answers.length - 1] === entry;
  const button = (cls, label, svg, onclick) => el("button", { class: `act ${cls}`, type: "button", title: label, "aria-label": label, onclick }, svg);
  const copy = button("copy", i18n.t("act.copy"), icon("copy"), () => copyText(entry.answer.answer || "", copy));
  copy.append(el("span", { class: "act-label" }, i18n.t("act.copy")));
  const up = button("thumb up", i18n.t("fb.up"), icon("up"), () => sendFeedback(entry, "up", bar));
  const down = button("thumb down", i18n.t("fb.down"), icon("up", true), () => sendFeedback(entry, "down", bar));
  const row = el("div", { class: "actions" }, up, down, copy);
  if (isLast()) {
    const again = button("regen", i18n.t("act.regenerate"), icon("redo"), () => regenerate(entry));
    again.append(el("span", { class: "act-label" }, i18n.t("act.regenerate")));
    row.append(again);
  }
  if (entry.feedback) (entry.feedback.rating === "up" ? up : down).classList.add("chosen");
  const bar = el("div", { class: "feedback-box" }, row);
  return bar;
}

async function copyText(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch (_) {  // no clipboard permission (plain http on another host): the old way
    const area = el("textarea", { class: "offscreen", readonly: true });
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  button.classList.add("done");
  const label = button.querySelector(".act-label");
  if (label) label.textContent = i18n.t("act.copied");
  setTimeout(() => { button.classList.remove("done"); if (label) label.textContent = i18n.t("act.copy"); }, 1500);
}

function feedbackBody(entry, rating, extra) {
  const body = Object.assign({ rating }, extra || {});
  if (entry.feedback) body.id = entry.feedback.id;
  if (entry.messageId) body.message_id = entry.messageId;
  else Object.assign(body, { kb: entry.kb, question: entry.question || entry.answer.question, answer: entry.answer.answer,
    citations: entry.answer.citations || [], trace: entry.answer.trace || {} });
  return body;
}

async function sendFeedback(entry, rating, bar) {
  for (const b of bar.querySelectorAll(".thumb")) b.classList.toggle("chosen", b.classList.contains(rating));
  const old = bar.querySelector(".feedback-form, .feedback-note");
  if (old) old.remove();
  try {
    entry.feedback = await api.post("/api/feedback", feedbackBody(entry, rating));
  } catch (err) {
    bar.append(el("p", { class: "error small feedback-note" }, i18n.t("fb.failed") + err.message));
    return;
  }
  const comment = el("textarea", { class: "fb-comment", rows: 2, placeholder: i18n.t("fb.comment") });
  const correct = rating === "down" ? el("input", { class: "fb-correct", placeholder: i18n.t("fb.correct") }) : null;
  const form = el("form", { class: "feedback-form" }, comment, correct, el("button", { type: "submit", class: "small" }, i18n.t("fb.send")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      entry.feedback = await api.post("/api/feedback", feedbackBody(entry, rating, {
        comment: comment.value.trim(), correct_answer: correct ? correct.value.trim() : "" }));
      form.replaceWith(el("p", { class: "muted small feedback-note" }, i18n.t("fb.thanks")));
    } catch (err) {
      form.append(el("p", { class: "error small" }, i18n.t("fb.failed") + err.message));
    }
  });
  bar.append(form);
}

function renderTrace(answer) {
  const t = answer.trace || {};
  const calls = t.calls || [];
  const models = calls.length ? calls.map((c) => `${c.model} (${c.role}${c.remote ? ", remote" : ""})`).join(", ") : i18n.t("trace.none");
  const rows = [];
  if (answer.rewritten_question) rows.push([i18n.t("trace.rewritten"), `${answer.original_question || ""} → ${answer.rewritten_question}`]);
  if (answer.parts) rows.push([i18n.t("trace.parts"), answer.parts.map((p) => p.question).join(" | ")]);
  rows.push(
    [i18n.t("trace.route"), answer.route + (t.route_reason ? ` — ${t.route_reason}` : "")],
    [i18n.t("trace.models"), models],
    [i18n.t("trace.tokens"), `${t.prompt_tokens || 0} / ${t.completion_tokens || 0}`],
    [i18n.t("trace.latency"), `${Math.round(answer.latency_ms || 0)} ms`],
    [i18n.t("trace.cost"), String(t.cost || 0)],
    [i18n.t("trace.stages"), (t.stages || []).map((s) => `${s.stage} ${Math.round(s.ms)}ms`).join(" · ")],
  );
  const table = el("table", { class: "trace" }, rows.map(([k, v]) => el("tr", {}, el("th", {}, k), el("td", {}, v))));
  return el("details", { class: "trace-box" }, el("summary", {}, `${i18n.t("chat.trace")} · ${answer.route || ""}`), table);
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
