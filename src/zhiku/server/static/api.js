// zhiku web UI — talking to the server: the API key, JSON calls, uploads and SSE streams.
// EventSource cannot send an Authorization header, so streams are read with fetch().
"use strict";

class ApiError extends Error {
  constructor(status, body) {
    const err = (body && body.error) || {};
    const text = i18n.lang === "zh" ? err.message_zh || err.message : err.message_en || err.message;
    super(text || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

const api = {
  key: localStorage.getItem("zhiku.key") || "",
  onUnauthorized: null,

  setKey(key) {
    this.key = key;
    if (key) localStorage.setItem("zhiku.key", key);
    else localStorage.removeItem("zhiku.key");
  },

  headers(extra) {
    const h = Object.assign({ "Accept-Language": i18n.lang === "zh" ? "zh-CN" : "en" }, extra || {});
    if (this.key) h.Authorization = `Bearer ${this.key}`;
    return h;
  },

  async request(method, path, body) {
    const init = { method, headers: this.headers(body ? { "Content-Type": "application/json" } : {}) };
    if (body) init.body = JSON.stringify(body);
    const resp = await fetch(path, init);
    if (resp.status === 204) return null;
    const data = await resp.json().catch(() => null);
    if (!resp.ok) {
      if (resp.status === 401 && this.onUnauthorized) this.onUnauthorized();
      throw new ApiError(resp.status, data);
    }
    return data;
  },
  get(path) { return this.request("GET", path); },
  post(path, body) { return this.request("POST", path, body); },
  del(path) { return this.request("DELETE", path); },

  // One file per request, so each row gets its own upload progress.
  upload(kb, file, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", `/api/kb/${encodeURIComponent(kb)}/documents`);
      for (const [k, v] of Object.entries(this.headers())) xhr.setRequestHeader(k, v);
      xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
      xhr.onload = () => {
        let data = null;
        try { data = JSON.parse(xhr.responseText); } catch (_) { /* not JSON */ }
        if (xhr.status >= 200 && xhr.status < 300) resolve(data);
        else reject(new ApiError(xhr.status, data));
      };
      xhr.onerror = () => reject(new ApiError(0, null));
      const form = new FormData();
      form.append("files", file, file.name);
      xhr.send(form);
    });
  },

  // Read a text/event-stream response; calls onData(parsedJson) per event, stops at [DONE].
  async stream(path, init, onData) {
    const resp = await fetch(path, Object.assign({ headers: this.headers() }, init));
    if (!resp.ok) {
      const data = await resp.json().catch(() => null);
      if (resp.status === 401 && this.onUnauthorized) this.onUnauthorized();
      throw new ApiError(resp.status, data);
    }
    const reader = resp.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const data = block.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trimStart()).join("\n");
        if (!data) continue;
        if (data === "[DONE]") return;
        onData(JSON.parse(data));
      }
    }
  },
};
window.api = api;
window.ApiError = ApiError;
