/* global AbortController, Node */
// The conversation: streams answers from POST /chat, draws [n] markers as buttons and the sources
// as chips that keep "p. 8, Table 2" visible, follows the newest answer unless the reader scrolled
// up, and copies an answer with its references.

import { apiUrl, authHeaders, copyText, errorOf, locationLabel, plural, readEvents } from "./api.js";
import { openSource } from "./viewer.js";

const SESSION_KEY = "folio.sessionId";
/** How close to the bottom (px) still counts as "reading the newest answer". */
const FOLLOW_SLACK = 96;

const $ = (id) => document.getElementById(id);
const els = {
  log: $("log"),
  empty: $("empty"),
  ask: $("ask"),
  question: $("question"),
  image: $("image"),
  imageName: $("image-name"),
  clearImage: $("clear-image"),
  send: $("send"),
  formMessage: $("form-message"),
};

const state = {
  sessionId: window.sessionStorage.getItem(SESSION_KEY) || undefined,
  imageDataUri: undefined,
  imageSearch: true,
  busy: false,
  controller: undefined,
  /** Follow the newest answer as it grows; off once the reader scrolls up, on again at the bottom or with a new question. */
  follow: true,
  lastScrollY: window.scrollY,
};

function setSession(id) {
  state.sessionId = id;
  if (id) window.sessionStorage.setItem(SESSION_KEY, id);
  else window.sessionStorage.removeItem(SESSION_KEY);
}

export function setImageSearch(available) {
  state.imageSearch = available;
  if (!available) els.image.closest(".attach").title = "Image search needs Jina embeddings on the server";
}

export function newConversation() {
  if (state.controller) state.controller.abort();
  setSession(undefined);
  els.log.textContent = "";
  els.empty.hidden = false;
  els.formMessage.textContent = "";
  els.question.focus();
}

// ---- Following the newest answer ----

function distanceFromBottom() {
  return document.documentElement.scrollHeight - (window.scrollY + window.innerHeight);
}

window.addEventListener(
  "scroll",
  () => {
    const y = window.scrollY;
    // Only the reader scrolls up; the page's own scrolling goes down.
    if (y < state.lastScrollY - 2 && distanceFromBottom() > FOLLOW_SLACK) state.follow = false;
    else if (distanceFromBottom() <= FOLLOW_SLACK) state.follow = true;
    state.lastScrollY = y;
  },
  { passive: true },
);

/** Brings the bottom of `item` above the sticky question box (or its top to the top, when taller than the view). */
function reveal(item) {
  if (!state.follow || !item.isConnected) return;
  const formTop = els.ask.getBoundingClientRect().top;
  const rect = item.getBoundingClientRect();
  const room = formTop - 12;
  let delta = rect.bottom - room;
  if (rect.height > room - 12) delta = Math.min(delta, rect.top - 12);
  if (delta > 1) window.scrollBy({ top: delta, behavior: "instant" });
  state.lastScrollY = window.scrollY;
}

// ---- Image ----

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

/** Set by app.js: what to do when the server wants a token (show the field). */
let onUnauthorized = () => false;
export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

async function ask(message) {
  state.busy = true;
  state.follow = true;
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

  const item = addMessage("assistant");
  const view = createAnswerView(item, () => reveal(item));
  reveal(item);
  const body = { message, stream: true };
  if (state.sessionId) body.sessionId = state.sessionId;
  if (state.imageDataUri) body.image = state.imageDataUri;
  els.question.value = "";
  clearImage();

  state.controller = new AbortController();
  let focusToken = false;
  try {
    const res = await fetch(apiUrl("chat"), {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream", ...authHeaders() },
      body: JSON.stringify(body),
      signal: state.controller.signal,
    });
    if (!res.ok || !res.body) {
      view.fail(await errorOf(res));
      // Nothing was answered: give the question back so it can be sent again.
      if (!els.question.value) els.question.value = message;
      if (res.status === 401) focusToken = onUnauthorized();
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
    reveal(item);
    state.busy = false;
    state.controller = undefined;
    els.send.disabled = false;
    if (!focusToken) els.question.focus({ preventScroll: true });
  }
}

// ---- One answer ----

function chipContent(citation) {
  const n = document.createElement("span");
  n.className = "n";
  n.textContent = String(citation.n);
  const title = document.createElement("span");
  title.className = "chip-title";
  title.textContent = citation.title || citation.docId;
  const parts = [n, title];
  const where = locationLabel(citation);
  if (where) {
    const loc = document.createElement("span");
    loc.className = "chip-loc";
    loc.textContent = where;
    parts.push(loc);
  }
  return parts;
}

export function describe(c) {
  return [c.title || c.docId, locationLabel(c)].filter(Boolean).join(", ");
}

/** The answer as plain text with a references list of the sources it cites. */
function answerWithReferences(answer, citations) {
  if (!citations.length) return answer;
  const lines = citations.map((c) => `[${c.n}] ${describe(c)}${c.source ? ` (${c.source.split(/[\\/]/).pop()})` : ""}`);
  return `${answer.trim()}\n\nReferences\n${lines.join("\n")}\n`;
}

/** The "quoted sentence" that ends right before a marker in the answer text, if any. */
function quoteBefore(marker) {
  let text = "";
  for (let node = marker.previousSibling; node && node.nodeType === Node.TEXT_NODE; node = node.previousSibling) text = node.textContent + text;
  const match = /["“]([^"”]{8,})["”]\s*$/.exec(text);
  return match ? match[1].trim() : undefined;
}

function createAnswerView(item, onGrow) {
  item.setAttribute("aria-busy", "true");
  item.dataset.testid = "answer";
  item.setAttribute("data-testid", "answer");
  const text = document.createElement("div");
  text.className = "text";
  const pending = document.createElement("p");
  pending.className = "pending";
  pending.textContent = "Searching the papers…";
  const chips = document.createElement("ul");
  chips.className = "chips";
  chips.setAttribute("aria-label", "Sources cited");
  const actions = document.createElement("div");
  actions.className = "answer-actions";
  actions.hidden = true;
  const copy = document.createElement("button");
  copy.type = "button";
  copy.className = "link";
  copy.textContent = "Copy answer with references";
  const copied = document.createElement("span");
  copied.className = "copied";
  copied.setAttribute("role", "status");
  actions.append(copy, copied);
  item.append(pending, text, chips, actions);

  let answer = "";
  const sources = new Map();
  const cited = new Map();

  copy.addEventListener("click", async () => {
    const list = [...cited.values()].sort((a, b) => a.n - b.n);
    const ok = await copyText(answerWithReferences(answer, list));
    copied.textContent = ok ? "Copied." : "Copy failed.";
  });

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
        button.setAttribute("data-testid", "citation");
        button.dataset.sourceId = source.id;
        button.setAttribute("aria-label", `Citation ${source.n}: ${describe(source)}`);
        button.addEventListener("click", () => {
          const full = sources.get(source.n) || source;
          // The sentence quoted just before this marker is the one to mark on the page.
          const quote = quoteBefore(button);
          void openSource(quote ? { ...full, snippet: quote } : full, button);
        });
        text.insertBefore(button, tail);
      } else if (part) {
        text.insertBefore(document.createTextNode(part), tail);
      }
    }
    onGrow();
  }

  function addChip(citation) {
    if (cited.has(citation.n)) return;
    cited.set(citation.n, citation);
    sources.set(citation.n, citation);
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = `chip kind-${citation.kind}`;
    button.setAttribute("data-testid", "citation");
    button.dataset.sourceId = citation.id;
    button.append(...chipContent(citation));
    button.title = describe(citation);
    button.setAttribute("aria-label", `Show source ${citation.n}: ${describe(citation)}`);
    button.addEventListener("click", () => void openSource(cited.get(citation.n) || citation, button));
    li.append(button);
    li.dataset.n = String(citation.n);
    const after = [...chips.children].find((el) => Number(el.dataset.n) > citation.n);
    chips.insertBefore(li, after || null);
    onGrow();
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
      // The final list is authoritative (numbers as cited, full fields).
      for (const c of result.citations || []) {
        if (cited.has(c.n)) cited.set(c.n, c);
        addChip(c);
      }
      render();
      actions.hidden = !answer;
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
      onGrow();
    },
    settle() {
      item.removeAttribute("aria-busy");
      item.dataset.state = "settled";
      if (!answer) pending.hidden = true;
    },
  };
}
