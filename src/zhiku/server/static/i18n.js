// zhiku web UI — Chinese and English strings, and the language choice.
// The language follows the browser unless the user toggled it (kept in localStorage).
"use strict";

const I18N = {
  zh: {
    "tab.chat": "问答", "tab.docs": "文档", "tab.graph": "图谱",
    "key.button": "API 密钥", "key.title": "输入 API 密钥",
    "key.help": "密钥只保存在本浏览器中。启动服务时终端会打印管理员密钥。",
    "key.save": "保存", "key.cancel": "取消", "key.invalid": "密钥无效或已吊销。",
    "kb.title": "知识库", "kb.empty": "还没有可用的知识库。", "kb.placeholder": "新知识库名称",
    "kb.create": "创建", "kb.delete": "删除知识库", "kb.confirmDelete": "确定删除知识库「{name}」及其全部文档？",
    "chat.hint": "选择一个知识库，然后提问。回答中的 [1] 等编号可点击查看原文。",
    "chat.placeholder": "输入问题，Enter 发送，Shift+Enter 换行", "chat.send": "发送",
    "chat.noKb": "请先在菜单中选择或创建一个知识库。", "chat.thinking": "正在检索…",
    "chat.sources": "来源", "chat.trace": "过程", "answer.quote": "原文摘录（无确定的简短答案）", "chat.error": "出错了：",
    "trace.route": "路径", "trace.models": "模型", "trace.tokens": "tokens（输入/输出）",
    "trace.latency": "耗时", "trace.cost": "费用", "trace.stages": "阶段", "trace.reason": "原因",
    "trace.none": "无（未调用模型）",
    "cite.page": "第 {page} 页", "cite.loading": "正在加载原文…",
    "docs.drop": "把文件拖到这里，或点击选择文件",
    "docs.types": "支持的格式：{types}",
    "menu.open": "菜单", "chat.new": "新对话",
    "conv.title": "对话", "conv.empty": "还没有对话。", "conv.rename": "重命名", "conv.delete": "删除对话",
    "conv.renamePrompt": "新的标题：", "conv.confirmDelete": "确定删除对话「{name}」？", "conv.untitled": "新对话",
    "act.copy": "复制", "act.copied": "已复制", "act.regenerate": "重新生成",
    "fb.up": "有帮助", "fb.down": "没帮助", "fb.comment": "补充说明（可选）", "fb.correct": "正确答案（可选）",
    "fb.send": "提交", "fb.thanks": "谢谢反馈！", "fb.failed": "反馈未能提交：",
    "trace.rewritten": "改写后的问题", "trace.parts": "拆分的问题",
    "docs.title": "文档", "docs.empty": "这个知识库还没有文档。",
    "docs.col.title": "标题", "docs.col.source": "文件", "docs.col.format": "格式",
    "docs.col.pages": "页数", "docs.col.chunks": "片段", "docs.col.status": "状态",
    "docs.delete": "删除", "docs.confirmDelete": "确定删除文档「{name}」？",
    "docs.stats": "{documents} 个文档，{chunks} 个片段",
    "up.uploading": "上传中 {pct}%", "up.queued": "排队中", "up.running": "解析入库中…",
    "up.added": "已添加（{chunks} 个片段）", "up.updated": "已更新（{chunks} 个片段）",
    "up.unchanged": "未变化", "up.failed": "失败", "up.unsupported": "不支持的文件格式 {suffix}（支持：{types}）", "up.noKb": "请先选择一个知识库。",
    "graph.placeholder": "实体名称，例如：华为", "graph.show": "查看关系", "graph.none": "图谱中没有找到该实体。",
    "chart.unit": "单位：{unit}",
  },
  en: {
    "tab.chat": "Ask", "tab.docs": "Documents", "tab.graph": "Graph",
    "key.button": "API key", "key.title": "Enter your API key",
    "key.help": "The key stays in this browser only. `zhiku serve` prints an admin key when it starts.",
    "key.save": "Save", "key.cancel": "Cancel", "key.invalid": "Invalid or revoked key.",
    "kb.title": "Knowledge bases", "kb.empty": "No knowledge base available yet.", "kb.placeholder": "new KB name",
    "kb.create": "Create", "kb.delete": "Delete knowledge base", "kb.confirmDelete": "Delete knowledge base “{name}” and all its documents?",
    "chat.hint": "Pick a knowledge base and ask. Click a number like [1] in an answer to read the source passage.",
    "chat.placeholder": "Ask a question — Enter to send, Shift+Enter for a new line", "chat.send": "Send",
    "chat.noKb": "Choose or create a knowledge base in the menu first.", "chat.thinking": "Searching…",
    "chat.sources": "Sources", "chat.trace": "Trace", "answer.quote": "Quoted passage (no sure short answer)", "chat.error": "Error: ",
    "trace.route": "Route", "trace.models": "Models", "trace.tokens": "Tokens (in/out)",
    "trace.latency": "Latency", "trace.cost": "Cost", "trace.stages": "Stages", "trace.reason": "Reason",
    "trace.none": "none (no model called)",
    "cite.page": "page {page}", "cite.loading": "Loading the passage…",
    "docs.drop": "Drop files here, or click to choose",
    "docs.types": "Accepted formats: {types}",
    "menu.open": "Menu", "chat.new": "New chat",
    "conv.title": "Chats", "conv.empty": "No chats yet.", "conv.rename": "Rename", "conv.delete": "Delete chat",
    "conv.renamePrompt": "New title:", "conv.confirmDelete": "Delete the chat “{name}”?", "conv.untitled": "New chat",
    "act.copy": "Copy", "act.copied": "Copied", "act.regenerate": "Regenerate",
    "fb.up": "Helpful", "fb.down": "Not helpful", "fb.comment": "Comment (optional)", "fb.correct": "Correct answer (optional)",
    "fb.send": "Send", "fb.thanks": "Thanks for the feedback!", "fb.failed": "Feedback not sent: ",
    "trace.rewritten": "Rewritten question", "trace.parts": "Split into",
    "docs.title": "Documents", "docs.empty": "This knowledge base has no documents yet.",
    "docs.col.title": "Title", "docs.col.source": "File", "docs.col.format": "Format",
    "docs.col.pages": "Pages", "docs.col.chunks": "Chunks", "docs.col.status": "Status",
    "docs.delete": "Delete", "docs.confirmDelete": "Delete document “{name}”?",
    "docs.stats": "{documents} documents, {chunks} chunks",
    "up.uploading": "uploading {pct}%", "up.queued": "queued", "up.running": "ingesting…",
    "up.added": "added ({chunks} chunks)", "up.updated": "updated ({chunks} chunks)",
    "up.unchanged": "unchanged", "up.failed": "failed", "up.unsupported": "unsupported file format {suffix} (accepted: {types})", "up.noKb": "Choose a knowledge base first.",
    "graph.placeholder": "entity name, e.g. Huawei", "graph.show": "Show relations", "graph.none": "No such entity in the graph.",
    "chart.unit": "unit: {unit}",
  },
};

function initialLanguage() {
  const saved = localStorage.getItem("zhiku.lang");
  if (saved === "zh" || saved === "en") return saved;
  const browser = (navigator.languages && navigator.languages[0]) || navigator.language || "zh";
  return browser.toLowerCase().startsWith("zh") ? "zh" : "en";
}

const i18n = {
  lang: initialLanguage(),
  t(key, vars) {
    let text = (I18N[this.lang] && I18N[this.lang][key]) || I18N.zh[key] || key;
    for (const [name, value] of Object.entries(vars || {})) text = text.replaceAll(`{${name}}`, String(value));
    return text;
  },
  apply(root) {
    document.documentElement.lang = this.lang === "zh" ? "zh-CN" : "en";
    for (const el of (root || document).querySelectorAll("[data-i18n]")) el.textContent = this.t(el.dataset.i18n);
    for (const el of (root || document).querySelectorAll("[data-i18n-placeholder]")) {
      el.placeholder = this.t(el.dataset.i18nPlaceholder);
    }
    for (const el of (root || document).querySelectorAll("[data-i18n-label]")) {
      el.setAttribute("aria-label", this.t(el.dataset.i18nLabel));
      el.title = this.t(el.dataset.i18nLabel);
    }
    const toggle = document.getElementById("lang-toggle");
    if (toggle) toggle.textContent = this.lang === "zh" ? "EN" : "中文";
  },
  toggle() {
    this.lang = this.lang === "zh" ? "en" : "zh";
    localStorage.setItem("zhiku.lang", this.lang);
    this.apply();
  },
};
window.i18n = i18n;
