// zhiku web UI — a small, safe Markdown renderer for answers (offline, no library).
// It never parses HTML: every piece of text becomes a text node, so an answer quoting a
// document cannot inject markup.  Blocks: paragraphs (single newlines kept), headings, lists,
// tables, quotes, fenced code.  Inline: **bold**, *italic*, `code`, and [n] citations (onCite).
"use strict";

const MD = (() => {
  const node = (tag, cls) => { const n = document.createElement(tag); if (cls) n.className = cls; return n; };

  // Inline markup: split on the tokens we know, everything else is plain text.
  const INLINE = /(\*\*[^*\n]+?\*\*|__[^_\n]+?__|`[^`\n]+`|\[\d{1,3}\]|(?<![\w*])\*[^*\s][^*\n]*?\*(?![\w*]))/;
  function inline(text, onCite) {
    const frag = document.createDocumentFragment();
    for (const part of text.split(INLINE)) {
      if (!part) continue;
      let m;
      if ((m = /^\*\*(.+)\*\*$/.exec(part) || /^__(.+)__$/.exec(part))) {
        const b = node("strong"); b.append(inline(m[1], onCite)); frag.append(b);
      } else if ((m = /^`(.+)`$/.exec(part))) {
        const c = node("code"); c.textContent = m[1]; frag.append(c);
      } else if ((m = /^\[(\d{1,3})\]$/.exec(part)) && onCite) {
        const b = node("button", "cite"); b.type = "button"; b.dataset.n = m[1]; b.textContent = part;
        b.addEventListener("click", () => onCite(Number(m[1])));
        frag.append(b);
      } else if ((m = /^\*(.+)\*$/.exec(part))) {
        const i = node("em"); i.append(inline(m[1], onCite)); frag.append(i);
      } else {
        frag.append(document.createTextNode(part));
      }
    }
    return frag;
  }

  function linesWithBreaks(lines, onCite, parent) {
    lines.forEach((line, i) => { if (i) parent.append(node("br")); parent.append(inline(line, onCite)); });
    return parent;
  }

  const cells = (line) => line.trim().replace(/^\|/, "").replace(/\|$/, "").split("|").map((c) => c.trim());
  const isRule = (line) => /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/.test(line);
  const LIST = /^\s*(?:([-*+•])|(\d{1,3})[.)、])\s+(.*)$/;

  function table(lines, onCite) {
    const t = node("table", "md-table");
    const head = node("thead"), tr = node("tr");
    for (const c of cells(lines[0])) { const th = node("th"); th.append(inline(c, onCite)); tr.append(th); }
    head.append(tr); t.append(head);
    const body = node("tbody");
    for (const line of lines.slice(2)) {
      const row = node("tr");
      for (const c of cells(line)) { const td = node("td"); td.append(inline(c, onCite)); row.append(td); }
      body.append(row);
    }
    t.append(body);
    const wrap = node("div", "md-table-wrap"); wrap.append(t);
    return wrap;
  }

  function render(text, onCite) {
    const out = document.createDocumentFragment();
    const lines = String(text || "").replace(/\r\n?/g, "\n").split("\n");
    let i = 0;
    while (i < lines.length) {
      const line = lines[i];
      if (!line.trim()) { i++; continue; }
      if (/^\s*```/.test(line)) {
        const code = [];
        for (i++; i < lines.length && !/^\s*```/.test(lines[i]); i++) code.push(lines[i]);
        i++;
        const pre = node("pre"), c = node("code"); c.textContent = code.join("\n"); pre.append(c); out.append(pre);
        continue;
      }
      let m;
      if ((m = /^(#{1,6})\s+(.*)$/.exec(line))) {
        const h = node(`h${Math.min(6, m[1].length + 2)}`, "md-h"); h.append(inline(m[2], onCite)); out.append(h); i++;
        continue;
      }
      if (line.includes("|") && i + 1 < lines.length && isRule(lines[i + 1])) {
        const block = [line, lines[i + 1]];
        for (i += 2; i < lines.length && lines[i].includes("|") && lines[i].trim(); i++) block.push(lines[i]);
        out.append(table(block, onCite));
        continue;
      }
      if (LIST.test(line)) {
        const ordered = !!LIST.exec(line)[2];
        const list = node(ordered ? "ol" : "ul");
        if (ordered) list.start = Number(LIST.exec(line)[2]);
        while (i < lines.length && (m = LIST.exec(lines[i])) && !!m[2] === ordered) {
          const li = node("li"); li.append(inline(m[3], onCite)); list.append(li); i++;
        }
        out.append(list);
        continue;
      }
      if (/^\s*>/.test(line)) {
        const quote = [];
        for (; i < lines.length && /^\s*>/.test(lines[i]); i++) quote.push(lines[i].replace(/^\s*>\s?/, ""));
        out.append(linesWithBreaks(quote, onCite, node("blockquote")));
        continue;
      }
      const para = [];
      for (; i < lines.length && lines[i].trim() && !LIST.test(lines[i]) && !/^(#{1,6})\s|^\s*```|^\s*>/.test(lines[i]); i++) {
        if (lines[i].includes("|") && i + 1 < lines.length && isRule(lines[i + 1])) break;
        para.push(lines[i]);
      }
      if (!para.length) { para.push(lines[i]); i++; }
      out.append(linesWithBreaks(para, onCite, node("p")));
    }
    return out;
  }

  return { render, inline };
})();
window.MD = MD;
