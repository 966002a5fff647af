/* global AbortController */
// Folio's web page: plain ES module, no build step, no external resources.
// Streams answers from POST /chat (server-sent events read with fetch + ReadableStream),
// shows numbered citation chips, and opens the cited page or figure beside the conversation.

const TOKEN_KEY = "folio.token";
const SESSION_KEY = "folio.sessionId";

const $ = (id) => document.getElementById(id);
const els = {
  status: $("status"),
  tokenForm: $("token-form"),
  token: $("token"),
  newChat: $("new-chat"),
  log: $("log"),
  empty: $("empty"),
  ask: $("ask"),
  question: $("question"),
  image: $("image"),
  imageName: $("image-name"),
  clearImage: $("clear-image"),
  send: $("send"),
  formMessage: $("form-message"),
  viewer: $("viewer"),
  viewerTitle: $("viewer-title"),
  viewerMeta: $("viewer-meta"),
  viewerFigure: $("viewer-figure"),
  viewerImage: $("viewer-image"),
  viewerCaption: $("viewer-caption"),
  viewerSnippet: $("viewer-snippet"),
  closeViewer: $("close-viewer"),
};

const state = {
  sessionId: window.sessionStorage.getItem(SESSION_KEY) || undefined,
  imageDataUri: undefined,
  imageSearch: true,
  busy: false,
  controller: undefined,
  objectUrl: undefined,
};

function authHeaders() {
  const token = window.localStorage.getItem(TOKEN_KEY);
  return token ? { Authorization: `Bearer ${token}` } : {};
}

function setSession(id) {
  state.sessionId = id;
  if (id) window.sessionStorage.setItem(SESSION_KEY, id);
  else window.sessionStorage.removeItem(SESSION_KEY);
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

// ---- Status and token ----

async function loadHealth() {
  try {
    const res = await fetch("health", { headers: { Accept: "application/json" } });
    const health = await res.json();
    const s = health.store || {};
    const parts = [];
    if (s.documents !== null && s.documents !== undefined) parts.push(plural(s.documents, "paper"));
    if (s.figures) parts.push(plural(s.figures, "figure"));
    if (s.pages) parts.push(plural(s.pages, "page"));
    parts.push(health.embeddings && health.embeddings.mode === "jina" ? "Jina embeddings" : "BM25 search");
    parts.push(health.llm && health.llm.mode === "openai" ? `LLM ${health.llm.model || ""}`.trim() : "extractive answers");
    els.status.textContent = s.documents === 0 ? "No papers ingested yet: run `folio ingest <folder>`." : parts.join(" · ");
    state.imageSearch = Boolean(health.imageSearch);
    if (!state.imageSearch) els.image.closest(".upload").title = "Image search needs Jina embeddings on the server";
    if (health.auth) showTokenForm(false);
  } catch {
    els.status.textContent = "The server is not reachable.";
  }
}

function showTokenForm(focus) {
  els.tokenForm.hidden = false;
  els.token.value = window.localStorage.getItem(TOKEN_KEY) || "";
  if (focus) els.token.focus();
}

els.tokenForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const value = els.token.value.trim();
  if (value) window.localStorage.setItem(TOKEN_KEY, value);
  else window.localStorage.removeItem(TOKEN_KEY);
  els.formMessage.textContent = value ? "Token saved in this browser." : "Token removed.";
  els.question.focus();
});

els.newChat.addEventListener("click", () => {
  if (state.controller) state.controller.abort();
  setSession(undefined);
  els.log.textContent = "";
  els.empty.hidden = false;
  closeViewer();
  els.formMessage.textContent = "";
  els.question.focus();
});

// ---- Image upload ----

els.image.addEventListener("change", () => {
  const file = els.image.files && els.image.files[0];
  if (!file) return clearImage();
  if (!state.imageSearch) {
    els.formMessage.textContent = "Image search is not available on this server: it needs Jina embeddings (JINA_API_KEY or a self-hosted JINA_BASE_URL). Ask in words instead.";
  }
  const reader = new FileReader();
  reader.onload = () => {
    state.imageDataUri = String(reader.result);
    els.imageName.textContent = `Image: ${file.name}`;
    els.clearImage.hidden = false;
  };
  reader.onerror = () => {
    els.formMessage.textContent = "The image could not be read.";
    clearImage();
  };
  reader.readAsDataURL(file);
});

function clearImage() {
  state.imageDataUri = undefined;
  els.image.value = "";
  els.imageName.textContent = "";
  els.clearImage.hidden = true;
}
els.clearImage.addEventListener("click", () => {
  clearImage();
  els.image.focus();
});

// ---- Asking ----

els.question.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    els.ask.requestSubmit();
  }
});

els.ask.addEventListener("submit", (event) => {
  event.preventDefault();
  const message = els.question.value.trim();
  if (!message || state.busy) return;
  void ask(message);
});

function addMessage(role) {
  els.empty.hidden = true;
  const item = document.createElement("li");
  item.className = `message ${role}`;
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = role === "user" ? "You" : "Folio";
  item.append(who);
  els.log.append(item);
  return item;
}

async function ask(message) {
  state.busy = true;
  els.send.disabled = true;
  els.formMessage.textContent = "";
  const userItem = addMessage("user");
  const userText = document.createElement("p");
  userText.className = "text";
  userText.textContent = message;
  userItem.append(userText);
  if (state.imageDataUri) {
    const thumb = document.createElement("img");
    thumb.className = "thumb";
    thumb.src = state.imageDataUri;
    thumb.alt = "Your image";
    userItem.append(thumb);
  }

  const view = createAnswerView(addMessage("assistant"));
  const body = { message, stream: true };
  if (state.sessionId) body.sessionId = state.sessionId;
  if (state.imageDataUri) body.image = state.imageDataUri;
  els.question.value = "";
  clearImage();

  state.controller = new AbortController();
  let focusToken = false;
  try {
    const res = await fetch("chat", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream", ...authHeaders() },
      body: JSON.stringify(body),
      signal: state.controller.signal,
    });
    if (!res.ok || !res.body) {
      const error = await res.json().catch(() => ({ error: { message: `The server answered ${res.status}.`, hint: "" } }));
      view.fail(error.error || {});
      // Nothing was answered: give the question back so it can be sent again.
      if (!els.question.value) els.question.value = message;
      if (res.status === 401) {
        showTokenForm(false);
        focusToken = true;
      }
      return;
    }
    let ended = false;
    for await (const { event, data } of readEvents(res.body)) {
      if (event === "session") setSession(data.sessionId);
      else if (event === "sources") view.setSources(data.sources);
      else if (event === "token") view.appendToken(data.text);
      else if (event === "citation") view.addCitation(data);
      else if (event === "done") {
        ended = true;
        setSession(data.sessionId);
        view.finish(data);
      } else if (event === "error") {
        ended = true;
        view.fail(data);
      }
    }
    if (!ended) view.fail({ message: "The answer was cut off.", hint: "Ask again; if it keeps happening, check the server." });
  } catch (error) {
    if (!(error && error.name === "AbortError")) view.fail({ message: "The connection to the server was lost.", hint: "Check that `folio serve` is running, then ask again." });
  } finally {
    view.settle();
    state.busy = false;
    state.controller = undefined;
    els.send.disabled = false;
    (focusToken ? els.token : els.question).focus();
  }
}

/** Parses a text/event-stream body into {event, data} objects. */
async function* readEvents(stream) {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let boundary;
    while ((boundary = buffer.search(/\r?\n\r?\n/)) !== -1) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary).replace(/^\r?\n\r?\n/, "");
      const parsed = parseEvent(block);
      if (parsed) yield parsed;
    }
  }
  const last = parseEvent(buffer);
  if (last) yield last;
}

function parseEvent(block) {
  let event = "message";
  const data = [];
  for (const line of block.split(/\r?\n/)) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  if (!data.length) return undefined;
  try {
    return { event, data: JSON.parse(data.join("\n")) };
  } catch {
    return undefined;
  }
}

// ---- One answer ----

function createAnswerView(item) {
  item.setAttribute("aria-busy", "true");
  const text = document.createElement("div");
  text.className = "text";
  const pending = document.createElement("p");
  pending.className = "pending";
  pending.textContent = "Searching the papers…";
  const chips = document.createElement("ul");
  chips.className = "chips";
  chips.setAttribute("aria-label", "Citations");
  item.append(pending, text, chips);

  let answer = "";
  const sources = new Map();
  const cited = new Set();

  // The answer so far is drawn into `text` up to `drawn`; the rest (at most a marker still being
  // streamed, "[" or "[12") waits in `tail`, so each token adds only its own nodes.
  let drawn = 0;
  let tail = document.createTextNode("");
  text.append(tail);

  function render() {
    text.textContent = "";
    drawn = 0;
    tail = document.createTextNode("");
    text.append(tail);
    draw();
  }

  function draw() {
    const rest = answer.slice(drawn);
    const partial = /\[\d*$/.exec(rest);
    const ready = partial ? rest.slice(0, partial.index) : rest;
    drawn += ready.length;
    tail.textContent = rest.slice(ready.length);
    for (const part of ready.split(/(\[\d+\])/)) {
      const m = /^\[(\d+)\]$/.exec(part);
      const source = m ? sources.get(Number(m[1])) : undefined;
      if (source) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "cite-inline";
        button.textContent = part;
        button.setAttribute("aria-label", `Citation ${source.n}: ${describe(source)}`);
        button.addEventListener("click", () => openViewer(source, button));
        text.insertBefore(button, tail);
      } else if (part) {
        text.insertBefore(document.createTextNode(part), tail);
      }
    }
  }

  function addChip(citation) {
    if (cited.has(citation.n)) return;
    cited.add(citation.n);
    sources.set(citation.n, citation);
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = `chip ${citation.kind}`;
    const n = document.createElement("span");
    n.className = "n";
    n.textContent = String(citation.n);
    const label = document.createElement("span");
    label.textContent = describe(citation);
    button.append(n, label);
    button.setAttribute("aria-label", `Show citation ${citation.n}: ${describe(citation)}`);
    button.addEventListener("click", () => openViewer(citation, button));
    li.append(button);
    const items = [...chips.children];
    const after = items.find((el) => Number(el.dataset.n) > citation.n);
    li.dataset.n = String(citation.n);
    chips.insertBefore(li, after || null);
  }

  return {
    setSources(list) {
      for (const s of list || []) if (!sources.has(s.n)) sources.set(s.n, s);
      pending.textContent = list && list.length ? `Found ${plural(list.length, "source")}; writing the answer…` : "No matching sources.";
    },
    appendToken(token) {
      pending.hidden = true;
      answer += token;
      // Counted for the browser test (and handy when debugging a stream).
      item.dataset.tokens = String(Number(item.dataset.tokens || 0) + 1);
      draw();
    },
    addCitation(citation) {
      addChip(citation);
      render();
    },
    finish(result) {
      pending.hidden = true;
      answer = result.answer;
      for (const s of result.sources || []) sources.set(s.n, s);
      for (const c of result.citations || []) addChip(c);
      render();
      if (result.unanswered) item.classList.add("unanswered");
    },
    fail(error) {
      pending.hidden = true;
      const box = document.createElement("div");
      box.className = "error";
      box.setAttribute("role", "alert");
      const message = document.createElement("p");
      message.textContent = error.message || "Something went wrong.";
      box.append(message);
      if (error.hint) {
        const hint = document.createElement("p");
        hint.className = "hint";
        hint.textContent = error.hint;
        box.append(hint);
      }
      item.append(box);
    },
    settle() {
      item.removeAttribute("aria-busy");
      item.dataset.state = "settled";
      if (!answer) pending.hidden = true;
    },
  };
}

function describe(c) {
  const parts = [c.title || c.docId];
  if (c.figureLabel) parts.push(c.figureLabel);
  if (c.page) parts.push(`p. ${c.page}`);
  return parts.join(", ");
}

// ---- Source viewer ----

let returnFocus;

async function openViewer(citation, opener) {
  returnFocus = opener;
  els.viewer.hidden = false;
  els.viewerTitle.textContent = `[${citation.n}] ${citation.title || citation.docId}`;
  const meta = [];
  if (citation.kind === "figure") meta.push(citation.figureLabel || "Figure");
  else if (citation.kind === "page") meta.push("Page image");
  if (citation.page) meta.push(`page ${citation.page}`);
  if (citation.source) meta.push(citation.source.split(/[\\/]/).pop());
  els.viewerMeta.textContent = meta.join(" · ");
  els.viewerSnippet.textContent = citation.snippet || "";
  els.viewerFigure.hidden = true;
  els.viewerImage.removeAttribute("src");
  if (state.objectUrl) URL.revokeObjectURL(state.objectUrl);
  state.objectUrl = undefined;
  els.viewerTitle.setAttribute("tabindex", "-1");
  els.viewerTitle.focus();
  if (!citation.imageUrl) return;
  try {
    // Fetched rather than linked, so the bearer token can go along.
    const res = await fetch(citation.imageUrl.replace(/^\//, ""), { headers: authHeaders() });
    if (!res.ok) throw new Error(String(res.status));
    state.objectUrl = URL.createObjectURL(await res.blob());
    els.viewerImage.src = state.objectUrl;
    els.viewerImage.alt = citation.kind === "page" ? `Page ${citation.page || ""} of ${citation.title}` : `${citation.figureLabel || "Figure"} from ${citation.title}`;
    els.viewerCaption.textContent = citation.figureLabel ? `${citation.figureLabel}${citation.page ? `, page ${citation.page}` : ""}` : citation.page ? `Page ${citation.page}` : "";
    els.viewerFigure.hidden = false;
  } catch {
    els.viewerMeta.textContent += " · image unavailable";
  }
}

function closeViewer() {
  els.viewer.hidden = true;
  if (state.objectUrl) URL.revokeObjectURL(state.objectUrl);
  state.objectUrl = undefined;
  if (returnFocus && document.body.contains(returnFocus)) returnFocus.focus();
}

els.closeViewer.addEventListener("click", closeViewer);
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && !els.viewer.hidden) closeViewer();
});

void loadHealth();
els.question.focus();
